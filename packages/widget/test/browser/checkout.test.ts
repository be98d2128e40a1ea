import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Frame, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiCall, type CheckoutPage, createPayment, type Harness, openCheckout, startHarness } from "./harness.js";

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function typeCard(frame: Frame, number: string, expiry = "12 / 34", cvc = "123"): Promise<void> {
  await frame.locator("#number").pressSequentially(number);
  await frame.locator("#expiry").fill("");
  await frame.locator("#expiry").pressSequentially(expiry.replace(/\D/g, ""));
  await frame.locator("#cvc").pressSequentially(cvc);
}

function submitButton(page: Page) {
  return page.locator("softrack-checkout [part~='submit-button']");
}

async function paymentStatus(id: string): Promise<string> {
  return String((await apiCall(h.api, "GET", `/v1/payments/${id}`)).json.status);
}

/** Every test also proves the strict CSP held: no inline style or script was needed. */
async function expectNoCspViolations(cp: CheckoutPage): Promise<void> {
  expect(await cp.violations()).toEqual([]);
}

describe("card", () => {
  it("pays with 4242… and reports success; the merchant page never sees the digits", async () => {
    const p = await createPayment(h.api, { amount: 15000, currency: "KGS", description: "Order 1001" });
    const cp = await openCheckout(h, { clientSecret: p.client_secret });
    const ready = await cp.waitForEvent("softrack-ready");
    expect((ready.detail.payment as { id: string }).id).toBe(p.id);
    expect(ready.detail.methods).toEqual(expect.arrayContaining(["card", "sms", "qr"]));
    await expect.poll(() => cp.page.locator("softrack-checkout [part='amount']").textContent()).toContain("150.00");

    const frame = await cp.cardFrame();
    // No layout shift while loading: the space reserved for the iframe is the height it reports.
    const [reserved, sized] = await cp.page
      .locator("softrack-checkout iframe")
      .evaluate((el) => [getComputedStyle(el).getPropertyValue("--softrack-card-frame-height").trim(), (el as HTMLElement).style.height]);
    expect(sized).toBe(reserved);
    expect(await cp.page.evaluate(() => (window as unknown as { __shifts: string[] }).__shifts)).toEqual([]);
    await typeCard(frame, "4242424242424242");
    expect(await frame.locator("#number").inputValue()).toBe("4242 4242 4242 4242");
    expect(await frame.locator("#brand .sr").textContent()).toBe("Visa");

    // The card fields are in a cross-origin document: the page cannot reach them.
    const leaked = await cp.page.evaluate(() => {
      const el = document.querySelector("softrack-checkout") as HTMLElement & { shadowRoot: ShadowRoot };
      const iframe = el.shadowRoot.querySelector("iframe") as HTMLIFrameElement;
      let readable = true;
      try {
        void iframe.contentDocument?.body;
        readable = iframe.contentDocument !== null;
      } catch {
        readable = false;
      }
      return { readable, html: document.documentElement.outerHTML + el.shadowRoot.innerHTML };
    });
    expect(leaked.readable).toBe(false);
    expect(leaked.html).not.toContain("4242");

    await submitButton(cp.page).click();
    const success = await cp.waitForEvent("softrack-success");
    expect((success.detail.payment as { status: string }).status).toBe("succeeded");
    await expect.poll(() => cp.page.locator("softrack-checkout #result-heading").textContent()).toBe("Payment successful");
    expect(await paymentStatus(p.id)).toBe("succeeded");

    const events = await cp.events();
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(["softrack-ready", "softrack-change", "softrack-submit", "softrack-success"]),
    );
    expect(JSON.stringify(events)).not.toMatch(/4242424242|"123"/);
    const lastChange = events.filter((e) => e.type === "softrack-change").at(-1)?.detail as Record<string, unknown>;
    expect(lastChange).toEqual({ method: "card", complete: true, empty: false, brand: "visa" });
    await expectNoCspViolations(cp);
    await cp.close();
  });

  it("shows inline errors while typing, and a declined card's error, announced", async () => {
    const p = await createPayment(h.api, {});
    const cp = await openCheckout(h, { clientSecret: p.client_secret });
    await cp.waitForEvent("softrack-ready");
    const frame = await cp.cardFrame();

    // A wrong number is said while typing, an unfinished one only on leaving the field.
    await frame.locator("#number").pressSequentially("4242424242424241");
    await expect.poll(() => frame.locator("#number-error").textContent()).toBe("The card number is not valid.");
    await frame.locator("#cvc").pressSequentially("1");
    await frame.locator("#expiry").focus();
    await expect.poll(() => frame.locator("#cvc-error").textContent()).toBe("The security code is incomplete.");
    await frame.locator("#cvc").fill("");
    expect(await frame.locator("#number").getAttribute("aria-invalid")).toBe("true");
    expect(await frame.locator("#number-error").getAttribute("aria-live")).toBe("polite");
    await frame.locator("#number").fill("");
    await frame.locator("#number").pressSequentially("4000000000000002");
    await expect.poll(() => frame.locator("#number-error").textContent()).toBe("");
    await frame.locator("#expiry").pressSequentially("1234");
    await frame.locator("#cvc").pressSequentially("123");

    const rejected = cp.page.evaluate(() =>
      (document.querySelector("softrack-checkout") as unknown as { submit(): Promise<unknown> }).submit().then(
        () => "resolved",
        (e: { type: string; code: string }) => `${e.type}/${e.code}`,
      ),
    );
    expect(await rejected).toBe("payment_error/card_declined");
    const error = await cp.waitForEvent("softrack-error");
    expect(error.detail.error).toMatchObject({ type: "payment_error", code: "card_declined" });
    const alert = cp.page.locator("softrack-checkout [part='error'][role='alert']");
    await expect.poll(() => alert.textContent()).toBe("Your card was declined.");
    expect(await paymentStatus(p.id)).toBe("failed");
    // The submit() promise rejects with the same contract error.
    await expectNoCspViolations(cp);
    await cp.close();
  });

  it("asks for the 3-D Secure code and completes with 000000", async () => {
    const p = await createPayment(h.api, {});
    const cp = await openCheckout(h, { clientSecret: p.client_secret });
    await cp.waitForEvent("softrack-ready");
    const frame = await cp.cardFrame();
    await typeCard(frame, "4000000000003220");
    const result = cp.page.evaluate(() =>
      (document.querySelector("softrack-checkout") as unknown as { submit(): Promise<{ status: string }> }).submit().then((x) => x.status),
    );
    const code = cp.page.locator("softrack-checkout #code");
    await code.waitFor();
    expect(await cp.page.locator("softrack-checkout #challenge-heading").textContent()).toBe("Confirm with your bank");
    expect(await code.getAttribute("autocomplete")).toBe("one-time-code");
    await expect.poll(() => cp.page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.id)).toBe("code");
    await code.pressSequentially("000000");
    await cp.page.locator("softrack-checkout form[part='challenge'] [part~='submit-button']").click();
    expect(await result).toBe("succeeded");
    expect(await paymentStatus(p.id)).toBe("succeeded");
    await expectNoCspViolations(cp);
    await cp.close();
  });

  it("keeps what was typed when the locale changes, and relabels inside the iframe", async () => {
    const p = await createPayment(h.api, {});
    const cp = await openCheckout(h, { clientSecret: p.client_secret, locale: "en" });
    await cp.waitForEvent("softrack-ready");
    const frame = await cp.cardFrame();
    await frame.locator("#number").pressSequentially("42424242");
    await cp.page.evaluate(() => document.querySelector("softrack-checkout")?.setAttribute("locale", "ru"));
    await expect.poll(() => frame.locator("#number-label").textContent()).toBe("Номер карты");
    expect(await frame.locator("#number").inputValue()).toBe("4242 4242");
    expect(await submitButton(cp.page).textContent()).toContain("Оплатить");
    expect((await submitButton(cp.page).textContent())?.replace(/\s/g, " ")).toContain("150,00");
    // refresh() re-reads the payment without reloading the fields
    await cp.page.evaluate(() => (document.querySelector("softrack-checkout") as unknown as { refresh(): Promise<unknown> }).refresh());
    expect(await frame.locator("#number").inputValue()).toBe("4242 4242");
    await cp.close();
  });

  it("a new amount (a new payment's client_secret) keeps the typed card and pays the new payment", async () => {
    const first = await createPayment(h.api, { amount: 15000 });
    const cp = await openCheckout(h, { clientSecret: first.client_secret });
    await cp.waitForEvent("softrack-ready");
    const frame = await cp.cardFrame();
    await typeCard(frame, "4242424242424242");
    const second = await createPayment(h.api, { amount: 27500 });
    await cp.page.evaluate(
      (secret) => document.querySelector("softrack-checkout")?.setAttribute("client-secret", secret),
      second.client_secret,
    );
    await expect.poll(() => cp.page.locator("softrack-checkout [part='amount']").textContent()).toContain("275.00");
    expect(await frame.locator("#number").inputValue()).toBe("4242 4242 4242 4242");
    expect(await frame.locator("#cvc").inputValue()).toBe("123");
    await submitButton(cp.page).click();
    const success = await cp.waitForEvent("softrack-success");
    expect((success.detail.payment as { id: string }).id).toBe(second.id);
    expect(await paymentStatus(second.id)).toBe("succeeded");
    expect(await paymentStatus(first.id)).toBe("requires_payment_method");
    await cp.close();
  });

  it("Cancel on the code step returns to the form with the card still typed", async () => {
    const p = await createPayment(h.api, {});
    const cp = await openCheckout(h, { clientSecret: p.client_secret });
    await cp.waitForEvent("softrack-ready");
    const frame = await cp.cardFrame();
    await typeCard(frame, "4000000000003220");
    await submitButton(cp.page).click();
    await cp.page.locator("softrack-checkout #code").waitFor();
    await cp.page.locator("softrack-checkout [part='cancel-button']").click();
    await cp.waitForEvent("softrack-cancel");
    await expect.poll(() => submitButton(cp.page).first().isVisible()).toBe(true);
    expect(await frame.locator("#number").inputValue()).toBe("4000 0000 0000 3220");
    await cp.close();
  });

  it("works inside the merchant's own shadow DOM, in the dark theme", async () => {
    const p = await createPayment(h.api, {});
    const cp = await openCheckout(h, { clientSecret: p.client_secret, shadow: true, theme: "dark" });
    await cp.waitForEvent("softrack-ready");
    const frame = await cp.cardFrame();
    // The theme crossed into the iframe.
    await expect.poll(() => frame.locator("#number").evaluate((el) => getComputedStyle(el).backgroundColor)).toBe("rgb(31, 41, 55)");
    await typeCard(frame, "4242424242424242");
    await submitButton(cp.page).click();
    await cp.waitForEvent("softrack-success");
    await expectNoCspViolations(cp);
    await cp.close();
  });

  it("the card page stays inert when the embedder is not the origin it claims", async () => {
    const cp = await openCheckout(h, { clientSecret: "pay_x_secret_y" });
    const inert = await cp.page.evaluate(async (api) => {
      const f = document.createElement("iframe");
      f.src = `${api}/elements/card?origin=${encodeURIComponent("https://shop.example")}`;
      const loaded: unknown[] = [];
      window.addEventListener("message", (e) => {
        if (e.source === f.contentWindow) loaded.push(e.data);
      });
      document.body.append(f);
      await new Promise((r) => f.addEventListener("load", r));
      await new Promise((r) => setTimeout(r, 300));
      return loaded.length;
    }, h.api.url);
    expect(inert).toBe(0);
    await cp.close();
  });
});

