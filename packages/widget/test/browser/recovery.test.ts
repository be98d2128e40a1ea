import type { Frame, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiCall, type CheckoutPage, createPayment, type Harness, openCheckout, startHarness } from "./harness.js";

/**
 * Issue 22, the checkout's dead end and its layout: a decline is not the end (the buyer tries
 * another card on the payment's next attempt), an empty Pay says what is missing, and the box
 * keeps its size across tabs and fits a 320 px phone.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function typeCard(frame: Frame, number: string): Promise<void> {
  await frame.locator("#number").fill("");
  await frame.locator("#number").pressSequentially(number);
  await frame.locator("#expiry").fill("");
  await frame.locator("#expiry").pressSequentially("1234");
  await frame.locator("#cvc").fill("");
  await frame.locator("#cvc").pressSequentially("123");
}

const submitButton = (page: Page) => page.locator("softrack-checkout [part~='submit-button']");
const tab = (page: Page, label: string) => page.locator("softrack-checkout [part='method']", { hasText: label });

/** Selects a method as a click would, then reads the box's height once Lit has drawn it. */
function heightAfterSelecting(page: Page, method: string): Promise<number> {
  return page.evaluate(async (m) => {
    const el = document.querySelector("softrack-checkout") as HTMLElement & { updateComplete: Promise<unknown>; shadowRoot: ShadowRoot };
    (el.shadowRoot.querySelector(`input[name='method'][value='${m}']`) as HTMLInputElement).click();
    await el.updateComplete;
    return el.getBoundingClientRect().height;
  }, method);
}

/** Whatever sticks out of the page or of the checkout's own box (shadow DOM included). */
function overflow(page: Page) {
  return page.evaluate(() => {
    const el = document.querySelector("softrack-checkout") as HTMLElement & { shadowRoot: ShadowRoot };
    const base = (el.shadowRoot.querySelector(".base") as HTMLElement).getBoundingClientRect();
    const out: string[] = [];
    for (const node of el.shadowRoot.querySelectorAll<HTMLElement>(".base *")) {
      const r = node.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue; // hidden, or a zero-size wrapper
      if (r.left < base.left - 0.5 || r.right > base.right + 0.5) out.push(`${node.tagName}.${node.className} ${r.left}..${r.right}`);
    }
    return { page: document.documentElement.scrollWidth - innerWidth, box: [base.left, base.right], out };
  });
}

describe("after a decline", () => {
  it("the buyer pays with a second card without reloading; the merchant sees one succeeded payment and the failed first attempt", async () => {
    const cart = `cart_${Date.now()}`;
    const p = await createPayment(h.api, { amount: 15000, description: "Order 2201", metadata: { cart } });
    const cp = await openCheckout(h, { clientSecret: p.client_secret });
    await cp.waitForEvent("softrack-ready");
    const frame = await cp.cardFrame();
    await typeCard(frame, "4000000000000002");
    // A mark on the page's window: still there afterwards means the page never reloaded.
    await cp.page.evaluate(() => Object.assign(window, { __sameDocument: true }));
    await submitButton(cp.page).click();

    const error = await cp.waitForEvent("softrack-error");
    expect(error.detail.error).toMatchObject({ type: "payment_error", code: "card_declined" });
    const alert = cp.page.locator("softrack-checkout [part='error'][role='alert']");
    await expect.poll(() => alert.textContent()).toBe("Your card was declined.");
    // The widget moved on to the payment's next attempt by itself: the form stays, nothing reloaded.
    const next = await cp.page.waitForFunction(
      (first) => {
        const id = (document.querySelector("softrack-checkout") as unknown as { payment?: { id: string } }).payment?.id;
        return id && id !== first ? id : false;
      },
      p.id,
      { timeout: 20_000 },
    );
    const nextId = String(await next.jsonValue());
    await expect.poll(() => submitButton(cp.page).textContent()).toContain("Pay");
    expect(await cp.page.locator("softrack-checkout [part='status']").count()).toBe(0);
    expect(await cp.page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);

    // The same iframe, still holding the declined card: the buyer types another one.
    expect(await frame.locator("#number").inputValue()).toBe("4000 0000 0000 0002");
    await typeCard(frame, "4242424242424242");
    await submitButton(cp.page).click();
    const success = await cp.waitForEvent("softrack-success");
    expect(success.detail.payment).toMatchObject({ id: nextId, status: "succeeded", retry_of: p.id });
    await expect.poll(() => cp.page.locator("softrack-checkout #result-heading").textContent()).toBe("Payment successful");

    // The merchant's view: one succeeded payment for the cart, and the failed first attempt the contract leaves.
    const list = (await apiCall(h.api, "GET", "/v1/payments?limit=100")).json.data as {
      id: string;
      status: string;
      metadata: Record<string, string>;
      amount: number;
      retry_of: string | null;
    }[];
    const mine = list.filter((x) => x.metadata?.cart === cart);
    expect(mine.map((x) => [x.id, x.status, x.amount]).sort()).toEqual(
      [
        [p.id, "failed", 15000],
        [nextId, "succeeded", 15000],
      ].sort(),
    );
    expect(mine.filter((x) => x.status === "succeeded")).toHaveLength(1);
    const events = (await apiCall(h.api, "GET", "/v1/events?type=payment.succeeded&limit=100")).json.data as {
      data: { object: { id: string } };
    }[];
    expect(events.filter((e) => e.data.object.id === nextId)).toHaveLength(1);
    // The same events as before, in the merchant's page: no new kind.
    const types = new Set((await cp.events()).map((e) => e.type));
    expect([...types].sort()).toEqual(["softrack-change", "softrack-error", "softrack-ready", "softrack-submit", "softrack-success"]);
    await cp.close();
  });

  it("the buyer can switch to another method (QR) after a decline", async () => {
    const p = await createPayment(h.api, {});
    const cp = await openCheckout(h, { clientSecret: p.client_secret, reducedMotion: true });
    await cp.waitForEvent("softrack-ready");
    await typeCard(await cp.cardFrame(), "4000000000009995");
    await submitButton(cp.page).click();
    await cp.waitForEvent("softrack-error");
    const next = await cp.page.waitForFunction(
      (first) => {
        const id = (document.querySelector("softrack-checkout") as unknown as { payment?: { id: string } }).payment?.id;
        return id && id !== first ? id : false;
      },
      p.id,
      { timeout: 20_000 },
    );
    const nextId = String(await next.jsonValue());
    await tab(cp.page, "QR code").click();
    await submitButton(cp.page).click();
    await cp.page.locator("softrack-checkout [part='qr-image']").waitFor();
    expect((await apiCall(h.api, "POST", `/v1/test_helpers/payments/${nextId}/complete_qr`)).status).toBe(200);
    const success = await cp.waitForEvent("softrack-success");
    expect(success.detail.payment).toMatchObject({ id: nextId, status: "succeeded", method: "qr" });
    await cp.close();
  });

  it("a page opened (or reloaded) on a declined payment goes on with its next attempt, not a dead end", async () => {
    const p = await createPayment(h.api, {});
    const declined = await apiCall(h.api, "POST", `/v1/payments/${p.id}/confirm`, {
      payment_method_data: { type: "card", card: { number: "4000000000000002", exp_month: 12, exp_year: 2034, cvc: "123" } },
    });
    expect(declined.status).toBe(402);
    const cp = await openCheckout(h, { clientSecret: p.client_secret });
    await cp.waitForEvent("softrack-ready");
    await cp.page.waitForFunction(
      (first) => {
        const id = (document.querySelector("softrack-checkout") as unknown as { payment?: { id: string } }).payment?.id;
        return id && id !== first;
      },
      p.id,
      { timeout: 20_000 },
    );
    await expect.poll(() => submitButton(cp.page).isVisible()).toBe(true);
    expect(await cp.page.locator("softrack-checkout #result-heading").count()).toBe(0);
    await typeCard(await cp.cardFrame(), "4242424242424242");
    await submitButton(cp.page).click();
    const success = await cp.waitForEvent("softrack-success");
    expect(success.detail.payment).toMatchObject({ status: "succeeded", retry_of: p.id });
    await cp.close();
  });
});

