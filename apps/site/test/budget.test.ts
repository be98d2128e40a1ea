// JavaScript shipped per page, gzip-compressed, counting every module a page's scripts import.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { parse } from "node-html-parser";
import { describe, expect, it } from "vitest";
import { dist, htmlPages } from "./helpers";

const HOME_BUDGET = 15 * 1024;
/**
 * The merchant console is an app behind a sign-in (Lit, the SDK, every screen), not a content page.
 * 66 KiB since the money-out screens (payouts, a payout's report, disputes, bank accounts: ~6.3 KiB);
 * 67 KiB since the no-show screen (its SVG chart, two tables and en/ru strings: ~2.6 KiB).
 */
const CONSOLE_BUDGET = 67 * 1024;
const isConsole = (path: string) => path.startsWith("/console/");

function moduleGraph(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  const code = readFileSync(join(dist, entry), "utf8");
  for (const m of code.matchAll(/(?:import|from)\s*\(?\s*["']([^"']+\.js)["']/g)) {
    const spec = m[1] ?? "";
    moduleGraph(spec.startsWith("/") ? spec : join(dirname(entry), spec), seen);
  }
  return seen;
}

function shippedJs(html: string): { files: string[]; gzip: number } {
  const files = new Set<string>();
  for (const s of parse(html).querySelectorAll("script[src], link[rel=modulepreload]")) {
    const src = s.getAttribute("src") ?? s.getAttribute("href") ?? "";
    if (src.startsWith("/")) for (const f of moduleGraph(src)) files.add(f);
  }
  let gzip = 0;
  for (const f of files) gzip += gzipSync(readFileSync(join(dist, f)), { level: 9 }).length;
  return { files: [...files], gzip };
}

describe("JavaScript budget", () => {
  const pages = htmlPages();

  it("ships at most 15 kB gzip of JavaScript on the home pages", () => {
    for (const path of ["/", "/en/", "/ky/"]) {
      const page = pages.find((p) => p.path === path);
      expect(page, path).toBeDefined();
      const { gzip } = shippedJs(page?.html ?? "");
      expect(gzip, path).toBeLessThanOrEqual(HOME_BUDGET);
    }
  });

  it("keeps every page within the same budget, and the contact script is loaded as a file", () => {
    for (const page of pages.filter((p) => !isConsole(p.path)))
      expect(shippedJs(page.html).gzip, page.path).toBeLessThanOrEqual(HOME_BUDGET);
    const contact = shippedJs(pages.find((p) => p.path === "/en/contact/")?.html ?? "");
    expect(contact.files.length).toBeGreaterThan(0);
    expect(contact.gzip).toBeGreaterThan(0);
  });

  it("keeps the merchant console within its own budget, loaded as module files", () => {
    const app = shippedJs(pages.find((p) => p.path === "/console/")?.html ?? "");
    expect(app.files.length).toBeGreaterThan(0);
    expect(app.gzip).toBeLessThanOrEqual(CONSOLE_BUDGET);
  });
});