describe("other methods", () => {
  it("SMS payment: phone with the +996 mask, then the code", async () => {
    const p = await createPayment(h.api, {});
    const cp = await openCheckout(h, { clientSecret: p.client_secret });
    await cp.waitForEvent("softrack-ready");
    await cp.page.locator("softrack-checkout [part='method']", { hasText: "SMS payment" }).click();
    const phone = cp.page.locator("softrack-checkout #sms-phone");
    await phone.pressSequentially("0700123456");
    expect(await phone.inputValue()).toBe("700 123 456");
    expect(await cp.page.locator("softrack-checkout #sms-country").inputValue()).toBe("+996");
    await submitButton(cp.page).click();
    const code = cp.page.locator("softrack-checkout #code");
    await code.waitFor();
    expect(await cp.page.locator("softrack-checkout #challenge-heading").textContent()).toBe("Enter the code from the SMS");
    await code.pressSequentially("000000");
    await code.press("Enter");
    const success = await cp.waitForEvent("softrack-success");
    expect((success.detail.payment as { status: string }).status).toBe("succeeded");
    await expectNoCspViolations(cp);
    await cp.close();
  });

  it("QR payment: shows the code, polls, and settles when the payer completes it", async () => {
    const p = await createPayment(h.api, {});
    const cp = await openCheckout(h, { clientSecret: p.client_secret, reducedMotion: true });
    await cp.waitForEvent("softrack-ready");
    await cp.page.locator("softrack-checkout [part='method']", { hasText: "QR code" }).click();
    await submitButton(cp.page).click();
    const qr = cp.page.locator("softrack-checkout [part='qr-image']");
    await qr.waitFor();
    expect(await qr.getAttribute("aria-label")).toContain("150.00");
    expect(await qr.locator("path").getAttribute("d")).toMatch(/^M4 4h7/); // the finder pattern's top row
    // prefers-reduced-motion: the waiting spinner holds still
    expect(await cp.page.locator("softrack-checkout .status [part='spinner']").evaluate((el) => getComputedStyle(el).animationName)).toBe(
      "none",
    );
    const done = await apiCall(h.api, "POST", `/v1/test_helpers/payments/${p.id}/complete_qr`);
    expect(done.status).toBe(200);
    const success = await cp.waitForEvent("softrack-success");
    expect((success.detail.payment as { status: string }).status).toBe("succeeded");
    await expectNoCspViolations(cp);
    await cp.close();
  });
});

