import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApi } from "../src/testing.js";
import { type Http, http, startTestApi, TEST_CARD } from "./support.js";

let api: TestApi;
let sk: Http;
let paymentId: string;

beforeAll(async () => {
  api = await startTestApi({ env: { WORKERS: "off" } });
  sk = http(api.url, api.merchant.secretKey);
  paymentId = (await sk.post("/v1/payments", { amount: 1_000, currency: "KGS", capture_method: "manual" })).body.id;
});
afterAll(() => api.close());

async function state() {
  const tables = [
    "payments",
    "customers",
    "refunds",
    "ledger_transactions",
    "ledger_postings",
    "ledger_accounts",
    "events",
    "merchants",
    "idempotency_keys",
    "idempotency_responses",
  ];
  const out: Record<string, unknown> = {};
  for (const t of tables)
    out[t] = (
      await api.runtime.database.rows(
        sql.raw(`SELECT md5(coalesce(string_agg(row_to_json(x)::text, '|' ORDER BY row_to_json(x)::text), '')) AS h FROM ${t} x`),
      )
    )[0];
  return out;
}

const cases: [string, string, string, unknown, number, string?][] = [
  ["float amount", "POST", "/v1/payments", { amount: 10.5, currency: "KGS" }, 400, "amount"],
  ["amount as a string", "POST", "/v1/payments", { amount: "1000", currency: "KGS" }, 400, "amount"],
  ["negative amount", "POST", "/v1/payments", { amount: -5, currency: "KGS" }, 400, "amount"],
  ["zero amount", "POST", "/v1/payments", { amount: 0, currency: "KGS" }, 400, "amount"],
  ["huge amount", "POST", "/v1/payments", { amount: 1e18, currency: "KGS" }, 400, "amount"],
  // biome-ignore lint/correctness/noPrecisionLoss: past 2^53 on purpose; it reaches the API as 2^53
  ["unsafe integer", "POST", "/v1/payments", { amount: 9007199254740993, currency: "KGS" }, 400, "amount"],
  ["unknown currency", "POST", "/v1/payments", { amount: 100, currency: "XYZ" }, 400, "currency"],
  ["lower-case currency", "POST", "/v1/payments", { amount: 100, currency: "kgs" }, 400, "currency"],
  ["missing amount", "POST", "/v1/payments", { currency: "KGS" }, 400, "amount"],
  ["unknown parameter", "POST", "/v1/payments", { amount: 100, currency: "KGS", amount_usd: 1 }, 400, "amount_usd"],
  ["bad capture_method", "POST", "/v1/payments", { amount: 100, currency: "KGS", capture_method: "later" }, 400, "capture_method"],
  [
    "too much metadata",
    "POST",
    "/v1/payments",
    { amount: 100, currency: "KGS", metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"])) },
    400,
    "metadata",
  ],
  ["metadata with a number", "POST", "/v1/payments", { amount: 100, currency: "KGS", metadata: { a: 1 } }, 400],
  ["malformed JSON", "POST", "/v1/payments", '{"amount": 100,', 400],
  ["JSON array body", "POST", "/v1/payments", "[1,2]", 400],
  ["empty body where parameters are required", "POST", "/v1/payments", "", 400, "amount"],
  ["unknown customer", "POST", "/v1/payments", { amount: 100, currency: "KGS", customer: "cus_nope" }, 404, "customer"],
  // An empty id named no customer, passed a truthiness check, and the payment's insert then found no row (a 500).
  ["empty customer", "POST", "/v1/payments", { amount: 100, currency: "KGS", customer: "" }, 400, "customer"],
  [
    "empty customer, confirmed in the same request",
    "POST",
    "/v1/payments",
    { amount: 100, currency: "KGS", customer: "", confirm: true, payment_method_data: { type: "qr" } },
    400,
    "customer",
  ],
  [
    "empty customer for a wallet top-up",
    "POST",
    "/v1/payments",
    { amount: 100, currency: "KGS", purpose: { type: "wallet_topup", customer: "" } },
    400,
    "purpose.customer",
  ],
  ["empty paying customer", "POST", "/v1/payments/{pay}/confirm", { payment_method_data: { type: "wallet", customer: "" } }, 400],
  [
    "empty order customer",
    "POST",
    "/v1/orders",
    {
      currency: "KGS",
      customer: "",
      items: [{ sku: "tea", name: "Tea", amount: 100, quantity: 1 }],
      delivery: { type: "courier", collect_by: "2030-01-01T00:00:00Z" },
    },
    400,
    "customer",
  ],
  ["unknown payment", "GET", "/v1/payments/pay_doesnotexist", undefined, 404, "id"],
  ["unknown payment confirm", "POST", "/v1/payments/pay_doesnotexist/confirm", { payment_method_data: { type: "qr" } }, 404, "id"],
  ["unknown refund payment", "POST", "/v1/refunds", { payment: "pay_nope" }, 404, "payment"],
  ["unknown method type", "POST", "/v1/payments/{pay}/confirm", { payment_method_data: { type: "cash" } }, 400],
  [
    "card number as a number",
    "POST",
    "/v1/payments/{pay}/confirm",
    { payment_method_data: { type: "card", card: { number: 4242424242424242, exp_month: 1, exp_year: 2030, cvc: "123" } } },
    400,
  ],
  ["capture with a float", "POST", "/v1/payments/{pay}/capture", { amount: 1.5 }, 400, "amount"],
  ["bad email", "POST", "/v1/customers", { email: "not-an-email" }, 400, "email"],
  ["SQL in a string", "GET", "/v1/payments/pay_1';DROP TABLE payments;--", undefined, 404],
  ["limit out of range", "GET", "/v1/payments?limit=0", undefined, 400, "limit"],
  ["unknown route", "POST", "/v1/nothing", {}, 404],
  // Times PostgreSQL cannot hold (year 0) or read (+010000 past 9999): each was a 500.
  ["created filter in year 0", "GET", "/v1/payments?created%5Bgte%5D=0000-01-01T00%3A00%3A00Z", undefined, 400, "created[gte]"],
  ["created filter past 9999", "GET", "/v1/payments?created%5Blte%5D=9999-12-31T23%3A59%3A59-01%3A00", undefined, 400, "created[lte]"],
  [
    "tariff effective in year 0",
    "PUT",
    "/v1/tariffs/year-zero",
    { kind: "fare", rules: { default_fare: 1 }, effective_from: "0000-01-01T00:00:00Z" },
    400,
    "effective_from",
  ],
  ["run_jobs in year 0", "POST", "/v1/test_helpers/run_jobs", { now: "0001-01-01T00:00:00+01:00" }, 400, "now"],
  ["a daily report past 9999", "GET", "/v1/transit/reports/daily?date=9999-12-31&timezone=UTC", undefined, 400, "date"],
  // Its jobs' next steps would pass 9999 (a 500).
  ["run_jobs at the end of time", "POST", "/v1/test_helpers/run_jobs", { now: "9999-12-31T23:59:59Z" }, 400, "now"],
  // Both ignored their body: a malformed or unknown one canceled or completed the payment anyway.
  ["cancel with malformed JSON", "POST", "/v1/payments/{pay}/cancel", "{bad", 400],
  ["cancel with an unknown parameter", "POST", "/v1/payments/{pay}/cancel", { foo: 1 }, 400, "foo"],
  ["cancel with a numeric reason", "POST", "/v1/payments/{pay}/cancel", { cancellation_reason: 5 }, 400, "cancellation_reason"],
  ["a merchant created with a secret key", "POST", "/v1/merchants", { name: "x", country: "KG", default_currency: "KGS" }, 403],
];

describe("bad input gets a clear 4xx in the error envelope and changes nothing", () => {
  it.each(cases)("%s", async (_name, method, path, body, status, param) => {
    const before = await state();
    const r = await sk.call(method, path.replace("{pay}", paymentId), body);
    expect(r.status).toBe(status);
    expect(r.body.error).toMatchObject({
      type: expect.stringMatching(/_error$/),
      code: expect.any(String),
      message: expect.any(String),
      request_id: r.headers.get("request-id"),
    });
    if (param) expect(r.body.error.param).toBe(param);
    expect(await state()).toEqual(before);
  });

  it("a missing required field is parameter_missing whatever its type (an enum, a pattern, a number)", async () => {
    const missing = [
      ["PUT", "/v1/payout_schedule", {}, "interval"],
      [
        "POST",
        "/v1/bank_accounts",
        { country: "KG", holder_name: "A", account_number: "1234567890123456", bank_code: "123456" },
        "currency",
      ],
      ["POST", "/v1/test_helpers/disputes/dp_none/close", {}, "outcome"],
      ["POST", "/v1/payments", { currency: "KGS" }, "amount"],
    ] as const;
    for (const [method, path, body, param] of missing) {
      const r = await sk.call(method, path, body);
      expect(r.status, path).toBe(400);
      expect(r.body.error, path).toMatchObject({ type: "invalid_request_error", code: "parameter_missing", param });
    }
    // Present but wrong stays parameter_invalid.
    const wrong = await sk.put("/v1/payout_schedule", { interval: "hourly" });
    expect(wrong.body.error).toMatchObject({ code: "parameter_invalid", param: "interval" });
  });

  it("an empty body with a JSON type (as many clients send) is no parameters, as {} and no body are", async () => {
    for (const body of [undefined, "", "{}"]) {
      const held = await sk.post("/v1/payments", { amount: 500, currency: "KGS", capture_method: "manual" });
      await sk.post(`/v1/payments/${held.body.id}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } });
      const captured = await sk.call("POST", `/v1/payments/${held.body.id}/capture`, body);
      expect(captured.status, JSON.stringify(body)).toBe(200);
      expect(captured.body.status).toBe("succeeded");
      const customer = await sk.call("POST", "/v1/customers", body);
      expect(customer.status, JSON.stringify(body)).toBe(200);
      expect(customer.body.object).toBe("customer");
    }
  });

  it("cancel takes no body, an empty one with a JSON type (as many clients send), or {}", async () => {
    for (const body of [undefined, "", "{}"]) {
      const p = await sk.post("/v1/payments", { amount: 500, currency: "KGS" });
      const res = await fetch(`${api.url}/v1/payments/${p.body.id}/cancel`, {
        method: "POST",
        headers: {
          Authorization: `Bearer ${api.merchant.secretKey}`,
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        ...(body === undefined ? {} : { body }),
      });
      expect(res.status, JSON.stringify(body)).toBe(200);
      expect(((await res.json()) as { status: string }).status).toBe("canceled");
    }
  });

  it("the Authorization scheme is case-insensitive (RFC 9110): bearer and BEARER are Bearer", async () => {
    for (const scheme of ["bearer", "BEARER", "Bearer"]) {
      const res = await fetch(`${api.url}/v1/balance`, { headers: { Authorization: `${scheme} ${api.merchant.secretKey}` } });
      expect(res.status, scheme).toBe(200);
    }
    const wrong = await fetch(`${api.url}/v1/balance`, { headers: { Authorization: `Basic ${api.merchant.secretKey}` } });
    expect(wrong.status).toBe(401);
  });

  it("an unknown query parameter on a list is refused, as an unknown body field is", async () => {
    const sk = { Authorization: `Bearer ${api.merchant.secretKey}` };
    for (const path of [
      "/v1/payments?limit=5&colour=red",
      "/v1/customers?colour=red",
      "/v1/events?limit=1&colour=red",
      "/v1/refunds?colour=red",
    ]) {
      const res = await fetch(`${api.url}${path}`, { headers: sk });
      expect(res.status, path).toBe(400);
      expect(((await res.json()) as { error: Record<string, string> }).error).toMatchObject({
        type: "invalid_request_error",
        code: "parameter_unknown",
        param: "colour",
      });
    }
    expect((await fetch(`${api.url}/v1/payments?limit=5&status=succeeded`, { headers: sk })).status).toBe(200);
  });

  it("a body that is not JSON is refused with 415, and changes nothing", async () => {
    const before = await state();
    for (const [type, body] of [
      ["text/plain", "amount=100"],
      ["application/x-www-form-urlencoded", "amount=100&currency=KGS"],
      ["multipart/form-data; boundary=x", "--x--"],
    ] as const) {
      const res = await fetch(`${api.url}/v1/payments`, {
        method: "POST",
        headers: { Authorization: `Bearer ${api.merchant.secretKey}`, "Content-Type": type },
        body,
      });
      expect(res.status, type).toBe(415);
      expect(((await res.json()) as { error: { type: string; code: string } }).error).toMatchObject({
        type: "invalid_request_error",
        code: "unsupported_media_type",
      });
    }
    const ok = await fetch(`${api.url}/v1/customers`, {
      method: "POST",
      headers: { Authorization: `Bearer ${api.merchant.secretKey}`, "Content-Type": "application/json; charset=utf-8" },
      body: "{}",
    });
    expect(ok.status).toBe(200);
    expect((await state()).payments).toEqual(before.payments);
  });

  it("an oversized body is refused with 413", async () => {
    const res = await fetch(`${api.url}/v1/customers`, {
      method: "POST",
      headers: { Authorization: `Bearer ${api.merchant.secretKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({ name: "x".repeat(300_000) }),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("body_too_large");
  });
});
