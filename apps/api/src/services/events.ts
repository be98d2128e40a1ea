import { eq, lt, type SQL, sql } from "drizzle-orm";
import type { AppEnv } from "../context.js";
import type { Database, Db } from "../db/client.js";
import { events } from "../db/schema/index.js";
import { idFloor, newId } from "../lib/ids.js";
import { type ListParams, listOwned } from "../lib/pagination.js";
import { pgArray } from "../lib/pg-array.js";
import { merchantOf } from "../middleware/auth.js";

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

/**
 * How far behind an API host's clock may run the database's: event ids carry the API's time, the
 * horizon below the database's.
 */
const CLOCK_SKEW_MS = 100;

/**
 * The time (ms) before which every event has committed, on a PostgreSQL server: an event's id
 * carries the moment it was made, inside its transaction, and a transaction still open can commit
 * events older than ones already listed. So the oldest transaction open (or now, with none) bounds
 * what a poller may be shown. undefined on the embedded database, whose one connection runs no
 * transaction beside this read.
 */
async function eventHorizon(database: Database, db: Db): Promise<number | undefined> {
  if (database.driver !== "postgres") return undefined;
  const [row] = await database.rows<{ at: number }>(
    sql`SELECT extract(epoch FROM least(now(), min(xact_start)))::float8 * 1000 AS at FROM pg_stat_activity
        WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
    db,
  );
  return Number(row?.at) - CLOCK_SKEW_MS;
}

/**
 * GET /v1/events. A page asked for with `ending_before` (a poller asking what is new since the
 * newest event it has) ends where every earlier event has committed: an event made before one it
 * shows but committed after would sort behind the poller's next cursor and never be shown to it.
 * The other pages show every committed event, so a write's event is listed as soon as it answers.
 */
export async function listEvents(v: AppEnv["Variables"], q: ListParams & { type?: string | undefined }) {
  const horizon = q.ending_before ? await eventHorizon(v.deps.database, v.db) : undefined;
  const l = await listOwned(
    v.db,
    merchantOf(v),
    events,
    q,
    "/v1/events",
    q.type ? eq(events.type, q.type) : undefined,
    horizon === undefined ? undefined : lt(events.id, idFloor("event", horizon)),
  );
  return { ...l, data: l.data.map(eventObject) };
}
