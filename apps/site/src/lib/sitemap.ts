import { getCollection } from "astro:content";
import { type Lang, localePath, routes } from "./i18n";

export interface SitePage {
  /** path without the locale prefix */
  path: string;
  langs: (Lang | "ky")[];
  /** OpenGraph card name prefix and texts per language */
  og: { key: string; title: Partial<Record<Lang | "ky", string>>; subtitle: Partial<Record<Lang | "ky", string>> };
}

/** Every indexable page of the site, in every language it exists in. */
export async function sitePages(): Promise<SitePage[]> {
  const pages = await getCollection("pages");
  const copy = (page: string) => {
    const title: SitePage["og"]["title"] = {};
    const subtitle: SitePage["og"]["subtitle"] = {};
    for (const p of pages.filter((x) => x.data.page === page)) {
      title[p.data.lang] = p.data.heading;
      subtitle[p.data.lang] = p.data.description;
    }
    return { title, subtitle };
  };
  const list: SitePage[] = [];
  for (const [key, path] of Object.entries(routes)) {
    list.push({ path, langs: key === "home" ? ["ru", "en"] : ["ru", "en"], og: { key, ...copy(key) } });
  }
  list.push({ path: "developers/api/", langs: ["ru", "en"], og: { key: "api", ...copy("api") } });
  const docs = await getCollection("docs", (d) => d.data.key !== "quickstart");
  for (const slug of new Set(docs.map((d) => d.data.key))) {
    const title: SitePage["og"]["title"] = {};
    const subtitle: SitePage["og"]["subtitle"] = {};
    for (const d of docs.filter((x) => x.data.key === slug)) {
      title[d.data.lang] = d.data.title;
      subtitle[d.data.lang] = d.data.description;
    }
    list.push({ path: `developers/${slug}/`, langs: ["ru", "en"], og: { key: slug, title, subtitle } });
  }
  const cases = await getCollection("cases");
  for (const slug of new Set(cases.map((c) => c.data.key))) {
    const title: SitePage["og"]["title"] = {};
    const subtitle: SitePage["og"]["subtitle"] = {};
    for (const c of cases.filter((x) => x.data.key === slug)) {
      title[c.data.lang] = c.data.title;
      subtitle[c.data.lang] = c.data.summary;
    }
    list.push({ path: `portfolio/${slug}/`, langs: ["ru", "en"], og: { key: `case-${slug}`, title, subtitle } });
  }
  list.push({ path: "", langs: ["ky"], og: { key: "welcome", ...copy("welcome") } });
  return list;
}

export function pageUrl(lang: Lang | "ky", path: string): string {
  return lang === "ky" ? "/ky/" : localePath(lang, path);
}
