export const locales = ["ru", "en"] as const;
export type Lang = (typeof locales)[number];
/** Russian is the default: it lives at the root, English under /en/. Kyrgyz has a welcome page at /ky/. */
export const defaultLang: Lang = "ru";

export const routes = {
  home: "",
  portfolio: "portfolio/",
  capabilities: "capabilities/",
  achievements: "achievements/",
  team: "team/",
  developers: "developers/",
  contact: "contact/",
} as const;
export type RouteKey = keyof typeof routes;

/** Path of a page inside the site, e.g. localePath("en", "portfolio/namba/") → "/en/portfolio/namba/". */
export function localePath(lang: Lang | "ky", path = ""): string {
  const clean = path.replace(/^\/+/, "");
  return lang === defaultLang ? `/${clean}` : `/${lang}/${clean}`;
}

/** Strip the locale prefix: "/en/team/" → "team/". */
export function pathWithoutLocale(pathname: string): string {
  const m = pathname.match(/^\/(en|ky)(\/|$)(.*)$/);
  return (m ? (m[3] ?? "") : pathname.replace(/^\//, "")).replace(/^\//, "");
}

export function isLang(value: string): value is Lang {
  return (locales as readonly string[]).includes(value);
}

export const numberLocale: Record<Lang, string> = { ru: "ru-RU", en: "en-US" };
