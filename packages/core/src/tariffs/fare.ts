import { contextAmount, contextObject, contextString } from "./context.js";
import { TariffError } from "./errors.js";
import { applyBps, formatBps } from "./rounding.js";
import { localTime, parseInstant } from "./time.js";
import type {
  BreakdownLine,
  FareCaps,
  FareCategory,
  FareQuote,
  FareQuoteContext,
  FareRules,
  FareTariff,
  FareTransfer,
  RideRecord,
} from "./types.js";
import { WEEKDAYS } from "./validate.js";

interface Ride {
  ms: number;
  route: string;
  fare: number;
  transfer: boolean;
}

const MINUTE = 60_000;

function readInstant(value: unknown, path: string): number {
  const ms = parseInstant(value);
  if (ms === null) {
    throw new TariffError("invalid_context", `${path} must be an ISO 8601 instant with offset, e.g. "2024-05-01T08:00:00Z"`, path);
  }
  return ms;
}

/**
 * The rider's other rides, oldest first, before and after the tap: an offline upload lands
 * between rides already recorded, and those after it still share its day, week and journey.
 */
function readHistory(value: unknown): Ride[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new TariffError("invalid_context", "history must be an array", "history");
  const rides: Ride[] = [];
  value.forEach((item, i) => {
    const p = `history[${i}]`;
    const r = contextObject(item, p);
    const ms = readInstant(r.tapped_at, `${p}.tapped_at`);
    const route = contextString(r.route, `${p}.route`);
    const fare = contextAmount(r.fare, `${p}.fare`);
    if (r.full_fare !== undefined) contextAmount(r.full_fare, `${p}.full_fare`);
    if (r.transfer !== undefined && typeof r.transfer !== "boolean") {
      throw new TariffError("invalid_context", `${p}.transfer must be true or false`, `${p}.transfer`);
    }
    rides.push({ ms, route, fare, transfer: r.transfer === true });
  });
  // Stable sort: rides at the same instant keep the caller's order.
  return rides.sort((a, b) => a.ms - b.ms);
}

/** How many transfers the journey started by rides[start] has within its window, recorded before or after the tap. */
function transfersOf(rides: readonly Ride[], start: number, window: number): number {
  const from = rides[start]?.ms ?? 0;
  let taken = 0;
  for (let r = rides[start + 1]; r?.transfer && r.ms - from <= window; r = rides[start + taken + 1]) taken++;
  return taken;
}

/**
 * Whether the tap is a transfer: it continues the journey of the rides before it, or, when it
 * arrives late, joins the journey that the next recorded ride started. That ride was charged
 * the journey's full fare before this tap arrived, so one journey never pays two full fares
 * because its taps arrived out of order. `after` is the index of the first ride after the tap.
 */
function isTransferTap(transfer: FareTransfer, rides: readonly Ride[], after: number, tapMs: number, route: string): boolean {
  const window = transfer.window_minutes * MINUTE;
  const max = transfer.max_transfers ?? 1;
  const changes = (other: Ride) => transfer.require_route_change === false || other.route !== route;
  const last = rides[after - 1];
  const start = rides.findLastIndex((r, i) => i < after && !r.transfer);
  const startRide = rides[start];
  if (last && startRide && tapMs - startRide.ms <= window && transfersOf(rides, start, window) < max && changes(last)) return true;
  const next = rides[after];
  return !!next && !next.transfer && next.ms - tapMs <= window && transfersOf(rides, after, window) < max && changes(next);
}

function baseFare(rules: FareRules, route: string, zoneFrom?: string, zoneTo?: string): { fare: number; what: string } {
  if (zoneFrom !== undefined && zoneTo !== undefined) {
    const zone = rules.zones?.find((z) => (z.from === zoneFrom && z.to === zoneTo) || (z.from === zoneTo && z.to === zoneFrom));
    if (zone) return { fare: zone.fare, what: `zone ${zoneFrom} to ${zoneTo}` };
  }
  if (rules.routes && Object.hasOwn(rules.routes, route)) {
    return { fare: rules.routes[route] ?? 0, what: `route ${route}` };
  }
  if (rules.default_fare !== undefined) return { fare: rules.default_fare, what: "default fare" };
  throw new TariffError("no_fare", `the tariff has no fare for route ${route}`, "route");
}

