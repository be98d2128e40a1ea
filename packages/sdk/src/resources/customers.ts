import type { RequestOptions } from "../client.js";
import type { PagePromise } from "../core/pagination.js";
import { APIResource } from "../core/resource.js";
import type { Body, Query, Schemas } from "../internal/types.js";
import { path } from "../internal/utils.js";

/** A customer with its wallet; the wallet never goes below zero. */
export type Customer = Schemas["Customer"];
export type CustomerCreateParams = Body<"/v1/customers", "post">;
export type CustomerListParams = Query<"/v1/customers", "get">;

export class Customers extends APIResource {
  create(params: CustomerCreateParams = {}, options?: RequestOptions): Promise<Customer> {
    return this._client.request("POST", "/customers", params, options);
  }
  retrieve(id: string, options?: RequestOptions): Promise<Customer> {
    return this._client.request("GET", path`/customers/${id}`, undefined, options);
  }
  list(params?: CustomerListParams, options?: RequestOptions): PagePromise<Customer> {
    return this._client.list("/customers", params, options);
  }
}
