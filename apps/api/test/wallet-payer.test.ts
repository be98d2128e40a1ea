import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApi } from "../src/testing.js";
import { fundedCustomer, type Http, http, startTestApi } from "./support.js";

/**
 * Issue 19, finding 5: a wallet payment is paid only from the payment's own customer. Each
 * refusal is tried with an Idempotency-Key (the request's unit of work) and without one (on a
 * real PostgreSQL server: the grouped confirmations of services/payment-writes.ts).
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

const wallet = async (customer: string) => (await sk.get(`/v1/customers/${customer}`)).body.wallet.balance as number;
const withKey = (n: string) => ({ "Idempotency-Key": `${n}-${Math.random().toString(36).slice(2)}` });
const PATHS = [
  ["with an Idempotency-Key", withKey],
  ["without an Idempotency-Key", () => ({})],
] as const;

describe("whose wallet pays", () => {
  it.each(PATHS)("a publishable key cannot pay from another customer's wallet (%s)", async (_, headers) => {
    const owner = await fundedCustomer(sk, 5_000);
    const victim = await fundedCustomer(sk, 5_000);
    const p = (await sk.post("/v1/payments", { amount: 3_000, currency: "KGS", customer: owner })).body;
    const r = await pk.post(
      `/v1/payments/${p.id}/confirm`,
      { client_secret: p.client_secret, payment_method_data: { type: "wallet", customer: victim } },
      headers("pk"),
    );
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ type: "invalid_request_error", code: "customer_mismatch", param: "payment_method_data.customer" });
    expect(await wallet(victim)).toBe(5_000);
    expect(await wallet(owner)).toBe(5_000);
    expect((await sk.get(`/v1/payments/${p.id}`)).body).toMatchObject({ status: "requires_payment_method", method: null, customer: owner });
    // Its own customer (named, or left out as the widget may) still pays.
    const ok = await pk.post(
      `/v1/payments/${p.id}/confirm`,
      { client_secret: p.client_secret, payment_method_data: { type: "wallet", customer: owner } },
      headers("pk-own"),
    );
    expect(ok.body.status).toBe("succeeded");
    expect(await wallet(owner)).toBe(2_000);
    expect(await wallet(victim)).toBe(5_000);
  });

  it.each(PATHS)("a secret key naming another customer than the payment's gets 400 (%s)", async (_, headers) => {
    const owner = await fundedCustomer(sk, 5_000);
    const other = await fundedCustomer(sk, 5_000);
    const p = (await sk.post("/v1/payments", { amount: 3_000, currency: "KGS", customer: owner })).body;
    const r = await sk.post(`/v1/payments/${p.id}/confirm`, { payment_method_data: { type: "wallet", customer: other } }, headers("sk"));
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: "customer_mismatch", param: "payment_method_data.customer" });
    expect(await wallet(other)).toBe(5_000);
    expect((await sk.get(`/v1/payments/${p.id}`)).body.status).toBe("requires_payment_method");
  });

  it.each(PATHS)("a payment made without a customer takes one at confirmation only from a secret key (%s)", async (_, headers) => {
    const customer = await fundedCustomer(sk, 5_000);
    const p = (await sk.post("/v1/payments", { amount: 1_000, currency: "KGS" })).body;
    const viaBrowser = await pk.post(
      `/v1/payments/${p.id}/confirm`,
      { client_secret: p.client_secret, payment_method_data: { type: "wallet", customer } },
      headers("pk"),
    );
    expect(viaBrowser.status).toBe(400);
    expect(viaBrowser.body.error).toMatchObject({ code: "customer_mismatch", param: "payment_method_data.customer" });
    expect(await wallet(customer)).toBe(5_000);
    expect((await sk.get(`/v1/payments/${p.id}`)).body).toMatchObject({ status: "requires_payment_method", customer: null });

    const viaServer = await sk.post(`/v1/payments/${p.id}/confirm`, { payment_method_data: { type: "wallet", customer } }, headers("sk"));
    expect(viaServer.body).toMatchObject({ status: "succeeded", customer });
    expect(await wallet(customer)).toBe(4_000);
  });
});
