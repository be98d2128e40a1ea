// /docs in real Chromium against the real API: the reference loads everything from this
// server (no font host, no telemetry, no AI or MCP service), nothing fails, nothing is logged
// as an error, and it is Softrack's: the favicon, the logo, the palette, none of Scalar's extras.

import { launchBrowser } from "@softrack/testing";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dark, light } from "../../site/src/styles/palette.js";
import { BRAND } from "../src/routes/docs/brand.js";
import type { TestApi } from "../src/testing.js";
import { startTestApi } from "./support.js";

let api: TestApi;
let browser: Browser;

beforeAll(async () => {
  api = await startTestApi({ env: { WORKERS: "off" } });
  browser = await launchBrowser();
});

/** A page with room for the reference's 3 MB bundle on a busy 2-core machine (no timing is asserted). */
async function newPage(viewport = { width: 1280, height: 800 }) {
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(120_000);
  page.setDefaultNavigationTimeout(120_000);
  return page;
}
afterAll(async () => {
  await browser?.close();
  await api?.close();
});

describe("/docs in Chromium", () => {
  it("loads only from this server, with no failed request and no console error, and has none of Scalar's extras", async () => {
    const page = await newPage();
    const requests: string[] = [];
    const failed: string[] = [];
    const errors: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    page.on("requestfailed", (r) => failed.push(`${r.url()} ${r.failure()?.errorText}`));
    page.on("response", (r) => {
      if (r.status() >= 400) failed.push(`${r.url()} ${r.status()}`);
    });
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(e.message));

    // Opened on an operation, as a link from the guides does: its request example loads more code.
    await page.goto(`${api.url}/docs#tag/payments/POST/v1/payments`);
    await page.getByRole("heading", { name: "Softrack API" }).first().waitFor();
    await page.getByText("Create a payment", { exact: false }).first().waitFor();
    // Let late fetches (fonts, telemetry, agent) start before looking.
    await page.waitForLoadState("networkidle");

    const origin = new URL(api.url).origin;
    expect(requests.length).toBeGreaterThan(2);
    expect(requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith("data:") && !u.startsWith("blob:"))).toEqual([]);
    expect(failed).toEqual([]);
    expect(errors).toEqual([]);

    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText, the text a reader sees (hidden elements excluded)
    const text = await page.locator("body").innerText();
    for (const extra of ["Ask AI", "Generate MCP", "Configure", "Share", "Deploy", "Open API Client"]) {
      expect(text, extra).not.toContain(extra);
    }
    await page.close();
  }, 300_000);

  it("names its language and breaks no rule of its CSP (the validator in Scalar's bundle does not probe eval)", async () => {
    const page = await newPage();
    const cdp = await page.context().newCDPSession(page);
    const issues: string[] = [];
    cdp.on("Audits.issueAdded", (e) => issues.push(JSON.stringify(e.issue)));
    await cdp.send("Audits.enable");
    await page.goto(`${api.url}/docs`);
    await page.getByRole("heading", { name: "Softrack API" }).first().waitFor();
    await page.waitForLoadState("networkidle");
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    expect(issues.filter((i) => i.includes("ContentSecurityPolicyIssue"))).toEqual([]);
    await page.close();
  }, 300_000);

  it("is Softrack's: favicon, logo and the site's accent colour", async () => {
    const page = await newPage();
    await page.goto(`${api.url}/docs`);
    await page.getByRole("heading", { name: "Softrack API" }).first().waitFor();
    const icon = await page.locator('link[rel="icon"], link[rel="shortcut icon"]').first().getAttribute("href");
    expect(icon).toBe("/docs/favicon.svg");
    const favicon = await fetch(`${api.url}${icon}`);
    expect(favicon.status).toBe(200);
    expect(favicon.headers.get("content-type")).toBe("image/svg+xml");
    expect((await fetch(`${api.url}/favicon.ico`)).status).toBe(200);
    const logo = await fetch(`${api.url}/docs/logo.svg`);
    expect(await logo.text()).toContain('aria-label="Softrack"');
    const accent = String(await page.evaluate("getComputedStyle(document.body).getPropertyValue('--scalar-color-accent').trim()"));
    expect([light.accent, dark.accent]).toContain(accent);
    await page.close();
  }, 300_000);

  it("its colours are the site's palette", () => {
    for (const [name, value] of Object.entries(BRAND.light)) expect(value, name).toBe(light[name as keyof typeof light]);
    for (const [name, value] of Object.entries(BRAND.dark)) expect(value, name).toBe(dark[name as keyof typeof dark]);
  });
});
