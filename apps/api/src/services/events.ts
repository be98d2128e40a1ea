import { sql } from "drizzle-orm";
import type { Database, Db } from "../db/client.js";
import type { events } from "../db/schema/index.js";
import { newId } from "../lib/ids.js";

export const EVENT_TYPES = [
  "payment.succeeded",
  "payment.failed",
  "payment.requires_capture",
  "payment.canceled",
  "refund.succeeded",
  "order.held",
  "order.delivered",
  "order.refunded",
  "order.expired",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export function eventObject(e: typeof events.$inferSelect) {
  return { id: e.id, object: "event" as const, type: e.type, created: e.createdAt.toISOString(), livemode: e.livemode, data: e.data };
}

/**
 * Writes an event into the outbox and queues one delivery per subscribed endpoint, in the
 * caller's transaction: the event exists if and only if the change it announces committed.
 */
export async function emitEvent(
  database: Database,
  tx: Db,
  e: { merchantId: string; livemode: boolean; type: EventType; object: Record<string, unknown> },
): Promise<string> {
  const id = newId("event");
  // One statement: the event and a delivery per subscribed endpoint.
  await database.rows(
    sql`WITH ev AS (INSERT INTO events (id, merchant_id, livemode, type, data)
                    VALUES (${id}, ${e.merchantId}, ${e.livemode}, ${e.type}, ${JSON.stringify({ object: e.object })}::jsonb) RETURNING id)
        INSERT INTO webhook_deliveries (id, merchant_id, event_id, endpoint_id)
        SELECT ${id} || ':' || w.id, w.merchant_id, ${id}, w.id FROM webhook_endpoints w, ev
        WHERE w.merchant_id = ${e.merchantId} AND w.livemode = ${e.livemode} AND w.status = 'enabled'
          AND (w.events @> ${JSON.stringify([e.type])}::jsonb OR w.events @> '["*"]'::jsonb)`,
    tx,
  );
  return id;
}
