import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { chromiumFlags, launchBrowser, launchChromium } from "../index.mjs";

describe("the shared Chromium launcher", () => {
  const closers = [];
  afterAll(async () => {
    for (const close of closers) await close();
  });

  it("launchBrowser opens a headless browser that renders a page", async () => {
    const browser = await launchBrowser();
    closers.push(() => browser.close());
    const page = await browser.newPage();
    await page.setContent("<title>shop</title><p>ok</p>");
    expect(await page.title()).toBe("shop");
    expect(await page.evaluate(() => navigator.webdriver)).toBe(true);
  });

  it("launchChromium gives a persistent profile and removes it on close", async () => {
    const { context, profile, close } = await launchChromium();
    const page = await context.newPage();
    await page.setContent("<title>profile</title>");
    expect(await page.title()).toBe("profile");
    // Chromium writes its profile there, not into a temporary one of playwright's
    expect(existsSync(join(profile, "Default"))).toBe(true);
    await close();
    expect(existsSync(profile)).toBe(false);
  });

  it("keeps the command-line flags Lighthouse needs", () => {
    expect(chromiumFlags).toContain("--headless=new");
    expect(chromiumFlags).toContain("--no-sandbox");
  });
});
