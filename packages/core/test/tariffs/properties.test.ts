import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type FareQuote,
  type FareRules,
  type FareTariff,
  type FeePricing,
  type FeeRules,
  type FeeTariff,
  fareHistoryLookback,
  MAX_TARIFF_AMOUNT,
  quote,
  type RideRecord,
  toRideRecord,
  validateTariff,
  validateTariffRules,
} from "../../src/tariffs/index.js";
import { applyBps } from "../../src/tariffs/rounding.js";
import { fareTariff, feeTariff, ride, sum } from "./fixtures.js";

const RUNS = 3000;
const DAY = 86_400_000;
// The test's own clock for Bishkek (UTC+6, no DST since 2005), independent of the engine's Intl.
const bishkekDay = (iso: string) => Math.floor((Date.parse(iso) + 6 * 3_600_000) / DAY);
const bishkekWeek = (iso: string) => {
  const day = bishkekDay(iso);
  return day - ((day + 3) % 7); // 1970-01-01 was a Thursday
};

const rounding = fc.constantFrom("half_up" as const, "down" as const, "up" as const);
const money = (max = 100_000) => fc.integer({ min: 0, max });

const pricing: fc.Arbitrary<FeePricing> = fc
  .record(
    {
      percent_bps: fc.integer({ min: 0, max: 10_000 }),
      fixed: money(5_000),
      min: money(10_000),
      max: money(1_000_000),
      tiers: fc
        .uniqueArray(money(10_000_000), { minLength: 0, maxLength: 4 })
        .chain((froms) =>
          fc.tuple(
            ...[0, ...froms.filter((f) => f > 0)]
              .sort((a, b) => a - b)
              .map((from) => fc.integer({ min: 0, max: 10_000 }).map((percent_bps) => ({ from, percent_bps }))),
          ),
        ),
    },
    { requiredKeys: [] },
  )
  .map((p) => {
    const out: FeePricing = { ...p };
    if (out.percent_bps !== undefined && out.tiers) delete out.tiers;
    if (out.min !== undefined && out.max !== undefined && out.min > out.max) [out.min, out.max] = [out.max, out.min];
    return out;
  });

const feeRules: fc.Arbitrary<FeeRules> = fc
  .record(
    {
      rounding,
      tier_period: fc.constantFrom("day" as const, "week" as const, "month" as const),
      methods: fc.record({ card: pricing, sms: pricing, qr: pricing, wallet: pricing }, { requiredKeys: [] }),
      default: pricing,
    },
    { requiredKeys: [] },
  )
  .filter((r) => r.default !== undefined || Object.keys(r.methods ?? {}).length > 0);

const feeContext = fc.record({
  amount: fc.oneof(money(1_000_000), fc.integer({ min: 0, max: MAX_TARIFF_AMOUNT })),
  method: fc.constantFrom("card", "sms", "qr", "wallet"),
  period_volume: fc.oneof(fc.constant(undefined), money(20_000_000)),
});

describe("fee quotes (property)", () => {
  it("are never negative, never above the payment, add up, and repeat exactly", () => {
    fc.assert(
      fc.property(feeRules, feeContext, (rules, c) => {
        const plan: FeeTariff = feeTariff(rules);
        const context = { amount: c.amount, currency: "KGS", method: c.method, period_volume: c.period_volume };
        const priced = rules.methods?.[c.method as "card"] ?? rules.default;
        fc.pre(priced !== undefined);
        const q = quote(plan, context);
        expect(Number.isSafeInteger(q.amount)).toBe(true);
        expect(q.amount).toBeGreaterThanOrEqual(0);
        expect(q.amount).toBeLessThanOrEqual(c.amount);
        if (priced?.max !== undefined) expect(q.amount).toBeLessThanOrEqual(priced.max);
        if (priced?.min !== undefined) expect(q.amount).toBeGreaterThanOrEqual(Math.min(priced.min, c.amount));
        expect(sum(q.breakdown.map((l) => l.amount))).toBe(q.amount);
        expect(quote(plan, structuredClone(context))).toEqual(q);
      }),
      { numRuns: RUNS },
    );
  });

  it("never charge a higher percent for more volume when tiers fall", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 10_000_000 }), { maxLength: 5 }),
        money(1_000_000),
        money(20_000_000),
        money(20_000_000),
        (froms, amount, v1, v2) => {
          const starts = [0, ...froms].sort((a, b) => a - b);
          const tiers = starts.map((from, i) => ({ from, percent_bps: 1000 - i * 100 }));
          const plan = feeTariff({ methods: { card: { tiers } } });
          const [low, high] = v1 <= v2 ? [v1, v2] : [v2, v1];
          const at = (period_volume: number) => quote(plan, { amount, currency: "KGS", method: "card", period_volume }).amount;
          expect(at(high)).toBeLessThanOrEqual(at(low));
        },
      ),
      { numRuns: RUNS },
    );
  });
});

