import { PassThrough } from "node:stream";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApi } from "../src/testing.js";
import { fundedCustomer, type Http, http, startTestApi, TEST_CARD } from "./support.js";

let api: TestApi;
let sk: Http;
let admin: Http;
const logs: string[] = [];

beforeAll(async () => {
  const stream = new PassThrough();
  stream.on("data", (chunk) => logs.push(chunk.toString()));
  api = await startTestApi({ env: { LOG_LEVEL: "debug", WORKERS: "off" }, logStream: stream });
  sk = http(api.url, api.merchant.secretKey);
  admin = http(api.url, api.adminKey);
});
afterAll(() => api.close());

const card = (number: string, extra: Record<string, unknown> = {}) => ({
  payment_method_data: { type: "card", card: { ...TEST_CARD, number, ...extra } },
});
const create = async (body: Record<string, unknown> = {}) =>
  (await sk.post("/v1/payments", { amount: 10_000, currency: "KGS", ...body })).body;
const balance = async (client: Http = sk) => (await client.get("/v1/balance")).body;
const amountIn = (list: { amount: number; currency: string }[], currency = "KGS") => list.find((b) => b.currency === currency)?.amount ?? 0;

/** Everything a forbidden request must leave untouched. */
async function snapshot(paymentId?: string) {
  const [counts] = await api.runtime.database.rows<{ txns: number; postings: number; payments: number; refunds: number; events: number }>(
    sql`SELECT (SELECT count(*) FROM ledger_transactions)::int AS txns, (SELECT count(*) FROM ledger_postings)::int AS postings,
               (SELECT count(*) FROM payments)::int AS payments, (SELECT count(*) FROM refunds)::int AS refunds, (SELECT count(*) FROM events)::int AS events`,
  );
  return {
    counts,
    payment: paymentId ? (await sk.get(`/v1/payments/${paymentId}`)).body : null,
    verify: (await admin.get("/v1/admin/ledger/verify")).body,
  };
}

