import { en, type MessageKey, type Messages } from "./en.js";
import { kk } from "./kk.js";
import { ky } from "./ky.js";
import { ru } from "./ru.js";
import { uz } from "./uz.js";

export type { MessageKey, Messages };

export const LOCALES = { en, ru, ky, kk, uz } as const satisfies Record<string, Messages>;
export type Locale = keyof typeof LOCALES;

/** BCP 47 tags for Intl: the region picks the number format people there expect. */
export const INTL_TAG: Readonly<Record<Locale, string>> = {
  en: "en-US",
  ru: "ru-RU",
  ky: "ky-KG",
  kk: "kk-KZ",
  uz: "uz-Latn-UZ",
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
