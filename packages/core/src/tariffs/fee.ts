import { contextAmount, contextObject, contextString } from "./context.js";
import { TariffError } from "./errors.js";
import { applyBps, formatBps } from "./rounding.js";
import { DEFAULT_TARIFF_TIMEZONE, localPeriodRange } from "./time.js";
import type { BreakdownLine, FeePricing, FeeQuote, FeeQuoteContext, FeeRules, FeeTariff } from "./types.js";

/**
 * Prices a captured payment: fee = round(amount × percent) + fixed, raised to `min`,
 * lowered to `max`, never more than the payment itself and never negative. With tiers,
 * the percent is the tier whose `from` is the highest not above `period_volume`.
 * The breakdown lines sum to the fee.
 *
 * Throws TariffError for a context the tariff cannot price (bad amount, other currency,
 * a method it does not list and no `default`). The tariff is trusted: validate it first.
 */
export function quoteFee(tariff: FeeTariff, context: FeeQuoteContext): FeeQuote {
  const ctx = contextObject(context);
  const amount = contextAmount(ctx.amount, "amount");
  const currency = contextString(ctx.currency, "currency");
  if (currency !== tariff.currency) {
    throw new TariffError("currency_mismatch", `tariff ${tariff.code} prices ${tariff.currency}, not ${currency}`, "currency");
  }
  const method = contextString(ctx.method, "method");
  const volume = ctx.period_volume === undefined ? 0 : contextAmount(ctx.period_volume, "period_volume");
  const pricing = pricingFor(tariff.rules, method);
  if (!pricing) {
    throw new TariffError("method_not_priced", `tariff ${tariff.code} has no price for method ${method}`, "method");
  }
  const rounding = tariff.rules.rounding ?? "half_up";

  let percentBps = pricing.percent_bps ?? 0;
  let tier: number | null = null;
  if (pricing.tiers) {
    tier = 0;
    pricing.tiers.forEach((t, i) => {
      if (t.from <= volume) tier = i;
    });
    percentBps = pricing.tiers[tier]?.percent_bps ?? 0;
  }

  const breakdown: BreakdownLine[] = [];
  const percent = applyBps(amount, percentBps, rounding);
  const tierNote = tier === null ? "" : ` (tier ${tier + 1}, period volume ${volume})`;
  breakdown.push({
    type: "percent",
    amount: percent,
    description: `${formatBps(percentBps)} of ${amount} ${currency}${tierNote}, rounded ${rounding}`,
  });
  let fee = percent;
  if (pricing.fixed) {
    breakdown.push({ type: "fixed", amount: pricing.fixed, description: `fixed ${pricing.fixed} ${currency}` });
    fee += pricing.fixed;
  }
  if (pricing.min !== undefined && fee < pricing.min) {
    breakdown.push({ type: "min", amount: pricing.min - fee, description: `raised to the minimum fee ${pricing.min}` });
    fee = pricing.min;
  }
  if (pricing.max !== undefined && fee > pricing.max) {
    breakdown.push({
      type: "max",
      amount: pricing.max - fee,
      description: `lowered to the maximum fee ${pricing.max}`,
    });
    fee = pricing.max;
  }
  if (fee > amount) {
    breakdown.push({ type: "amount_limit", amount: amount - fee, description: "a fee never exceeds the payment" });
    fee = amount;
  }
  return {
    kind: "fee",
    amount: fee,
    currency,
    breakdown,
    tariff: { code: tariff.code, version: tariff.version },
    method,
    percent_bps: percentBps,
    tier,
  };
}

/**
 * The fee a dispute of a payment in `currency` costs the merchant: the tariff's `dispute_fee`
 * (default 0). A fixed amount means nothing in another currency, so a tariff of another
 * currency charges none (a dispute opens whatever the tariff).
 */
export function disputeFee(tariff: FeeTariff, currency: string): number {
  return tariff.currency === currency ? (tariff.rules.dispute_fee ?? 0) : 0;
}

function pricingFor(rules: FeeRules, method: string): FeePricing | undefined {
  const methods = rules.methods as Record<string, FeePricing> | undefined;
  if (methods && Object.hasOwn(methods, method)) return methods[method];
  return rules.default;
}

/**
 * The [start, end) of the tier period containing `at`, in the tariff's time zone:
 * sum the merchant's captured volume from `start` up to the payment to get `period_volume`.
 */
export function tierPeriodRange(tariff: FeeTariff, at: Date): { start: Date; end: Date } {
  return localPeriodRange(tariff.timezone, tariff.rules.tier_period ?? "month", at);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * The plan payments use until a merchant has its own fee tariff (amounts in KGS tyiyn):
 * card 2.5% (at least 5.00), SMS 3% (at least 5.00), QR 1%, wallet 0.5%.
 */
export const DEFAULT_FEE_TARIFF: FeeTariff = deepFreeze({
  code: "default",
  version: 1,
  kind: "fee",
  currency: "KGS",
  timezone: DEFAULT_TARIFF_TIMEZONE,
  effective_from: "2024-01-01T00:00:00.000Z",
  rules: {
    rounding: "half_up",
    tier_period: "month",
    methods: {
      card: { percent_bps: 250, fixed: 0, min: 500 },
      sms: { percent_bps: 300, min: 500 },
      qr: { percent_bps: 100 },
      wallet: { percent_bps: 50 },
    },
  },
});

/**
 * The default plan for a merchant's currency: DEFAULT_FEE_TARIFF for KGS; for any other
 * currency the same percentages without the KGS minimums, since a fixed amount in one
 * currency means nothing in another.
 */
export function defaultFeeTariff(currency: string): FeeTariff {
  if (currency === DEFAULT_FEE_TARIFF.currency) return DEFAULT_FEE_TARIFF;
  const methods: NonNullable<FeeRules["methods"]> = {};
  for (const [method, pricing] of Object.entries(DEFAULT_FEE_TARIFF.rules.methods ?? {})) {
    methods[method as keyof typeof methods] = { percent_bps: pricing.percent_bps ?? 0 };
  }
  return deepFreeze({ ...DEFAULT_FEE_TARIFF, currency, rules: { ...DEFAULT_FEE_TARIFF.rules, methods } });
}