describe("the contract's test-mode table", () => {
  it("4242424242424242 succeeds; the fee comes from the tariff and the merchant gets the rest", async () => {
    const before = amountIn((await balance()).available);
    const p = await create();
    expect(p).toMatchObject({
      status: "requires_payment_method",
      amount: 10_000,
      currency: "KGS",
      client_secret: expect.stringMatching(/^pay_.+_secret_/),
    });
    const r = await sk.post(`/v1/payments/${p.id}/confirm`, card("4242424242424242"));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      status: "succeeded",
      amount_captured: 10_000,
      method: "card",
      payment_method_details: { type: "card", card: { brand: "visa", last4: "4242", exp_month: 12, exp_year: 2030 } },
    });
    // Default plan: card 2.5 %, at least 5.00 KGS.
    expect(r.body.fee).toBe(500);
    expect(r.body.fee_tariff).toEqual({ code: "default", version: 1 });
    expect(amountIn((await balance()).available) - before).toBe(9_500);
    const txns = (await sk.get(`/v1/ledger/transactions?source=${p.id}`)).body.data;
    // Automatic capture nets the hold and its capture into one transfer.
    expect(txns.map((t: { type: string }) => t.type)).toEqual(["payment.capture"]);
    for (const t of txns) expect(t.postings.reduce((s: number, x: { amount: number }) => s + x.amount, 0)).toBe(0);
  });

  it.each([
    ["4000000000000002", "card_declined"],
    ["4000000000009995", "insufficient_funds"],
  ])("%s is declined with payment_error %s, and the payment is failed", async (number, code) => {
    const p = await create();
    const r = await sk.post(`/v1/payments/${p.id}/confirm`, card(number));
    expect(r.status).toBe(402);
    expect(r.body.error).toMatchObject({ type: "payment_error", code, request_id: expect.stringMatching(/^req_/) });
    expect(r.body.error.payment).toMatchObject({ id: p.id, status: "failed", last_payment_error: { code } });
    expect((await sk.get(`/v1/payments/${p.id}`)).body.status).toBe("failed");
    const events = (await sk.get("/v1/events?type=payment.failed")).body.data;
    expect(events.some((e: { data: { object: { id: string } } }) => e.data.object.id === p.id)).toBe(true);
  });

  it("4000000000003220 needs three_d_secure; 000000 passes", async () => {
    const p = await create();
    const r = await sk.post(`/v1/payments/${p.id}/confirm`, card("4000000000003220"));
    expect(r.body).toMatchObject({ status: "requires_action", next_action: { type: "three_d_secure" } });
    const v = await sk.post(`/v1/payments/${p.id}/verify`, { code: "000000" });
    expect(v.body).toMatchObject({ status: "succeeded", next_action: null });
  });

  it("a wrong 3-D Secure code fails the payment", async () => {
    const p = await create();
    await sk.post(`/v1/payments/${p.id}/confirm`, card("4000000000003220"));
    const v = await sk.post(`/v1/payments/${p.id}/verify`, { code: "123456" });
    expect(v.status).toBe(402);
    expect(v.body.error).toMatchObject({ type: "payment_error", code: "authentication_failed" });
    expect((await sk.get(`/v1/payments/${p.id}`)).body.status).toBe("failed");
  });

  it("SMS: sms_code challenge, 000000 passes, anything else fails", async () => {
    const ok = await create();
    const r = await sk.post(`/v1/payments/${ok.id}/confirm`, { payment_method_data: { type: "sms", phone: "+996555123456" } });
    expect(r.body).toMatchObject({
      status: "requires_action",
      next_action: { type: "sms_code" },
      payment_method_details: { type: "sms", sms: { phone_last4: "3456" } },
    });
    expect((await sk.post(`/v1/payments/${ok.id}/verify`, { code: "000000" })).body.status).toBe("succeeded");
    const bad = await create();
    await sk.post(`/v1/payments/${bad.id}/confirm`, { payment_method_data: { type: "sms", phone: "+77011234567" } });
    expect((await sk.post(`/v1/payments/${bad.id}/verify`, { code: "999999" })).status).toBe(402);
    const badPhone = await create();
    const bp = await sk.post(`/v1/payments/${badPhone.id}/confirm`, { payment_method_data: { type: "sms", phone: "555-12" } });
    expect(bp.status).toBe(400);
    expect(bp.body.error).toMatchObject({ code: "invalid_phone", param: "payment_method_data.phone" });
  });

  it("QR: next_action carries the payload; the test helper completes it", async () => {
    const p = await create();
    const r = await sk.post(`/v1/payments/${p.id}/confirm`, { payment_method_data: { type: "qr" } });
    expect(r.body).toMatchObject({ status: "requires_action", next_action: { type: "qr", payload: expect.stringContaining(p.id) } });
    expect((await sk.post(`/v1/payments/${p.id}/verify`, { code: "000000" })).status).toBe(400);
    const done = await sk.post(`/v1/test_helpers/payments/${p.id}/complete_qr`);
    expect(done.body).toMatchObject({ status: "succeeded", fee: 100 });
    expect((await sk.post(`/v1/test_helpers/payments/${p.id}/complete_qr`)).status).toBe(400);
  });

  it("rejects invalid cards before any provider sees them", async () => {
    const p = await create();
    for (const [patch, code] of [
      [{ number: "4242424242424241" }, "invalid_number"],
      [{ exp_month: 13 }, "invalid_expiry_month"],
      [{ exp_year: 2020 }, "expired_card"],
      [{ cvc: "12" }, "invalid_cvc"],
    ] as const) {
      const r = await sk.post(`/v1/payments/${p.id}/confirm`, card((patch as { number?: string }).number ?? TEST_CARD.number, patch));
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe(code);
    }
    expect((await sk.get(`/v1/payments/${p.id}`)).body.status).toBe("requires_payment_method");
  });
});

