import { canonicalTimeZone, DEFAULT_TARIFF_TIMEZONE, parseInstant } from "./time.js";
import type {
  FareCaps,
  FareCategory,
  FarePeriod,
  FareRules,
  FareTransfer,
  FeePricing,
  FeeRules,
  FeeTier,
  TariffDocument,
  TariffKind,
  TariffRounding,
  TariffValidationIssue,
  TariffValidationResult,
  TariffWeekday,
  ZoneFare,
} from "./types.js";

export const FEE_METHODS = ["card", "sms", "qr", "wallet"] as const;
export const WEEKDAYS: readonly TariffWeekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const ROUNDINGS: readonly TariffRounding[] = ["half_up", "down", "up"];
const TIER_PERIODS = ["day", "week", "month"] as const;
const CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const CURRENCY = /^[A-Z]{3}$/;
const CATEGORY = /^[a-z][a-z0-9_]{0,31}$/;
const CLOCK = /^(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$/;
const MAX_LIST = 10_000;
/**
 * Largest amount a tariff or a quote context may hold: 10^15 minor units. Sums of two
 * such amounts, and a fare raised by a period (at most +300%), stay exact in a double.
 */
export const MAX_TARIFF_AMOUNT = 1_000_000_000_000_000;

type Json = Record<string, unknown>;

/** Collects issues with their paths; each check returns the value when it passed. */
class Checker {
  readonly issues: TariffValidationIssue[] = [];

  fail(path: string, message: string): undefined {
    this.issues.push({ path, message });
    return undefined;
  }

  /** A plain object with only the allowed keys (unknown keys are reported one by one). */
  object(value: unknown, path: string, allowed: readonly string[]): Json | undefined {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return this.fail(path, "must be an object");
    }
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.fail(join(path, key), "is not a known field");
    }
    return value as Json;
  }

  /** A plain object used as a map: any keys, checked by the caller. */
  map(value: unknown, path: string): Json | undefined {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return this.fail(path, "must be an object");
    }
    return value as Json;
  }

  array(value: unknown, path: string, max = MAX_LIST): unknown[] | undefined {
    if (!Array.isArray(value)) return this.fail(path, "must be an array");
    if (value.length > max) return this.fail(path, `must have at most ${max} items`);
    return value;
  }

  integer(value: unknown, path: string, min: number, max: number, what = "an integer"): number | undefined {
    if (typeof value !== "number" || !Number.isSafeInteger(value)) return this.fail(path, `must be ${what}`);
    if (value < min) return this.fail(path, min === 0 ? "must not be negative" : `must be at least ${min}`);
    if (value > max) return this.fail(path, `must be at most ${max}`);
    return value;
  }

  /** Money: a non-negative safe integer in minor units. */
  amount(value: unknown, path: string, min = 0): number | undefined {
    return this.integer(value, path, min, MAX_TARIFF_AMOUNT, "an integer amount in minor units");
  }

  bps(value: unknown, path: string, min = 0, max = 10_000): number | undefined {
    return this.integer(value, path, min, max, "an integer number of basis points (100 = 1%)");
  }

  string(value: unknown, path: string, pattern?: RegExp, hint?: string): string | undefined {
    if (typeof value !== "string" || value.length === 0) return this.fail(path, "must be a non-empty string");
    if (value.length > 256) return this.fail(path, "must be at most 256 characters");
    if (pattern && !pattern.test(value)) return this.fail(path, hint ?? `must match ${pattern.source}`);
    return value;
  }

  oneOf<T extends string>(value: unknown, path: string, options: readonly T[]): T | undefined {
    if (typeof value !== "string" || !options.includes(value as T)) {
      return this.fail(path, `must be one of ${options.map((o) => `"${o}"`).join(", ")}`);
    }
    return value as T;
  }

  boolean(value: unknown, path: string): boolean | undefined {
    if (typeof value !== "boolean") return this.fail(path, "must be true or false");
    return value;
  }
}

function join(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/** Copies only the defined fields, so a validated value never carries `undefined` keys. */
function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as T;
}

function checkRounding(c: Checker, o: Json, path: string): TariffRounding | undefined {
  return o.rounding === undefined ? undefined : c.oneOf(o.rounding, join(path, "rounding"), ROUNDINGS);
}

