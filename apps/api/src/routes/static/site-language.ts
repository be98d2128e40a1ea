/**
 * Which language's home page answers `/`. The site is static (Russian at `/`, English under
 * `/en/`, a Kyrgyz welcome page at `/ky/`); the API serves `/` itself, so it can pick the page
 * without a redirect: the reader's remembered choice first (a cookie the site's language switcher
 * sets), then the browser's Accept-Language.
 */
export type SiteLanguage = "ru" | "en" | "ky";

/** Set by the site's language switcher (apps/site/src/scripts/site.ts). */
export const SITE_LANGUAGE_COOKIE = "softrack_lang";

/** The built page that answers `/` in each language, under apps/site/dist. */
export const SITE_HOME_PAGES: Record<SiteLanguage, string> = { ru: "index.html", en: "en/index.html", ky: "ky/index.html" };

/**
 * Readers of these languages get the Russian site, the region's shared language (Kyrgyz readers
 * included: their page at /ky/ is a welcome page, the full site is Russian or English).
 */
const RUSSIAN_READERS = new Set(["ru", "ky", "kk", "uz", "tg", "tk", "be", "uk"]);

function fromTag(tag: string): "ru" | "en" | undefined {
  const primary = tag.trim().toLowerCase().split("-")[0] ?? "";
  if (primary === "en") return "en";
  if (RUSSIAN_READERS.has(primary)) return "ru";
  return undefined;
}

/** Accept-Language's tags by preference (q, then order); q=0 and malformed entries are dropped. */
function preferences(header: string): string[] {
  return header
    .split(",")
    .map((part, index) => {
      const [tag = "", ...params] = part.split(";").map((s) => s.trim());
      const q = params.find((p) => /^q=/i.test(p));
      const weight = q === undefined ? 1 : Number(q.slice(2));
      return { tag, weight: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((p) => p.tag !== "" && p.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index)
    .map((p) => p.tag);
}

/**
 * The language `/` is served in. Without any Accept-Language (crawlers), or with `*` before any
 * language of the site, Russian: the page the site's hreflang x-default names. A header that names neither English nor a Russian-reading
 * language gets English, the language most readers from elsewhere read.
 */
export function chooseSiteLanguage(acceptLanguage: string | undefined, cookie: string | undefined): SiteLanguage {
  if (cookie === "ru" || cookie === "en" || cookie === "ky") return cookie;
  if (!acceptLanguage?.trim()) return "ru";
  for (const tag of preferences(acceptLanguage)) {
    // "any language" (what Node's fetch sends by default): the x-default page
    if (tag === "*") return "ru";
    const lang = fromTag(tag);
    if (lang) return lang;
  }
  return "en";
}
