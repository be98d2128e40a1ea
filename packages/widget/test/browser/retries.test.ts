import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiCall, createPayment, type Harness, openCheckout, startHarness } from "./harness.js";

/**
 * The widget resends by the SDK's retry policy (packages/sdk/src/core/retries.ts): what is worth
 * sending again and how long to wait, the API's Retry-After first. Here the real API limits the
 * publishable key to one request every two seconds, so a confirm meets a real 429.
 */
let h: Harness;
beforeAll(async () => {
  // A bucket of one request per key, refilled at 0.5 a second; no per-address limit.
  h = await startHarness({ env: { RATE_LIMIT_PER_KEY: "0.5", RATE_LIMIT_BURST_SECONDS: "2", RATE_LIMIT_PER_IP: "0" } });
});
afterAll(async () => {
  await h?.close();
});

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
    // Empty the key's bucket with reads of the payment, then press Pay at once: the confirm meets a 429.
    await cp.page.evaluate(
      async ({ api, id, secret, key }) => {
        const read = () => fetch(`${api}/v1/payments/${id}?client_secret=${secret}`, { headers: { Authorization: `Bearer ${key}` } });
        for (let i = 0; i < 10 && (await read()).status !== 429; i++);
        void (document.querySelector("softrack-checkout") as unknown as { submit(): Promise<unknown> }).submit().catch(() => {});
      },
      { api: h.api.url, id: p.id, secret: p.client_secret, key: h.api.merchant.publishableKey },
    );
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