describe("an empty Pay", () => {
  it("says in each field what is missing, announced, with focus on the first", async () => {
    const p = await createPayment(h.api, {});
    const cp: CheckoutPage = await openCheckout(h, { clientSecret: p.client_secret });
    await cp.waitForEvent("softrack-ready");
    const frame = await cp.cardFrame();
    await submitButton(cp.page).click();
    await expect.poll(() => frame.locator("#number-error").textContent()).toBe("The card number is incomplete.");
    expect(await frame.locator("#expiry-error").textContent()).toBe("The expiry date is incomplete.");
    expect(await frame.locator("#cvc-error").textContent()).toBe("The security code is incomplete.");
    for (const id of ["number", "expiry", "cvc"]) {
      expect(await frame.locator(`#${id}`).getAttribute("aria-invalid")).toBe("true");
      expect(await frame.locator(`#${id}-error`).getAttribute("aria-live")).toBe("polite");
      expect(await frame.locator(`#${id}`).getAttribute("aria-describedby")).toContain(`${id}-error`);
    }
    await expect.poll(() => frame.evaluate(() => document.activeElement?.id)).toBe("number");
    expect(await cp.page.evaluate(() => document.activeElement?.tagName)).toBe("SOFTRACK-CHECKOUT");
    // Nothing reached the API: the payment is untouched.
    expect((await apiCall(h.api, "GET", `/v1/payments/${p.id}`)).json.status).toBe("requires_payment_method");

    await tab(cp.page, "SMS payment").click();
    await submitButton(cp.page).click();
    const phoneError = cp.page.locator("softrack-checkout #sms-error");
    await expect.poll(() => phoneError.textContent()).toBe("Enter the whole phone number.");
    expect(await phoneError.getAttribute("aria-live")).toBe("polite");
    const phone = cp.page.locator("softrack-checkout #sms-phone");
    expect(await phone.getAttribute("aria-invalid")).toBe("true");
    expect(await phone.getAttribute("aria-describedby")).toContain("sms-error");
    expect(await cp.page.evaluate(() => document.querySelector("softrack-checkout")?.shadowRoot?.activeElement?.id)).toBe("sms-phone");
    await cp.close();
  });
});

