import { localPeriodRange } from "@softrack/core";
import { sql } from "drizzle-orm";
import type { AppEnv, MerchantPrincipal } from "../../context.js";
import { csvFile } from "../../lib/csv.js";
import { merchantOf } from "../../middleware/auth.js";

type Vars = AppEnv["Variables"];

export interface ReportLine {
  currency: string;
  rides: number;
  revenue: number;
  declines: number;
}

/** Rides, revenue and declines of one local day, in total, per route and per terminal. */
export async function dailyReport(v: Vars, date: string, timezone: string) {
  const p: MerchantPrincipal = merchantOf(v);
  const range = localDay(date, timezone);
  const rows = await v.deps.database.rows<{
    terminal_id: string;
    route: string;
    currency: string;
    reason: string | null;
    rides: number;
    revenue: number;
    declines: number;
  }>(
    sql`SELECT terminal_id, route, currency, reason,
               count(*) FILTER (WHERE decision = 'accepted')::bigint AS rides,
               coalesce(sum(fare) FILTER (WHERE decision = 'accepted'), 0)::bigint AS revenue,
               count(*) FILTER (WHERE decision = 'declined')::bigint AS declines
        FROM taps
        WHERE merchant_id = ${p.merchantId} AND livemode = ${p.livemode}
          AND tapped_at >= ${range.start.toISOString()}::timestamptz AND tapped_at < ${range.end.toISOString()}::timestamptz
        GROUP BY terminal_id, route, currency, reason`,
    v.db,
  );
  const totals = new Map<string, ReportLine>();
  const routes = new Map<string, ReportLine & { route: string }>();
  const perTerminal = new Map<string, ReportLine & { terminal: string; route: string }>();
  const reasons: Record<string, number> = {};
  const add = (line: ReportLine, r: { rides: number; revenue: number; declines: number }) => {
    line.rides += Number(r.rides);
    line.revenue += Number(r.revenue);
    line.declines += Number(r.declines);
  };
  for (const r of rows) {
    const zero = { currency: r.currency, rides: 0, revenue: 0, declines: 0 };
    const total = totals.get(r.currency) ?? { ...zero };
    totals.set(r.currency, total);
    add(total, r);
    const rk = `${r.route}\u0000${r.currency}`;
    const route = routes.get(rk) ?? { route: r.route, ...zero };
    routes.set(rk, route);
    add(route, r);
    const tk = `${r.terminal_id}\u0000${r.currency}`;
    const term = perTerminal.get(tk) ?? { terminal: r.terminal_id, route: r.route, ...zero };
    perTerminal.set(tk, term);
    add(term, r);
    if (r.reason && Number(r.declines) > 0) reasons[r.reason] = (reasons[r.reason] ?? 0) + Number(r.declines);
  }
  const byKey =
    <T extends ReportLine>(k: (x: T) => string) =>
    (a: T, b: T) =>
      k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : a.currency < b.currency ? -1 : 1;
  return {
    object: "transit_daily_report" as const,
    date,
    timezone,
    livemode: p.livemode,
    period: { start: range.start.toISOString(), end: range.end.toISOString() },
    totals: [...totals.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1)),
    declines_by_reason: reasons,
    routes: [...routes.values()].sort(byKey((x) => x.route)),
    terminals: [...perTerminal.values()].sort(byKey((x) => x.terminal)),
  };
}

export type DailyReport = Awaited<ReturnType<typeof dailyReport>>;

/** CSV of a daily report: one line per level (total, route, terminal), amounts in minor units. */
export function reportCsv(r: DailyReport): string {
  const row = (level: string, route: string, terminal: string, l: ReportLine) => [
    r.date,
    level,
    route,
    terminal,
    l.currency,
    l.rides,
    l.revenue,
    l.declines,
  ];
  return csvFile(
    ["date", "level", "route", "terminal", "currency", "rides", "revenue", "declines"],
    [
      ...r.totals.map((t) => row("total", "", "", t)),
      ...r.routes.map((x) => row("route", x.route, "", x)),
      ...r.terminals.map((x) => row("terminal", x.route, x.terminal, x)),
    ],
  );
}

/** [start, end) of a calendar date in a time zone. */
export function localDay(date: string, timezone: string): { start: Date; end: Date } {
  const ymd = new Intl.DateTimeFormat("en-CA", { timeZone: timezone, year: "numeric", month: "2-digit", day: "2-digit" });
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const noon = Date.UTC(y, m - 1, d, 12);
  // Noon UTC falls on the same local date except in zones more than 12 hours from UTC: step to it.
  for (const shift of [0, -1, 1]) {
    const range = localPeriodRange(timezone, "day", new Date(noon + shift * 86_400_000));
    if (ymd.format(range.start) === date) return range;
  }
  return localPeriodRange(timezone, "day", new Date(noon));
}
