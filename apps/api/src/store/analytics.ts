import { sql } from "drizzle-orm";
import type { Database, Db } from "../db/client.js";
import { pgArray } from "../lib/pg-array.js";

/**
 * The statements behind GET /v1/analytics/overview. They read the figures the database keeps
 * per 15-minute bucket (db/schema/analytics.ts): the folded rollups plus the deltas appended
 * since the last fold, so an answer is exact at once and reads a few thousand rows for a
 * month, however many payments the month had.
 */
export interface Owner {
  merchantId: string;
  livemode: boolean;
}

/** The last `days` calendar days in `tz`, today included: [since, until) and their names. */
export interface AnalyticsWindow {
  since: string;
  until: string;
  /** YYYY-MM-DD, oldest first. */
  dates: string[];
}

export async function analyticsWindow(database: Database, db: Db, now: Date, days: number, tz: string): Promise<AnalyticsWindow> {
  // PostgreSQL does the calendar: a day in a zone with a DST change is 23 or 25 hours long.
  const rows = await database.rows<{ since: number; until: number; first: string }>(
    sql`WITH today AS (SELECT date_trunc('day', ${now.toISOString()}::timestamptz AT TIME ZONE ${tz}) AS d)
        SELECT (extract(epoch FROM (d - make_interval(days => ${days - 1})) AT TIME ZONE ${tz}) * 1000)::bigint AS since,
               (extract(epoch FROM (d + interval '1 day') AT TIME ZONE ${tz}) * 1000)::bigint AS until,
               to_char(d - make_interval(days => ${days - 1}), 'YYYY-MM-DD') AS first
        FROM today`,
    db,
  );
  const w = rows[0] as { since: number; until: number; first: string };
  const start = Date.parse(`${w.first}T00:00:00Z`);
  const dates = Array.from({ length: days }, (_, i) => new Date(start + i * 86_400_000).toISOString().slice(0, 10));
  return { since: new Date(Number(w.since)).toISOString(), until: new Date(Number(w.until)).toISOString(), dates };
}

/** Payments that reached an outcome (succeeded or failed), per local day, currency, method and status. */
export interface PaymentOutcomeRow {
  day: string;
  currency: string;
  method: string | null;
  status: "succeeded" | "failed";
  count: number;
  amount: number;
  fee: number;
}

/** One merchant's figures of one mode in the window: the folded rollups and the deltas not folded yet. */
function figures(o: Owner, w: AnalyticsWindow, measures: readonly string[]) {
  const where = sql`merchant_id = ${o.merchantId} AND livemode = ${o.livemode}
      AND bucket >= ${w.since}::timestamptz AND bucket < ${w.until}::timestamptz
      AND measure = ANY(${pgArray(measures)}::text[])`;
  return sql`(SELECT bucket, measure, currency, dimension, count, amount, fee FROM analytics_rollups WHERE ${where}
              UNION ALL
              SELECT bucket, measure, currency, dimension, count, amount, fee FROM analytics_deltas WHERE ${where})`;
}

type FigureRow = { measure: string; currency: string; dimension: string; count: number; amount: number; fee: number };

export async function paymentOutcomes(database: Database, db: Db, o: Owner, w: AnalyticsWindow, tz: string) {
  const rows = await database.rows<FigureRow & { day: string }>(
    sql`SELECT to_char((bucket AT TIME ZONE ${tz})::date, 'YYYY-MM-DD') AS day, currency, dimension, measure,
               sum(count)::bigint AS count, sum(amount)::bigint AS amount, sum(fee)::bigint AS fee
        FROM ${figures(o, w, ["payment_succeeded", "payment_failed"])} f
        GROUP BY 1, 2, 3, 4
        HAVING sum(count) <> 0 OR sum(amount) <> 0 OR sum(fee) <> 0`,
    db,
  );
  return rows.map(
    (r): PaymentOutcomeRow => ({
      day: r.day,
      currency: r.currency,
      method: r.dimension === "" ? null : r.dimension,
      status: r.measure === "payment_succeeded" ? "succeeded" : "failed",
      count: Number(r.count),
      amount: Number(r.amount),
      fee: Number(r.fee),
    }),
  );
}

/** Succeeded refunds per local day (of the refund) and currency. */
export async function refundsByDay(database: Database, db: Db, o: Owner, w: AnalyticsWindow, tz: string) {
  const rows = await database.rows<{ day: string; currency: string; count: number; amount: number }>(
    sql`SELECT to_char((bucket AT TIME ZONE ${tz})::date, 'YYYY-MM-DD') AS day, currency,
               sum(count)::bigint AS count, sum(amount)::bigint AS amount
        FROM ${figures(o, w, ["refund"])} f
        GROUP BY 1, 2
        HAVING sum(count) <> 0 OR sum(amount) <> 0`,
    db,
  );
  return rows.map((r) => ({ ...r, count: Number(r.count), amount: Number(r.amount) }));
}

/** Whether the merchant runs transit terminals in this mode (rides are shown only then). */
export async function hasTerminals(database: Database, db: Db, o: Owner): Promise<boolean> {
  const rows = await database.rows<{ found: boolean }>(
    sql`SELECT EXISTS (SELECT 1 FROM terminals WHERE merchant_id = ${o.merchantId} AND livemode = ${o.livemode}) AS found`,
    db,
  );
  return Boolean(rows[0]?.found);
}

/** Accepted taps (rides) per local hour of day, route and currency. */
export async function ridesByHourAndRoute(database: Database, db: Db, o: Owner, w: AnalyticsWindow, tz: string) {
  const rows = await database.rows<{ hour: number; route: string; currency: string; rides: number; amount: number }>(
    sql`SELECT extract(hour FROM bucket AT TIME ZONE ${tz})::int AS hour, dimension AS route, currency,
               sum(count)::bigint AS rides, sum(amount)::bigint AS amount
        FROM ${figures(o, w, ["ride"])} f
        GROUP BY 1, 2, 3
        HAVING sum(count) <> 0`,
    db,
  );
  return rows.map((r) => ({ ...r, hour: Number(r.hour), rides: Number(r.rides), amount: Number(r.amount) }));
}
