/**
 * The tariff rules as zod schemas: the one source of the core's validator (validate.ts) and of
 * the API's OpenAPI document (the PUT /v1/tariffs/{code} body). Field checks are the schemas
 * themselves; the cross-field checks a JSON Schema cannot say are refinements, and each schema's
 * `description` states them in words. Messages are the validator's issue messages.
 */
import { z } from "zod";
import type { FareRules, FeeRules } from "./types.js";

export const FEE_METHODS = ["card", "sms", "qr", "wallet"] as const;
export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export const TARIFF_ROUNDINGS = ["half_up", "down", "up"] as const;
export const TIER_PERIODS = ["day", "week", "month"] as const;
const CATEGORY = /^[a-z][a-z0-9_]{0,31}$/;
const CLOCK = /^(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$/;
const MAX_LIST = 10_000;
/**
 * Largest amount a tariff or a quote context may hold: 10^15 minor units. Sums of two
 * such amounts, and a fare raised by a period (at most +300%), stay exact in a double.
 */
export const MAX_TARIFF_AMOUNT = 1_000_000_000_000_000;

// Cross-field checks run even when a sibling field failed (all issues at once), unless a
// value was of the wrong type altogether; they read their input defensively.
const always = { when: () => true };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const isIn = (v: unknown, min: number, max: number): v is number => Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;
/** Whether an earlier check already reported a problem under `path` (relative to the refined value). */
const hasIssueUnder = (ctx: { issues: { path?: PropertyKey[] }[] }, path: PropertyKey[]) =>
  ctx.issues.some((i) => path.every((seg, n) => i.path?.[n] === seg));

const integer = (min: number, max: number, what = "an integer") =>
  z
    .number({ error: `must be ${what}` })
    .int(`must be ${what}`)
    .min(min, min === 0 ? "must not be negative" : `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

/** Money: a safe integer in minor units, at most 10^15. */
const amount = (min = 0) => integer(min, MAX_TARIFF_AMOUNT, "an integer amount in minor units");
const bps = (min = 0, max = 10_000) => integer(min, max, "an integer number of basis points (100 = 1%)");
const text = () =>
  z.string({ error: "must be a non-empty string" }).min(1, "must be a non-empty string").max(256, "must be at most 256 characters");
const oneOf = <const T extends readonly [string, ...string[]]>(options: T) =>
  z.enum(options, { error: `must be one of ${options.map((o) => `"${o}"`).join(", ")}` });
const flag = () => z.boolean({ error: "must be true or false" });
const list = <T extends z.ZodType>(item: T, max = MAX_LIST) =>
  z.array(item, { error: "must be an array" }).max(max, `must have at most ${max} items`);
const object = <S extends z.ZodRawShape>(shape: S) => z.strictObject(shape, { error: "must be an object" });
/**
 * A map whose keys follow `key` (a JSON Schema `propertyNames`, also checked here: a record key
 * schema would skip the value of a refused key, and every issue is reported at once).
 */
const map = <V extends z.ZodType>(value: V, key: { pattern?: RegExp; minLength?: number; maxLength?: number }, message: string) =>
  z
    .record(z.string(), value, { error: "must be an object" })
    .superRefine((m, ctx) => {
      if (!isObject(m)) return;
      for (const name of Object.keys(m)) {
        const fits =
          (key.pattern?.test(name) ?? true) &&
          name.length >= (key.minLength ?? 0) &&
          name.length <= (key.maxLength ?? Number.POSITIVE_INFINITY);
        if (!fits) ctx.addIssue({ code: "custom", path: [name], message });
      }
    }, always)
    .meta({
      propertyNames: {
        type: "string",
        ...(key.pattern ? { pattern: key.pattern.source } : {}),
        ...(key.minLength !== undefined ? { minLength: key.minLength } : {}),
        ...(key.maxLength !== undefined ? { maxLength: key.maxLength } : {}),
      },
    });

const Rounding = oneOf(TARIFF_ROUNDINGS).meta({
  description: 'How a percentage becomes a whole minor unit: "half_up" (default), "down" or "up".',
});

export const FeeTierSchema = object({
  from: amount().meta({ description: "Volume (minor units) already processed in the period at which this tier starts." }),
  percent_bps: bps().meta({ description: "Percent of the payment in basis points (250 = 2.5%)." }),
});

const FeeTiers = list(FeeTierSchema, 100)
  .min(1, "must have at least one tier")
  .superRefine((tiers, ctx) => {
    if (!Array.isArray(tiers)) return;
    let prev: number | undefined;
    tiers.forEach((tier, i) => {
      if (!isObject(tier) || hasIssueUnder(ctx, [i, "from"]) || hasIssueUnder(ctx, [i, "percent_bps"])) return;
      if (!isIn(tier.from, 0, MAX_TARIFF_AMOUNT) || !isIn(tier.percent_bps, 0, 10_000)) return;
      if (i === 0 && tier.from !== 0) ctx.addIssue({ code: "custom", path: [i, "from"], message: "the first tier must start at 0" });
      if (prev !== undefined && tier.from <= prev) {
        ctx.addIssue({
          code: "custom",
          path: [i, "from"],
          message: `must be greater than tiers[${i - 1}].from (${prev}): tiers are sorted and do not overlap`,
        });
      }
      prev = tier.from;
    });
  }, always)
  .meta({ description: "Volume tiers replacing percent_bps: strictly increasing `from`, the first at 0." });

export const FeePricingSchema = object({
  percent_bps: bps().optional().meta({ description: "Percent of the payment in basis points (250 = 2.5%). Default 0." }),
  fixed: amount().optional().meta({ description: "Fixed part in minor units, added to the percent. Default 0." }),
  min: amount().optional().meta({ description: "Lowest fee in minor units (still never more than the payment)." }),
  max: amount().optional().meta({ description: "Highest fee in minor units." }),
  tiers: FeeTiers.optional(),
})
  .superRefine((p, ctx) => {
    if (!isObject(p)) return;
    if (p.percent_bps !== undefined && p.tiers !== undefined) {
      ctx.addIssue({ code: "custom", path: ["tiers"], message: "use either percent_bps or tiers, not both" });
    }
    if (isIn(p.min, 0, MAX_TARIFF_AMOUNT) && isIn(p.max, 0, MAX_TARIFF_AMOUNT) && p.min > p.max) {
      ctx.addIssue({ code: "custom", path: ["min"], message: `must not be more than max (${p.max})` });
    }
  }, always)
  .meta({
    description:
      "How one payment method is priced: fee = round(amount × percent_bps / 10 000) + fixed, raised to min, lowered to max. " +
      "Either percent_bps or tiers, not both; min must not be more than max.",
  });

/**
 * The fields of fee rules, in one place so a new rule is one line here (and one in FeeRules).
 * Every field is optional; the object-level check is in FeeRulesSchema.
 */
export const FEE_RULES_SHAPE = {
  rounding: Rounding.optional(),
  tier_period: oneOf(TIER_PERIODS).optional().meta({ description: 'Period of the volume that picks a tier. Default "month".' }),
  methods: object(
    Object.fromEntries(FEE_METHODS.map((m) => [m, FeePricingSchema.optional()])) as Record<
      (typeof FEE_METHODS)[number],
      z.ZodOptional<typeof FeePricingSchema>
    >,
  )
    .optional()
    .meta({ description: "Pricing per payment method." }),
  default: FeePricingSchema.optional().meta({
    description: "Pricing for a method not listed in `methods`. Without it, such a method cannot be priced.",
  }),
  dispute_fee: amount()
    .optional()
    .meta({ description: "Fixed fee in minor units the platform keeps when a payment is disputed (not returned if won). Default 0." }),
};

export const FeeRulesSchema = object(FEE_RULES_SHAPE)
  .superRefine((r, ctx) => {
    if (!isObject(r)) return;
    // Unknown methods count as listed (they are reported on their own), as the parsed value drops them.
    const unknown = ctx.issues.filter((i) => i.code === "unrecognized_keys" && i.path?.length === 1 && i.path[0] === "methods");
    const listed = (r.methods && typeof r.methods === "object" ? Object.keys(r.methods).length : 0) + unknown.length;
    if (listed === 0 && r.default === undefined) {
      ctx.addIssue({ code: "custom", path: ["methods"], message: "price at least one payment method, or set default" });
    }
  }, always)
  .meta({
    description:
      "Rules of a fee tariff (kind fee): what the platform keeps from each captured payment. " +
      "Price at least one method in `methods`, or set `default`.",
    example: {
      rounding: "half_up",
      tier_period: "month",
      methods: {
        card: { percent_bps: 250, min: 1000 },
        qr: {
          tiers: [
            { from: 0, percent_bps: 100 },
            { from: 100000000, percent_bps: 80 },
          ],
        },
      },
      default: { percent_bps: 300 },
    },
  });

export const FareCapsSchema = object({
  daily: amount(1).optional(),
  weekly: amount(1).optional(),
})
  .superRefine((caps, ctx) => {
    if (!isObject(caps)) return;
    if (isIn(caps.daily, 1, MAX_TARIFF_AMOUNT) && isIn(caps.weekly, 1, MAX_TARIFF_AMOUNT) && caps.weekly < caps.daily) {
      ctx.addIssue({ code: "custom", path: ["weekly"], message: `must not be less than the daily cap (${caps.daily})` });
    }
  }, always)
  .meta({
    description: "Daily and weekly caps in minor units: once reached, rides cost 0. The weekly cap must not be less than the daily cap.",
  });

const clockHint = 'must be a time "HH:MM" (00:00 to 24:00)';
const Clock = text().regex(CLOCK, clockHint);

function clockMinutes(value: string): number {
  const m = CLOCK.exec(value);
  if (!m) return Number.NaN;
  return Number(m[1] ?? m[3]) * 60 + Number(m[2] ?? m[4]);
}

export const FarePeriodSchema = object({
  name: text(),
  start: Clock.meta({ description: '"HH:MM", inclusive, before 24:00.' }),
  end: Clock.meta({ description: '"HH:MM" (up to "24:00"), exclusive, after start.' }),
  days: list(oneOf(WEEKDAYS), 7)
    .min(1, "must list at least one day")
    .superRefine((days, ctx) => {
      if (!Array.isArray(days)) return;
      const seen = new Set<unknown>();
      days.forEach((day, j) => {
        if (seen.has(day) && (WEEKDAYS as readonly unknown[]).includes(day)) {
          ctx.addIssue({ code: "custom", path: [j], message: `"${day}" is listed twice` });
        }
        seen.add(day);
      });
    }, always)
    .optional()
    .meta({ description: "Days it applies on, each once. Default: every day." }),
  fare: amount().optional().meta({ description: "Replaces the base fare." }),
  adjust_bps: bps(-10_000, 30_000).optional().meta({ description: "Changes the base fare: -2000 = 20% cheaper, 2500 = 25% dearer." }),
})
  .superRefine((p, ctx) => {
    if (!isObject(p)) return;
    if (p.start === "24:00") ctx.addIssue({ code: "custom", path: ["start"], message: "must be before 24:00" });
    if (typeof p.start === "string" && typeof p.end === "string" && CLOCK.test(p.start) && CLOCK.test(p.end)) {
      if (clockMinutes(p.end) <= clockMinutes(p.start)) {
        ctx.addIssue({ code: "custom", path: ["end"], message: "must be after start (write a period past midnight as two periods)" });
      }
    }
    if ((p.fare === undefined) === (p.adjust_bps === undefined)) {
      ctx.addIssue({ code: "custom", path: [], message: "set exactly one of fare or adjust_bps" });
    }
  }, always)
  .meta({
    description:
      "A time-of-day period (peak / off-peak) in the tariff's time zone, [start, end). Set exactly one of fare or adjust_bps; " +
      "end is after start (a period past midnight is written as two periods).",
  });

const FarePeriods = list(FarePeriodSchema, 100)
  .superRefine((periods, ctx) => {
    if (!Array.isArray(periods)) return;
    const names = new Map<string, number>();
    const spans: { index: number; days: readonly string[]; start: number; end: number }[] = [];
    periods.forEach((p, i) => {
      if (!isObject(p)) return;
      if (typeof p.name === "string" && !hasIssueUnder(ctx, [i, "name"])) {
        if (names.has(p.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `"${p.name}" is used by another period` });
        names.set(p.name, i);
      }
      // A tap must fall in at most one period, so overlaps are refused rather than ranked; a
      // period with a problem of its own is left out.
      if (!hasIssueUnder(ctx, [i]) && typeof p.start === "string" && typeof p.end === "string") {
        const days = Array.isArray(p.days) ? (p.days as string[]) : WEEKDAYS;
        spans.push({ index: i, days, start: clockMinutes(p.start), end: clockMinutes(p.end) });
      }
    });
    for (let a = 0; a < spans.length; a++) {
      for (let b = a + 1; b < spans.length; b++) {
        const x = spans[a];
        const y = spans[b];
        if (!x || !y) continue;
        const shared = x.days.filter((d) => y.days.includes(d));
        if (shared.length > 0 && x.start < y.end && y.start < x.end) {
          ctx.addIssue({ code: "custom", path: [y.index], message: `overlaps periods[${x.index}] on ${shared.join(", ")}` });
        }
      }
    }
  }, always)
  .meta({ description: "Time-of-day periods, with unique names; two periods sharing a day must not overlap." });

export const FareCategorySchema = object({
  free: flag().optional(),
  discount_bps: bps().optional().meta({ description: "Percent off: 5000 = half fare." }),
  discount: amount().optional().meta({ description: "Minor units off." }),
  caps: FareCapsSchema.optional().meta({ description: "Replaces the tariff's caps for this category." }),
})
  .superRefine((c, ctx) => {
    if (!isObject(c)) return;
    const set = ["free", "discount_bps", "discount"].filter((k) => (c as Json)[k] !== undefined);
    if (set.length > 1) {
      ctx.addIssue({ code: "custom", path: [], message: `set at most one of free, discount_bps or discount (got ${set.join(", ")})` });
    }
  }, always)
  .meta({ description: "A rider category: at most one of free, discount_bps or discount; none means full fare." });

export const FareTransferSchema = object({
  window_minutes: integer(1, 1440, "an integer number of minutes").meta({
    description: "Minutes from the journey's first tap; a tap exactly at the edge still counts.",
  }),
  discount_bps: bps().optional().meta({ description: "Discount of a transfer. Default 10 000: free." }),
  fare: amount().optional().meta({ description: "A fixed transfer fare, never more than the ride's own." }),
  max_transfers: integer(1, 10).optional().meta({ description: "Transfers per journey. Default 1 (the second ride)." }),
  require_route_change: flag().optional().meta({ description: "Whether a transfer must change route. Default true." }),
})
  .superRefine((t, ctx) => {
    if (isObject(t) && t.discount_bps !== undefined && t.fare !== undefined) {
      ctx.addIssue({ code: "custom", path: [], message: "set at most one of discount_bps or fare" });
    }
  }, always)
  .meta({
    description:
      "A ride within window_minutes of the journey's first (paid) ride is a transfer, priced by fare or discount_bps (at most one of them).",
  });

export const ZoneFareSchema = object({ from: text(), to: text(), fare: amount() });

const ZoneFares = list(ZoneFareSchema)
  .superRefine((zones, ctx) => {
    if (!Array.isArray(zones)) return;
    const seen = new Map<string, number>();
    zones.forEach((z, i) => {
      if (!isObject(z) || hasIssueUnder(ctx, [i])) return;
      // Zone fares hold both ways, so A→B and B→A are the same pair.
      const key = JSON.stringify([z.from, z.to].sort());
      const other = seen.get(key);
      if (other !== undefined) {
        ctx.addIssue({ code: "custom", path: [i], message: `prices the same zone pair as zones[${other}] (pairs hold both ways)` });
      }
      seen.set(key, i);
    });
  }, always)
  .meta({ description: "Flat fares between two zones, either direction; each pair once." });

/** The fields of fare rules; the object-level check is in FareRulesSchema. */
export const FARE_RULES_SHAPE = {
  rounding: Rounding.optional(),
  default_fare: amount().optional().meta({ description: "The fare of a ride no zone pair or route prices." }),
  routes: map(amount(), { minLength: 1, maxLength: 64 }, "route ids are 1 to 64 characters")
    .optional()
    .meta({ description: "Fare per route id (1 to 64 characters)." }),
  zones: ZoneFares.optional(),
  periods: FarePeriods.optional(),
  categories: map(FareCategorySchema, { pattern: CATEGORY }, "category names are lower-case letters, digits and _ (e.g. student)")
    .optional()
    .meta({ description: "Rider categories by name (lower-case letters, digits and _, e.g. student)." }),
  transfer: FareTransferSchema.optional(),
  caps: FareCapsSchema.optional(),
};

export const FareRulesSchema = object(FARE_RULES_SHAPE)
  .superRefine((r, ctx) => {
    if (!isObject(r)) return;
    const zoned = Array.isArray(r.zones) && r.zones.some((_, i) => !hasIssueUnder(ctx, ["zones", i]));
    const priced = r.default_fare !== undefined || (isObject(r.routes) && Object.keys(r.routes).length > 0) || zoned;
    if (!priced)
      ctx.addIssue({ code: "custom", path: ["default_fare"], message: "set default_fare, routes or zones so that a ride has a fare" });
  }, always)
  .meta({
    description:
      "Rules of a fare tariff (kind fare): what one ride costs a rider. Base fare (zone pair, else route, else default_fare) → " +
      "time-of-day period → rider category → transfer → daily/weekly cap. Set default_fare, routes or zones.",
    example: {
      default_fare: 2000,
      routes: { "7": 2000, "102": 2500 },
      periods: [{ name: "peak", days: ["mon", "tue", "wed", "thu", "fri"], start: "07:00", end: "10:00", adjust_bps: 2500 }],
      categories: { student: { discount_bps: 5000 }, pensioner: { free: true } },
      transfer: { window_minutes: 60 },
      caps: { daily: 8000, weekly: 40000 },
    },
  });

// The hand-written types in types.ts and the schemas describe the same rules (compile-time check).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const feeRulesMatch: Same<z.output<typeof FeeRulesSchema>, FeeRules> = true;
const fareRulesMatch: Same<z.output<typeof FareRulesSchema>, FareRules> = true;
void feeRulesMatch;
void fareRulesMatch;

export interface TariffIssue {
  path: string;
  message: string;
}

function pathOf(prefix: string, segments: readonly PropertyKey[]): string {
  return segments.reduce<string>(
    (acc, seg) => (typeof seg === "number" ? `${acc}[${seg}]` : acc ? `${acc}.${String(seg)}` : String(seg)),
    prefix,
  );
}

/**
 * zod's issues as the validator's: one issue per unknown key ("is not a known field"), and one issue per path for a field's own checks (an empty
 * string is "must be a non-empty string", not also a failed pattern).
 */
export function toTariffIssues(issues: readonly z.core.$ZodIssue[], prefix = ""): TariffIssue[] {
  const out: TariffIssue[] = [];
  let lastBuiltIn: string | undefined;
  for (const issue of issues) {
    const path = pathOf(prefix, issue.path);
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) out.push({ path: pathOf(path, [key]), message: "is not a known field" });
      continue;
    }
    if (issue.code !== "custom" && path === lastBuiltIn) continue;
    lastBuiltIn = issue.code === "custom" ? undefined : path;
    out.push({ path, message: issue.message });
  }
  return out;
}
