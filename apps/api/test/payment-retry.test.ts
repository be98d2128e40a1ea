import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApi } from "../src/testing.js";
import { fundedCustomer, type Http, http, startTestApi, TEST_CARD } from "./support.js";

/**
 * POST /v1/payments/:id/retry: the checkout's "try another card" after a decline. The contract
 * ends a declined payment in `failed`; its next attempt is a new payment, linked by retry_of.
 */
let api: TestApi;
let sk: Http;
let pk: Http;

beforeAll(async () => {
  api = await startTestApi({ env: { WORKERS: "off" } });
  sk = http(api.url, api.merchant.secretKey);
  pk = http(api.url, api.merchant.publishableKey);
});
afterAll(() => api.close());

const card = (number: string) => ({ payment_method_data: { type: "card", card: { ...TEST_CARD, number } } });

async function declined(body: Record<string, unknown> = {}) {
  const p = (await sk.post("/v1/payments", { amount: 10_000, currency: "KGS", ...body })).body;
  const r = await pk.post(`/v1/payments/${p.id}/confirm`, { ...card("4000000000000002"), client_secret: p.client_secret });
  expect(r.status).toBe(402);
  return p as { id: string; client_secret: string };
}

async function paymentCount(): Promise<number> {
  const [row] = await api.runtime.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM payments`);
  return (row as { n: number }).n;
}

describe("retrying a failed payment", () => {
  it("a publishable key with the client_secret gets a new payment that copies the failed one, and pays it", async () => {
    const failed = await declined({ description: "Order 7", metadata: { order_ref: "A-7" }, capture_method: "manual" });
    const r = await pk.post(`/v1/payments/${failed.id}/retry`, { client_secret: failed.client_secret });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      object: "payment",
      status: "requires_payment_method",
      amount: 10_000,
      currency: "KGS",
      capture_method: "manual",
      description: "Order 7",
      method: null,
      retry_of: failed.id,
      last_payment_error: null,
      client_secret: expect.stringMatching(/^pay_.+_secret_/),
    });
    expect(r.body.id).not.toBe(failed.id);
    // The browser sees no metadata; the merchant's server finds its own on the new payment.
    expect(r.body.metadata).toBeUndefined();
    expect((await sk.get(`/v1/payments/${r.body.id}`)).body.metadata).toEqual({ order_ref: "A-7" });

    const paid = await pk.post(`/v1/payments/${r.body.id}/confirm`, { ...card("4242424242424242"), client_secret: r.body.client_secret });
    expect(paid.status).toBe(200);
    expect(paid.body.status).toBe("requires_capture");
    // The first attempt stays failed, as the contract says.
    expect((await sk.get(`/v1/payments/${failed.id}`)).body).toMatchObject({ status: "failed", retry_of: null });
  });

  it("one next attempt per failed payment: asking again answers the same one", async () => {
    const failed = await declined();
    const first = await pk.post(`/v1/payments/${failed.id}/retry`, { client_secret: failed.client_secret });
    const before = await paymentCount();
    const again = await sk.post(`/v1/payments/${failed.id}/retry`);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(await paymentCount()).toBe(before);
  });

  it("a wallet payment's next attempt keeps its customer", async () => {
    const customer = await fundedCustomer(sk, 5_000);
    const p = (await sk.post("/v1/payments", { amount: 9_000, currency: "KGS", customer })).body;
    const r = await pk.post(`/v1/payments/${p.id}/confirm`, {
      payment_method_data: { type: "wallet", customer },
      client_secret: p.client_secret,
    });
    expect(r.status).toBe(402);
    const next = await pk.post(`/v1/payments/${p.id}/retry`, { client_secret: p.client_secret });
    expect(next.body).toMatchObject({ customer, amount: 9_000, retry_of: p.id });
  });

  it("refuses what is not a failed payment, a wrong client_secret and an unknown id, changing nothing", async () => {
    const open = (await sk.post("/v1/payments", { amount: 10_000, currency: "KGS" })).body;
    const failed = await declined();
    const before = await paymentCount();
    const notFailed = await pk.post(`/v1/payments/${open.id}/retry`, { client_secret: open.client_secret });
    expect(notFailed.status).toBe(400);
    expect(notFailed.body.error).toMatchObject({ type: "invalid_request_error", code: "payment_unexpected_state" });
    const wrong = await pk.post(`/v1/payments/${failed.id}/retry`, { client_secret: open.client_secret });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe("client_secret_mismatch");
    const missing = await pk.post(`/v1/payments/${failed.id}/retry`, {});
    expect(missing.body.error).toMatchObject({ code: "parameter_missing", param: "client_secret" });
    const unknown = await sk.post("/v1/payments/pay_nope/retry");
    expect(unknown.status).toBe(404);
    const extra = await sk.post(`/v1/payments/${failed.id}/retry`, { amount: 1 });
    expect(extra.status).toBe(400);
    expect(await paymentCount()).toBe(before);
  });
});
