import type { RequestOptions } from "../client.js";
import type { PagePromise } from "../core/pagination.js";
import { APIResource } from "../core/resource.js";
import type { Body, Query, Schemas } from "../internal/types.js";
import { path } from "../internal/utils.js";

/** `secret` (the key itself) is only in the answer to `create` and `roll`. */
export type ApiKey = Schemas["ApiKey"];
export type ApiKeyRoll = Schemas["ApiKeyRoll"];
export type ApiKeyCreateParams = Body<"/v1/api_keys", "post">;
export type ApiKeyRollParams = Body<"/v1/api_keys/{id}/roll", "post">;
export type ApiKeyListParams = Query<"/v1/api_keys", "get">;

export class ApiKeys extends APIResource {
  create(params: ApiKeyCreateParams, options?: RequestOptions): Promise<ApiKey> {
    return this._client.request("POST", "/api_keys", params, options);
  }
  /** Hints only, never the keys. */
  list(params?: ApiKeyListParams, options?: RequestOptions): PagePromise<ApiKey> {
    return this._client.list("/api_keys", params, options);
  }
  /** A new key replaces this one; the old one keeps working for the grace period. */
  roll(id: string, params: ApiKeyRollParams = {}, options?: RequestOptions): Promise<ApiKeyRoll> {
    return this._client.request("POST", path`/api_keys/${id}/roll`, params, options);
  }
  /** Refused at once. */
  revoke(id: string, options?: RequestOptions): Promise<ApiKey> {
    return this._client.request("POST", path`/api_keys/${id}/revoke`, undefined, options);
  }
}