describe("layout", () => {
  it("switching between card, SMS, QR and wallet leaves the widget's height unchanged", async () => {
    const customer = (await apiCall(h.api, "POST", "/v1/customers", { name: "Aida" })).json as { id: string };
    const p = await createPayment(h.api, { customer: customer.id, description: "Order 2202" });
    const cp = await openCheckout(h, { clientSecret: p.client_secret });
    const ready = await cp.waitForEvent("softrack-ready");
    expect(ready.detail.methods).toEqual(["card", "sms", "qr", "wallet"]);
    await cp.cardFrame();
    const card = await heightAfterSelecting(cp.page, "card");
    for (const m of ["qr", "sms", "wallet", "card", "qr"]) expect(await heightAfterSelecting(cp.page, m), m).toBe(card);
    // The hidden panels are out of sight and out of the accessibility tree.
    const hidden = await cp.page.evaluate(() =>
      [...(document.querySelector("softrack-checkout")?.shadowRoot?.querySelectorAll<HTMLElement>(".panel[hidden]") ?? [])].map(
        (x) => getComputedStyle(x).visibility,
      ),
    );
    expect(hidden).toEqual(["hidden", "hidden", "hidden"]);
    await cp.close();
  });

  it("fits a 320 px phone with nothing sticking out, and the header gives the amount its own line", async () => {
    const p = await createPayment(h.api, {
      amount: 1_250_000_00,
      currency: "UZS",
      description: "Order 2203: a long description that a phone has to cut",
    });
    const cp = await openCheckout(h, { clientSecret: p.client_secret, locale: "ru" });
    await cp.page.setViewportSize({ width: 320, height: 720 });
    await cp.waitForEvent("softrack-ready");
    const frame = await cp.cardFrame();
    for (const m of ["card", "sms", "qr"]) {
      await heightAfterSelecting(cp.page, m);
      const o = await overflow(cp.page);
      expect(o.page, m).toBeLessThanOrEqual(0);
      expect(o.out, m).toEqual([]);
    }
    expect(await frame.evaluate(() => document.documentElement.scrollWidth - innerWidth)).toBeLessThanOrEqual(0);
    const header = await cp.page.evaluate(() => {
      const root = document.querySelector("softrack-checkout")?.shadowRoot as ShadowRoot;
      const box = (s: string) => (root.querySelector(s) as HTMLElement).getBoundingClientRect();
      const [label, amount, description] = [box(".label"), box(".amount"), box(".description")];
      return {
        labelBottom: label.bottom,
        amountTop: amount.top,
        amountLines: Math.round(amount.height / parseFloat(getComputedStyle(root.querySelector(".amount") as HTMLElement).lineHeight)),
        descriptionBottom: description.bottom,
      };
    });
    expect(header.amountTop).toBeGreaterThanOrEqual(header.labelBottom - 0.5);
    expect(header.amountTop).toBeGreaterThanOrEqual(header.descriptionBottom - 0.5);
    expect(header.amountLines).toBe(1);
    await cp.close();
  });
});

/** The id of the payment's next attempt, once the widget moved on to it. */
async function nextAttempt(page: Page, first: string): Promise<string> {
  const next = await page.waitForFunction(
    (id) => {
      const now = (document.querySelector("softrack-checkout") as unknown as { payment?: { id: string } }).payment?.id;
      return now && now !== id ? now : false;
    },
    first,
    { timeout: 20_000 },
  );
  return String(await next.jsonValue());
}

/** Calls el.submit() and records how it settles in window.__settled. */
function startSubmit(page: Page): Promise<void> {
  return page.evaluate(() => {
    const w = window as unknown as { __settled?: string[] };
    w.__settled ??= [];
    const settled = w.__settled;
    (document.querySelector("softrack-checkout") as unknown as { submit(): Promise<{ status: string }> }).submit().then(
      (p) => settled.push(`resolved ${p.status}`),
      (e: { type: string; code: string }) => settled.push(`${e.type}/${e.code}`),
    );
  });
}

/** Waits until `n` submits have settled, and says how. */
async function settled(page: Page, n: number): Promise<string[]> {
  const list = () => (window as unknown as { __settled?: string[] }).__settled ?? [];
  await page.waitForFunction((count) => ((window as unknown as { __settled?: string[] }).__settled ?? []).length >= count, n, {
    timeout: 20_000,
  });
  return page.evaluate(list);
}

/**
 * Lets the API act on a /confirm (Playwright fetches it), then drops its answer on the way back,
 * for every request `drop` picks: what a reset connection does after the payment was charged.
 */
async function loseConfirmAnswers(cp: CheckoutPage, drop: (key: string, n: number) => boolean): Promise<string[]> {
  const keys: string[] = [];
  await cp.context.route("**/v1/payments/*/confirm", async (route) => {
    const key = route.request().headers()["idempotency-key"] ?? "";
    keys.push(key);
    if (drop(key, keys.length)) {
      await route.fetch();
      await route.abort("connectionreset");
    } else await route.continue();
  });
  return keys;
}

const errorCodes = async (cp: CheckoutPage) =>
  (await cp.events()).filter((e) => e.type === "softrack-error").map((e) => (e.detail as { error: { code: string } }).error.code);

