/**
 * # Tariffs
 *
 * A tariff is a versioned, immutable document priced by pure functions:
 *
 * ```json
 * { "code": "bishkek-bus", "version": 3, "kind": "fare", "currency": "KGS",
 *   "timezone": "Asia/Bishkek", "effective_from": "2024-05-01T00:00:00Z", "rules": { … } }
 * ```
 *
 * `validateTariff(input)` checks a document against the zod schemas of `schema.ts` (unknown
 * keys, negative amounts, min > max, unsorted tiers, overlapping periods and unknown time zones
 * are refused, each issue with a path such as `rules.methods.card.percent_bps`); the API's
 * OpenAPI document shows the same schemas (`FeeRulesSchema`, `FareRulesSchema`); `quote(tariff, context)`
 * prices it; `selectTariffVersion(versions, at)` picks the version in effect.
 *
 * ## Units and rounding
 * - Money is integer minor units (15000 KGS = 150.00 KGS), at most 10^15.
 * - Percentages are integer basis points: 250 = 2.5%, 10000 = 100%. No floats anywhere.
 * - Whenever a percentage produces an amount (a fee, a fare after a period, a category
 *   discount or a transfer discount), the resulting amount is rounded to a whole minor
 *   unit by `rules.rounding`: "half_up" (default; .5 goes up), "down" or "up".
 * - Days, weeks (Monday to Sunday) and time-of-day periods are wall-clock time in the
 *   tariff's `timezone` (default "Asia/Bishkek"), computed with Intl.
 * - Every quote has `breakdown` lines `{type, amount, description}` that sum to `amount`.
 *
 * ## Fee rules (kind "fee")
 * ```json
 * { "rounding": "half_up", "tier_period": "month",
 *   "methods": {
 *     "card":   { "percent_bps": 250, "fixed": 0, "min": 1000, "max": 500000 },
 *     "qr":     { "tiers": [ { "from": 0, "percent_bps": 100 },
 *                            { "from": 100000000, "percent_bps": 80 } ] } },
 *   "default": { "percent_bps": 300 } }
 * ```
 * fee = round(amount × percent) + fixed, raised to `min`, lowered to `max`, never more
 * than the payment. `methods` keys are card, sms, qr, wallet; `default` prices any other.
 * `tiers` (instead of `percent_bps`) pick the percent by the merchant's volume earlier in
 * the `tier_period` (day, week or month; see `tierPeriodRange`): the last tier whose
 * `from` ≤ that volume. Tiers are sorted, strictly increasing, the first from 0.
 * The volume is the merchant's captured amount in the tariff's currency and mode, all methods
 * together, in the tier period (in the tariff's `timezone`) before this payment. A payment
 * that crosses a tier's `from` is priced whole at the tier it started in; the next one at the
 * next tier. Refunds do not lower the volume: a tier, once reached, is not taken back, and no
 * earlier fee is repriced. Top-ups are no sales and do not count.
 * `dispute_fee` (minor units, default 0) is what a dispute of a payment costs the merchant
 * (see `disputeFee`).
 *
 * ## Fare rules (kind "fare")
 * ```json
 * { "default_fare": 2000,
 *   "routes": { "7": 2000, "102": 2500 },
 *   "zones": [ { "from": "A", "to": "B", "fare": 3000 } ],
 *   "periods": [ { "name": "peak", "days": ["mon","tue","wed","thu","fri"],
 *                  "start": "07:00", "end": "10:00", "adjust_bps": 2500 } ],
 *   "categories": { "student": { "discount_bps": 5000 }, "pensioner": { "free": true },
 *                   "child": { "discount": 1000 } },
 *   "transfer": { "window_minutes": 60, "discount_bps": 10000, "max_transfers": 1 },
 *   "caps": { "daily": 8000, "weekly": 40000 } }
 * ```
 * A ride is priced in steps: base (zone pair in either direction, else route, else
 * `default_fare`) → period (`adjust_bps` -10000..30000 or a fixed `fare`; [start, end),
 * "24:00" allowed as an end; periods must not overlap) → category ("adult" or an unlisted
 * "adult" pays full; `free`, `discount_bps` or `discount`; a category may carry its own
 * `caps`) → transfer (a ride on another route within `window_minutes` of the journey's
 * first paid ride, the edge included; `discount_bps` default 10000 = free, or a fixed
 * transfer `fare`) → caps (over the `fare` of the day's and week's earlier rides: the
 * ride that reaches a cap pays only the remainder, later rides 0).
 */

import { quoteFare } from "./fare.js";
import { quoteFee } from "./fee.js";
import type { FareQuote, FareQuoteContext, FareTariff, FeeQuote, FeeQuoteContext, FeeTariff, TariffDocument } from "./types.js";

export { TariffError, type TariffErrorCode } from "./errors.js";
export { FARE_HISTORY_LOOKBACK, fareHistoryLookback, quoteFare, toRideRecord } from "./fare.js";
export { DEFAULT_FEE_TARIFF, defaultFeeTariff, disputeFee, quoteFee, tierPeriodRange } from "./fee.js";
export {
  FARE_RULES_SHAPE,
  FareRulesSchema,
  FEE_RULES_SHAPE,
  FeeRulesSchema,
  TARIFF_ROUNDINGS,
  type TariffIssue,
  TIER_PERIODS,
  toTariffIssues,
} from "./schema.js";
export { selectTariffVersion } from "./select.js";
export { DEFAULT_TARIFF_TIMEZONE, localPeriodRange } from "./time.js";
export type * from "./types.js";
export { FEE_METHODS, MAX_TARIFF_AMOUNT, validateTariff, validateTariffRules, WEEKDAYS } from "./validate.js";

/** Prices `context` with `tariff`, by the tariff's kind. Throws TariffError for a context it cannot price. */
export function quote(tariff: FeeTariff, context: FeeQuoteContext): FeeQuote;
export function quote(tariff: FareTariff, context: FareQuoteContext): FareQuote;
export function quote(tariff: TariffDocument, context: unknown): FeeQuote | FareQuote;
export function quote(tariff: TariffDocument, context: unknown): FeeQuote | FareQuote {
  return tariff.kind === "fee" ? quoteFee(tariff, context as FeeQuoteContext) : quoteFare(tariff, context as FareQuoteContext);
}
