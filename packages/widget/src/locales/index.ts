import { en, type MessageKey, type Messages } from "./en.js";
import { kk } from "./kk.js";
import { ky } from "./ky.js";
import { ru } from "./ru.js";
import { uz } from "./uz.js";

export type { MessageKey, Messages };

export const LOCALES = { en, ru, ky, kk, uz } as const satisfies Record<string, Messages>;
export type Locale = keyof typeof LOCALES;

/**
 * BCP 47 tags for Intl, in order of preference: the region picks the number format people there
 * expect. Chromium's ICU data has no Kyrgyz, Kazakh or Uzbek, and Intl then falls back to the
 * browser's language (an English "KGS 2,499.00" in a Kyrgyz form); Russian in the same region
 * writes amounts as those locales do ("2 499,00"), so it comes second.
 */
export const INTL_TAG: Readonly<Record<Locale, readonly string[]>> = {
  en: ["en-US"],
  ru: ["ru-RU"],
  ky: ["ky-KG", "ru-KG"],
  kk: ["kk-KZ", "ru-KZ"],
  uz: ["uz-Latn-UZ", "ru-UZ"],
};

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && Object.hasOwn(LOCALES, value);
}

/** "ru-RU" → "ru"; anything unknown → "en". */
export function resolveLocale(value: string | null | undefined): Locale {
  const base = (value ?? "").toLowerCase().split(/[-_]/)[0];
  return isLocale(base) ? base : "en";
}

export function translate(locale: Locale, key: MessageKey, vars?: Record<string, string>): string {
  const text = LOCALES[locale][key] ?? en[key];
  return vars ? text.replace(/\{(\w+)\}/g, (m, name: string) => vars[name] ?? m) : text;
}
