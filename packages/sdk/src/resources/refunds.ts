import type { RequestOptions } from "../client.js";
import type { PagePromise } from "../core/pagination.js";
import { APIResource } from "../core/resource.js";
import type { Body, Query, Schemas } from "../internal/types.js";
import { path } from "../internal/utils.js";

export type Refund = Schemas["Refund"];
export type RefundCreateParams = Body<"/v1/refunds", "post">;
export type RefundListParams = Query<"/v1/refunds", "get">;

export class Refunds extends APIResource {
  /** Never more than was captured; the money goes back the way it came. */
  create(params: RefundCreateParams, options?: RequestOptions): Promise<Refund> {
    return this._client.request("POST", "/refunds", params, options);
  }
  retrieve(id: string, options?: RequestOptions): Promise<Refund> {
    return this._client.request("GET", path`/refunds/${id}`, undefined, options);
  }
  list(params?: RefundListParams, options?: RequestOptions): PagePromise<Refund> {
    return this._client.list("/refunds", params, options);
  }
}
