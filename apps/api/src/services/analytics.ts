import { eq } from "drizzle-orm";
import type { AppEnv } from "../context.js";
import { merchants } from "../db/schema/index.js";
import { merchantOf } from "../middleware/auth.js";
import {
  analyticsWindow,
  hasTerminals,
  type PaymentOutcomeRow,
  paymentOutcomes,
  refundsByDay,
  ridesByHourAndRoute,
} from "../store/analytics.js";

type Vars = AppEnv["Variables"];

export interface OverviewQuery {
  days: number;
  timezone: string;
}

const METHODS = ["card", "sms", "qr", "wallet"] as const;

/**
 * What a merchant checks every morning, for its own mode, over the last `days` calendar days in
 * `timezone` (today included): succeeded volume and count, refunds and fees per day and
 * currency; the success rate of each payment method; and, for a transit operator, rides by
 * hour of day and by route. Payments count on the day they were created, refunds on theirs.
 */
export async function analyticsOverview(v: Vars, q: OverviewQuery) {
  const p = merchantOf(v);
  const { database } = v.deps;
  const owner = { merchantId: p.merchantId, livemode: p.livemode };
  const w = await analyticsWindow(database, v.db, v.deps.now(), q.days, q.timezone);
  // Three statements, each a plain scan of its measure's buckets (one statement with GROUPING
  // SETS over all of them measured several times slower: PostgreSQL sorts it).
  const [outcomes, refunds, rides] = await Promise.all([
    paymentOutcomes(database, v.db, owner, w, q.timezone),
    refundsByDay(database, v.db, owner, w, q.timezone),
    hasTerminals(database, v.db, owner).then((has) => (has ? ridesByHourAndRoute(database, v.db, owner, w, q.timezone) : null)),
  ]);

  // Every day has a row in every currency the merchant took money in (its default one when
  // none), so a chart has no gaps and a table no missing days.
  let currencies = [...new Set([...outcomes.map((r) => r.currency), ...refunds.map((r) => r.currency)])].sort();
  if (currencies.length === 0) {
    const [m] = await v.db.select({ currency: merchants.defaultCurrency }).from(merchants).where(eq(merchants.id, p.merchantId));
    currencies = [m?.currency ?? "KGS"];
  }
  const day = (date: string, currency: string) => ({
    date,
    currency,
    count: 0,
    amount: 0,
    refund_count: 0,
    refund_amount: 0,
    fee_amount: 0,
  });
  const byDay = new Map(currencies.flatMap((c) => w.dates.map((d) => [`${c} ${d}`, day(d, c)] as const)));
  for (const r of outcomes) {
    const row = byDay.get(`${r.currency} ${r.day}`);
    if (!row || r.status !== "succeeded") continue;
    row.count += r.count;
    row.amount += r.amount;
    row.fee_amount += r.fee;
  }
  for (const r of refunds) {
    const row = byDay.get(`${r.currency} ${r.day}`);
    if (!row) continue;
    row.refund_count += r.count;
    row.refund_amount += r.amount;
  }
  const by_day = [...byDay.values()];
  const totals = currencies.map((currency) => {
    const t = { currency, count: 0, amount: 0, refund_count: 0, refund_amount: 0, fee_amount: 0 };
    for (const r of by_day.filter((x) => x.currency === currency)) {
      t.count += r.count;
      t.amount += r.amount;
      t.refund_count += r.refund_count;
      t.refund_amount += r.refund_amount;
      t.fee_amount += r.fee_amount;
    }
    return t;
  });

  return {
    object: "analytics_overview" as const,
    livemode: p.livemode,
    days: q.days,
    timezone: q.timezone,
    start_date: w.dates[0] as string,
    end_date: w.dates[w.dates.length - 1] as string,
    by_day,
    totals,
    payment_methods: successRates(outcomes),
    transit: rides === null ? null : transitFigures(rides),
  };
}

/**
 * Per method, of the payments that reached an outcome: succeeded ÷ (succeeded + failed),
 * rounded to 4 decimals. Payments still in flight or canceled before paying do not count.
 */
export function successRates(rows: Pick<PaymentOutcomeRow, "method" | "status" | "count">[]) {
  return METHODS.map((method) => {
    const of = rows.filter((r) => r.method === method);
    const succeeded = of.filter((r) => r.status === "succeeded").reduce((n, r) => n + r.count, 0);
    const failed = of.filter((r) => r.status === "failed").reduce((n, r) => n + r.count, 0);
    const attempts = succeeded + failed;
    return {
      method,
      attempts,
      succeeded,
      failed,
      success_rate: attempts === 0 ? null : Math.round((succeeded / attempts) * 10_000) / 10_000,
    };
  }).filter((m) => m.attempts > 0);
}

/** Rides (accepted taps) by local hour of day, all 24 hours, and by route, busiest first. */
export function transitFigures(rows: { hour: number; route: string; currency: string; rides: number; amount: number }[]) {
  const rides_by_hour = Array.from({ length: 24 }, (_, hour) => ({ hour, rides: 0 }));
  const routes = new Map<string, { route: string; currency: string; rides: number; amount: number }>();
  for (const r of rows) {
    (rides_by_hour[r.hour] as { rides: number }).rides += r.rides;
    const key = `${r.route}\u0000${r.currency}`;
    const route = routes.get(key) ?? { route: r.route, currency: r.currency, rides: 0, amount: 0 };
    route.rides += r.rides;
    route.amount += r.amount;
    routes.set(key, route);
  }
  const rides_by_route = [...routes.values()].sort((a, b) => b.rides - a.rides || a.route.localeCompare(b.route));
  return { rides: rides_by_hour.reduce((n, h) => n + h.rides, 0), rides_by_hour, rides_by_route };
}
