// The screenshots in docs/screenshots/, as WebP: every console route (from the console's own
// route table, so a new route is photographed without editing this file) in English and Russian,
// and every checkout state in each of the widget's five locales; each on a phone (390 px) and a
// laptop (1280 px). Real parts only: the API in-process on embedded PGlite serving the built site
// and widget, the demo merchant of the console's layout test, and Debian's Chromium.
//   npm run screenshots            (builds the widget and the site first)
//   npm run screenshots -w @softrack/site -- console     (one part: console | checkout)
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startApi } from "@softrack/api/testing";
import { launchBrowser } from "@softrack/testing";
import type { Frame, Page } from "playwright-core";
import sharp from "sharp";
import {
  type CheckoutPage,
  createPayment,
  type Harness,
  openCheckout,
  startHarness,
} from "../../../packages/widget/test/browser/harness.ts";
import { consoleAddresses, seedConsoleDemo, signInConsole } from "../test/console-demo.ts";

const docs = fileURLToPath(new URL("../../../docs/screenshots/", import.meta.url));
const WIDTHS = [
  { width: 390, height: 844 },
  { width: 1280, height: 800 },
] as const;
/** Long screens are cut here: the top of a list says what it is, and the files stay small. */
const MAX_HEIGHT = 4000;
const CONSOLE_LANGS = { en: "en-US", ru: "ru-RU" } as const;
const CHECKOUT_LOCALES = ["en", "ru", "ky", "kk", "uz"] as const;

const parts = process.argv.slice(2);
const wants = (part: string) => parts.length === 0 || parts.includes(part);
let written = 0;

/** A PNG from Chromium, re-encoded as lossy WebP (flat UI colours and text survive quality 72). */
async function save(png: Buffer, file: string): Promise<void> {
  await sharp(png).webp({ quality: 72, effort: 6, smartSubsample: true }).toFile(file);
  written++;
}

/** Empties a folder of the screenshots it holds (PNG from before, WebP from the last run). */
function fresh(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (/\.(png|webp)$/.test(f)) rmSync(join(dir, f));
}

async function consoleShots(): Promise<void> {
  const out = join(docs, "console");
  fresh(out);
  const api = await startApi();
  const browser = await launchBrowser();
  try {
    const { admin, sample } = await seedConsoleDemo(api);
    for (const [lang, locale] of Object.entries(CONSOLE_LANGS)) {
      for (const viewport of WIDTHS) {
        const context = await browser.newContext({
          locale,
          timezoneId: "Asia/Bishkek",
          viewport,
          colorScheme: "light",
          reducedMotion: "reduce",
        });
        const page = await context.newPage();
        const shot = async (name: string) => {
          await settle(page);
          const height = await page.evaluate(() => document.documentElement.scrollHeight);
          const png = await page.screenshot({
            fullPage: true,
            clip: { x: 0, y: 0, width: viewport.width, height: Math.min(height, MAX_HEIGHT) },
            animations: "disabled",
          });
          await save(png, join(out, `${lang}-${name}-${viewport.width}.webp`));
        };
        await page.goto(`${api.url}/console/`, { waitUntil: "networkidle" });
        await page.locator("console-sign-in #address").waitFor();
        await shot("sign-in");
        await signInConsole(page, admin);
        for (const { hash, name } of consoleAddresses(sample)) {
          await page.goto("about:blank");
          await page.goto(`${api.url}/console/${hash}`, { waitUntil: "networkidle" });
          await shot(name);
        }
        // the phone's menu, open
        if (viewport.width < 600) {
          await page.goto(`${api.url}/console/#/overview`, { waitUntil: "networkidle" });
          await page.locator("softrack-console .menu-toggle").click();
          await shot("menu-open");
        }
        await context.close();
      }
    }
  } finally {
    await browser.close();
    await api.close();
  }
}

/**
 * Waits until the view has drawn what it loads (a heading, no "Loading…" status, nothing
 * aria-busy), across shadow roots. A string, not a function: tsx names nested functions with a
 * helper that does not exist in the page.
 */
const SETTLED = `(() => {
  const all = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll("*")) {
      all.push(el);
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  return all.some((el) => el.localName === "h1") &&
    !all.some((el) => el.getAttribute("aria-busy") === "true") &&
    !all.some((el) => el.getAttribute("role") === "status" && /Loading…|Загрузка…/.test(el.textContent ?? ""));
})()`;
const settle = (page: Page) => page.waitForFunction(SETTLED);