describe("manual capture, cancel and refunds", () => {
  it("authorisation holds the money; a partial capture releases the rest", async () => {
    const before = await balance();
    const p = await create({ capture_method: "manual", amount: 20_000 });
    const auth = await sk.post(`/v1/payments/${p.id}/confirm`, card("4242424242424242"));
    expect(auth.body).toMatchObject({ status: "requires_capture", amount_capturable: 20_000, fee: null });
    expect(amountIn((await balance()).held) - amountIn(before.held)).toBe(20_000);
    const cap = await sk.post(`/v1/payments/${p.id}/capture`, { amount: 15_000 });
    expect(cap.body).toMatchObject({ status: "succeeded", amount_captured: 15_000, amount_capturable: 0, fee: 500 });
    const after = await balance();
    expect(amountIn(after.held)).toBe(amountIn(before.held));
    expect(amountIn(after.available) - amountIn(before.available)).toBe(14_500);
  });

  it("refuses, before any hold or challenge, a payment the merchant's fee tariff could never price at capture", async () => {
    // A plan that prices KGS card payments only: USD, QR and wallet holds could never be captured.
    expect((await admin.put("/v1/tariffs/kgs-card-only", { kind: "fee", rules: { methods: { card: { percent_bps: 100 } } } })).status).toBe(
      200,
    );
    const m = await admin.post("/v1/merchants", { name: "Card only", country: "KG", default_currency: "KGS", fee_tariff: "kgs-card-only" });
    const theirs = http(api.url, m.body.keys.secret_key);
    const customer = await fundedCustomer(theirs, 10_000);
    const refused = [
      await theirs.post("/v1/payments", {
        amount: 1_000,
        currency: "USD",
        capture_method: "manual",
        confirm: true,
        ...card("4242424242424242"),
      }),
      await theirs.post("/v1/payments", { amount: 1_000, currency: "USD", confirm: true, ...card("4000000000003220") }),
      await theirs.post("/v1/payments", { amount: 1_000, currency: "KGS", confirm: true, payment_method_data: { type: "qr" } }),
      await theirs.post("/v1/payments", {
        amount: 1_000,
        currency: "KGS",
        capture_method: "manual",
        customer,
        confirm: true,
        payment_method_data: { type: "wallet" },
      }),
    ];
    for (const r of refused) {
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ type: "invalid_request_error", code: "fee_unpriceable" });
    }
    // Nothing was made, held or taken from the wallet.
    expect((await theirs.get("/v1/payments?limit=100")).body.data.filter((p: { purpose: unknown }) => !p.purpose)).toEqual([]);
    expect((await theirs.get("/v1/balance")).body.held).toEqual([]);
    expect((await theirs.get(`/v1/customers/${customer}`)).body.wallet.balance).toBe(10_000);
    // Confirmed without confirm: true, the created payment stays unconfirmed.
    const p = await theirs.post("/v1/payments", { amount: 1_000, currency: "USD", capture_method: "manual" });
    expect((await theirs.post(`/v1/payments/${p.body.id}/confirm`, card("4242424242424242"))).body.error.code).toBe("fee_unpriceable");
    expect((await theirs.get(`/v1/payments/${p.body.id}`)).body.status).toBe("requires_payment_method");
    // What the plan prices holds and captures as before.
    const held = await theirs.post("/v1/payments", {
      amount: 1_000,
      currency: "KGS",
      capture_method: "manual",
      confirm: true,
      ...card("4242424242424242"),
    });
    expect(held.body.status).toBe("requires_capture");
    expect((await theirs.post(`/v1/payments/${held.body.id}/capture`, {})).body).toMatchObject({ status: "succeeded", fee: 10 });
  });

  it("releases an authorisation not captured within 7 days, card and wallet alike, and only then", async () => {
    const runJobs = (days: number) => sk.post("/v1/test_helpers/run_jobs", { now: new Date(Date.now() + days * 86_400_000).toISOString() });
    const before = await balance();
    const customer = await fundedCustomer(sk, 5_000);
    const onCard = await sk.post("/v1/payments", {
      amount: 3_000,
      currency: "KGS",
      capture_method: "manual",
      confirm: true,
      ...card("4242424242424242"),
    });
    const fromWallet = await sk.post("/v1/payments", {
      amount: 2_000,
      currency: "KGS",
      capture_method: "manual",
      customer,
      confirm: true,
      payment_method_data: { type: "wallet" },
    });
    const captured = await sk.post("/v1/payments", {
      amount: 1_000,
      currency: "KGS",
      capture_method: "manual",
      confirm: true,
      ...card("4242424242424242"),
    });
    for (const p of [onCard, fromWallet, captured]) expect(p.body.status).toBe("requires_capture");
    expect((await sk.post(`/v1/payments/${captured.body.id}/capture`, {})).body.status).toBe("succeeded");
    expect((await sk.get(`/v1/customers/${customer}`)).body.wallet.balance).toBe(3_000);

    // Six days on, the holds stand and can still be captured.
    await runJobs(6);
    for (const p of [onCard, fromWallet]) expect((await sk.get(`/v1/payments/${p.body.id}`)).body.status).toBe("requires_capture");
    // Past seven days they are released: the card hold is gone, the wallet has its money back.
    await runJobs(8);
    for (const p of [onCard, fromWallet]) {
      const now = (await sk.get(`/v1/payments/${p.body.id}`)).body;
      expect(now).toMatchObject({ status: "canceled", amount_capturable: 0 });
      expect((await sk.post(`/v1/payments/${p.body.id}/capture`, {})).status).toBe(400);
    }
    expect((await sk.get(`/v1/payments/${captured.body.id}`)).body.status).toBe("succeeded");
    expect((await sk.get(`/v1/customers/${customer}`)).body.wallet.balance).toBe(5_000);
    expect(amountIn((await balance()).held)).toBe(amountIn(before.held));
    const events = (await sk.get("/v1/events?limit=100")).body.data as { type: string; data: { object: { id: string } } }[];
    const canceled = events.filter((e) => e.type === "payment.canceled").map((e) => e.data.object.id);
    expect(canceled).toEqual(expect.arrayContaining([onCard.body.id, fromWallet.body.id]));
  });

  it("cancel releases an authorisation", async () => {
    const p = await create({ capture_method: "manual" });
    await sk.post(`/v1/payments/${p.id}/confirm`, card("4242424242424242"));
    const heldBefore = amountIn((await balance()).held);
    const r = await sk.post(`/v1/payments/${p.id}/cancel`);
    expect(r.body).toMatchObject({ status: "canceled", canceled_at: expect.any(String) });
    expect(amountIn((await balance()).held)).toBe(heldBefore - 10_000);
  });

  it("refunds: partial then the rest; the fee is not returned; never more than captured", async () => {
    const p = await create({ amount: 30_000 });
    await sk.post(`/v1/payments/${p.id}/confirm`, card("4242424242424242"));
    const avail = amountIn((await balance()).available);
    const r1 = await sk.post("/v1/refunds", { payment: p.id, amount: 10_000, reason: "requested_by_customer" });
    expect(r1.body).toMatchObject({ object: "refund", amount: 10_000, status: "succeeded", payment: p.id });
    const r2 = await sk.post("/v1/refunds", { payment: p.id });
    expect(r2.body.amount).toBe(20_000);
    expect((await sk.get(`/v1/payments/${p.id}`)).body).toMatchObject({ amount_refunded: 30_000, fee: 750 });
    expect(amountIn((await balance()).available)).toBe(avail - 30_000);
    const over = await sk.post("/v1/refunds", { payment: p.id, amount: 1 });
    expect(over.status).toBe(400);
    expect(over.body.error.code).toBe("amount_too_large");
    expect((await sk.get(`/v1/refunds?payment=${p.id}`)).body.data).toHaveLength(2);
  });

  it.each<[string, (id: string) => Promise<unknown>, (id: string) => Promise<{ status: number; body: any }>]>([
    [
      "capture twice",
      async (id) => {
        await sk.post(`/v1/payments/${id}/confirm`, card("4242424242424242"));
        await sk.post(`/v1/payments/${id}/capture`);
      },
      (id) => sk.post(`/v1/payments/${id}/capture`),
    ],
    [
      "capture more than capturable",
      (id) => sk.post(`/v1/payments/${id}/confirm`, card("4242424242424242")),
      (id) => sk.post(`/v1/payments/${id}/capture`, { amount: 10_001 }),
    ],
    [
      "refund more than captured",
      async (id) => {
        await sk.post(`/v1/payments/${id}/confirm`, card("4242424242424242"));
        await sk.post(`/v1/payments/${id}/capture`, { amount: 4_000 });
      },
      (id) => sk.post("/v1/refunds", { payment: id, amount: 4_001 }),
    ],
    [
      "refund an uncaptured payment",
      (id) => sk.post(`/v1/payments/${id}/confirm`, card("4242424242424242")),
      (id) => sk.post("/v1/refunds", { payment: id }),
    ],
    [
      "confirm a canceled payment",
      (id) => sk.post(`/v1/payments/${id}/cancel`),
      (id) => sk.post(`/v1/payments/${id}/confirm`, card("4242424242424242")),
    ],
    [
      "cancel a succeeded payment",
      async (id) => {
        await sk.post(`/v1/payments/${id}/confirm`, card("4242424242424242"));
        await sk.post(`/v1/payments/${id}/capture`);
      },
      (id) => sk.post(`/v1/payments/${id}/cancel`),
    ],
    [
      "confirm a failed payment",
      (id) => sk.post(`/v1/payments/${id}/confirm`, card("4000000000000002")),
      (id) => sk.post(`/v1/payments/${id}/confirm`, card("4242424242424242")),
    ],
    ["verify without a challenge", async () => {}, (id) => sk.post(`/v1/payments/${id}/verify`, { code: "000000" })],
  ])("forbids: %s → 4xx, nothing changes", async (_name, setup, act) => {
    const p = await create({ capture_method: "manual" });
    await setup(p.id);
    const before = await snapshot(p.id);
    const r = await act(p.id);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.body.error).toMatchObject({ type: "invalid_request_error", request_id: expect.any(String) });
    expect(await snapshot(p.id)).toEqual(before);
  });
});

