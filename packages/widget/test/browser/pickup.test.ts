import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Softrack } from "@softrack/sdk";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiCall, createPayment, type Harness, openCheckout, startHarness } from "./harness.js";

/**
 * Pay now or pay on pickup (issue 21): the shop's server asks the buyer policy with its secret
 * key, hands the answer to the widget as pickup-requirement, and the widget offers what it allows.
 */
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

let h: Harness;
let softrack: Softrack;
beforeAll(async () => {
  h = await startHarness();
  softrack = new Softrack({ apiKey: h.api.merchant.secretKey, baseUrl: h.api.url, maxRetries: 0 });
});
afterAll(async () => {
  await h?.close();
});

// A newcomer scores 90: a minimum of 50 lets them pay on pickup, 95 asks them to prepay.
const PHONE = "+996 555 700 123";
async function requirementUnder(minScore: number): Promise<"none" | "prepay"> {
  await softrack.buyerPolicy.put({ min_score_on_pickup: minScore });
  return (await softrack.buyerReliability.get({ phone: PHONE })).requirement;
}

const timing = (page: Page) => page.locator("softrack-checkout [part='timing']");
const submitButton = (page: Page) => page.locator("softrack-checkout [part~='submit-button']");

async function axe(page: Page): Promise<{ id: string; nodes: string[] }[]> {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const w = window as unknown as {
      axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> };
    };
    const r = await w.axe.run(
      { include: [["softrack-checkout"]] },
      { iframes: false, runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
    );
    return r.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target.join(" ")) }));
  });
}