/** Drives the checkout into a state; may resolve to a function that undoes it once the shot is taken. */
type Step = (cp: CheckoutPage, frame: () => Promise<Frame>, paymentId: string) => Promise<unknown>;

async function typeCard(frame: Frame, number: string): Promise<void> {
  await frame.locator("#number").pressSequentially(number);
  await frame.locator("#expiry").pressSequentially("1234");
  await frame.locator("#cvc").pressSequentially("123");
}
const pay = (cp: CheckoutPage) => cp.page.locator("softrack-checkout [part~='submit-button']").first().click();
const method = (cp: CheckoutPage, id: string) => cp.page.locator(`softrack-checkout [part='method'] input[value='${id}']`).check();

/** Each state a buyer can meet, reached the way a buyer reaches it (the locale does not matter to the steps). */
const CHECKOUT_STATES: Record<string, Step> = {
  "01-idle": async () => {},
  "02-empty-submit": async (cp, f) => {
    const frame = await f();
    await pay(cp);
    await frame.locator("#number-error:not(:empty)").waitFor();
  },
  // the confirmation held at the network, so the button shows its spinner
  "03-processing": async (cp, f) => {
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    await cp.context.route("**/v1/payments/*/confirm", async (route) => {
      await held;
      await route.continue().catch(() => {});
    });
    await typeCard(await f(), "4242424242424242");
    await pay(cp);
    await cp.page.locator("softrack-checkout [part~='spinner']").first().waitFor();
    // the shot is taken now; then the held request goes on
    return release;
  },
  "04-3ds": async (cp, f) => {
    await typeCard(await f(), "4000000000003220");
    await pay(cp);
    await cp.page.locator("softrack-checkout #code").waitFor();
    await cp.page.locator("softrack-checkout #code").pressSequentially("000");
  },
  // no dead end: the form stays, on the payment's next attempt, with the decline's message
  "05-declined-retry": async (cp, f, id) => {
    await typeCard(await f(), "4000000000000002");
    await pay(cp);
    await cp.waitForEvent("softrack-error");
    await cp.page.waitForFunction(
      (first) => (document.querySelector("softrack-checkout") as unknown as { payment?: { id: string } }).payment?.id !== first,
      id,
    );
  },
  "06-succeeded": async (cp, f) => {
    await typeCard(await f(), "4242424242424242");
    await pay(cp);
    await cp.waitForEvent("softrack-success");
    await cp.page.locator("softrack-checkout #result-heading").waitFor();
  },
  "07-sms": async (cp) => {
    await method(cp, "sms");
    await cp.page.locator("softrack-checkout #sms-phone").pressSequentially("700123456");
  },
  "08-qr": async (cp) => {
    await method(cp, "qr");
    await pay(cp);
    await cp.page.locator("softrack-checkout [part='qr-image']").waitFor();
  },
};

async function checkoutShots(): Promise<void> {
  const out = join(docs, "checkout");
  fresh(out);
  const h: Harness = await startHarness();
  try {
    for (const locale of CHECKOUT_LOCALES) {
      for (const viewport of WIDTHS) {
        for (const [state, step] of Object.entries(CHECKOUT_STATES)) {
          const p = await createPayment(h.api, { amount: 249_900, currency: "KGS", description: "Order 1042 · 3 items" });
          const cp = await openCheckout(h, { clientSecret: p.client_secret, locale, reducedMotion: true });
          await cp.page.setViewportSize(viewport);
          await cp.waitForEvent("softrack-ready");
          const undo = await step(cp, () => cp.cardFrame(), p.id);
          await cp.page.waitForTimeout(250); // let the card iframe's last resize land
          const png = await cp.page.locator("softrack-checkout").screenshot({ animations: "disabled" });
          await save(png, join(out, `${locale}-${state}-${viewport.width}.webp`));
          if (typeof undo === "function") undo();
          await cp.close();
        }
      }
    }
  } finally {
    await h.close();
  }
}

const started = Date.now();
if (wants("console")) await consoleShots();
if (wants("checkout")) await checkoutShots();
let bytes = 0;
let files = 0;
for (const dir of ["console", "checkout"].filter((d) => existsSync(join(docs, d))))
  for (const f of readdirSync(join(docs, dir), { withFileTypes: true }))
    if (f.isFile() && f.name.endsWith(".webp")) {
      bytes += statSync(join(docs, dir, f.name)).size;
      files++;
    }
console.log(
  `${written} screenshots written in ${Math.round((Date.now() - started) / 1000)} s; docs/screenshots holds ${files} files, ${Math.round(bytes / 1024)} KiB`,
);
