import type { CurrencyCode } from "../money/currency.js";

/**
 * What one parcel nobody collects costs the marketplace in delivery, in minor units: the issue's
 * ~700 RUB (the bench's DELIVERY_COST), and about as much in each other currency, rounded, at
 * late-2025 rates. An estimate to size the loss on the console's no-show chart, not a price:
 * nothing is charged from it.
 */
export const NO_SHOW_DELIVERY_COST: Readonly<Record<CurrencyCode, number>> = {
  RUB: 70_000, // 700.00 RUB
  KGS: 75_000, // 750.00 KGS
  KZT: 450_000, // 4 500.00 KZT
  UZS: 10_500_000, // 105 000.00 UZS
  USD: 900, // 9.00 USD
  EUR: 750, // 7.50 EUR
  TJS: 8_500, // 85.00 TJS
};

/** The delivery cost lost to `notCollected` parcels in `currency` (0 for a currency without an estimate). */
export function noShowLoss(notCollected: number, currency: string): number {
  return notCollected * (NO_SHOW_DELIVERY_COST[currency as CurrencyCode] ?? 0);
}

const WEEK = 7 * 86_400_000;

/** The Monday 00:00 UTC that starts the ISO week of `at`. */
export function weekStart(at: Date): Date {
  const day = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  const sinceMonday = (new Date(day).getUTCDay() + 6) % 7;
  return new Date(day - sinceMonday * 86_400_000);
}

/** The starts of the last `weeks` ISO weeks up to and including the one of `now`, oldest first. */
export function lastWeeks(now: Date, weeks: number): Date[] {
  const current = weekStart(now).getTime();
  return Array.from({ length: weeks }, (_, i) => new Date(current - (weeks - 1 - i) * WEEK));
}
