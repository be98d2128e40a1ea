import type { RequestOptions } from "../client.js";
import type { PagePromise } from "../core/pagination.js";
import { APIResource } from "../core/resource.js";
import type { Body, Ok, Query, Schemas } from "../internal/types.js";
import { path, query } from "../internal/utils.js";

/** An order under the courier payment guarantee: once paid the money is held, not the merchant's yet. */
export type Order = Schemas["Order"];
export type OrderStatus = Order["status"];
export type OrderCreateParams = Body<"/v1/orders", "post">;
export type OrderListParams = Query<"/v1/orders", "get">;
export type OrderHandoverParams = Body<"/v1/orders/{id}/handover", "post">;
export type OrderReturnParams = Body<"/v1/orders/{id}/returns", "post">;
export type OrderFailParams = Body<"/v1/orders/{id}/fail", "post">;
export type OrderEventList = Ok<"/v1/orders/{id}/events", "get">;
export type OrderEventListParams = Query<"/v1/orders/{id}/events", "get">;
export type PickupPoint = Schemas["PickupPoint"];
export type PickupPointCreateParams = Body<"/v1/pickup_points", "post">;
export type PickupPointListParams = Query<"/v1/pickup_points", "get">;

export class Orders extends APIResource {
  /** Creates the order and its payment (manual capture), to confirm like any payment. */
  create(params: OrderCreateParams, options?: RequestOptions): Promise<Order> {
    return this._client.request("POST", "/orders", params, options);
  }
  retrieve(id: string, options?: RequestOptions): Promise<Order> {
    return this._client.request("GET", path`/orders/${id}`, undefined, options);
  }
  list(params?: OrderListParams, options?: RequestOptions): PagePromise<Order> {
    return this._client.list("/orders", params, options);
  }
  /** The buyer takes the accepted items: they are captured, the rest refunded. */
  handover(id: string, params: OrderHandoverParams, options?: RequestOptions): Promise<Order> {
    return this._client.request("POST", path`/orders/${id}/handover`, params, options);
  }
  /** Items sent back inside the return window are refunded. */
  returns(id: string, params: OrderReturnParams, options?: RequestOptions): Promise<Order> {
    return this._client.request("POST", path`/orders/${id}/returns`, params, options);
  }
  /** The delivery failed: the buyer gets everything back (the guarantee). */
  fail(id: string, params: OrderFailParams, options?: RequestOptions): Promise<Order> {
    return this._client.request("POST", path`/orders/${id}/fail`, params, options);
  }
  /** The order's full history, newest first, 100 entries a page (`starting_after` for the earlier ones). */
  events(id: string, params?: OrderEventListParams, options?: RequestOptions): Promise<OrderEventList> {
    return this._client.request("GET", path`/orders/${id}/events` + query(params), undefined, options);
  }
}

export class PickupPoints extends APIResource {
  create(params: PickupPointCreateParams, options?: RequestOptions): Promise<PickupPoint> {
    return this._client.request("POST", "/pickup_points", params, options);
  }
  list(params?: PickupPointListParams, options?: RequestOptions): PagePromise<PickupPoint> {
    return this._client.list("/pickup_points", params, options);
  }
}
