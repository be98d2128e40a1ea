/**
 * ISO 4217 currencies Softrack settles in. `exponent` is the number of minor-unit digits:
 * 15000 KGS with exponent 2 is 150.00 KGS. Amounts are always integers in minor units.
 */
export const CURRENCIES = {
  KGS: { code: "KGS", exponent: 2, name: "Kyrgyzstani som" },
  KZT: { code: "KZT", exponent: 2, name: "Kazakhstani tenge" },
  RUB: { code: "RUB", exponent: 2, name: "Russian ruble" },
  USD: { code: "USD", exponent: 2, name: "US dollar" },
  UZS: { code: "UZS", exponent: 2, name: "Uzbekistani som" },
  EUR: { code: "EUR", exponent: 2, name: "Euro" },
  TJS: { code: "TJS", exponent: 2, name: "Tajikistani somoni" },
} as const;

export type CurrencyCode = keyof typeof CURRENCIES;

export const CURRENCY_CODES = Object.keys(CURRENCIES) as CurrencyCode[];

export function isCurrency(code: unknown): code is CurrencyCode {
  return typeof code === "string" && Object.hasOwn(CURRENCIES, code);
}
