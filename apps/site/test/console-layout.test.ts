// Every console route, on a phone (390×844) and a laptop (1280×800), signed in with demo data in
// each list, in real Chromium under the API's strict CSP: the page never scrolls sideways, no two
// visible controls overlap, nothing is logged as an error and no request fails — the sign-in page
// included. The routes come from the console's own table (src/console/routes.ts), so a new route
// is visited here without editing this file.

import { startApi, type TestApi } from "@softrack/api/testing";
import type { Softrack } from "@softrack/sdk";
import { launchBrowser } from "@softrack/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROUTES } from "../src/console/routes";
import { type ConsoleDemo, consoleAddresses, seedConsoleDemo, signInConsole } from "./console-demo";

let api: TestApi;
let browser: Browser;
let admin: Softrack;
/** An id to open each route that needs (or may take) one, from the demo data (test/console-demo.ts). */
let sample: ConsoleDemo["sample"];

beforeAll(async () => {
  api = await startApi();
  browser = await launchBrowser();
  ({ admin, sample } = await seedConsoleDemo(api));
});
afterAll(async () => {
  await browser?.close();
  await api?.close();
});

/** What is wrong with the screen as drawn: sideways scrolling, and overlapping controls (across shadow roots). */
function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const all: Element[] = [];
    const walk = (root: Document | ShadowRoot) => {
      for (const el of root.querySelectorAll("*")) {
        all.push(el);
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    walk(document);
    const parentOf = (n: Node): Element | null => (n.parentNode instanceof ShadowRoot ? n.parentNode.host : (n.parentElement ?? null));
    const { scrollWidth } = document.documentElement;
    if (scrollWidth > innerWidth) {
      // name the outermost boxes that stick out (not those inside a box that scrolls them)
      const scrolls = (el: Element) => /auto|scroll|hidden|clip/.test(getComputedStyle(el).overflowX);
      const out = all.filter((el) => {
        if (el.getBoundingClientRect().right <= innerWidth + 0.5) return false;
        for (let p = parentOf(el); p; p = parentOf(p))
          if (p !== document.documentElement && p !== document.body && scrolls(p)) return false;
        const parent = parentOf(el);
        return !parent || parent.getBoundingClientRect().right <= innerWidth + 0.5;
      });
      // (a positioned box escapes a scroller that is not its containing block: then the widest boxes)
      const widest = [...all].sort((x, y) => y.getBoundingClientRect().right - x.getBoundingClientRect().right);
      const what = (out.length ? out : widest)
        .slice(0, 3)
        .map((el) => `<${el.localName}${el.className ? `.${String(el.className).replace(/ /g, ".")}` : ""}>`);
      problems.push(`page is ${scrollWidth} px wide in a ${innerWidth} px viewport (${what.join(", ")})`);
    }
    const interactive = "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex='-1'])";
    const controls = all
      .filter((el) => el.matches(interactive) && el.checkVisibility({ visibilityProperty: true }))
      .map((el) => ({ el, box: el.getBoundingClientRect() }))
      // visually-hidden helpers are 1×1 px on purpose
      .filter(({ box }) => box.width > 1 && box.height > 1);
    const inside = (outer: Element, inner: Element) => {
      for (let n: Node | null = inner; n; n = n.parentNode ?? (n as ShadowRoot).host ?? null) if (n === outer) return true;
      return false;
    };
    const name = (el: Element) =>
      `<${el.localName}${el.id ? `#${el.id}` : ""}> "${(el.getAttribute("aria-label") ?? el.textContent ?? "").trim().slice(0, 30)}"`;
    for (const [i, a] of controls.entries())
      for (const b of controls.slice(i + 1)) {
        if (inside(a.el, b.el) || inside(b.el, a.el)) continue;
        const w = Math.min(a.box.right, b.box.right) - Math.max(a.box.left, b.box.left);
        const h = Math.min(a.box.bottom, b.box.bottom) - Math.max(a.box.top, b.box.top);
        if (w > 0.5 && h > 0.5) problems.push(`${name(a.el)} overlaps ${name(b.el)} by ${Math.round(w)}×${Math.round(h)} px`);
      }
    return problems;
  });
}

/** Whether the view has drawn what it loads: nothing "Loading…", no busy table. */
function settled(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const all: Element[] = [];
    const walk = (root: Document | ShadowRoot) => {
      for (const el of root.querySelectorAll("*")) {
        all.push(el);
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    walk(document);
    const h1 = all.some((el) => el.localName === "h1");
    const loading = all.some((el) => el.getAttribute("role") === "status" && /Loading…/.test(el.textContent ?? ""));
    const busy = all.some((el) => el.getAttribute("aria-busy") === "true");
    return h1 && !loading && !busy;
  });
}

/** Rows drawn in the screen's tables (a list with demo data has some). */
const tableRows = (page: Page): Promise<number> =>
  page.evaluate(() => {
    let n = 0;
    const walk = (root: Document | ShadowRoot) => {
      n += root.querySelectorAll("tbody tr").length;
      for (const el of root.querySelectorAll("*")) if (el.shadowRoot) walk(el.shadowRoot);
    };
    walk(document);
    return n;
  });

