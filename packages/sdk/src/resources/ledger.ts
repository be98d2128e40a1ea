import type { RequestOptions } from "../client.js";
import type { PagePromise } from "../core/pagination.js";
import { APIResource } from "../core/resource.js";
import type { Query, Schemas } from "../internal/types.js";

export type LedgerTransaction = Schemas["LedgerTransaction"];
/** One posting of a transaction; amounts are signed (debit < 0, credit > 0). */
export type Posting = LedgerTransaction["postings"][number];
export type LedgerTransactionListParams = Query<"/v1/ledger/transactions", "get">;
export type LedgerVerification = Schemas["LedgerVerifyReport"];

class Transactions extends APIResource {
  /** Newest first; `source` filters by the object that caused them (pay_…, re_…). */
  list(params?: LedgerTransactionListParams, options?: RequestOptions): PagePromise<LedgerTransaction> {
    return this._client.list("/ledger/transactions", params, options);
  }
}

export class Ledger extends APIResource {
  readonly transactions: Transactions = new Transactions(this._client);
  /** Admin key: checks every currency sums to zero and every balance equals its postings. */
  verify(options?: RequestOptions): Promise<LedgerVerification> {
    return this._client.request("GET", "/admin/ledger/verify", undefined, options);
  }
}
