import { sql } from "drizzle-orm";
import type { Database, Db } from "../db/client.js";

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

/** What the overview sums, from one read of the window's figures. */
export interface OverviewFigures {
  outcomes: PaymentOutcomeRow[];
  /** Succeeded refunds per local day (of the refund) and currency. */
  refunds: { day: string; currency: string; count: number; amount: number }[];
  /** Accepted taps (rides) per local hour of day, route and currency. */
  rides: { hour: number; route: string; currency: string; rides: number; amount: number }[];
}

type FigureRow = {
  day: string | null;
  hour: number | null;
  measure: string;
  currency: string;
  dimension: string;
  count: number;
  amount: number;
  fee: number;
};

/**
 * One merchant's figures of one mode in the window, in one pass over its buckets (the folded
 * rollups and the deltas not folded yet): grouped by local day for payments and refunds and by
 * local hour for rides (GROUPING SETS), each bucket put into the zone's calendar once.
 */
export async function overviewFigures(database: Database, db: Db, o: Owner, w: AnalyticsWindow, tz: string): Promise<OverviewFigures> {
  const where = sql`merchant_id = ${o.merchantId} AND livemode = ${o.livemode}
      AND bucket >= ${w.since}::timestamptz AND bucket < ${w.until}::timestamptz`;
  const rows = await database.rows<FigureRow>(
    sql`WITH per_bucket AS (
          SELECT bucket, measure, currency, dimension, sum(count) AS count, sum(amount) AS amount, sum(fee) AS fee
          FROM (SELECT bucket, measure, currency, dimension, count, amount, fee FROM analytics_rollups WHERE ${where}
                UNION ALL
                SELECT bucket, measure, currency, dimension, count, amount, fee FROM analytics_deltas WHERE ${where}) f
          GROUP BY 1, 2, 3, 4),
        local AS (SELECT bucket, bucket AT TIME ZONE ${tz} AS at FROM (SELECT DISTINCT bucket FROM per_bucket) b)
        SELECT to_char(l.at::date, 'YYYY-MM-DD') AS day, extract(hour FROM l.at)::int AS hour, measure, currency, dimension,
               sum(count)::bigint AS count, sum(amount)::bigint AS amount, sum(fee)::bigint AS fee
        FROM per_bucket JOIN local l USING (bucket)
        GROUP BY GROUPING SETS ((1, 3, 4, 5), (2, 3, 4, 5))
        HAVING sum(count) <> 0 OR sum(amount) <> 0 OR sum(fee) <> 0`,
    db,
  );
  const out: OverviewFigures = { outcomes: [], refunds: [], rides: [] };
  for (const r of rows) {
    const count = Number(r.count);
    const amount = Number(r.amount);
    if (r.day !== null && (r.measure === "payment_succeeded" || r.measure === "payment_failed")) {
      const status = r.measure === "payment_succeeded" ? "succeeded" : "failed";
      out.outcomes.push({ day: r.day, currency: r.currency, method: r.dimension || null, status, count, amount, fee: Number(r.fee) });
    } else if (r.day !== null && r.measure === "refund") {
      out.refunds.push({ day: r.day, currency: r.currency, count, amount });
    } else if (r.hour !== null && r.measure === "ride") {
      out.rides.push({ hour: Number(r.hour), route: r.dimension, currency: r.currency, rides: count, amount });
    }
  }
  return out;
}

/** Whether the merchant runs transit terminals in this mode (rides are shown only then). */
export async function hasTerminals(database: Database, db: Db, o: Owner): Promise<boolean> {
  const rows = await database.rows<{ found: boolean }>(
    sql`SELECT EXISTS (SELECT 1 FROM terminals WHERE merchant_id = ${o.merchantId} AND livemode = ${o.livemode}) AS found`,
    db,
  );
  return Boolean(rows[0]?.found);
}
