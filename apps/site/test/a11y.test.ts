// axe-core in real Chromium on every page of the sitemap, light and dark: no violations.
import { createRequire } from "node:module";
import { launchBrowser } from "@softrack/testing";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sitemapPaths } from "../scripts/pages.mjs";
import { serveSite } from "../scripts/serve.mjs";

const axeSource: string = createRequire(import.meta.url)("axe-core").source;

let browser: Browser;
let site: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  site = await serveSite();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
});

describe("accessibility (axe-core)", () => {
  // every rule in light mode; in dark mode only colours change, so only contrast is re-checked
  for (const colorScheme of ["light", "dark"] as const) {
    it(`finds no violation on any page in ${colorScheme} mode`, async () => {
      // bypassCSP only so that axe itself can be injected; the pages are served with the real CSP
      const context = await browser.newContext({ colorScheme, bypassCSP: true, viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const violations: string[] = [];
      const paths = sitemapPaths();
      expect(paths.length).toBeGreaterThan(30);
      for (const path of paths) {
        await page.goto(site.url + path, { waitUntil: "load" });
        await page.evaluate(axeSource);
        const result = await page.evaluate(async (onlyContrast) => {
          const axe = (window as any).axe;
          const r = await axe.run(document, {
            resultTypes: ["violations"],
            ...(onlyContrast ? { runOnly: { type: "rule", values: ["color-contrast", "link-in-text-block"] } } : {}),
          });
          return r.violations.map(
            (v: { id: string; nodes: { target: string[] }[] }) => `${v.id} ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
          );
        }, colorScheme === "dark");
        for (const v of result) violations.push(`${path}: ${v}`);
      }
      await context.close();
      expect(violations).toEqual([]);
    }, 180_000);
  }
});