/**
 * Prices one ride (one tap). Steps, each a breakdown line that the lines sum over:
 *  1. base: the zone pair's fare (either direction), else the route's, else `default_fare`;
 *  2. period: the time-of-day period the tap falls in (tariff's time zone), if any;
 *  3. category: the rider category's discount (`full_fare` is the fare after this step);
 *  4. transfer: within `window_minutes` of the journey's first paid ride (edge included),
 *     on another route, up to `max_transfers` per journey; a late tap (rides recorded after
 *     it) is also the transfer of the journey the next ride started within the window;
 *  5. cap: the daily and weekly caps (days and weeks, from Monday, in the tariff's time
 *     zone) over the `fare` of the rider's other rides of that day and week, before or after
 *     the tap; the ride that reaches a cap pays the remainder.
 *
 * `history` must hold at least the rider's rides of the tap's week and of the transfer window,
 * on both sides of the tap. Throws TariffError for a context the tariff cannot price.
 */
export function quoteFare(tariff: FareTariff, context: FareQuoteContext): FareQuote {
  const rules = tariff.rules;
  const rounding = rules.rounding ?? "half_up";
  const ctx = contextObject(context);
  const route = contextString(ctx.route, "route");
  const zoneFrom = ctx.zone_from === undefined ? undefined : contextString(ctx.zone_from, "zone_from");
  const zoneTo = ctx.zone_to === undefined ? undefined : contextString(ctx.zone_to, "zone_to");
  if ((zoneFrom === undefined) !== (zoneTo === undefined)) {
    const missing = zoneFrom === undefined ? "zone_from" : "zone_to";
    throw new TariffError("invalid_context", "give both zone_from and zone_to, or neither", missing);
  }
  const category = ctx.category === undefined ? "adult" : contextString(ctx.category, "category");
  const categories = rules.categories ?? {};
  const hasCategory = Object.hasOwn(categories, category);
  if (!hasCategory && category !== "adult") {
    throw new TariffError("unknown_category", `the tariff has no rider category ${category}`, "category");
  }
  const rider: FareCategory = hasCategory ? (categories[category] ?? {}) : {};
  const tapMs = readInstant(ctx.tapped_at, "tapped_at");
  const rides = readHistory(ctx.history);
  const firstLater = rides.findIndex((r) => r.ms > tapMs);
  const after = firstLater === -1 ? rides.length : firstLater;
  const local = localTime(tariff.timezone, tapMs);
  const currency = tariff.currency;
  const breakdown: BreakdownLine[] = [];

  // 1. Base fare.
  const base = baseFare(rules, route, zoneFrom, zoneTo);
  let fare = base.fare;
  breakdown.push({ type: "base", amount: fare, description: `${base.what}: ${fare} ${currency}` });

  // 2. Time-of-day period.
  const weekday = WEEKDAYS[local.weekday];
  const period = rules.periods?.find((p) => {
    const [sh = 0, sm = 0] = p.start.split(":").map(Number);
    const [eh = 0, em = 0] = p.end.split(":").map(Number);
    const onDay = p.days === undefined || (weekday !== undefined && p.days.includes(weekday));
    return onDay && local.minuteOfDay >= sh * 60 + sm && local.minuteOfDay < eh * 60 + em;
  });
  if (period) {
    const next = period.fare ?? applyBps(fare, 10_000 + (period.adjust_bps ?? 0), rounding);
    const how = period.fare !== undefined ? `fare ${period.fare}` : `${formatBps(period.adjust_bps ?? 0)}`;
    breakdown.push({
      type: "period",
      amount: next - fare,
      description: `${period.name} (${period.start}–${period.end} ${tariff.timezone}): ${how}`,
    });
    fare = next;
  }

  // 3. Rider category.
  let categoryNext = fare;
  let categoryHow = "";
  if (rider.free) {
    categoryNext = 0;
    categoryHow = "rides free";
  } else if (rider.discount_bps !== undefined) {
    categoryNext = applyBps(fare, 10_000 - rider.discount_bps, rounding);
    categoryHow = `${formatBps(rider.discount_bps)} off`;
  } else if (rider.discount !== undefined) {
    categoryNext = Math.max(0, fare - rider.discount);
    categoryHow = `${rider.discount} ${currency} off`;
  }
  if (categoryHow) {
    breakdown.push({ type: "category", amount: categoryNext - fare, description: `${category}: ${categoryHow}` });
    fare = categoryNext;
  }
  const fullFare = fare;

  // 4. Transfer.
  let isTransfer = false;
  const transfer = rules.transfer;
  if (transfer) {
    isTransfer = isTransferTap(transfer, rides, after, tapMs, route);
    if (isTransfer) {
      let next: number;
      let how: string;
      if (transfer.fare !== undefined) {
        next = Math.min(fare, transfer.fare);
        how = `transfer fare ${transfer.fare} ${currency}`;
      } else {
        const off = transfer.discount_bps ?? 10_000;
        next = applyBps(fare, 10_000 - off, rounding);
        how = off === 10_000 ? "free" : `${formatBps(off)} off`;
      }
      breakdown.push({
        type: "transfer",
        amount: next - fare,
        description: `transfer within ${transfer.window_minutes} min of the first ride: ${how}`,
      });
      fare = next;
    }
  }

  // 5. Caps.
  const caps: FareCaps = rider.caps ?? rules.caps ?? {};
  let dayLeft = caps.daily ?? null;
  let weekLeft = caps.weekly ?? null;
  if (dayLeft !== null || weekLeft !== null) {
    // Every ride of the tap's day and week counts, those recorded after it too: a late tap pays
    // at most what the cap has left, so a day never costs more than its cap in any order.
    for (const r of rides) {
      // A ride 8 days away cannot share the tap's week (a week is at most 7 days + 1 DST hour); skip its Intl lookup.
      if (Math.abs(tapMs - r.ms) > 8 * 24 * 60 * MINUTE) continue;
      const when = localTime(tariff.timezone, r.ms);
      // Clamped at 0: the sum stays exact however long the history.
      if (dayLeft !== null && when.dayNumber === local.dayNumber) dayLeft = Math.max(0, dayLeft - r.fare);
      if (weekLeft !== null && when.weekNumber === local.weekNumber) weekLeft = Math.max(0, weekLeft - r.fare);
    }
  }
  let capped = false;
  const limit = Math.min(dayLeft ?? Number.POSITIVE_INFINITY, weekLeft ?? Number.POSITIVE_INFINITY);
  if (fare > limit) {
    const which = dayLeft !== null && dayLeft === limit ? `daily cap ${caps.daily}` : `weekly cap ${caps.weekly}`;
    breakdown.push({
      type: "cap",
      amount: limit - fare,
      description: limit === 0 ? `${which} reached: ride free` : `${which} reached: pays the remaining ${limit} ${currency}`,
    });
    fare = limit;
    capped = true;
  }

  return {
    kind: "fare",
    amount: fare,
    currency,
    breakdown,
    tariff: { code: tariff.code, version: tariff.version },
    full_fare: fullFare,
    base_fare: base.fare,
    is_transfer: isTransfer,
    capped,
    period: period?.name ?? null,
    category,
    cap_remaining: {
      daily: dayLeft === null ? null : dayLeft - fare,
      weekly: weekLeft === null ? null : weekLeft - fare,
    },
  };
}

