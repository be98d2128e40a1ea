import type { RequestOptions } from "../client.js";
import type { PagePromise } from "../core/pagination.js";
import { APIResource } from "../core/resource.js";
import type { Body, Ok, Query, Schemas } from "../internal/types.js";
import { path } from "../internal/utils.js";

/** `secret` (`whsec_…`) is only in the response to `create`. */
export type WebhookEndpoint = Schemas["WebhookEndpoint"];
export type WebhookEndpointCreateParams = Body<"/v1/webhook_endpoints", "post">;
export type WebhookEndpointUpdateParams = Body<"/v1/webhook_endpoints/{id}", "post">;
export type WebhookEndpointListParams = Query<"/v1/webhook_endpoints", "get">;
export type WebhookEndpointDeleted = Ok<"/v1/webhook_endpoints/{id}", "delete">;
export type WebhookAttempt = Schemas["WebhookAttempt"];

export class WebhookEndpoints extends APIResource {
  create(params: WebhookEndpointCreateParams, options?: RequestOptions): Promise<WebhookEndpoint> {
    return this._client.request("POST", "/webhook_endpoints", params, options);
  }
  retrieve(id: string, options?: RequestOptions): Promise<WebhookEndpoint> {
    return this._client.request("GET", path`/webhook_endpoints/${id}`, undefined, options);
  }
  update(id: string, params: WebhookEndpointUpdateParams, options?: RequestOptions): Promise<WebhookEndpoint> {
    return this._client.request("POST", path`/webhook_endpoints/${id}`, params, options);
  }
  list(params?: WebhookEndpointListParams, options?: RequestOptions): PagePromise<WebhookEndpoint> {
    return this._client.list("/webhook_endpoints", params, options);
  }
  delete(id: string, options?: RequestOptions): Promise<WebhookEndpointDeleted> {
    return this._client.request("DELETE", path`/webhook_endpoints/${id}`, undefined, options);
  }
  /** Delivery attempts to this endpoint, newest first. */
  attempts(id: string, params?: WebhookEndpointListParams, options?: RequestOptions): PagePromise<WebhookAttempt> {
    return this._client.list(path`/webhook_endpoints/${id}/attempts`, params, options);
  }
}