describe("wallets", () => {
  it("50 concurrent wallet payments of 1/10 of the balance: exactly 10 succeed", async () => {
    const customer = await fundedCustomer(sk, 100_000);
    const payments = await Promise.all(Array.from({ length: 50 }, () => create({ amount: 10_000, customer })));
    const results = await Promise.all(
      payments.map((p) => sk.post(`/v1/payments/${p.id}/confirm`, { payment_method_data: { type: "wallet", customer } })),
    );
    expect(results.filter((r) => r.status === 200 && r.body.status === "succeeded")).toHaveLength(10);
    const declined = results.filter((r) => r.status === 402);
    expect(declined).toHaveLength(40);
    for (const d of declined) expect(d.body.error.code).toBe("insufficient_funds");
    expect((await sk.get(`/v1/customers/${customer}`)).body.wallet).toEqual({ balance: 0, currency: "KGS" });
    expect((await admin.get("/v1/admin/ledger/verify")).body).toMatchObject({ balanced: true, mismatches: [] });
  });

  it("a refund of a wallet payment goes back to the wallet", async () => {
    const customer = await fundedCustomer(sk, 5_000);
    const p = await create({ amount: 3_000, customer });
    await sk.post(`/v1/payments/${p.id}/confirm`, { payment_method_data: { type: "wallet", customer } });
    expect((await sk.get(`/v1/customers/${customer}`)).body.wallet.balance).toBe(2_000);
    await sk.post("/v1/refunds", { payment: p.id, amount: 1_000 });
    expect((await sk.get(`/v1/customers/${customer}`)).body.wallet.balance).toBe(3_000);
  });

  it("a top-up cannot be paid from a wallet, and a foreign customer is unknown", async () => {
    const customer = await fundedCustomer(sk, 1_000);
    const bad = await sk.post("/v1/payments", {
      amount: 100,
      currency: "KGS",
      method: "wallet",
      purpose: { type: "wallet_topup", customer },
    });
    expect(bad.status).toBe(400);
    const other = await admin.post("/v1/merchants", { name: "Other", country: "KG", default_currency: "KGS" });
    const them = http(api.url, other.body.keys.secret_key);
    expect((await them.post("/v1/payments", { amount: 100, currency: "KGS", purpose: { type: "wallet_topup", customer } })).status).toBe(
      404,
    );
  });
});

