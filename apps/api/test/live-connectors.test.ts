import { fileURLToPath } from "node:url";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadLiveConnectors } from "../src/connectors/live.js";
import type { TestApi } from "../src/testing.js";
import { calls, failing, slow } from "./fixtures/live-card-connector.js";
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
    expect(calls).toContainEqual({ step: "authorize", paymentId, amount: 7000, livemode: true });
    const balance = await live.get("/v1/balance");
    expect(balance.status).toBe(200);
  });

  it("the same Idempotency-Key while a confirm waits on its provider is 409 request_in_progress, and one charge", async () => {
    const { live, paymentId } = await liveTopUp(withProvider, 2500);
    let release = () => {};
    slow.gate = new Promise<void>((r) => {
      release = r;
    });
    const reached = new Promise<void>((r) => {
      slow.arrived = r;
    });
    try {
      const body = { payment_method_data: { type: "card", card: TEST_CARD } };
      const first = live.post(`/v1/payments/${paymentId}/confirm`, body, { "Idempotency-Key": `busy-${paymentId}` });
      await reached;
      // Answered at once, not after the first: a second that waits is told apart by the clock.
      const waiting = new Promise<{ status: string; body: { error?: unknown } }>((r) =>
        setTimeout(() => r({ status: "still waiting after 3 s", body: {} }), 3_000),
      );
      const second = await Promise.race([
        live.post(`/v1/payments/${paymentId}/confirm`, body, { "Idempotency-Key": `busy-${paymentId}` }),
        waiting,
      ]);
      release();
      expect(second.status).toBe(409);
      expect(second.body.error).toMatchObject({ type: "idempotency_error", code: "request_in_progress" });
      const done = await first;
      expect(done.status).toBe(200);
      expect(done.body.status).toBe("succeeded");
      const again = await live.post(`/v1/payments/${paymentId}/confirm`, body, { "Idempotency-Key": `busy-${paymentId}` });
      expect(again.headers.get("idempotent-replayed")).toBe("true");
      expect(calls.filter((c) => c.step === "authorize" && c.paymentId === paymentId)).toHaveLength(1);
    } finally {
      release();
      slow.gate = undefined;
      slow.arrived = undefined;
    }
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
    // Live QR has no provider-side completion: never available live (LIVE_CONNECTORS refuses qr=).
    const qr = await live.post(`/v1/payments/${paymentId}/confirm`, { payment_method_data: { type: "qr" } });
    expect(qr.status).toBe(400);
    expect(qr.body.error.code).toBe("method_unavailable");
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
    // Review H2: a provider that only authorises would leave captures, cancels and refunds in the ledger alone.
    expect(await refused(`card=${fixture("authorize-only-connector.ts")}`)).toMatch(
      /LIVE_CONNECTORS: .* must also implement capture, void, refund/,
    );
    // A live QR payment completes only on a provider callback the API does not take: never configured live.
    expect(await refused(`qr=${acquirer}`)).toMatch(/LIVE_CONNECTORS: 'qr' cannot be served live yet/);
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

/** A live secret key of a fresh, activated merchant (and its admin, for the ledger check). */
async function liveMerchant(api: TestApi): Promise<{ live: Http; admin: Http }> {
  const admin = http(api.url, api.adminKey);
  const m = await admin.post("/v1/merchants", { name: "Osh Bazaar", country: "KG", default_currency: "KGS" });
  return { admin, live: http(api.url, (await admin.post(`/v1/merchants/${m.body.id}/activate`)).body.keys.secret_key) };
}

/** A live card payment, confirmed through the fixture acquirer. */
async function liveCardPayment(live: Http, amount: number, capture_method: "automatic" | "manual") {
  const pay = await live.post("/v1/payments", { amount, currency: "KGS", capture_method });
  expect(pay.body.livemode).toBe(true);
  const paid = await live.post(`/v1/payments/${pay.body.id}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } });
  expect(paid.body.status).toBe(capture_method === "manual" ? "requires_capture" : "succeeded");
  return paid.body as { id: string };
}

/** What the acquirer was asked about one payment, in order. */
const askedAbout = (paymentId: string) => calls.filter((c) => c.paymentId === paymentId).map(({ livemode: _l, ...c }) => c);

describe("every movement of live card money reaches the provider (review H2)", () => {
  it("a manual capture, a refund and a cancel of a held payment each reach the acquirer with the right amount", async () => {
    const { live } = await liveMerchant(withProvider);
    const held = await liveCardPayment(live, 8_000, "manual");
    expect(askedAbout(held.id)).toEqual([{ step: "authorize", paymentId: held.id, amount: 8_000 }]);

    const captured = await live.post(`/v1/payments/${held.id}/capture`, { amount: 6_000 });
    expect(captured.body).toMatchObject({ status: "succeeded", amount_captured: 6_000 });
    const refund = await live.post("/v1/refunds", { payment: held.id, amount: 2_500 });
    expect(refund.status).toBe(200);
    expect(askedAbout(held.id)).toEqual([
      { step: "authorize", paymentId: held.id, amount: 8_000 },
      { step: "capture", paymentId: held.id, amount: 6_000 },
      { step: "refund", paymentId: held.id, amount: 2_500, refundId: refund.body.id },
    ]);

    const released = await liveCardPayment(live, 4_000, "manual");
    expect((await live.post(`/v1/payments/${released.id}/cancel`)).body.status).toBe("canceled");
    expect(askedAbout(released.id)).toEqual([
      { step: "authorize", paymentId: released.id, amount: 4_000 },
      { step: "void", paymentId: released.id },
    ]);

    // Automatic capture: the capture follows the authorisation in the same confirmation.
    const sale = await liveCardPayment(live, 1_500, "automatic");
    expect(askedAbout(sale.id)).toEqual([
      { step: "authorize", paymentId: sale.id, amount: 1_500 },
      { step: "capture", paymentId: sale.id, amount: 1_500 },
    ]);
  });

  it("an acquirer that fails a refund or a capture answers 502 and changes nothing: payment, refunds, balance, ledger", async () => {
    const { live, admin } = await liveMerchant(withProvider);
    const sale = await liveCardPayment(live, 9_000, "automatic");
    const held = await liveCardPayment(live, 3_000, "manual");
    const before = {
      sale: (await live.get(`/v1/payments/${sale.id}`)).body,
      held: (await live.get(`/v1/payments/${held.id}`)).body,
      balance: (await live.get("/v1/balance")).body,
    };
    try {
      failing.add("refund");
      const refund = await live.post("/v1/refunds", { payment: sale.id, amount: 4_000 });
      expect(refund.status).toBe(502);
      expect(refund.body.error).toMatchObject({ type: "api_error", code: "provider_error" });
      expect(JSON.stringify(refund.body)).not.toContain("timeout");
      failing.add("capture");
      const capture = await live.post(`/v1/payments/${held.id}/capture`);
      expect(capture.status).toBe(502);
      expect(capture.body.error.code).toBe("provider_error");
    } finally {
      failing.clear();
    }
    expect((await live.get(`/v1/payments/${sale.id}`)).body).toEqual(before.sale);
    expect((await live.get(`/v1/payments/${held.id}`)).body).toEqual(before.held);
    expect((await live.get(`/v1/refunds?payment=${sale.id}`)).body.data).toEqual([]);
    expect((await live.get("/v1/balance")).body).toEqual(before.balance);
    expect((await admin.get("/v1/admin/ledger/verify")).body).toMatchObject({ balanced: true, mismatches: [] });

    // Once the acquirer answers again, the same refund goes through.
    const retried = await live.post("/v1/refunds", { payment: sale.id, amount: 4_000 });
    expect(retried.status).toBe(200);
    expect((await live.get(`/v1/payments/${sale.id}`)).body.amount_refunded).toBe(4_000);
  });

  it("wallet payments and their refunds call no connector", async () => {
    const { live } = await liveMerchant(withProvider);
    const customer = (await live.post("/v1/customers", { name: "Aigerim" })).body;
    // The wallet is filled by card (that reaches the acquirer) ...
    const topUp = await live.post("/v1/payments", {
      amount: 5_000,
      currency: "KGS",
      purpose: { type: "wallet_topup", customer: customer.id },
    });
    expect(
      (await live.post(`/v1/payments/${topUp.body.id}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } })).body.status,
    ).toBe("succeeded");
    // ... then pays from the wallet, with a manual capture, a refund and a released hold: Softrack's own ledger only.
    const asked = calls.length;
    const pay = await live.post("/v1/payments", { amount: 2_000, currency: "KGS", customer: customer.id, capture_method: "manual" });
    expect((await live.post(`/v1/payments/${pay.body.id}/confirm`, { payment_method_data: { type: "wallet" } })).body.status).toBe(
      "requires_capture",
    );
    expect((await live.post(`/v1/payments/${pay.body.id}/capture`)).body.status).toBe("succeeded");
    expect((await live.post("/v1/refunds", { payment: pay.body.id, amount: 700 })).status).toBe(200);
    const other = await live.post("/v1/payments", { amount: 1_000, currency: "KGS", customer: customer.id, capture_method: "manual" });
    await live.post(`/v1/payments/${other.body.id}/confirm`, { payment_method_data: { type: "wallet" } });
    expect((await live.post(`/v1/payments/${other.body.id}/cancel`)).body.status).toBe("canceled");
    expect(calls.length).toBe(asked);
  });
});
