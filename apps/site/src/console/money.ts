// Money on screen: integer minor units in, text out. The decimal string is built from the
// integer's digits (never by dividing a float) and Intl formats that exact string.
import { CURRENCIES } from "@softrack/core/currency";

const exponentOf = (currency: string): number =>
  Object.hasOwn(CURRENCIES, currency) ? CURRENCIES[currency as keyof typeof CURRENCIES].exponent : 2;

/** 15000, "KGS" → "150.00": the exact decimal string of an amount in minor units. */
export function toDecimal(amount: number, currency: string): string {
  const exponent = exponentOf(currency);
  const digits = Math.abs(amount)
    .toString()
    .padStart(exponent + 1, "0");
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  return `${amount < 0 ? "-" : ""}${whole}${exponent > 0 ? `.${fraction}` : ""}`;
}

/** The minus sign (U+2212) the console writes before a negative amount, as the payments list does for refunds. */
export const MINUS = "\u2212";

/**
 * Formats minor units for people: 15000 KGS → "KGS 150.00" (en), "150,00 сом" (ru). A negative
 * amount is the positive one with a minus sign first: −15000 → "−KGS 150.00", never "-KGS 150.00".
 */
export function formatMoney(amount: number, currency: string, locale: string): string {
  const exponent = exponentOf(currency);
  const format = new Intl.NumberFormat(locale, {
    style: "currency",
    currency,
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  });
  // Intl formats a decimal string exactly (no float rounding on the way)
  const positive = format.format(toDecimal(Math.abs(amount), currency) as Intl.StringNumericLiteral);
  return amount < 0 ? `${MINUS}${positive}` : positive;
}

/**
 * Parses what a person typed ("150", "150.5", "150,50", "1 500.00") into minor units, or
 * null when it is not a positive amount with at most the currency's decimals.
 */
export function parseAmount(text: string, currency: string): number | null {
  const exponent = exponentOf(currency);
  const clean = text.replace(/[\s\u00a0\u202f']/g, "").replace(",", ".");
  const m = /^(\d+)(?:\.(\d*))?$/.exec(clean);
  if (!m) return null;
  const fraction = m[2] ?? "";
  if (fraction.length > exponent) return null;
  const minor = BigInt(m[1] as string) * 10n ** BigInt(exponent) + BigInt(fraction.padEnd(exponent, "0") || "0");
  if (minor <= 0n || minor > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return Number(minor);
}