function checkTiers(c: Checker, value: unknown, path: string): FeeTier[] | undefined {
  const list = c.array(value, path, 100);
  if (!list) return undefined;
  if (list.length === 0) return c.fail(path, "must have at least one tier");
  const tiers: FeeTier[] = [];
  list.forEach((item, i) => {
    const p = join(path, i);
    const o = c.object(item, p, ["from", "percent_bps"]);
    if (!o) return;
    const from = c.amount(o.from, join(p, "from"));
    const percent_bps = c.bps(o.percent_bps, join(p, "percent_bps"));
    if (from === undefined || percent_bps === undefined) return;
    const prev = tiers.at(-1);
    if (i === 0 && from !== 0) c.fail(join(p, "from"), "the first tier must start at 0");
    if (prev && from <= prev.from) {
      c.fail(join(p, "from"), `must be greater than tiers[${i - 1}].from (${prev.from}): tiers are sorted and do not overlap`);
    }
    tiers.push({ from, percent_bps });
  });
  return tiers.length === list.length ? tiers : undefined;
}

function checkFeePricing(c: Checker, value: unknown, path: string): FeePricing | undefined {
  const o = c.object(value, path, ["percent_bps", "fixed", "min", "max", "tiers"]);
  if (!o) return undefined;
  const before = c.issues.length;
  const pricing: FeePricing = compact({
    percent_bps: o.percent_bps === undefined ? undefined : c.bps(o.percent_bps, join(path, "percent_bps")),
    fixed: o.fixed === undefined ? undefined : c.amount(o.fixed, join(path, "fixed")),
    min: o.min === undefined ? undefined : c.amount(o.min, join(path, "min")),
    max: o.max === undefined ? undefined : c.amount(o.max, join(path, "max")),
    tiers: o.tiers === undefined ? undefined : checkTiers(c, o.tiers, join(path, "tiers")),
  });
  if (o.percent_bps !== undefined && o.tiers !== undefined) {
    c.fail(join(path, "tiers"), "use either percent_bps or tiers, not both");
  }
  if (pricing.min !== undefined && pricing.max !== undefined && pricing.min > pricing.max) {
    c.fail(join(path, "min"), `must not be more than max (${pricing.max})`);
  }
  return c.issues.length === before ? pricing : undefined;
}

function checkFeeRules(c: Checker, value: unknown, path: string): FeeRules | undefined {
  const o = c.object(value, path, ["rounding", "tier_period", "methods", "default", "dispute_fee"]);
  if (!o) return undefined;
  const rules: FeeRules = {};
  if (o.dispute_fee !== undefined) {
    const fee = c.amount(o.dispute_fee, join(path, "dispute_fee"));
    if (fee !== undefined) rules.dispute_fee = fee;
  }
  const rounding = checkRounding(c, o, path);
  if (rounding) rules.rounding = rounding;
  if (o.tier_period !== undefined) {
    const period = c.oneOf(o.tier_period, join(path, "tier_period"), TIER_PERIODS);
    if (period) rules.tier_period = period;
  }
  if (o.methods !== undefined) {
    const methodsPath = join(path, "methods");
    const methods = c.object(o.methods, methodsPath, FEE_METHODS);
    if (methods) {
      rules.methods = {};
      for (const method of FEE_METHODS) {
        if (methods[method] === undefined) continue;
        const pricing = checkFeePricing(c, methods[method], join(methodsPath, method));
        if (pricing) rules.methods[method] = pricing;
      }
    }
  }
  if (o.default !== undefined) {
    const pricing = checkFeePricing(c, o.default, join(path, "default"));
    if (pricing) rules.default = pricing;
  }
  const listed = o.methods && typeof o.methods === "object" ? Object.keys(o.methods).length : 0;
  if (listed === 0 && o.default === undefined) {
    c.fail(join(path, "methods"), "price at least one payment method, or set default");
  }
  return rules;
}