describe("a confirm whose answer is lost", () => {
  it("is sent again with the same Idempotency-Key: the API replays its answer, one charge, and success", async () => {
    const p = await createPayment(h.api, {});
    const cp = await openCheckout(h, { clientSecret: p.client_secret });
    await cp.waitForEvent("softrack-ready");
    const keys = await loseConfirmAnswers(cp, (_key, n) => n === 1);
    await typeCard(await cp.cardFrame(), "4242424242424242");
    await submitButton(cp.page).click();
    const success = await cp.waitForEvent("softrack-success");
    expect(success.detail.payment).toMatchObject({ id: p.id, status: "succeeded" });
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    expect(await errorCodes(cp)).toEqual([]);
    expect((await apiCall(h.api, "GET", `/v1/payments/${p.id}`)).json).toMatchObject({ status: "succeeded", amount_captured: 15000 });
    await cp.close();
  });

  it("when no answer comes back at all, the widget reads the payment and reports it paid; submit() resolves", async () => {
    const p = await createPayment(h.api, {});
    const cp = await openCheckout(h, { clientSecret: p.client_secret });
    await cp.waitForEvent("softrack-ready");
    const keys = await loseConfirmAnswers(cp, () => true);
    await typeCard(await cp.cardFrame(), "4242424242424242");
    await startSubmit(cp.page);
    expect(await settled(cp.page, 1)).toEqual(["resolved succeeded"]);
    const success = await cp.waitForEvent("softrack-success");
    expect(success.detail.payment).toMatchObject({ id: p.id, status: "succeeded" });
    await expect.poll(() => cp.page.locator("softrack-checkout #result-heading").textContent()).toBe("Payment successful");
    expect(new Set(keys).size).toBe(1);
    expect(await errorCodes(cp)).toEqual([]);
    await cp.close();
  });

  it("SMS: with the answer and the next read lost, the buyer's next press goes on to the code step, never a second confirm", async () => {
    const p = await createPayment(h.api, {});
    const cp = await openCheckout(h, { clientSecret: p.client_secret });
    await cp.waitForEvent("softrack-ready");
    let first: string | undefined;
    const keys = await loseConfirmAnswers(cp, (key) => {
      first ??= key;
      return key === first;
    });
    // The widget's read of the payment after that fails too (each of its tries): it cannot know yet.
    let offline = true;
    await cp.context.route(
      (url) => url.pathname === `/v1/payments/${p.id}`,
      async (route) => {
        if (first && offline) await route.abort("internetdisconnected");
        else await route.continue();
      },
    );
    await tab(cp.page, "SMS payment").click();
    await cp.page.locator("softrack-checkout #sms-phone").pressSequentially("700123456");
    await submitButton(cp.page).click();
    const error = await cp.waitForEvent("softrack-error");
    expect(error.detail.error).toMatchObject({ type: "api_connection_error", code: "network_error" });
    offline = false;
    // The SMS was sent: pressing again reads the payment and shows the code step.
    await submitButton(cp.page).click();
    const code = cp.page.locator("softrack-checkout #code");
    await code.waitFor();
    await code.pressSequentially("000000");
    await code.press("Enter");
    const success = await cp.waitForEvent("softrack-success");
    expect(success.detail.payment).toMatchObject({ id: p.id, status: "succeeded" });
    expect(new Set(keys)).toEqual(new Set([first]));
    expect(await errorCodes(cp)).toEqual(["network_error"]);
    await cp.close();
  });

  it("3-D Secure: when the code's answer never comes back, the widget reads the payment and reports it paid", async () => {
    const p = await createPayment(h.api, {});
    const cp = await openCheckout(h, { clientSecret: p.client_secret });
    await cp.waitForEvent("softrack-ready");
    const keys: string[] = [];
    await cp.context.route("**/v1/payments/*/verify", async (route) => {
      keys.push(route.request().headers()["idempotency-key"] ?? "");
      await route.fetch();
      await route.abort("connectionreset");
    });
    await typeCard(await cp.cardFrame(), "4000000000003220");
    await startSubmit(cp.page);
    const code = cp.page.locator("softrack-checkout #code");
    await code.waitFor();
    await code.pressSequentially("000000");
    await code.press("Enter");
    expect(await settled(cp.page, 1)).toEqual(["resolved succeeded"]);
    expect((await cp.waitForEvent("softrack-success")).detail.payment).toMatchObject({ id: p.id, status: "succeeded" });
    expect(new Set(keys).size).toBe(1);
    expect(await errorCodes(cp)).toEqual([]);
    await cp.close();
  });
});

describe("a read of the payment whose answer is lost", () => {
  it("is sent again, as a confirm is: after a dropped connection and a proxy's 503 the buyer sees the payment and pays", async () => {
    const p = await createPayment(h.api, { amount: 27500 });
    const reads: string[] = [];
    const cp = await openCheckout(h, {
      clientSecret: p.client_secret,
      // The first read's answer is lost on the way back; a proxy in front of the API answers the second 503.
      beforeGoto: (page) =>
        page.context().route(
          (url) => url.pathname === `/v1/payments/${p.id}`,
          async (route) => {
            reads.push(route.request().method());
            if (reads.length === 1) {
              await route.fetch();
              await route.abort("connectionreset");
            } else if (reads.length === 2) {
              await route.fulfill({
                status: 503,
                headers: { "Access-Control-Allow-Origin": "*" },
                contentType: "text/html",
                body: "<html>503</html>",
              });
            } else await route.continue();
          },
        ),
    });
    await cp.page.locator("softrack-checkout [part='load-error'], softrack-checkout [part~='submit-button']").first().waitFor();
    expect(await errorCodes(cp)).toEqual([]);
    expect((await cp.waitForEvent("softrack-ready")).detail.payment).toMatchObject({ id: p.id, amount: 27500 });
    expect(await cp.page.locator("softrack-checkout [part='amount']").textContent()).toContain("275.00");
    expect(reads).toEqual(["GET", "GET", "GET"]);

    await typeCard(await cp.cardFrame(), "4242424242424242");
    await submitButton(cp.page).click();
    expect((await cp.waitForEvent("softrack-success")).detail.payment).toMatchObject({ id: p.id, status: "succeeded" });
    await cp.close();
  });
});