describe("wallet and method choice", () => {
  it("wallet: offered when the payment names a customer, pays from the balance", async () => {
    const customer = (await apiCall(h.api, "POST", "/v1/customers", { name: "Aida" })).json as { id: string };
    const topup = await createPayment(h.api, { amount: 50000, purpose: { type: "wallet_topup", customer: customer.id } });
    const paid = await apiCall(h.api, "POST", `/v1/payments/${topup.id}/confirm`, {
      payment_method_data: { type: "card", card: { number: "4242424242424242", exp_month: 12, exp_year: 2034, cvc: "123" } },
    });
    expect(paid.json.status).toBe("succeeded");
    const p = await createPayment(h.api, { amount: 12000, customer: customer.id });
    const cp = await openCheckout(h, { clientSecret: p.client_secret });
    const ready = await cp.waitForEvent("softrack-ready");
    expect(ready.detail.methods).toContain("wallet");
    await cp.page.locator("softrack-checkout [part='method']", { hasText: "Wallet" }).click();
    expect(await submitButton(cp.page).textContent()).toContain("from wallet");
    await submitButton(cp.page).click();
    await cp.waitForEvent("softrack-success");
    const after = (await apiCall(h.api, "GET", `/v1/customers/${customer.id}`)).json as { wallet: { balance: number } };
    expect(after.wallet.balance).toBe(38000);
    await cp.close();
  });

  it("a payment fixed to one method shows only that method", async () => {
    const p = await createPayment(h.api, { method: "qr" });
    const cp = await openCheckout(h, { clientSecret: p.client_secret });
    const ready = await cp.waitForEvent("softrack-ready");
    expect(ready.detail.methods).toEqual(["qr"]);
    expect(await cp.page.locator("softrack-checkout [part='methods']").count()).toBe(0);
    expect(await cp.page.locator("softrack-checkout iframe").count()).toBe(0);
    expect(await submitButton(cp.page).textContent()).toContain("Show QR code");
    await cp.close();
  });
});

