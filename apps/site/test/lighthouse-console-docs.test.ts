// Lighthouse on the two pages people work in, served by the real API: the merchant console
// (/console/, signed in with the demo merchant of the layout test) and the API reference
// (/docs). Accessibility and best practices must be 100 on a phone and on a laptop. Debian's
// Chromium through chrome-launcher (Lighthouse downloads no browser), offline, as
// scripts/lighthouse.mjs runs it for the site's pages.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startApi, type TestApi } from "@softrack/api/testing";
import { chromiumFlags, chromiumPath } from "@softrack/testing";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import desktopConfig from "lighthouse/core/config/desktop-config.js";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedConsoleDemo, signInConsole } from "./console-demo";

const CATEGORIES = ["accessibility", "best-practices"] as const;

let api: TestApi;
let chrome: chromeLauncher.LaunchedChrome;
let profile: string;
let driver: Browser;

beforeAll(async () => {
  api = await startApi();
  const { admin } = await seedConsoleDemo(api);
  profile = mkdtempSync(join(tmpdir(), "softrack-lighthouse-"));
  chrome = await chromeLauncher.launch({
    chromePath: chromiumPath,
    chromeFlags: [...chromiumFlags, `--user-data-dir=${profile}`],
    userDataDir: false,
  });
  // sign in once in the browser Lighthouse will use: the session is the API's httpOnly cookie,
  // kept because the runs below do not reset storage
  driver = await chromium.connectOverCDP(`http://127.0.0.1:${chrome.port}`);
  const context = driver.contexts()[0];
  if (!context) throw new Error("no default browser context");
  const page = await context.newPage();
  await page.goto(`${api.url}/console/`, { waitUntil: "networkidle" });
  await signInConsole(page, admin);
  await page.close();
}, 180_000);

afterAll(async () => {
  await driver?.close().catch(() => {});
  await chrome?.kill();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await api?.close();
});

/** The page's scores, and the audits that kept a category below 100 (with what they found). */
async function audit(path: string, formFactor: "mobile" | "desktop") {
  const result = await lighthouse(
    api.url + path,
    { port: chrome.port, output: "json", logLevel: "error", onlyCategories: [...CATEGORIES], disableStorageReset: true },
    formFactor === "desktop" ? desktopConfig : undefined,
  );
  if (!result) throw new Error(`lighthouse returned nothing for ${path}`);
  const { lhr } = result;
  const scores = Object.fromEntries(CATEGORIES.map((c) => [c, Math.round((lhr.categories[c]?.score ?? 0) * 100)]));
  const failing = Object.values(lhr.audits)
    .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode !== "informative" && a.scoreDisplayMode !== "manual")
    .filter((a) => CATEGORIES.some((c) => lhr.categories[c]?.auditRefs.some((r) => r.id === a.id && r.weight > 0)))
    .map(
      (a) =>
        `${a.id}: ${JSON.stringify((a.details as { items?: unknown[] } | undefined)?.items?.slice(0, 3) ?? a.errorMessage ?? "").slice(0, 600)}`,
    );
  if (lhr.runtimeError) failing.push(`runtime error: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
  return { scores, failing, finalUrl: lhr.finalDisplayedUrl };
}

describe("Lighthouse: accessibility and best practices 100", () => {
  for (const [name, path, mark] of [
    ["the console, signed in", "/console/#/payments", "/console/"],
    ["the console's Overview with its charts, signed in", "/console/#/overview", "/console/"],
    ["the API reference", "/docs", "/docs"],
  ] as const) {
    for (const formFactor of ["mobile", "desktop"] as const) {
      it(`${name} (${path}) on ${formFactor}`, async () => {
        const { scores, failing, finalUrl } = await audit(path, formFactor);
        expect(finalUrl).toContain(mark);
        expect(failing).toEqual([]);
        expect(scores).toEqual({ accessibility: 100, "best-practices": 100 });
        if (path.startsWith("/console")) {
          // the run did not sign the browser out: the console it audited was the signed-in one
          const page = await (driver.contexts()[0] as NonNullable<ReturnType<Browser["contexts"]>[0]>).newPage();
          await page.goto(api.url + path, { waitUntil: "networkidle" });
          await page.getByRole("navigation", { name: "Console" }).waitFor();
          await page.close();
        }
      }, 120_000);
    }
  }
});
