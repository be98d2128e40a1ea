import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACTIVATION_REPLAY_MS } from "../src/services/merchants.js";
import type { TestApi } from "../src/testing.js";
import { type Http, http, startTestApi, TEST_CARD } from "./support.js";

let api: TestApi;
let admin: Http;

beforeAll(async () => {
  api = await startTestApi();
  admin = http(api.url, api.adminKey);
});
afterAll(() => api.close());

async function newMerchant() {
  const r = await admin.post("/v1/merchants", { name: "Bishkek Bus Park", country: "KG", default_currency: "KGS" });
  return r.body as { id: string; keys: { secret_key: string; publishable_key: string } };
}

describe("live mode activation", () => {
  it("issues live keys once per merchant; a repeat answers the same keys and mints none", async () => {
    const m = await newMerchant();
    // It takes no parameters: one sent is refused, and nothing is issued.
    const unknown = await admin.post(`/v1/merchants/${m.id}/activate`, { livemode: true });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: "parameter_unknown", param: "livemode" });
    expect((await admin.get(`/v1/merchants/${m.id}`)).body.live_activated_at).toBeNull();
    const first = await admin.post(`/v1/merchants/${m.id}/activate`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: m.id, object: "merchant" });
    expect(first.body.live_activated_at).toEqual(expect.any(String));
    expect(first.body.keys.secret_key).toMatch(/^sk_live_[A-Za-z0-9_-]{43}$/);
    expect(first.body.keys.publishable_key).toMatch(/^pk_live_/);
    expect(first.headers.get("idempotent-replayed")).toBeNull();

    const again = await admin.post(`/v1/merchants/${m.id}/activate`);
    expect(again.status).toBe(200);
    expect(again.body.keys).toEqual(first.body.keys);
    expect(again.headers.get("idempotent-replayed")).toBe("true");

    const live = http(api.url, first.body.keys.secret_key);
    const balance = await live.get("/v1/balance");
    expect(balance.status).toBe(200);
    const keys = await live.get("/v1/api_keys");
    expect(keys.status).toBe(200);
    expect(keys.body.data.filter((k: { livemode: boolean }) => k.livemode)).toHaveLength(2);
    expect((await admin.get(`/v1/merchants/${m.id}`)).body.live_activated_at).toBe(first.body.live_activated_at);
  });

  it("shows the keys once: a repeat after 24 hours, or after a key was rolled, is refused and mints none", async () => {
    const liveKeys = async (id: string) =>
      (
        await api.runtime.deps.database.rows<{ n: number }>(
          sql`SELECT count(*)::int AS n FROM api_keys WHERE merchant_id = ${id} AND livemode AND revoked_at IS NULL`,
        )
      )[0]?.n;
    const late = await newMerchant();
    const first = await admin.post(`/v1/merchants/${late.id}/activate`);
    expect(first.status).toBe(200);
    const realNow = api.runtime.deps.now;
    api.runtime.deps.now = () => new Date(Date.now() + ACTIVATION_REPLAY_MS + 60_000);
    try {
      const again = await admin.post(`/v1/merchants/${late.id}/activate`);
      expect([again.status, again.body.error?.code]).toEqual([400, "merchant_already_activated"]);
      expect(JSON.stringify(again.body)).not.toContain(first.body.keys.secret_key);
    } finally {
      api.runtime.deps.now = realNow;
    }
    expect(await liveKeys(late.id)).toBe(2);

    const rolled = await newMerchant();
    const keys = (await admin.post(`/v1/merchants/${rolled.id}/activate`)).body.keys;
    const live = http(api.url, keys.secret_key);
    const secret = (await live.get("/v1/api_keys")).body.data.find(
      (k: { kind: string; livemode: boolean }) => k.kind === "secret" && k.livemode,
    );
    expect((await live.post(`/v1/api_keys/${secret.id}/roll`, { expires_in: 0 })).status).toBe(200);
    const afterRoll = await admin.post(`/v1/merchants/${rolled.id}/activate`);
    expect([afterRoll.status, afterRoll.body.error?.code]).toEqual([400, "merchant_already_activated"]);
    expect(JSON.stringify(afterRoll.body)).not.toContain(keys.secret_key);
  });

  it("is the platform admin's to call; an unknown merchant is 404", async () => {
    const m = await newMerchant();
    const byMerchant = await http(api.url, m.keys.secret_key).post(`/v1/merchants/${m.id}/activate`);
    expect(byMerchant.status).toBe(403);
    const unknown = await admin.post("/v1/merchants/mer_doesnotexist000000/activate");
    expect(unknown.status).toBe(404);
    expect((await admin.get(`/v1/merchants/${m.id}`)).body.live_activated_at).toBeNull();
  });

  it("live wallet payments need no provider; a live method without one answers 400 method_unavailable", async () => {
    const m = await newMerchant();
    const live = http(api.url, (await admin.post(`/v1/merchants/${m.id}/activate`)).body.keys.secret_key);
    const customer = await live.post("/v1/customers", { name: "Aisuluu" });
    expect(customer.body.livemode).toBe(true);
    const topup = await live.post("/v1/payments", {
      amount: 5000,
      currency: "KGS",
      purpose: { type: "wallet_topup", customer: customer.body.id },
    });
    expect(topup.body.livemode).toBe(true);
    const card = await live.post(`/v1/payments/${topup.body.id}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } });
    expect(card.status).toBe(400);
    expect(card.body.error).toMatchObject({ type: "invalid_request_error", code: "method_unavailable", param: "payment_method_data.type" });
    expect((await live.get(`/v1/payments/${topup.body.id}`)).body.status).toBe("requires_payment_method");
    // Named at creation, a method without a provider is refused then, and nothing is made.
    const before = (await live.get("/v1/payments?limit=100")).body.data.length;
    for (const method of ["card", "sms", "qr"]) {
      const named = await live.post("/v1/payments", { amount: 100, currency: "KGS", method });
      expect(named.status).toBe(400);
      expect(named.body.error).toMatchObject({ code: "method_unavailable", param: "method" });
    }
    expect((await live.get("/v1/payments?limit=100")).body.data.length).toBe(before);

    const pay = await live.post("/v1/payments", { amount: 100, currency: "KGS", customer: customer.body.id });
    const wallet = await live.post(`/v1/payments/${pay.body.id}/confirm`, {
      payment_method_data: { type: "wallet", customer: customer.body.id },
    });
    // An empty live wallet declines (402), which is a wallet decision, not a missing provider.
    expect(wallet.status).toBe(402);
    expect(wallet.body.error.code).toBe("insufficient_funds");
  });
});
