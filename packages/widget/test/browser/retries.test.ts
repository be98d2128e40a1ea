import { Softrack } from "@softrack/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiCall, createPayment, type Harness, openCheckout, startHarness } from "./harness.js";

/**
 * The widget resends by the SDK's retry policy (packages/sdk/src/core/retries.ts): what is worth
 * sending again and how long to wait, the API's Retry-After first. Here the real API limits the
 * publishable key to one request every two seconds, so a confirm (and a read) meets a real 429. The
 * key's bucket holds one request and refills in two seconds. A test empties it with a 200 just
 * before the call under test (a 429 would say only that it is empty, maybe a moment from refilled),
 * so that call meets a 429 whatever the machine's pace.
 */
let h: Harness;
beforeAll(async () => {
  // A bucket of one request per key, refilled at 0.5 a second; no per-address limit.
  h = await startHarness({ env: { RATE_LIMIT_PER_KEY: "0.5", RATE_LIMIT_BURST_SECONDS: "2", RATE_LIMIT_PER_IP: "0" } });
});
afterAll(async () => {
  await h?.close();
});

/**
 * Empties the publishable key's bucket from the page: reads `payment` until a read gets the one
 * token (a 200), so that the next call, sent at once, meets a 429 (see above).
 */
async function takeTheToken(cp: Awaited<ReturnType<typeof openCheckout>>, payment: { id: string; client_secret: string }) {
  await cp.page.evaluate(
    async ({ api, id, secret, key }) => {
      const read = () => fetch(`${api}/v1/payments/${id}?client_secret=${secret}`, { headers: { Authorization: `Bearer ${key}` } });
      for (let i = 0; i < 50 && (await read()).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
    },
    { api: h.api.url, id: payment.id, secret: payment.client_secret, key: h.api.merchant.publishableKey },
  );
}

describe("a rate-limited confirm", () => {
  it("is sent again with the same Idempotency-Key once the API's Retry-After has passed, and the payment goes on", async () => {
    const p = await createPayment(h.api, {});
    const cp = await openCheckout(h, { clientSecret: p.client_secret });
    await cp.waitForEvent("softrack-ready");
    const confirms: { at: number; key: string; status?: number; retryAfter?: string }[] = [];
    cp.context.on("request", (r) => {
      if (r.method() === "POST" && r.url().endsWith(`/v1/payments/${p.id}/confirm`))
        confirms.push({ at: Date.now(), key: r.headers()["idempotency-key"] ?? "" });
    });
    cp.context.on("response", async (r) => {
      const sent = confirms.find((c) => c.status === undefined);
      if (!sent || r.request().method() !== "POST" || !r.url().endsWith("/confirm")) return;
      sent.status = r.status();
      sent.retryAfter = (await r.allHeaders())["retry-after"];
    });
    await cp.page.locator("softrack-checkout [part='method']", { hasText: "SMS payment" }).click();
    await cp.page.locator("softrack-checkout #sms-phone").pressSequentially("700123456");
    // Empty the key's bucket, then press Pay at once: the confirm meets a 429.
    await takeTheToken(cp, p);
    await cp.page.evaluate(() => {
      void (document.querySelector("softrack-checkout") as unknown as { submit(): Promise<unknown> }).submit().catch(() => {});
    });
    const code = cp.page.locator("softrack-checkout #code");
    await code.waitFor({ timeout: 15_000 });
    expect(confirms.map((c) => c.status)).toEqual([429, 200]);
    expect(confirms[1]?.key).toBe(confirms[0]?.key);
    // Retry-After honoured (the widget's own back-off waited 0.5 s and ignored it).
    const waitedMs = (confirms[1]?.at ?? 0) - (confirms[0]?.at ?? 0);
    expect(Number(confirms[0]?.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(waitedMs).toBeGreaterThanOrEqual(Number(confirms[0]?.retryAfter) * 1000 - 100);

    await code.pressSequentially("000000");
    await code.press("Enter");
    expect((await cp.waitForEvent("softrack-success")).detail.payment).toMatchObject({ id: p.id, status: "succeeded" });
    const errors = (await cp.events()).filter((e) => e.type === "softrack-error");
    expect(errors).toEqual([]);
    expect((await apiCall(h.api, "GET", `/v1/payments/${p.id}`)).json.status).toBe("succeeded");
    await cp.close();
  });
});

describe("a rate-limited read", () => {
  it("is sent again once the API's Retry-After has passed: a new client-secret still loads its payment", async () => {
    // The merchant's server is limited too: the SDK waits out its 429s.
    const softrack = new Softrack({ apiKey: h.api.merchant.secretKey, baseUrl: h.api.url });
    const create = (amount: number) => softrack.payments.create({ amount, currency: "KGS", capture_method: "automatic" });
    const first = await create(15000);
    const cp = await openCheckout(h, { clientSecret: first.client_secret ?? "" });
    await cp.waitForEvent("softrack-ready");
    const second = await create(27500);
    const reads: number[] = [];
    cp.context.on("response", (r) => {
      if (r.request().method() === "GET" && new URL(r.url()).pathname === `/v1/payments/${second.id}`) reads.push(r.status());
    });
    // Empty the key's bucket, then give the checkout the second: its read meets a real 429.
    await takeTheToken(cp, { id: first.id, client_secret: first.client_secret ?? "" });
    await cp.page.evaluate(
      (next) => document.querySelector("softrack-checkout")?.setAttribute("client-secret", next),
      second.client_secret ?? "",
    );
    await cp.page.waitForFunction(
      (id) => {
        const el = document.querySelector("softrack-checkout") as unknown as { payment?: { id: string }; shadowRoot: ShadowRoot };
        return el.payment?.id === id || !!el.shadowRoot.querySelector("[part='load-error']");
      },
      second.id,
      { timeout: 20_000 },
    );
    const errors = (await cp.events()).filter((e) => e.type === "softrack-error");
    expect(errors.map((e) => (e.detail as { error: { code: string } }).error.code)).toEqual([]);
    expect(reads).toEqual([429, 200]);
    await expect.poll(() => cp.page.locator("softrack-checkout [part='amount']").textContent()).toContain("275.00");
    await cp.close();
  });
});
