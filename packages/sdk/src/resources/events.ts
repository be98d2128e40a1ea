import type { RequestOptions } from "../client.js";
import type { PagePromise } from "../core/pagination.js";
import { APIResource } from "../core/resource.js";
import type { Body, Query, Schemas } from "../internal/types.js";
import { path } from "../internal/utils.js";
import type { Order } from "./orders.js";

/** Every event type an endpoint can subscribe to. */
export type SoftrackEventType = Exclude<Body<"/v1/webhook_endpoints", "post">["events"][number], "*">;

/** What each event type carries in `data.object`. */
export interface SoftrackEventObjects {
  "payment.succeeded": Schemas["Payment"];
  "payment.failed": Schemas["Payment"];
  "payment.requires_capture": Schemas["Payment"];
  "payment.canceled": Schemas["Payment"];
  "refund.succeeded": Schemas["Refund"];
  "order.held": Order;
  "order.delivered": Order;
  "order.refunded": Order;
  "order.expired": Order;
  "payout.created": Schemas["Payout"];
  "payout.paid": Schemas["Payout"];
  "payout.failed": Schemas["Payout"];
  "payout.canceled": Schemas["Payout"];
  "dispute.created": Schemas["Dispute"];
  "dispute.closed": Schemas["Dispute"];
}

/**
 * The API's `Event`, narrowed: a union over `type`, so `switch (event.type)` types
 * `event.data.object`.
 */
export type SoftrackEvent = {
  [T in SoftrackEventType]: Omit<Schemas["Event"], "type" | "data"> & { type: T; data: { object: SoftrackEventObjects[T] } };
}[SoftrackEventType];

export type EventListParams = Query<"/v1/events", "get">;

export class Events extends APIResource {
  retrieve(id: string, options?: RequestOptions): Promise<SoftrackEvent> {
    return this._client.request("GET", path`/events/${id}`, undefined, options);
  }
  list(params?: EventListParams, options?: RequestOptions): PagePromise<SoftrackEvent> {
    return this._client.list("/events", params, options);
  }
}