describe("keyboard and accessibility", () => {
  it("completes a card payment with the keyboard alone", async () => {
    const p = await createPayment(h.api, {});
    const cp = await openCheckout(h, { clientSecret: p.client_secret });
    await cp.waitForEvent("softrack-ready");
    const frame = await cp.cardFrame();
    const kb = cp.page.keyboard;
    await kb.press("Tab"); // the method radio group
    await expect.poll(() => cp.page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.getAttribute("value"))).toBe("card");
    await kb.press("Tab"); // into the iframe: card number
    await expect.poll(() => frame.evaluate(() => document.activeElement?.id)).toBe("number");
    await kb.type("4242424242424242"); // complete numbers move on to expiry, then CVC
    await kb.type("1234");
    await kb.type("123");
    await expect.poll(() => frame.evaluate(() => document.activeElement?.id)).toBe("cvc");
    await kb.press("Tab"); // out of the iframe to the pay button
    await expect
      .poll(() => cp.page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.getAttribute("part")))
      .toBe("submit-button");
    // the focus is visible
    const outline = await submitButton(cp.page).evaluate((el) => getComputedStyle(el).outlineStyle);
    expect(outline).toBe("solid");
    await kb.press("Enter");
    await cp.waitForEvent("softrack-success");
    await expectNoCspViolations(cp);
    await cp.close();
  });

  async function axe(target: Page | Frame, selector: string): Promise<{ id: string; nodes: string[] }[]> {
    await target.evaluate(AXE);
    return target.evaluate(async (sel) => {
      type Node = { target: string[]; failureSummary?: string };
      const w = window as unknown as {
        axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: { id: string; nodes: Node[] }[] }> };
      };
      const r = await w.axe.run(
        { include: [[sel]] },
        { iframes: false, runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
      );
      return r.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary ?? ""}`) }));
    }, selector);
  }

  for (const theme of ["light", "dark"] as const) {
    it(`axe finds no violations in the form, the card fields and the code step (${theme})`, async () => {
      const p = await createPayment(h.api, {});
      const cp = await openCheckout(h, { clientSecret: p.client_secret, theme });
      await cp.waitForEvent("softrack-ready");
      expect(await axe(cp.page, "softrack-checkout")).toEqual([]);
      const frame = await cp.cardFrame();
      expect(await axe(frame, "form")).toEqual([]);
      // errors showing
      await frame.locator("#number").pressSequentially("4242424242424241");
      await frame.locator("#expiry").focus();
      await expect.poll(() => frame.locator("#number-error").textContent()).not.toBe("");
      expect(await axe(frame, "form")).toEqual([]);
      await frame.locator("#number").fill("");
      await typeCard(frame, "4000000000003220");
      await submitButton(cp.page).click();
      await cp.page.locator("softrack-checkout #code").waitFor();
      expect(await axe(cp.page, "softrack-checkout")).toEqual([]);
      await cp.close();
    });
  }

  it("a load failure is announced", async () => {
    const cp = await openCheckout(h, { clientSecret: "pay_nope_secret_zzz" });
    const box = cp.page.locator("softrack-checkout [part='load-error']");
    await box.waitFor();
    const live = await box.evaluate((el) => el.closest("[role='alert'], [role='status'], [aria-live]")?.textContent?.trim() ?? "");
    expect(live).toContain("The payment form could not load.");
    await cp.close();
  });

  it("a load failure shows a retry that recovers", async () => {
    const p = await createPayment(h.api, {});
    let offline = true;
    const cp = await openCheckout(h, {
      clientSecret: p.client_secret,
      // Fault injection at the browser's network layer: every read of the payment fails (the
      // widget's own resends too) until the network is back.
      beforeGoto: (page) =>
        page.route(`${h.api.url}/v1/payments/**`, async (route) => {
          if (offline) await route.abort("connectionrefused");
          else await route.continue();
        }),
    });
    const retry = cp.page.locator("softrack-checkout [part='retry-button']");
    await retry.waitFor();
    const err = await cp.waitForEvent("softrack-error");
    expect(err.detail.error).toMatchObject({ type: "api_connection_error", code: "network_error" });
    offline = false;
    await retry.click();
    await cp.waitForEvent("softrack-ready");
    expect(await submitButton(cp.page).textContent()).toContain("Pay");
    await cp.close();
  });
});

describe("keys", () => {
  it("refuses a secret key as publishable-key: no request, an error state and event, and the key is never printed", async () => {
    const p = await createPayment(h.api, {});
    const secret = h.api.merchant.secretKey;
    expect(secret).toMatch(/^sk_test_/);
    const sent: string[] = [];
    const logged: string[] = [];
    const cp = await openCheckout(h, {
      clientSecret: p.client_secret,
      attributes: { "publishable-key": secret },
      beforeGoto: async (page) => {
        page.context().on("request", (r) => {
          if (new URL(r.url()).pathname.startsWith("/v1/") || r.headers().authorization) sent.push(r.url());
        });
        page.on("console", (m) => logged.push(`${m.type()}: ${m.text()}`));
      },
    });
    const err = await cp.waitForEvent("softrack-error");
    expect(err.detail.error).toMatchObject({ type: "invalid_request_error", code: "invalid_publishable_key" });
    await cp.page.locator("softrack-checkout [part='load-error']").waitFor();
    await expect.poll(() => logged.filter((l) => l.startsWith("error:") && l.includes("publishable-key")).length).toBe(1);
    expect(sent).toEqual([]);
    expect(await cp.page.locator("softrack-checkout iframe").count()).toBe(0);
    const seen = JSON.stringify(await cp.events()) + logged.join("\n");
    expect(seen).not.toContain(secret);
    expect(seen).not.toContain(secret.slice("sk_test_".length));
    await cp.close();
  });

  const retryButton = (page: Page) => page.locator("softrack-checkout [part='retry-button']");

  it("a refused key offers no Retry; given a publishable key, the checkout loads and pays", async () => {
    const p = await createPayment(h.api, {});
    const cp = await openCheckout(h, { clientSecret: p.client_secret, attributes: { "publishable-key": h.api.merchant.secretKey } });
    const err = await cp.waitForEvent("softrack-error");
    expect(err.detail.error).toMatchObject({ code: "invalid_publishable_key" });
    await cp.page.locator("softrack-checkout [part='load-error']").waitFor();
    expect(await retryButton(cp.page).count()).toBe(0);

    await cp.page.evaluate(
      (key) => document.querySelector("softrack-checkout")?.setAttribute("publishable-key", key),
      h.api.merchant.publishableKey,
    );
    expect((await cp.waitForEvent("softrack-ready")).detail.payment).toMatchObject({ id: p.id });
    expect(await cp.page.locator("softrack-checkout [part='load-error']").count()).toBe(0);
    // No word of the refusal is left under the form.
    expect(await cp.page.locator("softrack-checkout #alert").textContent()).toBe("");
    await typeCard(await cp.cardFrame(), "4242424242424242");
    await submitButton(cp.page).click();
    expect((await cp.waitForEvent("softrack-success")).detail.payment).toMatchObject({ id: p.id, status: "succeeded" });
    await cp.close();
  });

  it("a malformed client-secret offers no Retry and sends nothing; given a good one, the checkout loads and pays", async () => {
    const p = await createPayment(h.api, {});
    const sent: string[] = [];
    const logged: string[] = [];
    const cp = await openCheckout(h, {
      clientSecret: "not-a-client-secret",
      beforeGoto: async (page) => {
        page.context().on("request", (r) => {
          if (new URL(r.url()).pathname.startsWith("/v1/")) sent.push(r.url());
        });
        page.on("console", (m) => logged.push(`${m.type()}: ${m.text()}`));
      },
    });
    const err = await cp.waitForEvent("softrack-error");
    expect(err.detail.error).toMatchObject({ type: "invalid_request_error", code: "invalid_client_secret" });
    await cp.page.locator("softrack-checkout [part='load-error']").waitFor();
    expect(await retryButton(cp.page).count()).toBe(0);
    expect(sent).toEqual([]);
    expect(logged.filter((l) => l.startsWith("error:") && l.includes("client-secret"))).toHaveLength(1);

    await cp.page.evaluate((s) => document.querySelector("softrack-checkout")?.setAttribute("client-secret", s), p.client_secret);
    expect((await cp.waitForEvent("softrack-ready")).detail.payment).toMatchObject({ id: p.id });
    expect(await cp.page.locator("softrack-checkout #alert").textContent()).toBe("");
    await typeCard(await cp.cardFrame(), "4242424242424242");
    await submitButton(cp.page).click();
    expect((await cp.waitForEvent("softrack-success")).detail.payment).toMatchObject({ id: p.id, status: "succeeded" });
    await cp.close();
  });

  it("an answer that cannot change on a retry (a 404 for an unknown payment) offers no Retry", async () => {
    const cp = await openCheckout(h, { clientSecret: "pay_nope_secret_zzz" });
    const err = await cp.waitForEvent("softrack-error");
    expect(err.detail.error).toMatchObject({ status: 404 });
    await cp.page.locator("softrack-checkout [part='load-error']").waitFor();
    expect(await retryButton(cp.page).count()).toBe(0);
    await cp.close();
  });
});