describe("a wrong code", () => {
  it("3-D Secure: submit() rejects with the contract's error, and Pay works again on the next attempt", async () => {
    const p = await createPayment(h.api, {});
    const cp = await openCheckout(h, { clientSecret: p.client_secret });
    await cp.waitForEvent("softrack-ready");
    const frame = await cp.cardFrame();
    await typeCard(frame, "4000000000003220");
    await startSubmit(cp.page);
    const code = cp.page.locator("softrack-checkout #code");
    await code.waitFor();
    await code.pressSequentially("111111");
    await code.press("Enter");
    expect(await settled(cp.page, 1)).toEqual(["payment_error/authentication_failed"]);
    const nextId = await nextAttempt(cp.page, p.id);
    await expect
      .poll(() => cp.page.locator("softrack-checkout [part='error'][role='alert']").textContent())
      .toBe("The code is not correct.");
    await typeCard(frame, "4242424242424242");
    await submitButton(cp.page).click();
    const success = await cp.waitForEvent("softrack-success");
    expect(success.detail.payment).toMatchObject({ id: nextId, status: "succeeded", retry_of: p.id });
    await cp.close();
  });

  it("SMS: submit() rejects, and Send code works again on the next attempt, its submit() resolving", async () => {
    const p = await createPayment(h.api, {});
    const cp = await openCheckout(h, { clientSecret: p.client_secret });
    await cp.waitForEvent("softrack-ready");
    await tab(cp.page, "SMS payment").click();
    await cp.page.locator("softrack-checkout #sms-phone").pressSequentially("700123456");
    await startSubmit(cp.page);
    const code = cp.page.locator("softrack-checkout #code");
    await code.waitFor();
    await code.pressSequentially("111111");
    await code.press("Enter");
    expect(await settled(cp.page, 1)).toEqual(["payment_error/authentication_failed"]);
    const nextId = await nextAttempt(cp.page, p.id);
    await expect.poll(() => submitButton(cp.page).textContent()).toContain("Send code");
    await startSubmit(cp.page);
    await code.waitFor();
    await code.pressSequentially("000000");
    await code.press("Enter");
    expect(await settled(cp.page, 2)).toEqual(["payment_error/authentication_failed", "resolved succeeded"]);
    const success = await cp.waitForEvent("softrack-success");
    expect(success.detail.payment).toMatchObject({ id: nextId, status: "succeeded", retry_of: p.id });
    await cp.close();
  });
});

describe("softrack-error", () => {
  it("carries the payment as the API answered it: the failed attempt, after a decline and after a wrong code", async () => {
    const p = await createPayment(h.api, {});
    const cp = await openCheckout(h, { clientSecret: p.client_secret });
    await cp.waitForEvent("softrack-ready");
    await typeCard(await cp.cardFrame(), "4000000000000002");
    await submitButton(cp.page).click();
    const declined = await cp.waitForEvent("softrack-error");
    expect(declined.detail.error).toMatchObject({ code: "card_declined" });
    expect(declined.detail.payment).toMatchObject({ id: p.id, status: "failed" });

    // The next attempt, by SMS, with a wrong code.
    const nextId = await nextAttempt(cp.page, p.id);
    await tab(cp.page, "SMS payment").click();
    await cp.page.locator("softrack-checkout #sms-phone").pressSequentially("700123456");
    await submitButton(cp.page).click();
    const code = cp.page.locator("softrack-checkout #code");
    await code.waitFor();
    await code.pressSequentially("111111");
    await code.press("Enter");
    await cp.page.waitForFunction(
      () => (window as unknown as { __events: { type: string }[] }).__events.filter((e) => e.type === "softrack-error").length === 2,
    );
    const wrong = (await cp.events()).filter((e) => e.type === "softrack-error")[1]?.detail as { error: unknown; payment: unknown };
    expect(wrong.error).toMatchObject({ code: "authentication_failed" });
    expect(wrong.payment).toMatchObject({ id: nextId, status: "failed" });
    await cp.close();
  });
});

describe("submit()'s rejection", () => {
  /** Calls el.submit() and keeps what it rejects with: the error's class name, code and typed `payment`. */
  function submitError(page: Page): Promise<{ name: string; code: string; payment?: { id: string; status: string } }> {
    return page.evaluate(() =>
      (document.querySelector("softrack-checkout") as unknown as { submit(): Promise<unknown> }).submit().then(
        () => ({ name: "resolved", code: "" }),
        (e: { name: string; code: string; payment?: { id: string; status: string } }) => ({
          name: e.name,
          code: e.code,
          ...(e.payment ? { payment: { id: e.payment.id, status: e.payment.status } } : {}),
        }),
      ),
    );
  }

  it("is the SDK's SoftrackPaymentError, its `payment` the failed attempt: after a decline (card iframe) and a wrong code", async () => {
    const p = await createPayment(h.api, {});
    const cp = await openCheckout(h, { clientSecret: p.client_secret });
    await cp.waitForEvent("softrack-ready");
    await typeCard(await cp.cardFrame(), "4000000000000002");
    expect(await submitError(cp.page)).toEqual({
      name: "SoftrackPaymentError",
      code: "card_declined",
      payment: { id: p.id, status: "failed" },
    });

    const nextId = await nextAttempt(cp.page, p.id);
    await tab(cp.page, "SMS payment").click();
    await cp.page.locator("softrack-checkout #sms-phone").pressSequentially("700123456");
    const wrong = submitError(cp.page);
    const code = cp.page.locator("softrack-checkout #code");
    await code.waitFor();
    await code.pressSequentially("111111");
    await code.press("Enter");
    expect(await wrong).toEqual({ name: "SoftrackPaymentError", code: "authentication_failed", payment: { id: nextId, status: "failed" } });
    await cp.close();
  });
});

/** The merchant's page gives the checkout another payment, e.g. the cart changed. */
const replaceSecret = (page: Page, secret: string) =>
  page.evaluate((s) => document.querySelector("softrack-checkout")?.setAttribute("client-secret", s), secret);