describe("the browser's publishable key", () => {
  it("confirms and reads a payment only with its client_secret", async () => {
    const pk = http(api.url, api.merchant.publishableKey);
    const p = await create();
    expect((await pk.post("/v1/payments", { amount: 100, currency: "KGS" })).status).toBe(403);
    expect((await pk.get(`/v1/payments/${p.id}`)).status).toBe(400);
    expect((await pk.get(`/v1/payments/${p.id}?client_secret=${p.id}_secret_wrong`)).body.error.code).toBe("client_secret_mismatch");
    expect((await pk.post(`/v1/payments/${p.id}/confirm`, card("4242424242424242"))).status).toBe(400);
    const r = await pk.post(`/v1/payments/${p.id}/confirm`, { ...card("4242424242424242"), client_secret: p.client_secret });
    expect(r.body.status).toBe("succeeded");
    expect((await pk.get(`/v1/payments/${p.id}?client_secret=${encodeURIComponent(p.client_secret)}`)).body.status).toBe("succeeded");
    expect((await pk.post("/v1/refunds", { payment: p.id })).status).toBe(403);
  });
});

describe("tax payments", () => {
  it("validates the payer's TIN and the service code, and prints a receipt", async () => {
    expect(
      (
        await sk.post("/v1/payments", {
          amount: 50_000,
          currency: "KGS",
          purpose: { type: "tax", payer_tin: "12", service_code: "PROPERTY_TAX" },
        })
      ).body.error.param,
    ).toBe("purpose.payer_tin");
    expect(
      (
        await sk.post("/v1/payments", {
          amount: 50_000,
          currency: "KGS",
          purpose: { type: "tax", payer_tin: "21204199100123", service_code: "NOPE" },
        })
      ).body.error.code,
    ).toBe("unknown_service_code");
    const p = await create({ amount: 50_000, purpose: { type: "tax", payer_tin: "21204199100123", service_code: "PROPERTY_TAX" } });
    expect((await sk.get(`/v1/payments/${p.id}/receipt`)).status).toBe(400);
    await sk.post(`/v1/payments/${p.id}/confirm`, card("4242424242424242"));
    const receipt = await sk.get(`/v1/payments/${p.id}/receipt`);
    expect(receipt.body).toMatchObject({
      id: `rcpt_${p.id.slice(4)}`,
      object: "receipt",
      created: receipt.body.paid_at,
      livemode: false,
      payment: p.id,
      amount: 50_000,
      tax: { payer_tin: "21204199100123", service_code: "PROPERTY_TAX", service_name: "Property tax" },
    });
    // A receipt never moves: a refund later changes the payment, not when it was paid.
    await new Promise((done) => setTimeout(done, 20));
    expect((await sk.post("/v1/refunds", { payment: p.id, amount: 100 })).status).toBe(200);
    const after = await sk.get(`/v1/payments/${p.id}/receipt`);
    expect(after.body).toMatchObject({ paid_at: receipt.body.paid_at, amount_refunded: 100 });
    const pdf = await fetch(`${api.url}/v1/payments/${p.id}/receipt?format=pdf`, {
      headers: { Authorization: `Bearer ${api.merchant.secretKey}` },
    });
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).toBe("%PDF-");
    expect(bytes.length).toBeGreaterThan(800);
  });
});

