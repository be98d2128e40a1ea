// The header on a phone: one row with a menu button (no wrapping nav), the menu opens and closes
// by mouse and keyboard with aria-expanded kept true to what is shown, and focus goes where a
// keyboard reader expects. No framework: the site's one small script.
import { launchBrowser } from "@softrack/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveSite } from "../scripts/serve.mjs";

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

async function open(path: string, width: number, height: number): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width, height } });
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(e.message));
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  await page.goto(site.url + path, { waitUntil: "load" });
  return { page, problems };
}

const headerHeight = (page: Page) => page.locator(".site-header").evaluate((h) => h.getBoundingClientRect().height);

describe("mobile menu at 390 px", () => {
  for (const path of ["/", "/en/", "/en/portfolio/namba/", "/achievements/"]) {
    it(`keeps the header of ${path} on one row, with the nav behind a menu button`, async () => {
      const { page, problems } = await open(path, 390, 844);
      const toggle = page.locator(".nav-toggle");
      expect(await toggle.isVisible()).toBe(true);
      expect(await toggle.getAttribute("aria-expanded")).toBe("false");
      expect(await page.locator("#site-nav").isVisible()).toBe(false);
      // one row: brand, languages and the button, each at least 44 px tall, nothing above 72 px
      expect(await headerHeight(page)).toBeLessThan(72);
      const [brand, button] = await Promise.all([page.locator(".brand").boundingBox(), toggle.boundingBox()]);
      expect(Math.abs((brand?.y ?? 0) - (button?.y ?? 100))).toBeLessThan(8);
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
      expect(problems).toEqual([]);
      await page.close();
    });
  }

  it("opens and closes by mouse, and the page below does not move", async () => {
    const { page } = await open("/en/", 390, 844);
    const toggle = page.getByRole("button", { name: "Menu" });
    const mainTop = () => page.locator("main").evaluate((m) => m.getBoundingClientRect().top);
    const before = await mainTop();
    await toggle.click();
    expect(await toggle.getAttribute("aria-expanded")).toBe("true");
    const nav = page.getByRole("navigation", { name: "Main" });
    expect(await nav.isVisible()).toBe(true);
    expect(await nav.getByRole("link").count()).toBe(6);
    expect(await mainTop()).toBe(before);
    // the links are in a column, each a full-width target
    const boxes = await nav.getByRole("link").evaluateAll((links) => links.map((l) => l.getBoundingClientRect().toJSON()));
    for (let i = 1; i < boxes.length; i++) expect(boxes[i].top).toBeGreaterThanOrEqual(boxes[i - 1].bottom - 1);
    for (const b of boxes) expect(b.height).toBeGreaterThanOrEqual(44);
    await toggle.click();
    expect(await toggle.getAttribute("aria-expanded")).toBe("false");
    expect(await nav.isVisible()).toBe(false);
    // a click outside closes it too
    await toggle.click();
    await page.mouse.click(200, 800);
    expect(await toggle.getAttribute("aria-expanded")).toBe("false");
    await page.close();
  });

  it("works from the keyboard: Enter opens and focuses the first link, Escape closes and returns focus", async () => {
    const { page } = await open("/en/", 390, 844);
    const toggle = page.locator(".nav-toggle");
    await toggle.focus();
    await page.keyboard.press("Enter");
    expect(await toggle.getAttribute("aria-expanded")).toBe("true");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Portfolio");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Capabilities");
    await page.keyboard.press("Escape");
    expect(await toggle.getAttribute("aria-expanded")).toBe("false");
    expect(await page.evaluate(() => document.activeElement?.classList.contains("nav-toggle"))).toBe(true);
    // Space opens it as well; tabbing past the last link (to the language links) closes it
    await page.keyboard.press("Space");
    expect(await toggle.getAttribute("aria-expanded")).toBe("true");
    for (let i = 0; i < 6; i++) await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.closest("#site-nav") ?? null)).toBeNull();
    expect(await toggle.getAttribute("aria-expanded")).toBe("false");
    await page.close();
  });

  it("shows the full nav and no button on a desktop", async () => {
    const { page } = await open("/en/", 1280, 800);
    expect(await page.locator(".nav-toggle").isVisible()).toBe(false);
    expect(await page.getByRole("navigation", { name: "Main" }).isVisible()).toBe(true);
    expect(await headerHeight(page)).toBeLessThan(80);
    await page.close();
  });
});