describe("pickup-requirement", () => {
  it('"none": the buyer chooses pay on pickup by keyboard; no payment is made and the shop hears softrack-pay-on-pickup', async () => {
    const requirement = await requirementUnder(50);
    expect(requirement).toBe("none");
    const p = await createPayment(h.api, { amount: 300_000, currency: "KGS" });
    const cp = await openCheckout(h, { clientSecret: p.client_secret, attributes: { "pickup-requirement": requirement } });
    await cp.waitForEvent("softrack-ready");

    // A named radio group, "Pay now" checked by default (today's flow).
    await expect.poll(() => timing(cp.page).locator("legend").textContent()).toBe("When to pay");
    const now = cp.page.getByRole("radio", { name: "Pay now" });
    const onPickup = cp.page.getByRole("radio", { name: "Pay on pickup" });
    expect(await now.isChecked()).toBe(true);
    expect(await onPickup.isChecked()).toBe(false);
    expect(await submitButton(cp.page).textContent()).toContain("Pay");
    expect(await axe(cp.page)).toEqual([]);

    // Keyboard only: focus the group and move with the arrow key, as with any radio group.
    await now.focus();
    await cp.page.keyboard.press("ArrowRight");
    await expect.poll(() => onPickup.isChecked()).toBe(true);
    // The payment methods step aside; the button says what happens and is described by the hint.
    await expect.poll(() => cp.page.locator("softrack-checkout [part='methods']").isHidden()).toBe(true);
    expect(await cp.page.locator("softrack-checkout iframe.card-frame").isVisible()).toBe(false);
    expect((await submitButton(cp.page).textContent())?.trim()).toBe("Place order");
    expect(await submitButton(cp.page).getAttribute("aria-describedby")).toBe("pickup-hint");
    expect(await cp.page.locator("softrack-checkout #pickup-hint").textContent()).toBe(
      "Nothing is charged now. You pay when you collect the order.",
    );
    expect(await axe(cp.page)).toEqual([]);

    await submitButton(cp.page).focus();
    await cp.page.keyboard.press("Enter");
    const chosen = await cp.waitForEvent("softrack-pay-on-pickup");
    expect((chosen.detail.payment as { id: string }).id).toBe(p.id);
    await expect.poll(() => cp.page.locator("softrack-checkout #result-heading").textContent()).toBe("You will pay on pickup");
    // Focus moves to the result, which is announced.
    expect(await cp.page.evaluate(() => document.querySelector("softrack-checkout")?.shadowRoot?.activeElement?.id)).toBe("result-heading");
    const types = (await cp.events()).map((e) => e.type);
    expect(types).not.toContain("softrack-submit");
    expect(types).not.toContain("softrack-success");
    // Nothing was paid: the payment the checkout opened with is untouched.
    expect((await apiCall(h.api, "GET", `/v1/payments/${p.id}`)).json.status).toBe("requires_payment_method");

    // The shop's server now creates its on_pickup order, which the policy accepts.
    const point = await apiCall(h.api, "POST", "/v1/pickup_points", { name: "PVZ Asanbay", address: "Bishkek, Asanbay 12" });
    const order = await apiCall(h.api, "POST", "/v1/orders", {
      currency: "KGS",
      items: [{ sku: "dress", name: "Dress", amount: 300_000, quantity: 1 }],
      delivery: { type: "pickup_point", point: point.json.id, collect_by: new Date(Date.now() + 3 * 86_400_000).toISOString() },
      buyer: { phone: PHONE },
      payment_timing: "on_pickup",
    });
    expect(order.status).toBe(200);
    expect(order.json).toMatchObject({ payment_timing: "on_pickup", status: "awaiting_pickup" });
    expect(await cp.violations()).toEqual([]);
    await cp.close();
  });

  it('"none": switching back to pay now restores the methods and pays as today', async () => {
    const p = await createPayment(h.api, {});
    const cp = await openCheckout(h, { clientSecret: p.client_secret, locale: "ru", attributes: { "pickup-requirement": "none" } });
    await cp.waitForEvent("softrack-ready");
    await cp.page.getByRole("radio", { name: "Оплатить при получении" }).check();
    expect((await submitButton(cp.page).textContent())?.trim()).toBe("Оформить заказ");
    await cp.page.getByRole("radio", { name: "Оплатить сейчас" }).check();
    await expect.poll(() => cp.page.locator("softrack-checkout [part='methods']").isVisible()).toBe(true);
    await expect.poll(async () => (await submitButton(cp.page).textContent())?.trim()).toMatch(/^Оплатить 150,00/);
    expect(await submitButton(cp.page).getAttribute("aria-describedby")).toBeNull();
    expect((await cp.events()).map((e) => e.type)).not.toContain("softrack-pay-on-pickup");
    await cp.close();
  });

  it('"prepay": only pay now is offered, with a plain reason, and the card payment goes through', async () => {
    const requirement = await requirementUnder(95);
    expect(requirement).toBe("prepay");
    const p = await createPayment(h.api, {});
    const cp = await openCheckout(h, { clientSecret: p.client_secret, attributes: { "pickup-requirement": requirement } });
    await cp.waitForEvent("softrack-ready");
    const hint = cp.page.locator("softrack-checkout #timing-hint");
    await expect.poll(() => hint.textContent()).toBe("This order is paid now: paying on pickup is not available for it.");
    expect(await timing(cp.page).count()).toBe(0);
    expect(await cp.page.getByRole("radio", { name: "Pay on pickup" }).count()).toBe(0);
    expect(await cp.page.locator("softrack-checkout").evaluate((el) => el.shadowRoot?.textContent ?? "")).not.toMatch(
      /Place order|You will pay on pickup/,
    );
    expect(await submitButton(cp.page).getAttribute("aria-describedby")).toBe("timing-hint");
    expect(await axe(cp.page)).toEqual([]);

    const frame = await cp.cardFrame();
    await frame.locator("#number").pressSequentially("4242424242424242");
    await frame.locator("#expiry").fill("");
    await frame.locator("#expiry").pressSequentially("1234");
    await frame.locator("#cvc").pressSequentially("123");
    await submitButton(cp.page).click();
    await cp.waitForEvent("softrack-success");
    expect((await cp.events()).map((e) => e.type)).not.toContain("softrack-pay-on-pickup");
    await cp.close();
  });

  it("unset: today's checkout, pay now only, no chooser and no explanation", async () => {
    const p = await createPayment(h.api, {});
    const cp = await openCheckout(h, { clientSecret: p.client_secret });
    await cp.waitForEvent("softrack-ready");
    expect(await timing(cp.page).count()).toBe(0);
    expect(await cp.page.locator("softrack-checkout #timing-hint").count()).toBe(0);
    expect(await submitButton(cp.page).textContent()).toContain("Pay");
    expect(await cp.page.getByRole("radio", { name: "Pay on pickup" }).count()).toBe(0);
    await cp.close();
  });
});