/** Records failed requests (status ≥ 400 or no answer) and logged errors. */
function watch(page: Page) {
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && problems.push(`console error: ${m.text()}`));
  page.on("response", (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`));
  page.on("requestfailed", (r) => problems.push(`failed ${r.method()} ${new URL(r.url()).pathname}: ${r.failure()?.errorText}`));
  /** The problems since the last call. */
  return { take: () => problems.splice(0) };
}

describe("console layout on every route", () => {
  it("enumerates every route of the console's table, each with a demo id where it needs one", () => {
    const listed = consoleAddresses(sample);
    expect(new Set(listed.map((a) => a.route))).toEqual(new Set(Object.keys(ROUTES)));
    expect(listed.map((a) => a.hash)).toContain(`#/payments/${sample.payment}`);
  });

  for (const viewport of [
    { width: 390, height: 844 },
    { width: 1280, height: 800 },
  ]) {
    it(`at ${viewport.width}×${viewport.height}: no sideways scroll, no overlapping controls, no errors, no failed requests`, async () => {
      const context = await browser.newContext({ locale: "en-US", timezoneId: "Asia/Bishkek", viewport, colorScheme: "light" });
      const page = await context.newPage();
      const seen = watch(page);
      const report: string[] = [];
      const check = async (where: string) => {
        await expect.poll(() => settled(page), { timeout: 15_000 }).toBe(true);
        for (const p of [...(await layoutProblems(page)), ...seen.take()]) report.push(`${where}: ${p}`);
      };

      await page.goto(`${api.url}/console/`, { waitUntil: "networkidle" });
      await page.getByRole("heading", { name: "Sign in to the console" }).waitFor();
      await check("sign-in");
      await page.getByLabel("Work email").waitFor();
      await signInConsole(page, admin);

      const empty: string[] = [];
      for (const { route, hash } of consoleAddresses(sample)) {
        // each screen as it opens from its address (a fresh load: the session, then the view's data)
        await page.goto("about:blank");
        await page.goto(`${api.url}/console/${hash}`, { waitUntil: "networkidle" });
        await check(hash);
        // every screen here draws a table of demo data, except a dispute (its facts and evidence)
        if (route !== "dispute" && (await tableRows(page)) === 0) empty.push(hash);
      }
      expect(report).toEqual([]);
      expect(empty).toEqual([]);
      await context.close();
    }, 120_000);
  }
});

describe("console navigation on a phone", () => {
  it("at 390 px is a menu: a button with aria-expanded that opens and closes the sections, by keyboard too", async () => {
    const context = await browser.newContext({ locale: "en-US", viewport: { width: 390, height: 844 }, colorScheme: "light" });
    const page = await context.newPage();
    const seen = watch(page);
    await page.goto(`${api.url}/console/`, { waitUntil: "networkidle" });
    await signInConsole(page, admin);
    const nav = page.getByRole("navigation", { name: "Console" });
    const toggle = nav.getByRole("button", { name: /Menu/ });
    const payments = nav.getByRole("link", { name: "Payments" });

    // closed: one button naming the open screen, no wrapped row of links
    await expect.poll(() => toggle.getAttribute("aria-expanded")).toBe("false");
    expect(await toggle.textContent()).toContain("Overview");
    expect(await toggle.getAttribute("aria-controls")).toBe("console-nav");
    expect(await payments.isVisible()).toBe(false);
    expect((await nav.boundingBox())?.height).toBeLessThan(80);

    // by keyboard: focus the button, Enter opens it, the links are in the tab order
    await toggle.focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => toggle.getAttribute("aria-expanded")).toBe("true");
    expect(await payments.isVisible()).toBe(true);
    expect(await layoutProblems(page)).toEqual([]);
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.querySelector("softrack-console")?.shadowRoot?.activeElement?.textContent)).toBe("Payments");

    // Escape closes it and gives focus back to the button
    await page.keyboard.press("Escape");
    await expect.poll(() => toggle.getAttribute("aria-expanded")).toBe("false");
    expect(await payments.isVisible()).toBe(false);
    expect(await page.evaluate(() => document.querySelector("softrack-console")?.shadowRoot?.activeElement?.className)).toContain(
      "menu-toggle",
    );

    // choosing a section navigates and closes the menu; the button names the new screen
    await toggle.click();
    await payments.click();
    await page.getByRole("heading", { name: "Payments", level: 1 }).waitFor();
    await expect.poll(() => toggle.getAttribute("aria-expanded")).toBe("false");
    expect(await toggle.textContent()).toContain("Payments");
    expect(seen.take()).toEqual([]);
    await context.close();
  });

  it("at 1280 px is the side list, with no menu button", async () => {
    const context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 800 }, colorScheme: "light" });
    const page = await context.newPage();
    await page.goto(`${api.url}/console/`, { waitUntil: "networkidle" });
    await signInConsole(page, admin);
    const nav = page.getByRole("navigation", { name: "Console" });
    expect(await nav.getByRole("button", { name: /Menu/ }).isVisible()).toBe(false);
    for (const name of ["Overview", "Payments", "Settings"]) expect(await nav.getByRole("link", { name }).isVisible()).toBe(true);
    await context.close();
  });
});
