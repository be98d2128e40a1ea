import { type SQL, sql } from "drizzle-orm";
import type { Database, Db } from "../db/client.js";
import type { events } from "../db/schema/index.js";
import { newId } from "../lib/ids.js";
import { pgArray } from "../lib/pg-array.js";

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
  "payout.created",
  "payout.paid",
  "payout.failed",
  "payout.canceled",
  "dispute.created",
  "dispute.closed",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export function eventObject(e: typeof events.$inferSelect) {
  return { id: e.id, object: "event" as const, type: e.type, created: e.createdAt.toISOString(), livemode: e.livemode, data: e.data };
}

export interface EventDraft {
  merchantId: string;
  livemode: boolean;
  type: EventType;
  object: Record<string, unknown>;
}

/**
 * Writes an event into the outbox and queues one delivery per subscribed endpoint, in the
 * caller's transaction: the event exists if and only if the change it announces committed.
 */
export async function emitEvent(database: Database, tx: Db, e: EventDraft): Promise<string> {
  const { ids, statement } = eventsStatement([e]);
  await database.rows(statement, tx);
  return ids[0] as string;
}

/**
 * The events' data as one JSON array: an array literal of JSON texts would escape every quote of
 * every payment object twice (once for the array, once for the string), and PostgreSQL unescape them.
 */
function eventData(drafts: readonly EventDraft[]): string {
  return `[${drafts.map((d) => JSON.stringify({ object: d.object })).join(",")}]`;
}

/** One statement for any number of events of one merchant and mode: the events, and a delivery per subscribed endpoint. */
export function eventsStatement(drafts: readonly EventDraft[]): { ids: string[]; statement: SQL } {
  const first = drafts[0] as EventDraft;
  if (drafts.some((d) => d.merchantId !== first.merchantId || d.livemode !== first.livemode)) {
    throw new Error("eventsStatement: events of one merchant and mode only");
  }
  const ids = drafts.map(() => newId("event"));
  const statement = sql`WITH ev AS (INSERT INTO events (id, merchant_id, livemode, type, data)
                    SELECT e.id, ${first.merchantId}, ${first.livemode}, e.type, d.data
                    FROM unnest(${pgArray(ids)}::text[], ${pgArray(drafts.map((d) => d.type))}::text[]) WITH ORDINALITY AS e(id, type, i)
                    JOIN jsonb_array_elements(${eventData(drafts)}::jsonb) WITH ORDINALITY AS d(data, i) USING (i)
                    RETURNING id, type)
        INSERT INTO webhook_deliveries (id, merchant_id, event_id, endpoint_id)
        SELECT ev.id || ':' || w.id, w.merchant_id, ev.id, w.id FROM webhook_endpoints w, ev
        WHERE w.merchant_id = ${first.merchantId} AND w.livemode = ${first.livemode} AND w.status = 'enabled'
          AND (w.events @> jsonb_build_array(ev.type) OR w.events @> '["*"]'::jsonb)`;
  return { ids, statement };
}
