import { fileURLToPath } from "node:url";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadLiveConnectors } from "../src/connectors/live.js";
import type { TestApi } from "../src/testing.js";
import { calls } from "./fixtures/live-card-connector.js";
import { type Http, http, startTestApi, TEST_CARD } from "./support.js";

/**
 * Live methods are served only by the providers the operator configures in LIVE_CONNECTORS:
 * modules loaded at start that export a PaymentConnector. Without one a live method is
 * unavailable; a bad value stops the start with one clear message.
 */
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const acquirer = fixture("live-card-connector.ts");

let withProvider: TestApi;
let withoutProvider: TestApi;
beforeAll(async () => {
  [withProvider, withoutProvider] = await Promise.all([startTestApi({ env: { LIVE_CONNECTORS: `card=${acquirer}` } }), startTestApi()]);
});
afterAll(async () => {
  await Promise.all([withProvider?.close(), withoutProvider?.close()]);
});

/** A live secret key of a fresh, activated merchant, and a live top-up payment waiting for its method. */
async function liveTopUp(api: TestApi, amount: number): Promise<{ live: Http; paymentId: string }> {
  const admin = http(api.url, api.adminKey);
  const m = await admin.post("/v1/merchants", { name: "Naryn Taxi", country: "KG", default_currency: "KGS" });
  const live = http(api.url, (await admin.post(`/v1/merchants/${m.body.id}/activate`)).body.keys.secret_key);
  const customer = await live.post("/v1/customers", { name: "Nurlan" });
  const pay = await live.post("/v1/payments", { amount, currency: "KGS", purpose: { type: "wallet_topup", customer: customer.body.id } });
  expect(pay.body.livemode).toBe(true);
  return { live, paymentId: pay.body.id };
}

describe("live providers (LIVE_CONNECTORS)", () => {
  it("a configured card connector takes a live card payment", async () => {
    const { live, paymentId } = await liveTopUp(withProvider, 7000);
    const paid = await live.post(`/v1/payments/${paymentId}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ id: paymentId, livemode: true, status: "succeeded" });
    expect(paid.body.payment_method_details).toMatchObject({ type: "card", card: { last4: "4242" } });
    expect(calls).toContainEqual({ paymentId, amount: 7000, livemode: true });
    const balance = await live.get("/v1/balance");
    expect(balance.status).toBe(200);
  });

  it("a provider that fails answers 502 provider_error and leaves the payment as it was; bad data it reports is a 400", async () => {
    const { live, paymentId } = await liveTopUp(withProvider, 3000);
    const down = await live.post(`/v1/payments/${paymentId}/confirm`, {
      payment_method_data: { type: "card", card: { ...TEST_CARD, number: "4000000000000119" } },
    });
    expect(down.status).toBe(502);
    expect(down.body.error).toMatchObject({ type: "api_error", code: "provider_error" });
    expect(JSON.stringify(down.body)).not.toContain("acquirer timeout");
    const refused = await live.post(`/v1/payments/${paymentId}/confirm`, {
      payment_method_data: { type: "card", card: { ...TEST_CARD, number: "4000000000000127" } },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({
      type: "invalid_request_error",
      code: "card_not_supported",
      param: "payment_method_data.card.number",
    });
    expect((await live.get(`/v1/payments/${paymentId}`)).body.status).toBe("requires_payment_method");
  });

  it("only the configured methods are live: SMS stays unavailable, and test mode keeps the simulators", async () => {
    const { live, paymentId } = await liveTopUp(withProvider, 1000);
    const sms = await live.post(`/v1/payments/${paymentId}/confirm`, { payment_method_data: { type: "sms", phone: "+996555123456" } });
    expect(sms.status).toBe(400);
    expect(sms.body.error.code).toBe("method_unavailable");
    const before = calls.length;
    const test = http(withProvider.url, withProvider.merchant.secretKey);
    const pay = await test.post("/v1/payments", { amount: 500, currency: "KGS" });
    const paid = await test.post(`/v1/payments/${pay.body.id}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } });
    expect(paid.body).toMatchObject({ livemode: false, status: "succeeded" });
    expect(calls.length).toBe(before);
  });

  it("without LIVE_CONNECTORS a live card payment answers 400 method_unavailable", async () => {
    const { live, paymentId } = await liveTopUp(withoutProvider, 7000);
    const card = await live.post(`/v1/payments/${paymentId}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } });
    expect(card.status).toBe(400);
    expect(card.body.error).toMatchObject({ type: "invalid_request_error", code: "method_unavailable", param: "payment_method_data.type" });
  });

  it("a bad LIVE_CONNECTORS refuses to start, naming the problem", async () => {
    const refused = async (value: string) => {
      const err = await startTestApi({ env: { LIVE_CONNECTORS: value } }).then(
        async (api) => {
          await api.close();
          return new Error("started");
        },
        (e: Error) => e,
      );
      return err.message;
    };
    expect(await refused("card=/nonexistent/softrack/acquirer.js")).toMatch(
      /^LIVE_CONNECTORS: cannot load the card connector '\/nonexistent\/softrack\/acquirer\.js'/,
    );
    expect(await refused(`card=${fixture("not-a-connector.ts")}`)).toMatch(/LIVE_CONNECTORS: .* must export a PaymentConnector/);
    expect(await refused(`sms=${acquirer}`)).toMatch(/LIVE_CONNECTORS: .* serves method 'card', not sms/);
    expect(await refused("wallet=/opt/wallet.js")).toMatch(/LIVE_CONNECTORS: 'wallet' is not a method a connector serves/);
    expect(await refused("card=./acquirer.js")).toMatch(/LIVE_CONNECTORS: '\.\/acquirer\.js' must be an absolute path/);
    expect(await refused(`card=${acquirer},card=${acquirer}`)).toMatch(/card is configured twice/);
    expect(await refused("card")).toMatch(/'card' is not method=module/);
  });

  it("production refuses a test simulator as a live provider", async () => {
    const logger = pino({ level: "silent" });
    const simulator = `card=${fixture("simulator-as-live.ts")}`;
    await expect(loadLiveConnectors(simulator, "production", logger)).rejects.toThrow(
      /is a test simulator; production takes real providers only/,
    );
    await expect(loadLiveConnectors(`card=${acquirer}`, "production", logger)).resolves.toHaveProperty("card");
  });
});