function checkCaps(c: Checker, value: unknown, path: string): FareCaps | undefined {
  const o = c.object(value, path, ["daily", "weekly"]);
  if (!o) return undefined;
  const caps: FareCaps = compact({
    daily: o.daily === undefined ? undefined : c.amount(o.daily, join(path, "daily"), 1),
    weekly: o.weekly === undefined ? undefined : c.amount(o.weekly, join(path, "weekly"), 1),
  });
  if (caps.daily !== undefined && caps.weekly !== undefined && caps.weekly < caps.daily) {
    c.fail(join(path, "weekly"), `must not be less than the daily cap (${caps.daily})`);
  }
  return caps;
}

function clockMinutes(value: string): number {
  const m = CLOCK.exec(value);
  if (!m) return Number.NaN;
  return Number(m[1] ?? m[3]) * 60 + Number(m[2] ?? m[4]);
}

function checkPeriods(c: Checker, value: unknown, path: string): FarePeriod[] | undefined {
  const list = c.array(value, path, 100);
  if (!list) return undefined;
  const periods: FarePeriod[] = [];
  const spans: { index: number; days: TariffWeekday[]; start: number; end: number }[] = [];
  const names = new Set<string>();
  list.forEach((item, i) => {
    const p = join(path, i);
    const o = c.object(item, p, ["name", "start", "end", "days", "fare", "adjust_bps"]);
    if (!o) return;
    const before = c.issues.length;
    const name = c.string(o.name, join(p, "name"));
    if (name !== undefined) {
      if (names.has(name)) c.fail(join(p, "name"), `"${name}" is used by another period`);
      names.add(name);
    }
    const clockHint = 'must be a time "HH:MM" (00:00 to 24:00)';
    const start = c.string(o.start, join(p, "start"), CLOCK, clockHint);
    const end = c.string(o.end, join(p, "end"), CLOCK, clockHint);
    if (start === "24:00") c.fail(join(p, "start"), "must be before 24:00");
    if (start !== undefined && end !== undefined && clockMinutes(end) <= clockMinutes(start)) {
      c.fail(join(p, "end"), "must be after start (write a period past midnight as two periods)");
    }
    let days: TariffWeekday[] | undefined;
    if (o.days !== undefined) {
      const raw = c.array(o.days, join(p, "days"), 7);
      if (raw) {
        if (raw.length === 0) c.fail(join(p, "days"), "must list at least one day");
        days = [];
        raw.forEach((d, j) => {
          const day = c.oneOf(d, join(join(p, "days"), j), WEEKDAYS);
          if (day && days?.includes(day)) c.fail(join(join(p, "days"), j), `"${day}" is listed twice`);
          if (day) days?.push(day);
        });
      }
    }
    const fare = o.fare === undefined ? undefined : c.amount(o.fare, join(p, "fare"));
    const adjust_bps = o.adjust_bps === undefined ? undefined : c.bps(o.adjust_bps, join(p, "adjust_bps"), -10_000, 30_000);
    if ((o.fare === undefined) === (o.adjust_bps === undefined)) {
      c.fail(p, "set exactly one of fare or adjust_bps");
    }
    if (c.issues.length !== before || name === undefined || start === undefined || end === undefined) return;
    const period: FarePeriod = compact({ name, start, end, days, fare, adjust_bps });
    periods.push(period);
    spans.push({ index: i, days: days ?? [...WEEKDAYS], start: clockMinutes(start), end: clockMinutes(end) });
  });
  // A tap must fall in at most one period, so overlaps are refused rather than ranked.
  for (let a = 0; a < spans.length; a++) {
    for (let b = a + 1; b < spans.length; b++) {
      const x = spans[a];
      const y = spans[b];
      if (!x || !y) continue;
      const shared = x.days.filter((d) => y.days.includes(d));
      if (shared.length > 0 && x.start < y.end && y.start < x.end) {
        c.fail(join(path, y.index), `overlaps periods[${x.index}] on ${shared.join(", ")}`);
      }
    }
  }
  return periods.length === list.length ? periods : undefined;
}