describe("a new client-secret during a code or QR step", () => {
  it("SMS code step: the pending submit() rejects with checkout_canceled, and the new payment pays from its form", async () => {
    const first = await createPayment(h.api, { amount: 15000 });
    const cp = await openCheckout(h, { clientSecret: first.client_secret });
    await cp.waitForEvent("softrack-ready");
    await tab(cp.page, "SMS payment").click();
    await cp.page.locator("softrack-checkout #sms-phone").pressSequentially("700123456");
    await startSubmit(cp.page);
    const code = cp.page.locator("softrack-checkout #code");
    await code.waitFor();
    await code.pressSequentially("00");

    const second = await createPayment(h.api, { amount: 27500 });
    await replaceSecret(cp.page, second.client_secret);
    expect(await settled(cp.page, 1)).toEqual(["invalid_request_error/checkout_canceled"]);
    await expect.poll(() => cp.page.locator("softrack-checkout [part='amount']").textContent()).toContain("275.00");
    await expect.poll(() => submitButton(cp.page).textContent()).toContain("Send code");
    expect(await code.count()).toBe(0);

    // A clean start: a new submit() sends a code for the new payment, an empty code field, and resolves.
    await startSubmit(cp.page);
    await code.waitFor();
    expect(await code.inputValue()).toBe("");
    await code.pressSequentially("000000");
    await code.press("Enter");
    expect(await settled(cp.page, 2)).toEqual(["invalid_request_error/checkout_canceled", "resolved succeeded"]);
    expect((await cp.waitForEvent("softrack-success")).detail.payment).toMatchObject({ id: second.id, status: "succeeded" });
    expect(await errorCodes(cp)).toEqual([]);
    expect((await apiCall(h.api, "GET", `/v1/payments/${first.id}`)).json.status).toBe("requires_action");
    await cp.close();
  });

  it("QR step: the pending submit() rejects, polling stops, and the new payment's QR pays it", async () => {
    const first = await createPayment(h.api, { amount: 15000 });
    const { cp, qr } = await qrStep(first);

    const second = await createPayment(h.api, { amount: 27500 });
    await replaceSecret(cp.page, second.client_secret);
    expect(await settled(cp.page, 1)).toEqual(["invalid_request_error/checkout_canceled"]);
    await expect.poll(() => cp.page.locator("softrack-checkout [part='amount']").textContent()).toContain("275.00");
    await expect.poll(() => submitButton(cp.page).textContent()).toContain("Show QR code");
    // The old payment's QR completed now is not this checkout's business any more.
    expect((await apiCall(h.api, "POST", `/v1/test_helpers/payments/${first.id}/complete_qr`)).status).toBe(200);

    await startSubmit(cp.page);
    await qr.waitFor();
    expect((await apiCall(h.api, "POST", `/v1/test_helpers/payments/${second.id}/complete_qr`)).status).toBe(200);
    expect(await settled(cp.page, 2)).toEqual(["invalid_request_error/checkout_canceled", "resolved succeeded"]);
    const successes = (await cp.events()).filter((e) => e.type === "softrack-success");
    expect(successes.map((e) => (e.detail as { payment: { id: string } }).payment.id)).toEqual([second.id]);
    await cp.close();
  });
});

/** A checkout submitted with the QR method, its QR code on screen (the buyer pays from the bank app). */
async function qrStep(p: { client_secret: string }) {
  const cp = await openCheckout(h, { clientSecret: p.client_secret, reducedMotion: true });
  await cp.waitForEvent("softrack-ready");
  await tab(cp.page, "QR code").click();
  await startSubmit(cp.page);
  const qr = cp.page.locator("softrack-checkout [part='qr-image']");
  await qr.waitFor();
  return { cp, qr };
}

/** The QR is paid through the API: the checkout shows success, fires one softrack-success and no error, and submit() resolves. */
async function expectPaidOnce(cp: CheckoutPage, p: { id: string }) {
  expect((await apiCall(h.api, "POST", `/v1/test_helpers/payments/${p.id}/complete_qr`)).status).toBe(200);
  expect(await settled(cp.page, 1)).toEqual(["resolved succeeded"]);
  await expect.poll(() => cp.page.locator("softrack-checkout #result-heading").textContent()).toBe("Payment successful");
  const successes = (await cp.events()).filter((e) => e.type === "softrack-success");
  expect(successes.map((e) => (e.detail as { payment: { id: string; status: string } }).payment)).toEqual([
    expect.objectContaining({ id: p.id, status: "succeeded" }),
  ]);
  expect(await errorCodes(cp)).toEqual([]);
  await cp.close();
}

describe("refresh() during the QR step", () => {
  it("reloads the payment and keeps polling it once: the paid QR shows success, one softrack-success, submit() resolves", async () => {
    const p = await createPayment(h.api, { amount: 15000 });
    const { cp, qr } = await qrStep(p);

    // The merchant's page re-reads the payment while the buyer pays from the bank app: once, then twice at once.
    const refreshed = await cp.page.evaluate(async () => {
      const el = document.querySelector("softrack-checkout") as unknown as { refresh(): Promise<{ status: string } | undefined> };
      const once = await el.refresh();
      const twice = await Promise.all([el.refresh(), el.refresh()]);
      return [once, ...twice].map((x) => x?.status);
    });
    expect(refreshed).toEqual(["requires_action", "requires_action", "requires_action"]);
    expect(await qr.count()).toBe(1);

    await expectPaidOnce(cp, p);
  });
});

