import type { RequestOptions } from "../client.js";
import type { PagePromise } from "../core/pagination.js";
import { APIResource } from "../core/resource.js";
import type { Body, Query, Schemas } from "../internal/types.js";
import { path, query } from "../internal/utils.js";

export type Reconciliation = Schemas["Reconciliation"];
export type ReconciliationLine = Schemas["ReconciliationLine"];
/** A reconciliation as lists show it: without its lines. */
export type ReconciliationSummary = Schemas["ReconciliationSummary"];
export type ReconciliationCreateParams = Body<"/v1/reconciliations", "post">;
export type ReconciliationListParams = Query<"/v1/reconciliations", "get">;
export type SettlementFileParams = Query<"/v1/test_helpers/settlement_files", "get">;

/** Platform admin key: a provider's settlement file matched against the ledger, line by line. */
export class Reconciliations extends APIResource {
  /**
   * Matches `content` (the file's CSV text). The same file again answers its first
   * reconciliation; a movement another file's reconciliation accounted for is `already_reconciled`.
   */
  create(params: ReconciliationCreateParams, options?: RequestOptions): Promise<Reconciliation> {
    return this._client.request("POST", "/reconciliations", params, options);
  }
  retrieve(id: string, options?: RequestOptions): Promise<Reconciliation> {
    return this._client.request("GET", path`/reconciliations/${id}`, undefined, options);
  }
  list(params?: ReconciliationListParams, options?: RequestOptions): PagePromise<ReconciliationSummary> {
    return this._client.list("/reconciliations", params, options);
  }
  /** Test mode: the CSV the simulated card acquirer sends for one UTC day. */
  async settlementFile(params: SettlementFileParams, options?: RequestOptions): Promise<string> {
    const bytes = await this._client.requestBytes("GET", `/test_helpers/settlement_files${query(params)}`, undefined, {
      ...options,
      headers: { Accept: "text/csv", ...options?.headers },
    });
    return new TextDecoder().decode(bytes);
  }
}