describe("lists", () => {
  it("filters payments by status, customer and created range", async () => {
    const customer = await fundedCustomer(sk, 2_000);
    const p = await create({ amount: 1_000, customer });
    await sk.post(`/v1/payments/${p.id}/confirm`, { payment_method_data: { type: "wallet" } });
    const mine = (await sk.get(`/v1/payments?customer=${customer}`)).body.data;
    expect(mine.map((x: { id: string }) => x.id)).toEqual([p.id]);
    const failed = (await sk.get("/v1/payments?status=failed&limit=100")).body.data;
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((x: { status: string }) => x.status === "failed")).toBe(true);
    const future = (await sk.get(`/v1/payments?created[gte]=${encodeURIComponent("2099-01-01T00:00:00Z")}`)).body.data;
    expect(future).toEqual([]);
    expect((await sk.get("/v1/payments?status=bogus")).status).toBe(400);
  });
});

describe("secrets stay secret", () => {
  it("no card number or CVC in any table, event payload or log line", async () => {
    const p = await create();
    await sk.post(`/v1/payments/${p.id}/confirm`, {
      payment_method_data: { type: "card", card: { number: "4242 4242 4242 4242", exp_month: 11, exp_year: 2031, cvc: "9173" } },
    });
    const declined = await create();
    await sk.post(`/v1/payments/${declined.id}/confirm`, {
      payment_method_data: { type: "card", card: { number: "4000000000000002", exp_month: 11, exp_year: 2031, cvc: "9173" } },
    });
    const tables = await api.runtime.database.rows<{ table_name: string }>(
      sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    let dump = "";
    for (const { table_name } of tables) {
      const rows = await api.runtime.database.rows<{ j: string }>(sql.raw(`SELECT row_to_json(t)::text AS j FROM "${table_name}" t`));
      dump += rows.map((r) => r.j).join("\n");
    }
    expect(dump.length).toBeGreaterThan(1000);
    for (const secret of ["4242424242424242", "4242 4242 4242 4242", "4000000000000002", api.merchant.secretKey, p.client_secret]) {
      expect(dump).not.toContain(secret);
    }
    // A CVC is four digits that may occur inside random ids by chance: look for it as a value.
    expect(dump).not.toMatch(/"9173"|:9173[,}]/);
    expect(dump).not.toMatch(/"cvc"/);
    const log = logs.join("");
    expect(log).toContain('"req_id"');
    for (const secret of ["4242424242424242", "4000000000000002", api.merchant.secretKey, p.client_secret])
      expect(log).not.toContain(secret);
    expect(log).not.toMatch(/"9173"|"cvc"/);
  });
});