const HOUR = 60 * MINUTE;

/**
 * How far from a tap, back and forward, the rides that can change its fare reach, for a caller
 * that reads a rider's history before it knows more than the tariff's rules: a local day is at
 * most 25 hours long (the day the clocks go back) and holds the daily cap's rides; a local week,
 * at most 7 days and an hour, the weekly cap's; the transfer window (at most 1440 minutes) its
 * own length. Rides further away never change a quote (see the property test).
 */
export function fareHistoryLookback(rules: FareRules): number {
  const weekly = rules.caps?.weekly !== undefined || Object.values(rules.categories ?? {}).some((c) => c.caps?.weekly !== undefined);
  return Math.max(weekly ? FARE_HISTORY_LOOKBACK.week : FARE_HISTORY_LOOKBACK.day, (rules.transfer?.window_minutes ?? 0) * MINUTE);
}

/** fareHistoryLookback's two reaches, for a reader that picks one per batch (milliseconds). */
export const FARE_HISTORY_LOOKBACK = { day: 25 * HOUR, week: 7 * 24 * HOUR + HOUR } as const;

/** The record to keep for an accepted ride, to pass in the `history` of later quotes. */
export function toRideRecord(context: Pick<FareQuoteContext, "tapped_at" | "route">, quote: FareQuote): RideRecord {
  return {
    tapped_at: context.tapped_at,
    route: context.route,
    fare: quote.amount,
    full_fare: quote.full_fare,
    transfer: quote.is_transfer,
  };
}
