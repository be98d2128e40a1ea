import { CURRENCIES, type CurrencyCode, isCurrency } from "./currency.js";

/**
 * Largest amount the platform accepts in one movement. Kept well inside
 * Number.MAX_SAFE_INTEGER so that sums of many amounts stay exact in JS and fit
 * PostgreSQL bigint without overflow.
 */
export const MAX_AMOUNT = 999_999_999_999; // 9,999,999,999.99 in a 2-digit currency

export interface Money {
  readonly amount: number;
  readonly currency: CurrencyCode;
}

export class MoneyError extends Error {
  override name = "MoneyError";
}

/** True for an integer number of minor units within the platform's range (sign allowed). */
export function isMinorUnits(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && Math.abs(value) <= MAX_AMOUNT;
}

/** A positive amount a payer can be charged: integer minor units, 1..MAX_AMOUNT. */
export function isPositiveAmount(value: unknown): value is number {
  return isMinorUnits(value) && value > 0;
}

export function money(amount: number, currency: string): Money {
  if (!isMinorUnits(amount)) throw new MoneyError(`amount must be an integer number of minor units, got ${amount}`);
  if (!isCurrency(currency)) throw new MoneyError(`unknown currency ${currency}`);
  return { amount, currency };
}

export function addMoney(a: Money, b: Money): Money {
  if (a.currency !== b.currency) throw new MoneyError(`currency mismatch: ${a.currency} + ${b.currency}`);
  return money(a.amount + b.amount, a.currency);
}

export type Rounding = "half_up" | "down" | "up";

/**
 * amount × bps / 10 000 in integer arithmetic (basis points: 250 = 2.5 %), rounded as asked.
 * BigInt keeps the intermediate product exact for any amount the platform accepts.
 */
export function applyBasisPoints(amount: number, bps: number, rounding: Rounding = "half_up"): number {
  if (!Number.isSafeInteger(amount) || !Number.isSafeInteger(bps)) {
    throw new MoneyError("amount and basis points must be integers");
  }
  const product = BigInt(amount) * BigInt(bps);
  const denominator = 10_000n;
  const negative = product < 0n;
  const abs = negative ? -product : product;
  let q = abs / denominator;
  const r = abs % denominator;
  if (rounding === "up" && r > 0n) q += 1n;
  if (rounding === "half_up" && r * 2n >= denominator) q += 1n;
  return Number(negative ? -q : q);
}

/**
 * Splits `amount` into parts proportional to `weights` with no minor unit lost:
 * the remainder goes to the largest fractional parts (largest remainder method).
 */
export function allocate(amount: number, weights: readonly number[]): number[] {
  if (!Number.isSafeInteger(amount)) throw new MoneyError("amount must be an integer");
  if (weights.length === 0 || weights.some((w) => !Number.isSafeInteger(w) || w < 0)) {
    throw new MoneyError("weights must be non-negative integers");
  }
  const total = weights.reduce((s, w) => s + w, 0);
  if (total === 0) throw new MoneyError("weights must not all be zero");
  const big = BigInt(amount);
  const bigTotal = BigInt(total);
  const parts = weights.map((w) => (big * BigInt(w)) / bigTotal);
  const rems = weights.map((w, i) => ({ i, r: (big * BigInt(w)) % bigTotal }));
  let left = big - parts.reduce((s, p) => s + p, 0n);
  rems.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of rems) {
    if (left <= 0n) break;
    parts[i] = (parts[i] as bigint) + 1n;
    left -= 1n;
  }
  return parts.map(Number);
}

/** Formats minor units for people, e.g. formatMoney(15000, "KGS", "ru") → "150,00 сом". */
export function formatMoney(amount: number, currency: CurrencyCode, locale = "en"): string {
  const exponent = CURRENCIES[currency].exponent;
  return new Intl.NumberFormat(locale, { style: "currency", currency, minimumFractionDigits: exponent }).format(amount / 10 ** exponent);
}

/**
 * Minor units as a plain decimal in major units with the currency's own digits, no symbol or
 * grouping (a CSV cell a spreadsheet reads as a number): majorUnits(-15005, "KGS") → "-150.05".
 */
export function majorUnits(amount: number, currency: CurrencyCode): string {
  if (!Number.isSafeInteger(amount)) throw new MoneyError(`amount must be an integer, got ${amount}`);
  // Every currency today has 2 digits; a 0-digit one (e.g. JPY) would print without a point.
  const exponent: number = CURRENCIES[currency].exponent;
  const abs = Math.abs(amount);
  const digits = String(abs).padStart(exponent + 1, "0");
  const whole = exponent === 0 ? digits : digits.slice(0, -exponent);
  const text = exponent === 0 ? whole : `${whole}.${digits.slice(-exponent)}`;
  return amount < 0 ? `-${text}` : text;
}