const fareRules: fc.Arbitrary<FareRules> = fc
  .record({
    rounding,
    default_fare: money(5_000), // route "9" is priced by it
    routes: fc.record({ "1": money(5_000), "2": money(5_000), "3": money(5_000) }),
    zones: fc.constant([{ from: "A", to: "B", fare: 4000 }]),
    periods: fc.oneof(
      fc.constant(undefined),
      fc.tuple(fc.integer({ min: -10_000, max: 30_000 }), money(6_000)).map(([adjust_bps, fare]) => [
        {
          name: "peak",
          days: ["mon", "tue", "wed", "thu", "fri"] as ("mon" | "tue" | "wed" | "thu" | "fri")[],
          start: "07:00",
          end: "10:00",
          adjust_bps,
        },
        { name: "night", start: "22:00", end: "24:00", fare },
      ]),
    ),
    categories: fc.record({
      student: fc.oneof(
        fc.integer({ min: 0, max: 10_000 }).map((discount_bps) => ({ discount_bps })),
        money(3_000).map((discount) => ({ discount })),
      ),
      pensioner: fc.constant({ free: true }),
      night_worker: fc.integer({ min: 1, max: 20_000 }).map((daily) => ({ discount_bps: 2000, caps: { daily } })),
    }),
    transfer: fc.oneof(
      fc.constant(undefined),
      fc.record(
        {
          window_minutes: fc.integer({ min: 1, max: 180 }),
          discount_bps: fc.integer({ min: 0, max: 10_000 }),
          max_transfers: fc.integer({ min: 1, max: 3 }),
          require_route_change: fc.boolean(),
        },
        { requiredKeys: ["window_minutes"] },
      ),
    ),
    caps: fc
      .tuple(fc.integer({ min: 1, max: 20_000 }), fc.integer({ min: 0, max: 60_000 }), fc.boolean())
      .map(([daily, extra, weekly]) => (weekly ? { daily, weekly: daily + extra } : { daily })),
  })
  .map((r) => JSON.parse(JSON.stringify(r)) as FareRules); // drop undefined fields

const taps = fc.record({
  category: fc.constantFrom("adult", "student", "pensioner", "night_worker"),
  start: fc.integer({ min: Date.parse("2024-01-01T00:00:00Z"), max: Date.parse("2026-01-01T00:00:00Z") }),
  rides: fc.array(
    fc.record({
      gap_minutes: fc.oneof(fc.integer({ min: 1, max: 240 }), fc.integer({ min: 1, max: 3 * 1440 })),
      route: fc.constantFrom("1", "2", "3", "9"),
      zones: fc.boolean(),
    }),
    { minLength: 1, maxLength: 30 },
  ),
});

interface Taps {
  category: string;
  start: number;
  rides: { gap_minutes: number; route: string; zones: boolean }[];
}

function rideAll(t: FareTariff, s: Taps) {
  let at = s.start;
  const contexts = s.rides.map((r) => {
    at += r.gap_minutes * 60_000;
    const tapped_at = new Date(at).toISOString();
    const zone = r.zones ? { zone_from: "B", zone_to: "A" } : {};
    return { route: r.route, category: s.category, tapped_at, ...zone };
  });
  return { contexts, quotes: ride(t, contexts) };
}

