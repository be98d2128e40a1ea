import type { APIRoute } from "astro";
import { pageUrl, sitePages } from "../lib/sitemap";

// One <url> per page and language, each listing its language alternates (hreflang).
export const GET: APIRoute = async ({ site }) => {
  const base = site ?? new URL("https://softrack.kg");
  const abs = (p: string) => new URL(p, base).href;
  const pages = await sitePages();
  const urls: string[] = [];
  for (const page of pages) {
    const alternates = page.path === "" ? (["ru", "en", "ky"] as const) : page.langs;
    for (const lang of page.langs) {
      const links = alternates.map((l) => `    <xhtml:link rel="alternate" hreflang="${l}" href="${abs(pageUrl(l, page.path))}"/>`);
      urls.push(`  <url>\n    <loc>${abs(pageUrl(lang, page.path))}</loc>\n${links.join("\n")}\n  </url>`);
    }
  }
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n${urls.join("\n")}\n</urlset>\n`;
  return new Response(xml, { headers: { "Content-Type": "application/xml; charset=utf-8" } });
};
