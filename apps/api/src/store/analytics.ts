import { sql } from "drizzle-orm";
import type { Database, Db } from "../db/client.js";

/**
 * The statements behind GET /v1/analytics/overview. Each reads one merchant's rows of one mode
 * in a time window through an index that holds every column it sums (payments_analytics_idx,
 * refunds_analytics_idx, taps_merchant_tapped_idx), so PostgreSQL answers from the index alone
 * and never visits the table's pages, however many payments a merchant has.
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

export async function paymentOutcomes(database: Database, db: Db, o: Owner, w: AnalyticsWindow, tz: string) {
  const rows = await database.rows<PaymentOutcomeRow>(
    sql`SELECT to_char(day, 'YYYY-MM-DD') AS day, currency, method, status, count, amount, fee FROM (
          SELECT (created_at AT TIME ZONE ${tz})::date AS day, currency, method, status,
                 count(*)::int AS count, COALESCE(sum(amount_captured), 0)::bigint AS amount, COALESCE(sum(fee), 0)::bigint AS fee
          FROM payments
          WHERE merchant_id = ${o.merchantId} AND livemode = ${o.livemode}
            AND created_at >= ${w.since}::timestamptz AND created_at < ${w.until}::timestamptz
            AND status IN ('succeeded', 'failed')
          GROUP BY 1, 2, 3, 4) g`,
    db,
  );
  return rows.map((r) => ({ ...r, count: Number(r.count), amount: Number(r.amount), fee: Number(r.fee) }));
}

/** Succeeded refunds per local day (of the refund) and currency. */
export async function refundsByDay(database: Database, db: Db, o: Owner, w: AnalyticsWindow, tz: string) {
  const rows = await database.rows<{ day: string; currency: string; count: number; amount: number }>(
    sql`SELECT to_char(day, 'YYYY-MM-DD') AS day, currency, count, amount FROM (
          SELECT (created_at AT TIME ZONE ${tz})::date AS day, currency, count(*)::int AS count, COALESCE(sum(amount), 0)::bigint AS amount
          FROM refunds
          WHERE merchant_id = ${o.merchantId} AND livemode = ${o.livemode}
            AND created_at >= ${w.since}::timestamptz AND created_at < ${w.until}::timestamptz
            AND status = 'succeeded'
          GROUP BY 1, 2) g`,
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
    sql`SELECT extract(hour FROM tapped_at AT TIME ZONE ${tz})::int AS hour, route, currency,
               count(*)::int AS rides, COALESCE(sum(fare), 0)::bigint AS amount
        FROM taps
        WHERE merchant_id = ${o.merchantId} AND livemode = ${o.livemode}
          AND tapped_at >= ${w.since}::timestamptz AND tapped_at < ${w.until}::timestamptz
          AND decision = 'accepted'
        GROUP BY 1, 2, 3`,
    db,
  );
  return rows.map((r) => ({ ...r, hour: Number(r.hour), rides: Number(r.rides), amount: Number(r.amount) }));
}
