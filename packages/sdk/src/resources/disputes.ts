import type { RequestOptions } from "../client.js";
import type { PagePromise } from "../core/pagination.js";
import { APIResource } from "../core/resource.js";
import type { Body, Query, Schemas } from "../internal/types.js";
import { path } from "../internal/utils.js";

export type Dispute = Schemas["Dispute"];
export type DisputeListParams = Query<"/v1/disputes", "get">;
export type DisputeEvidenceParams = Body<"/v1/disputes/{id}/evidence", "post">;
export type DisputeOpenParams = Body<"/v1/test_helpers/payments/{id}/dispute", "post">;
export type DisputeCloseParams = Body<"/v1/test_helpers/disputes/{id}/close", "post">;

/** Disputes (chargebacks) of the merchant's payments. Opened by the card network; in test mode by `testHelpers.payments.dispute`. */
export class Disputes extends APIResource {
  retrieve(id: string, options?: RequestOptions): Promise<Dispute> {
    return this._client.request("GET", path`/disputes/${id}`, undefined, options);
  }
  /** Newest first; `payment` filters by the disputed payment. */
  list(params?: DisputeListParams, options?: RequestOptions): PagePromise<Dispute> {
    return this._client.list("/disputes", params, options);
  }
  /** Answers the dispute with evidence (text); it goes `under_review`. */
  submitEvidence(id: string, params: DisputeEvidenceParams, options?: RequestOptions): Promise<Dispute> {
    return this._client.request("POST", path`/disputes/${id}/evidence`, params, options);
  }
}