describe("fare quotes (property)", () => {
  it("are never negative, never above the full fare, and add up", () => {
    fc.assert(
      fc.property(fareRules, taps, (rules, s) => {
        const { quotes } = rideAll(fareTariff(rules), s);
        for (const q of quotes) {
          expect(Number.isSafeInteger(q.amount)).toBe(true);
          expect(q.amount).toBeGreaterThanOrEqual(0);
          expect(q.amount).toBeLessThanOrEqual(q.full_fare);
          expect(sum(q.breakdown.map((l) => l.amount))).toBe(q.amount);
          if (!q.is_transfer && !q.capped) expect(q.amount).toBe(q.full_fare);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("never let a Bishkek day exceed the daily cap, nor a week the weekly cap", () => {
    fc.assert(
      fc.property(fareRules, taps, (rules, s) => {
        const { contexts, quotes } = rideAll(fareTariff(rules), s);
        const caps = rules.categories?.[s.category]?.caps ?? rules.caps ?? {};
        const days = new Map<number, number>();
        const weeks = new Map<number, number>();
        quotes.forEach((q: FareQuote, i) => {
          const at = contexts[i]?.tapped_at ?? "";
          days.set(bishkekDay(at), (days.get(bishkekDay(at)) ?? 0) + q.amount);
          weeks.set(bishkekWeek(at), (weeks.get(bishkekWeek(at)) ?? 0) + q.amount);
        });
        for (const total of days.values()) expect(total).toBeLessThanOrEqual(caps.daily ?? Number.POSITIVE_INFINITY);
        for (const total of weeks.values()) expect(total).toBeLessThanOrEqual(caps.weekly ?? Number.POSITIVE_INFINITY);
      }),
      { numRuns: RUNS },
    );
  });

  it("never let a day exceed its cap, nor a week its weekly cap, whatever order the taps arrive in", () => {
    // Terminals upload offline taps late: each tap is priced with the rides recorded before it
    // arrived, earlier and later ones alike, and only rides within fareHistoryLookback either side.
    const arrivals = taps.chain((s) => {
      const all = s.rides.map((_, i) => i);
      return fc.tuple(fc.constant(s), fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }));
    });
    fc.assert(
      fc.property(fareRules, arrivals, (rules, [s, order]) => {
        const t = fareTariff(rules);
        const { contexts } = rideAll(t, s);
        const reach = fareHistoryLookback(rules);
        const recorded: RideRecord[] = [];
        const paid = new Map<number, number>();
        for (const i of order) {
          const context = contexts[i] as (typeof contexts)[number];
          const tapMs = Date.parse(context.tapped_at);
          const q = quote(t, { ...context, history: recorded }) as FareQuote;
          const near = recorded.filter((r) => Math.abs(Date.parse(r.tapped_at) - tapMs) <= reach);
          expect(quote(t, { ...context, history: near })).toEqual(q);
          recorded.push(toRideRecord(context, q));
          paid.set(i, q.amount);
        }
        const caps = rules.categories?.[s.category]?.caps ?? rules.caps ?? {};
        const days = new Map<number, number>();
        const weeks = new Map<number, number>();
        contexts.forEach((c, i) => {
          days.set(bishkekDay(c.tapped_at), (days.get(bishkekDay(c.tapped_at)) ?? 0) + (paid.get(i) ?? 0));
          weeks.set(bishkekWeek(c.tapped_at), (weeks.get(bishkekWeek(c.tapped_at)) ?? 0) + (paid.get(i) ?? 0));
        });
        for (const total of days.values()) expect(total).toBeLessThanOrEqual(caps.daily ?? Number.POSITIVE_INFINITY);
        for (const total of weeks.values()) expect(total).toBeLessThanOrEqual(caps.weekly ?? Number.POSITIVE_INFINITY);
      }),
      { numRuns: RUNS },
    );
  });

  it("give the same quote for the same inputs, whatever the order of the history", () => {
    fc.assert(
      fc.property(fareRules, taps, fc.integer(), (rules, s, seed) => {
        const t = fareTariff(rules);
        const { contexts, quotes } = rideAll(t, s);
        const last = contexts.length - 1;
        const history: RideRecord[] = quotes.slice(0, last).map((q, i) => ({
          tapped_at: contexts[i]?.tapped_at ?? "",
          route: contexts[i]?.route ?? "",
          fare: q.amount,
          full_fare: q.full_fare,
          transfer: q.is_transfer,
        }));
        const context = { ...contexts[last], history } as Parameters<typeof quote>[1];
        const shuffled = [...history].sort((a, b) => ((hash(a.tapped_at) ^ seed) & 0xff) - ((hash(b.tapped_at) ^ seed) & 0xff));
        const again = quote(t, structuredClone(context));
        expect(again).toEqual(quotes[last]);
        expect(quote(t, { ...(context as object), history: shuffled } as Parameters<typeof quote>[1])).toEqual(again);
      }),
      { numRuns: RUNS },
    );
  });
});

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return h;
}

describe("validation (property)", () => {
  it("never throws, whatever it is given", () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.jsonValue()), fc.constantFrom("fee", "fare"), (junk, kind) => {
        const doc = validateTariff({
          code: "x",
          version: 1,
          kind,
          currency: "KGS",
          effective_from: "2024-01-01T00:00:00Z",
          rules: junk,
        });
        const rules = validateTariffRules(kind, junk);
        expect(typeof doc.ok).toBe("boolean");
        expect(rules.ok).toBe(doc.ok);
        expect(validateTariff(junk).ok).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it("accepts every generated tariff and returns it unchanged on a second pass", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          feeRules.map((rules) => ({ kind: "fee" as const, rules })),
          fareRules.map((rules) => ({ kind: "fare" as const, rules })),
        ),
        ({ kind, rules }) => {
          const first = validateTariff({
            code: "gen",
            version: 2,
            kind,
            currency: "KGS",
            effective_from: "2024-01-01T00:00:00Z",
            rules,
          });
          expect(first.ok).toBe(true);
          if (first.ok) expect(validateTariff(first.value)).toEqual(first);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe("rounding (property)", () => {
  it("stays within one minor unit of the exact value, in the direction asked", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_TARIFF_AMOUNT }), fc.integer({ min: 0, max: 40_000 }), (amount, bps) => {
        const exact10k = BigInt(amount) * BigInt(bps); // the exact result × 10 000
        const down = BigInt(applyBps(amount, bps, "down")) * 10_000n;
        const up = BigInt(applyBps(amount, bps, "up")) * 10_000n;
        const half = BigInt(applyBps(amount, bps, "half_up")) * 10_000n;
        expect(down <= exact10k && exact10k - down < 10_000n).toBe(true);
        expect(up >= exact10k && up - exact10k < 10_000n).toBe(true);
        // half_up: within half a unit, and exactly half goes up.
        expect(2n * (half - exact10k) <= 10_000n && 2n * (exact10k - half) < 10_000n).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("fare history lookback (property)", () => {
  it("gives the same quote from the rides within fareHistoryLookback as from the whole history, in any time zone", () => {
    const zones = fc.constantFrom("Asia/Bishkek", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe");
    const window = fc.option(fc.integer({ min: 1, max: 1440 }), { nil: undefined });
    fc.assert(
      fc.property(fareRules, taps, zones, window, (base, s, timezone, windowMinutes) => {
        const rules: FareRules =
          windowMinutes === undefined || !base.transfer ? base : { ...base, transfer: { ...base.transfer, window_minutes: windowMinutes } };
        const t = fareTariff(rules, { timezone });
        const { contexts, quotes } = rideAll(t, s);
        const last = contexts.length - 1;
        const history: RideRecord[] = quotes.slice(0, last).map((q, i) => ({
          tapped_at: contexts[i]?.tapped_at ?? "",
          route: contexts[i]?.route ?? "",
          fare: q.amount,
          full_fare: q.full_fare,
          transfer: q.is_transfer,
        }));
        const tapMs = Date.parse(contexts[last]?.tapped_at ?? "");
        const recent = history.filter((r) => Date.parse(r.tapped_at) >= tapMs - fareHistoryLookback(rules));
        const context = { ...contexts[last], history: recent } as Parameters<typeof quote>[1];
        expect(quote(t, context)).toEqual(quotes[last]);
      }),
      { numRuns: RUNS },
    );
  });

  it("reaches back a week and an hour with a weekly cap, in a rider category or the tariff, else a day and an hour", () => {
    expect(fareHistoryLookback({ default_fare: 100, caps: { daily: 500 } })).toBe(25 * 3_600_000);
    expect(fareHistoryLookback({ default_fare: 100, caps: { daily: 500, weekly: 2000 } })).toBe(7 * DAY + 3_600_000);
    expect(fareHistoryLookback({ default_fare: 100, categories: { student: { caps: { weekly: 900 } } } })).toBe(7 * DAY + 3_600_000);
    expect(fareHistoryLookback({ default_fare: 100, transfer: { window_minutes: 1440 } })).toBe(25 * 3_600_000);
  });
});
