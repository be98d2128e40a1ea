/** How an amount computed from a percentage is brought to a whole minor unit. */
export type TariffRounding = "half_up" | "down" | "up";

/** Payment methods a fee tariff can price (the contract's `payment_method_data.type`). */
export type FeeMethod = "card" | "sms" | "qr" | "wallet";

/** Period over which a merchant's volume is summed to pick a fee tier. */
export type TierPeriod = "day" | "week" | "month";

/** One volume tier: from this much earlier volume in the period on, charge `percent_bps`. */
export interface FeeTier {
  /** Volume (minor units) already processed in the period at which this tier starts. */
  from: number;
  /** Percent of the payment in basis points (250 = 2.5%). */
  percent_bps: number;
}

/** How one payment method is priced. Either `percent_bps` or `tiers`, never both. */
export interface FeePricing {
  /** Percent of the payment in basis points (250 = 2.5%). Default 0. */
  percent_bps?: number;
  /** Fixed part in minor units, added to the percent. Default 0. */
  fixed?: number;
  /** Lowest fee in minor units (still never more than the payment). */
  min?: number;
  /** Highest fee in minor units. */
  max?: number;
  /** Volume tiers replacing `percent_bps`: sorted by `from`, the first at 0. */
  tiers?: FeeTier[];
}

/**
 * Rules of a fee tariff (kind "fee"): what the platform keeps from each captured payment.
 *
 * fee = round(amount × percent_bps / 10 000) + fixed, raised to `min`, lowered to `max`,
 * and never more than the payment nor below zero.
 *
 * @example
 * {
 *   "rounding": "half_up",
 *   "tier_period": "month",
 *   "methods": {
 *     "card":   { "percent_bps": 250, "fixed": 0, "min": 1000 },
 *     "sms":    { "percent_bps": 300, "max": 50000 },
 *     "qr":     { "tiers": [ { "from": 0, "percent_bps": 100 },
 *                            { "from": 100000000, "percent_bps": 80 } ] },
 *     "wallet": { "percent_bps": 50 }
 *   },
 *   "default": { "percent_bps": 250 }
 * }
 */
export interface FeeRules {
  /** TariffRounding of percent amounts. Default "half_up". */
  rounding?: TariffRounding;
  /** Period of the volume that picks a tier. Default "month". */
  tier_period?: TierPeriod;
  /** Pricing per payment method. */
  methods?: Partial<Record<FeeMethod, FeePricing>>;
  /** Pricing for a method not listed in `methods`. Without it, such a method cannot be priced. */
  default?: FeePricing;
  /**
   * Fixed fee in minor units the platform keeps when a payment is disputed (as at Stripe, not
   * returned if the dispute is won). Default 0.
   */
  dispute_fee?: number;
}

export type TariffWeekday = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";

/**
 * A time-of-day period (peak / off-peak) in the tariff's time zone, [start, end).
 * Exactly one of `fare` (replaces the base fare) or `adjust_bps` (changes it: -2000 = 20%
 * cheaper, 2500 = 25% dearer). A period past midnight is written as two periods.
 */
export interface FarePeriod {
  name: string;
  /** "HH:MM", inclusive. */
  start: string;
  /** "HH:MM" (up to "24:00"), exclusive, after `start`. */
  end: string;
  /** Days it applies on. Default: every day. */
  days?: TariffWeekday[];
  fare?: number;
  adjust_bps?: number;
}

/** Daily and weekly caps in minor units: once reached, rides cost 0. Days and weeks (from Monday) are the tariff's. */
export interface FareCaps {
  daily?: number;
  weekly?: number;
}

/**
 * A rider category. At most one of `free`, `discount_bps` (percent off, 5000 = half fare)
 * or `discount` (minor units off); none means full fare. `caps` replaces the tariff's caps.
 */
export interface FareCategory {
  free?: boolean;
  discount_bps?: number;
  discount?: number;
  caps?: FareCaps;
}

/**
 * Transfer: a ride within `window_minutes` of the journey's first (paid) ride is a transfer.
 * Priced by `fare` (a fixed fare, never more than the ride's own) or `discount_bps`
 * (default 10 000: free).
 */
export interface FareTransfer {
  /** Minutes from the journey's first tap; a tap exactly at the edge still counts. */
  window_minutes: number;
  discount_bps?: number;
  fare?: number;
  /** Transfers per journey. Default 1 (the second ride). */
  max_transfers?: number;
  /** Whether a transfer must change route. Default true. */
  require_route_change?: boolean;
}

/** A flat fare between two zones, either direction. */
export interface ZoneFare {
  from: string;
  to: string;
  fare: number;
}

