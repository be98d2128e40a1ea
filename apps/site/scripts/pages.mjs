// Every page of the built site, read from its sitemap (so a new page is covered without edits).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const distDir = fileURLToPath(new URL("../dist", import.meta.url));

/** Site paths ("/", "/en/portfolio/namba/", …) listed in dist/sitemap.xml. */
export function sitemapPaths(dist = distDir) {
  const xml = readFileSync(`${dist}/sitemap.xml`, "utf8");
  return [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => new URL(m[1] ?? "/").pathname);
}

/** A file-name-safe name for a page path: "/" → "ru-home", "/en/portfolio/namba/" → "en-portfolio-namba". */
export function pageName(path) {
  const m = path.match(/^\/(en|ky)\/(.*)$/);
  const lang = m ? m[1] : "ru";
  const rest = (m ? m[2] : path.slice(1)).replace(/\/$/, "").replace(/\//g, "-");
  return `${lang}-${rest || "home"}`;
}
