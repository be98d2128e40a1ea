// No broken internal link: every href/src/action on every built page resolves to a file of the
// build (or to one of the few paths the API itself serves beside the site), and every #fragment
// points at an element that exists.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse } from "node-html-parser";
import { describe, expect, it } from "vitest";
import { dist, htmlPages } from "./helpers";

const site = "https://softrack.kg";
/** Served by the API next to the site (apps/api), not by the build. */
const apiPaths = new Set(["/v1/leads", "/demo"]);

function target(path: string): string | null {
  const file = join(dist, decodeURIComponent(path));
  if (existsSync(file) && statSync(file).isFile()) return file;
  if (existsSync(join(file, "index.html"))) return join(file, "index.html");
  return null;
}

const idsCache = new Map<string, Set<string>>();
function ids(file: string): Set<string> {
  let set = idsCache.get(file);
  if (!set) {
    set = new Set(
      parse(readFileSync(file, "utf8"))
        .querySelectorAll("[id]")
        .map((e) => e.id),
    );
    idsCache.set(file, set);
  }
  return set;
}

describe("internal links", () => {
  const pages = htmlPages();

  it("finds pages to check", () => {
    expect(pages.length).toBeGreaterThan(30);
  });

  it("resolves every link, asset and form action on every page", () => {
    const broken: string[] = [];
    let checked = 0;
    for (const page of pages) {
      const root = parse(page.html);
      const refs = [
        ...root.querySelectorAll("a[href], link[href]").map((e) => e.getAttribute("href") ?? ""),
        ...root.querySelectorAll("script[src], img[src], iframe[src]").map((e) => e.getAttribute("src") ?? ""),
        ...root.querySelectorAll("form[action]").map((e) => e.getAttribute("action") ?? ""),
        ...root.querySelectorAll('meta[property="og:image"], meta[property="og:url"]').map((e) => e.getAttribute("content") ?? ""),
      ];
      for (const ref of refs) {
        const url = new URL(ref, site + page.path);
        if (url.origin !== site) continue; // external
        checked++;
        if (apiPaths.has(url.pathname)) continue;
        const file = target(url.pathname);
        if (!file) {
          broken.push(`${page.path} → ${ref}`);
          continue;
        }
        const fragment = decodeURIComponent(url.hash.slice(1));
        if (fragment && file.endsWith(".html") && !ids(file).has(fragment)) broken.push(`${page.path} → ${ref} (no #${fragment})`);
      }
    }
    expect(broken).toEqual([]);
    expect(checked).toBeGreaterThan(500);
  });

  it("lists in the sitemap only URLs that resolve", () => {
    const xml = readFileSync(join(dist, "sitemap.xml"), "utf8");
    const urls = [...xml.matchAll(/(?:<loc>|href=")([^<"]+)/g)].map((m) => new URL(m[1] ?? "").pathname);
    expect(urls.length).toBeGreaterThan(30);
    expect(urls.filter((u) => !target(u))).toEqual([]);
  });
});