function checkCategory(c: Checker, value: unknown, path: string): FareCategory | undefined {
  const o = c.object(value, path, ["free", "discount_bps", "discount", "caps"]);
  if (!o) return undefined;
  const category: FareCategory = compact({
    free: o.free === undefined ? undefined : c.boolean(o.free, join(path, "free")),
    discount_bps: o.discount_bps === undefined ? undefined : c.bps(o.discount_bps, join(path, "discount_bps")),
    discount: o.discount === undefined ? undefined : c.amount(o.discount, join(path, "discount")),
    caps: o.caps === undefined ? undefined : checkCaps(c, o.caps, join(path, "caps")),
  });
  const set = ["free", "discount_bps", "discount"].filter((k) => o[k] !== undefined);
  if (set.length > 1) c.fail(path, `set at most one of free, discount_bps or discount (got ${set.join(", ")})`);
  return category;
}

function checkTransfer(c: Checker, value: unknown, path: string): FareTransfer | undefined {
  const o = c.object(value, path, ["window_minutes", "discount_bps", "fare", "max_transfers", "require_route_change"]);
  if (!o) return undefined;
  const window = c.integer(o.window_minutes, join(path, "window_minutes"), 1, 1440, "an integer number of minutes");
  const transfer = compact({
    window_minutes: window,
    discount_bps: o.discount_bps === undefined ? undefined : c.bps(o.discount_bps, join(path, "discount_bps")),
    fare: o.fare === undefined ? undefined : c.amount(o.fare, join(path, "fare")),
    max_transfers: o.max_transfers === undefined ? undefined : c.integer(o.max_transfers, join(path, "max_transfers"), 1, 10),
    require_route_change:
      o.require_route_change === undefined ? undefined : c.boolean(o.require_route_change, join(path, "require_route_change")),
  });
  if (o.discount_bps !== undefined && o.fare !== undefined) {
    c.fail(path, "set at most one of discount_bps or fare");
  }
  return window === undefined ? undefined : (transfer as FareTransfer);
}

function checkFareRules(c: Checker, value: unknown, path: string): FareRules | undefined {
  const o = c.object(value, path, ["rounding", "default_fare", "routes", "zones", "periods", "categories", "transfer", "caps"]);
  if (!o) return undefined;
  const rules: FareRules = {};
  const rounding = checkRounding(c, o, path);
  if (rounding) rules.rounding = rounding;
  if (o.default_fare !== undefined) {
    const fare = c.amount(o.default_fare, join(path, "default_fare"));
    if (fare !== undefined) rules.default_fare = fare;
  }
  let priced = o.default_fare !== undefined;
  if (o.routes !== undefined) {
    const routes = c.map(o.routes, join(path, "routes"));
    if (routes) {
      rules.routes = {};
      for (const [route, fare] of Object.entries(routes)) {
        const p = join(join(path, "routes"), route);
        if (route.length === 0 || route.length > 64) c.fail(p, "route ids are 1 to 64 characters");
        const amount = c.amount(fare, p);
        if (amount !== undefined) rules.routes[route] = amount;
        priced = true;
      }
    }
  }
  if (o.zones !== undefined) {
    const zonesPath = join(path, "zones");
    const list = c.array(o.zones, zonesPath);
    if (list) {
      const zones: ZoneFare[] = [];
      const seen = new Map<string, number>();
      list.forEach((item, i) => {
        const p = join(zonesPath, i);
        const z = c.object(item, p, ["from", "to", "fare"]);
        if (!z) return;
        const from = c.string(z.from, join(p, "from"));
        const to = c.string(z.to, join(p, "to"));
        const fare = c.amount(z.fare, join(p, "fare"));
        if (from === undefined || to === undefined || fare === undefined) return;
        // Zone fares hold both ways, so A→B and B→A are the same pair.
        const key = JSON.stringify([from, to].sort());
        const other = seen.get(key);
        if (other !== undefined) c.fail(p, `prices the same zone pair as zones[${other}] (pairs hold both ways)`);
        seen.set(key, i);
        zones.push({ from, to, fare });
        priced = true;
      });
      rules.zones = zones;
    }
  }
  if (!priced) c.fail(join(path, "default_fare"), "set default_fare, routes or zones so that a ride has a fare");
  if (o.periods !== undefined) {
    const periods = checkPeriods(c, o.periods, join(path, "periods"));
    if (periods) rules.periods = periods;
  }
  if (o.categories !== undefined) {
    const categoriesPath = join(path, "categories");
    const categories = c.map(o.categories, categoriesPath);
    if (categories) {
      rules.categories = {};
      for (const [name, raw] of Object.entries(categories)) {
        const p = join(categoriesPath, name);
        if (!CATEGORY.test(name)) c.fail(p, "category names are lower-case letters, digits and _ (e.g. student)");
        const category = checkCategory(c, raw, p);
        if (category) rules.categories[name] = category;
      }
    }
  }
  if (o.transfer !== undefined) {
    const transfer = checkTransfer(c, o.transfer, join(path, "transfer"));
    if (transfer) rules.transfer = transfer;
  }
  if (o.caps !== undefined) {
    const caps = checkCaps(c, o.caps, join(path, "caps"));
    if (caps) rules.caps = caps;
  }
  return rules;
}