describe("a failed read after refresh() during the QR step", () => {
  it("keeps the QR on screen and polls on: the paid QR shows success, one softrack-success, submit() resolves", async () => {
    const p = await createPayment(h.api, { amount: 15000 });
    const { cp, qr } = await qrStep(p);

    // A proxy in front of the API answers every read 503 (the widget's resends too) while the merchant's page refreshes.
    let down = true;
    await cp.context.route(
      (url) => url.pathname === `/v1/payments/${p.id}`,
      async (route) => {
        if (down)
          await route.fulfill({
            status: 503,
            headers: { "Access-Control-Allow-Origin": "*" },
            contentType: "text/html",
            body: "<html>503</html>",
          });
        else await route.continue();
      },
    );
    const refreshed = await cp.page.evaluate(async () => {
      const el = document.querySelector("softrack-checkout") as unknown as { refresh(): Promise<{ status: string } | undefined> };
      return (await el.refresh())?.status;
    });
    expect(refreshed).toBe("requires_action");
    expect(await qr.count()).toBe(1);
    expect(await cp.page.locator("softrack-checkout [part='load-error']").count()).toBe(0);
    down = false;

    await expectPaidOnce(cp, p);
  });
});

describe("a new client-secret while a confirm is on its way", () => {
  /** Holds the payment's confirm on its way to the API until `release()`: the old payment's answer comes late. */
  async function holdConfirm(cp: CheckoutPage, id: string): Promise<{ sent: Promise<void>; release(): void }> {
    let release!: () => void;
    let onSent!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const sent = new Promise<void>((r) => (onSent = r));
    await cp.context.route(`**/v1/payments/${id}/confirm`, async (route) => {
      onSent();
      await released;
      await route.continue();
    });
    return { sent, release };
  }

  /** What the checkout shows, once drawn: its payment, the amount, a result heading, the alert and whether Pay is free. */
  function shown(page: Page) {
    return page.evaluate(async () => {
      const el = document.querySelector("softrack-checkout") as unknown as {
        payment?: { id: string };
        updateComplete: Promise<unknown>;
        shadowRoot: ShadowRoot;
      };
      await el.updateComplete;
      const text = (sel: string) => el.shadowRoot.querySelector(sel)?.textContent?.trim() ?? null;
      return {
        payment: el.payment?.id,
        amount: text("[part='amount']"),
        result: text("#result-heading"),
        alert: text("#alert"),
        busy: el.shadowRoot.querySelector("[part~='submit-button']")?.getAttribute("aria-disabled"),
      };
    });
  }

  /**
   * The buyer pays the first payment by card; the cart changes while that confirm is on its way.
   * The confirm is let go once the new payment shows, unless `release` is false.
   */
  async function replaceDuringConfirm(card: string, release = true) {
    const first = await createPayment(h.api, { amount: 15000 });
    const cp = await openCheckout(h, { clientSecret: first.client_secret });
    await cp.waitForEvent("softrack-ready");
    const frame = await cp.cardFrame();
    const held = await holdConfirm(cp, first.id);
    await typeCard(frame, card);
    await startSubmit(cp.page);
    await held.sent;
    const second = await createPayment(h.api, { amount: 27500 });
    await replaceSecret(cp.page, second.client_secret);
    await cp.page.waitForFunction(
      (id) => (document.querySelector("softrack-checkout") as unknown as { payment?: { id: string } }).payment?.id === id,
      second.id,
    );
    if (release) held.release();
    return { cp, first, second, held };
  }

  const newForm = (id: string) => ({ payment: id, amount: expect.stringContaining("275.00"), result: null, alert: "", busy: "false" });

  it("the old payment's success reaches the merchant with its id; the form stays on the new payment, which pays", async () => {
    const { cp, first, second } = await replaceDuringConfirm("4242424242424242");
    const old = await cp.waitForEvent("softrack-success");
    expect(old.detail.payment).toMatchObject({ id: first.id, status: "succeeded" });
    expect(await settled(cp.page, 1)).toEqual(["resolved succeeded"]);
    await expect.poll(() => shown(cp.page)).toEqual(newForm(second.id));

    await startSubmit(cp.page);
    expect(await settled(cp.page, 2)).toEqual(["resolved succeeded", "resolved succeeded"]);
    const successes = (await cp.events()).filter((e) => e.type === "softrack-success");
    expect(successes.map((e) => (e.detail as { payment: { id: string } }).payment.id)).toEqual([first.id, second.id]);
    expect((await apiCall(h.api, "GET", `/v1/payments/${first.id}`)).json.status).toBe("succeeded");
    expect((await apiCall(h.api, "GET", `/v1/payments/${second.id}`)).json.status).toBe("succeeded");
    await cp.close();
  });

  it("the old payment's decline reaches the merchant with its id; the new payment's form shows no error and pays", async () => {
    const { cp, first, second } = await replaceDuringConfirm("4000000000000002");
    const old = await cp.waitForEvent("softrack-error");
    expect(old.detail.error).toMatchObject({ type: "payment_error", code: "card_declined" });
    expect(old.detail.payment).toMatchObject({ id: first.id, status: "failed" });
    expect(await settled(cp.page, 1)).toEqual(["payment_error/card_declined"]);
    await expect.poll(() => shown(cp.page)).toEqual(newForm(second.id));

    await typeCard(await cp.cardFrame(), "4242424242424242");
    await startSubmit(cp.page);
    expect(await settled(cp.page, 2)).toEqual(["payment_error/card_declined", "resolved succeeded"]);
    expect((await cp.waitForEvent("softrack-success")).detail.payment).toMatchObject({ id: second.id, status: "succeeded" });
    // The old payment got no next attempt from this checkout: it pays the new one only.
    const list = (await apiCall(h.api, "GET", "/v1/payments?limit=100")).json.data as { retry_of: string | null }[];
    expect(list.filter((x) => x.retry_of === first.id)).toEqual([]);
    await cp.close();
  });
  it("Pay stays busy while the card iframe still runs the old payment's confirm; once it ended, Pay pays the new one", async () => {
    // The new payment is read and shown, but the card iframe is still busy with the old confirm.
    const { cp, first, second, held } = await replaceDuringConfirm("4242424242424242", false);
    await startSubmit(cp.page);
    expect(await settled(cp.page, 1)).toEqual(["invalid_request_error/checkout_not_ready"]);
    expect(await shown(cp.page)).toEqual({ ...newForm(second.id), busy: "true" });

    held.release();
    expect(await settled(cp.page, 2)).toEqual(["invalid_request_error/checkout_not_ready", "resolved succeeded"]);
    await expect.poll(() => shown(cp.page)).toEqual(newForm(second.id));
    await startSubmit(cp.page);
    expect(await settled(cp.page, 3)).toEqual(["invalid_request_error/checkout_not_ready", "resolved succeeded", "resolved succeeded"]);
    const successes = (await cp.events()).filter((e) => e.type === "softrack-success");
    expect(successes.map((e) => (e.detail as { payment: { id: string } }).payment.id)).toEqual([first.id, second.id]);
    expect(await errorCodes(cp)).toEqual([]);
    await cp.close();
  });
});