describe("one request per payment (confirm: true)", () => {
  it("creates and confirms a card payment in one request; a decline is 402 with the failed payment, kept", async () => {
    const paid = await sk.post("/v1/payments", { amount: 2_500, currency: "KGS", confirm: true, ...card("4242424242424242") });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ object: "payment", status: "succeeded", amount_captured: 2_500, method: "card" });
    expect((await sk.get(`/v1/payments/${paid.body.id}`)).body.status).toBe("succeeded");

    const declined = await sk.post("/v1/payments", { amount: 2_500, currency: "KGS", confirm: true, ...card("4000000000000002") });
    expect(declined.status).toBe(402);
    expect(declined.body.error).toMatchObject({ type: "payment_error", code: "card_declined" });
    expect(declined.body.error.payment.status).toBe("failed");
    expect((await sk.get(`/v1/payments/${declined.body.error.payment.id}`)).body.status).toBe("failed");
  });

  it("pays from a wallet, manual capture holds, and a challenge waits for verify", async () => {
    const customer = await fundedCustomer(sk, 5_000);
    const wallet = await sk.post("/v1/payments", {
      amount: 1_200,
      currency: "KGS",
      customer,
      confirm: true,
      payment_method_data: { type: "wallet" },
    });
    expect(wallet.status).toBe(200);
    expect(wallet.body).toMatchObject({ status: "succeeded", method: "wallet" });
    expect((await sk.get(`/v1/customers/${customer}`)).body.wallet.balance).toBe(3_800);

    const held = await sk.post("/v1/payments", {
      amount: 900,
      currency: "KGS",
      capture_method: "manual",
      confirm: true,
      ...card("4242424242424242"),
    });
    expect(held.body).toMatchObject({ status: "requires_capture", amount_capturable: 900 });

    const challenged = await sk.post("/v1/payments", { amount: 900, currency: "KGS", confirm: true, ...card("4000000000003220") });
    expect(challenged.body).toMatchObject({ status: "requires_action", next_action: { type: "three_d_secure" } });
    const verified = await sk.post(`/v1/payments/${challenged.body.id}/verify`, { code: "000000" });
    expect(verified.body.status).toBe("succeeded");
  });

  it("with an Idempotency-Key: one payment and one charge, the same answer replayed", async () => {
    const key = `one-request-${Date.now()}`;
    const body = { amount: 777, currency: "KGS", confirm: true, ...card("4242424242424242") };
    const before = (await snapshot()).counts;
    const first = await sk.post("/v1/payments", body, { "Idempotency-Key": key });
    const again = await sk.post("/v1/payments", body, { "Idempotency-Key": key });
    expect(first.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    expect((await snapshot()).counts?.payments).toBe((before?.payments ?? 0) + 1);
  });

  it("refuses confirm without payment method data, data without confirm, and a publishable key; nothing is created", async () => {
    const before = await snapshot();
    const missing = await sk.post("/v1/payments", { amount: 100, currency: "KGS", confirm: true });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ type: "invalid_request_error", param: "payment_method_data" });
    const loose = await sk.post("/v1/payments", { amount: 100, currency: "KGS", ...card("4242424242424242") });
    expect(loose.status).toBe(400);
    expect(loose.body.error.param).toBe("confirm");
    const pk = http(api.url, api.merchant.publishableKey);
    const browser = await pk.post("/v1/payments", { amount: 100, currency: "KGS", confirm: true, ...card("4242424242424242") });
    expect(browser.status).toBe(403);
    expect((await snapshot()).counts).toEqual(before.counts);
  });
});