/**
 * Checks the `rules` of a tariff of the given kind. Paths start with "rules."
 * (e.g. "rules.methods.card.percent_bps"), as in a PUT /v1/tariffs/:code body.
 */
export function validateTariffRules(kind: "fee", rules: unknown): TariffValidationResult<FeeRules>;
export function validateTariffRules(kind: "fare", rules: unknown): TariffValidationResult<FareRules>;
export function validateTariffRules(kind: unknown, rules: unknown): TariffValidationResult<FeeRules | FareRules>;
export function validateTariffRules(kind: unknown, rules: unknown): TariffValidationResult<FeeRules | FareRules> {
  const c = new Checker();
  let value: FeeRules | FareRules | undefined;
  if (kind === "fee") value = checkFeeRules(c, rules, "rules");
  else if (kind === "fare") value = checkFareRules(c, rules, "rules");
  else c.fail("kind", 'must be one of "fee", "fare"');
  return c.issues.length === 0 && value ? { ok: true, value } : { ok: false, issues: c.issues };
}

/**
 * Checks a whole tariff document and returns a clean copy: `timezone` defaults to
 * Asia/Bishkek and is written in its canonical spelling, `effective_from` is
 * normalised to UTC ("2024-05-01T00:00:00.000Z"). Unknown keys anywhere are refused.
 */
export function validateTariff(input: unknown): TariffValidationResult<TariffDocument> {
  const c = new Checker();
  const o = c.object(input, "", ["code", "version", "kind", "currency", "timezone", "effective_from", "rules"]);
  if (!o) return { ok: false, issues: c.issues };
  const code = c.string(o.code, "code", CODE, "must be 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit");
  const version = c.integer(o.version, "version", 1, Number.MAX_SAFE_INTEGER, "a positive integer");
  const kind = c.oneOf<TariffKind>(o.kind, "kind", ["fee", "fare"]);
  const currency = c.string(o.currency, "currency", CURRENCY, "must be an upper-case ISO 4217 code, e.g. KGS");
  let timezone: string | undefined = DEFAULT_TARIFF_TIMEZONE;
  if (o.timezone !== undefined) {
    const name = c.string(o.timezone, "timezone");
    timezone = name === undefined ? undefined : (canonicalTimeZone(name) ?? undefined);
    if (name !== undefined && timezone === undefined) c.fail("timezone", `"${name}" is not a known IANA time zone`);
  }
  const from = parseInstant(o.effective_from);
  if (from === null) c.fail("effective_from", 'must be an ISO 8601 instant with offset, e.g. "2024-05-01T00:00:00Z"');
  let rules: FeeRules | FareRules | undefined;
  if (kind === "fee") rules = checkFeeRules(c, o.rules, "rules");
  else if (kind === "fare") rules = checkFareRules(c, o.rules, "rules");
  if (
    c.issues.length > 0 ||
    code === undefined ||
    version === undefined ||
    kind === undefined ||
    currency === undefined ||
    timezone === undefined ||
    from === null ||
    rules === undefined
  ) {
    return { ok: false, issues: c.issues };
  }
  const base = { code, version, currency, timezone, effective_from: new Date(from).toISOString() };
  const value: TariffDocument = kind === "fee" ? { ...base, kind, rules: rules as FeeRules } : { ...base, kind, rules: rules as FareRules };
  return { ok: true, value };
}
