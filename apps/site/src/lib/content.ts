import { getCollection, getEntry } from "astro:content";
import type { Lang } from "./i18n";

export async function getPage(lang: Lang | "ky", page: string) {
  const entry = await getEntry("pages", `${lang}/${page}`);
  if (!entry) throw new Error(`missing page copy: src/content/pages/${lang}/${page}.md`);
  return entry;
}

/** A page-specific string; a missing key fails the build instead of rendering a hole. */
export function str(page: { data: { strings: Record<string, string>; page: string; lang: string } }, key: string): string {
  const value = page.data.strings[key];
  if (value === undefined) throw new Error(`missing string "${key}" in pages/${page.data.lang}/${page.data.page}.md`);
  return value;
}

export async function getUi(lang: Lang) {
  const entry = await getEntry("ui", lang);
  if (!entry) throw new Error(`missing src/content/ui/${lang}.json`);
  return entry.data;
}

export async function getCases(lang: Lang) {
  const all = await getCollection("cases", (c) => c.data.lang === lang);
  return all.sort((a, b) => a.data.order - b.data.order);
}

export async function getCapabilities(lang: Lang) {
  const all = await getCollection("capabilities", (c) => c.data.lang === lang);
  return all.sort((a, b) => a.data.order - b.data.order);
}

export async function getDocs(lang: Lang) {
  const all = await getCollection("docs", (c) => c.data.lang === lang);
  return all.sort((a, b) => a.data.order - b.data.order);
}

export async function getTeam() {
  const all = await getCollection("team");
  return all.sort((a, b) => a.data.order - b.data.order);
}
