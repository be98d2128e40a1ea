/** Money is integer minor units everywhere; this only turns it into text for people. */

// ISO 4217 exponents for the currencies the platform settles; others ask Intl.
const EXPONENT: Readonly<Record<string, number>> = { KGS: 2, KZT: 2, RUB: 2, USD: 2, UZS: 2, EUR: 2 };

export function currencyExponent(currency: string): number {
  const known = EXPONENT[currency.toUpperCase()];
  if (known !== undefined) return known;
  return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** 15000, "KGS" → "150.00" as an exact decimal string (no float on the way). */
export function minorToDecimal(amount: number, currency: string): string {
  if (!Number.isSafeInteger(amount)) throw new RangeError("amount must be an integer in minor units");
  const exp = currencyExponent(currency);
  const sign = amount < 0 ? "-" : "";
  const digits = String(Math.abs(amount)).padStart(exp + 1, "0");
  if (exp === 0) return sign + digits;
  return `${sign}${digits.slice(0, -exp)}.${digits.slice(-exp)}`;
}

/** 15000 KGS in "ru-RU" → "150,00 сом"; Intl formats the exact decimal string. */
export function formatAmount(amount: number, currency: string, locale: string | readonly string[]): string {
  const exp = currencyExponent(currency);
  const nf = new Intl.NumberFormat(typeof locale === "string" ? locale : [...locale], {
    style: "currency",
    currency: currency.toUpperCase(),
    minimumFractionDigits: exp,
    maximumFractionDigits: exp,
  });
  return nf.format(minorToDecimal(amount, currency) as `${number}`);
}
