// The widget guide's live demo: served by the real API next to the site, the page frames the
// API's /demo checkout and the <softrack-checkout> widget renders inside it, under the strict CSP.
import { startApi, type TestApi } from "@softrack/api/testing";
import { launchBrowser } from "@softrack/testing";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let api: TestApi;
let browser: Browser;

beforeAll(async () => {
  api = await startApi();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await api?.close();
});

describe("live widget demo", () => {
  for (const [path, heading] of [
    ["/en/developers/widget/", "Live demo"],
    ["/developers/widget/", "Живое демо"],
  ] as const) {
    it(`shows a working checkout on ${path}`, async () => {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on("pageerror", (e) => problems.push(e.message));
      page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
      const res = await page.goto(api.url + path, { waitUntil: "load" });
      expect(res?.status()).toBe(200);
      expect(await page.getByRole("heading", { name: heading, exact: true }).count()).toBe(1);
      const demo = page.frameLocator("iframe.demo-frame");
      // the widget renders its pay button once it has loaded the test payment from the API
      await expect.poll(() => demo.getByRole("button", { name: /150\.00/ }).count(), { timeout: 20_000 }).toBeGreaterThan(0);
      expect(problems).toEqual([]);
      await page.close();
    });
  }
});