/**
 * Rules of a fare tariff (kind "fare"): what one ride costs a rider.
 *
 * Steps, in order: base fare (zone pair, else route, else `default_fare`) → time-of-day
 * period → rider category → transfer → daily/weekly cap (the ride that reaches a cap pays
 * only the remainder, later ones 0).
 *
 * @example
 * {
 *   "rounding": "half_up",
 *   "default_fare": 2000,
 *   "routes": { "7": 2000, "102": 2500 },
 *   "zones": [ { "from": "A", "to": "B", "fare": 3000 } ],
 *   "periods": [
 *     { "name": "peak", "days": ["mon","tue","wed","thu","fri"], "start": "07:00", "end": "10:00", "adjust_bps": 2500 },
 *     { "name": "night", "start": "22:00", "end": "24:00", "fare": 3000 }
 *   ],
 *   "categories": {
 *     "student":   { "discount_bps": 5000 },
 *     "pensioner": { "free": true }
 *   },
 *   "transfer": { "window_minutes": 60, "discount_bps": 10000 },
 *   "caps": { "daily": 8000, "weekly": 40000 }
 * }
 */
export interface FareRules {
  rounding?: TariffRounding;
  default_fare?: number;
  routes?: Record<string, number>;
  zones?: ZoneFare[];
  periods?: FarePeriod[];
  categories?: Record<string, FareCategory>;
  transfer?: FareTransfer;
  caps?: FareCaps;
}

interface TariffBase {
  /** Tariff code, e.g. "default" or "bishkek-bus". */
  code: string;
  /** Version, from 1; versions are immutable. */
  version: number;
  /** Upper-case ISO 4217 currency of every amount in the rules. */
  currency: string;
  /** IANA time zone for days, weeks and periods. Default "Asia/Bishkek". */
  timezone: string;
  /** ISO 8601 instant from which this version applies. */
  effective_from: string;
}

export interface FeeTariff extends TariffBase {
  kind: "fee";
  rules: FeeRules;
}

export interface FareTariff extends TariffBase {
  kind: "fare";
  rules: FareRules;
}

export type TariffDocument = FeeTariff | FareTariff;
export type TariffKind = TariffDocument["kind"];

export interface TariffValidationIssue {
  /** Where, e.g. "rules.methods.card.percent_bps" or "rules.zones[1].fare". */
  path: string;
  message: string;
}

export type TariffValidationResult<T> = { ok: true; value: T } | { ok: false; issues: TariffValidationIssue[] };

/** One line of a quote's explanation; the lines sum to the quote's amount. */
export interface BreakdownLine {
  type: string;
  amount: number;
  description: string;
}

export interface Quote {
  amount: number;
  currency: string;
  breakdown: BreakdownLine[];
  tariff: { code: string; version: number };
}

export interface FeeQuoteContext {
  /** The payment amount in minor units. */
  amount: number;
  currency: string;
  method: string;
  /** The merchant's volume earlier in the tier period, in minor units. Default 0. */
  period_volume?: number;
}

export interface FeeQuote extends Quote {
  kind: "fee";
  method: string;
  /** The percent applied, after tiers. */
  percent_bps: number;
  /** Index of the tier used, or null when the method has no tiers. */
  tier: number | null;
}

/** A ride the rider already took, as the transit service stores it. */
export interface RideRecord {
  tapped_at: string;
  route: string;
  /** What the ride cost (counts towards caps). */
  fare: number;
  /** What it would have cost without transfer and caps. */
  full_fare?: number;
  /** Whether it was a transfer (so it cannot start a journey). */
  transfer?: boolean;
}

export interface FareQuoteContext {
  route: string;
  zone_from?: string;
  zone_to?: string;
  /** Rider category; default "adult" (full fare unless the tariff lists "adult"). */
  category?: string;
  /** ISO 8601 instant of the tap. */
  tapped_at: string;
  /** The rider's earlier accepted rides, at least those of the current day and week. Later ones are ignored. */
  history?: RideRecord[];
}

export interface FareQuote extends Quote {
  kind: "fare";
  /** The fare after base, period and category: what the ride costs without transfer or cap. */
  full_fare: number;
  /** The base fare before period and category. */
  base_fare: number;
  is_transfer: boolean;
  /** Whether a cap lowered the fare (to the remainder or to 0). */
  capped: boolean;
  /** Name of the time-of-day period applied, or null. */
  period: string | null;
  category: string;
  /** What is left of each cap after this ride; null when there is no such cap. */
  cap_remaining: { daily: number | null; weekly: number | null };
}

export type TariffQuoteContext = FeeQuoteContext | FareQuoteContext;