describe("a new client-secret while its payment loads", () => {
  it("Pay is busy and submit() rejects with checkout_not_ready until the new payment is read; nothing reaches the old payment", async () => {
    const first = await createPayment(h.api, { amount: 15000 });
    const cp = await openCheckout(h, { clientSecret: first.client_secret });
    await cp.waitForEvent("softrack-ready");
    await typeCard(await cp.cardFrame(), "4242424242424242");
    const confirms: string[] = [];
    cp.context.on("request", (r) => {
      if (r.method() === "POST" && r.url().includes("/confirm")) confirms.push(new URL(r.url()).pathname);
    });
    // The new payment's read is held on its way to the API until released.
    const second = await createPayment(h.api, { amount: 27500 });
    let release!: () => void;
    let onSent!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const sent = new Promise<void>((r) => (onSent = r));
    await cp.context.route(
      (url) => url.pathname === `/v1/payments/${second.id}`,
      async (route) => {
        onSent();
        await released;
        await route.continue();
      },
    );
    await replaceSecret(cp.page, second.client_secret);
    await sent;

    await startSubmit(cp.page);
    expect(await settled(cp.page, 1)).toEqual(["invalid_request_error/checkout_not_ready"]);
    const button = submitButton(cp.page);
    expect(await button.getAttribute("aria-disabled")).toBe("true");
    expect(await button.textContent()).toContain("Processing");
    // A press of Pay (busy, so Playwright must force it) and Enter in the card fields do nothing either.
    await button.click({ force: true });
    await (await cp.cardFrame()).locator("#cvc").press("Enter");

    release();
    await expect.poll(() => cp.page.locator("softrack-checkout [part='amount']").textContent()).toContain("275.00");
    await expect.poll(() => button.getAttribute("aria-disabled")).toBe("false");
    await startSubmit(cp.page);
    expect(await settled(cp.page, 2)).toEqual(["invalid_request_error/checkout_not_ready", "resolved succeeded"]);
    const successes = (await cp.events()).filter((e) => e.type === "softrack-success");
    expect(successes.map((e) => (e.detail as { payment: { id: string; amount: number } }).payment)).toEqual([
      expect.objectContaining({ id: second.id, amount: 27500, status: "succeeded" }),
    ]);
    expect(await errorCodes(cp)).toEqual([]);
    expect(confirms).toEqual([`/v1/payments/${second.id}/confirm`]);
    expect((await apiCall(h.api, "GET", `/v1/payments/${first.id}`)).json.status).toBe("requires_payment_method");
    await cp.close();
  });

  it("the card iframe refuses a confirm meant for another payment than the one it holds", async () => {
    const p = await createPayment(h.api, {});
    const cp = await openCheckout(h, { clientSecret: p.client_secret });
    await cp.waitForEvent("softrack-ready");
    await typeCard(await cp.cardFrame(), "4242424242424242");
    const other = await createPayment(h.api, {});
    // The page's message to the iframe, as a confirm crossing a new client-secret would carry it.
    const result = await cp.page.evaluate(
      ({ api, secret }) =>
        new Promise<unknown>((resolve) => {
          addEventListener("message", (e) => {
            if (e.data?.type === "result" && e.data.requestId === 9001) resolve(e.data);
          });
          const frame = document.querySelector("softrack-checkout")?.shadowRoot?.querySelector("iframe") as HTMLIFrameElement;
          frame.contentWindow?.postMessage({ protocol: "softrack-card/1", type: "confirm", requestId: 9001, clientSecret: secret }, api);
        }),
      { api: h.api.url, secret: other.client_secret },
    );
    expect(result).toMatchObject({ requestId: 9001, error: { type: "invalid_request_error", code: "checkout_not_ready" } });
    expect((await apiCall(h.api, "GET", `/v1/payments/${p.id}`)).json.status).toBe("requires_payment_method");
    expect((await apiCall(h.api, "GET", `/v1/payments/${other.id}`)).json.status).toBe("requires_payment_method");
    // The fields still pay the payment they hold.
    await startSubmit(cp.page);
    expect(await settled(cp.page, 1)).toEqual(["resolved succeeded"]);
    await cp.close();
  });
});
