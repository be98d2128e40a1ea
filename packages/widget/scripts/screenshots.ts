/**
 * Screenshots of every state in each theme, against the real API in Chromium:
 * `npm run screenshots -w @softrack/widget` rewrites packages/widget/screenshots/*.png.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Frame } from "playwright-core";
import { type CheckoutPage, createPayment, type Harness, openCheckout, startHarness } from "../test/browser/harness.js";

const out = join(import.meta.dirname, "..", "screenshots");

type Theme = "light" | "dark";
type Step = (cp: CheckoutPage, frame: () => Promise<Frame>, paymentId: string) => Promise<void>;

async function card(frame: Frame, number: string): Promise<void> {
  await frame.locator("#number").pressSequentially(number);
  await frame.locator("#expiry").pressSequentially("1234");
  await frame.locator("#cvc").pressSequentially("123");
}
const pay = (cp: CheckoutPage) => cp.page.locator("softrack-checkout [part~='submit-button']").first().click();
const method = (cp: CheckoutPage, name: string) => cp.page.locator("softrack-checkout [part='method']", { hasText: name }).click();

const STATES: Record<string, Step> = {
  "01-card-empty": async () => {},
  "02-card-filled": async (_cp, f) => card(await f(), "4242424242424242"),
  "03-card-inline-errors": async (_cp, f) => {
    const fr = await f();
    await fr.locator("#number").pressSequentially("4242424242424241");
    await fr.locator("#expiry").pressSequentially("01");
    await fr.locator("#cvc").focus();
  },
  // No dead end: the form stays, on the payment's next attempt, with the decline's message.
  "04-card-declined": async (cp, f, id) => {
    await card(await f(), "4000000000000002");
    await pay(cp);
    await cp.waitForEvent("softrack-error");
    await cp.page.waitForFunction(
      (first) => (document.querySelector("softrack-checkout") as unknown as { payment?: { id: string } }).payment?.id !== first,
      id,
    );
  },
  "05-3ds-code": async (cp, f) => {
    await card(await f(), "4000000000003220");
    await pay(cp);
    await cp.page.locator("softrack-checkout #code").waitFor();
    await cp.page.locator("softrack-checkout #code").pressSequentially("000");
  },
  "06-sms-phone": async (cp) => {
    await method(cp, "SMS payment");
    await cp.page.locator("softrack-checkout #sms-phone").pressSequentially("700123456");
  },
  "07-qr-waiting": async (cp) => {
    await method(cp, "QR code");
    await pay(cp);
    await cp.page.locator("softrack-checkout [part='qr-image']").waitFor();
  },
  "08-success": async (cp, f) => {
    await card(await f(), "4242424242424242");
    await pay(cp);
    await cp.waitForEvent("softrack-success");
    await cp.page.locator("softrack-checkout #result-heading").waitFor();
  },
  "09-load-error": async () => {},
  "10-russian": async () => {},
  "11-empty-submit": async (cp, f) => {
    const fr = await f();
    await pay(cp);
    await fr.locator("#number-error:not(:empty)").waitFor();
  },
  "12-phone-320": async (cp) => {
    await cp.page.setViewportSize({ width: 320, height: 720 });
  },
};

async function shoot(h: Harness, name: string, step: Step, theme: Theme): Promise<void> {
  const p = await createPayment(h.api, { amount: 249900, currency: "KGS", description: "Order 1042 · 3 items" });
  const cp = await openCheckout(h, {
    clientSecret: p.client_secret,
    theme,
    reducedMotion: true,
    locale: name === "10-russian" ? "ru" : "en",
    ...(name === "09-load-error"
      ? { beforeGoto: (page) => page.route(`${h.api.url}/v1/payments/**`, (r) => r.abort("connectionrefused")) }
      : {}),
  });
  if (name === "09-load-error") await cp.page.locator("softrack-checkout [part='retry-button']").waitFor();
  else await cp.waitForEvent("softrack-ready");
  await step(cp, () => cp.cardFrame(), p.id);
  await cp.page.waitForTimeout(250); // let the iframe's last resize land
  await cp.page.locator("softrack-checkout").screenshot({ path: join(out, `${name}-${theme}.png`), animations: "disabled" });
  await cp.close();
}

const h = await startHarness();
try {
  await mkdir(out, { recursive: true });
  for (const theme of ["light", "dark"] as const) {
    for (const [name, step] of Object.entries(STATES)) {
      await shoot(h, name, step, theme);
      console.log(`screenshots/${name}-${theme}.png`);
    }
  }
} finally {
  await h.close();
}
