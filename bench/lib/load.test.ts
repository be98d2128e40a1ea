/**
 * The load generator's own pieces, against a real HTTP server on 127.0.0.1: the SDK's requests
 * as poolFetch carries them, and paymentLoad's counting.
 */
import { Softrack, SoftrackError } from "@softrack/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostTally, paymentLoad, poolFetch } from "./load.js";
import { recordingServer } from "./recording-server.js";

let server: Awaited<ReturnType<typeof recordingServer>>;
let baseUrl = "";
let seen: Awaited<ReturnType<typeof recordingServer>>["seen"];

beforeAll(async () => {
  const json = { "content-type": "application/json" };
  server = await recordingServer((req) => {
    if (req.url === "/v1/payments/pay_gone/cancel") return { status: 204 };
    if (req.url === "/v1/payments/pay_declined/confirm") {
      const body = JSON.stringify({ error: { type: "payment_error", code: "insufficient_funds", message: "no" } });
      return { status: 402, headers: { ...json, "request-id": "req_1" }, body };
    }
    const echo = req.body ? JSON.parse(req.body) : null;
    return {
      status: 200,
      headers: { ...json, "idempotent-replayed": "false" },
      body: JSON.stringify({ id: "pay_1", object: "payment", status: "succeeded", echo }),
    };
  });
  baseUrl = server.url;
  seen = server.seen;
});
afterAll(() => server.close());

describe("poolFetch carries the SDK's requests as the SDK built them", () => {
  it("sends a fresh Idempotency-Key on every POST and counts them", async () => {
    const tally: PostTally = { posts: 0, keyed: 0 };
    const transport = poolFetch(baseUrl, 4, tally);
    const sdk = new Softrack({ apiKey: "sk_test_bench", baseUrl, fetch: transport.fetch, maxRetries: 0 });
    seen.length = 0;
    const created = await sdk.payments.create({ amount: 500, currency: "KGS", confirm: true, payment_method_data: { type: "wallet" } });
    await sdk.payments.confirm("pay_1", { payment_method_data: { type: "wallet" } });
    await sdk.payments.retrieve("pay_1");
    transport.close();

    expect(created).toMatchObject({ id: "pay_1", echo: { amount: 500, confirm: true, payment_method_data: { type: "wallet" } } });
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      "POST /v1/payments",
      "POST /v1/payments/pay_1/confirm",
      "GET /v1/payments/pay_1",
    ]);
    const keys = seen.map((r) => r.headers["idempotency-key"]);
    expect(keys[0]).toMatch(/^sdk_[0-9a-f]{32}$/);
    expect(keys[1]).toMatch(/^sdk_[0-9a-f]{32}$/);
    expect(keys[0]).not.toBe(keys[1]);
    expect(keys[2]).toBeUndefined();
    expect(seen[0]?.headers.authorization).toBe("Bearer sk_test_bench");
    expect(seen[0]?.headers["content-type"]).toBe("application/json");
    expect(tally).toMatchObject({ posts: 2, keyed: 2 });
    expect(tally.last).toMatchObject({ path: "/v1/payments/pay_1/confirm", status: 200 });
    expect(tally.last?.headers["Idempotency-Key"]).toBe(keys[1]);
  });

  it("passes error answers and empty ones through to the SDK", async () => {
    const tally: PostTally = { posts: 0, keyed: 0 };
    const transport = poolFetch(baseUrl, 2, tally);
    const sdk = new Softrack({ apiKey: "sk_test_bench", baseUrl, fetch: transport.fetch, maxRetries: 0 });
    const declined = await sdk.payments.confirm("pay_declined", { payment_method_data: { type: "wallet" } }).catch((e: unknown) => e);
    await expect(sdk.payments.cancel("pay_gone")).resolves.toBeUndefined();
    // A POST sent without a key (as the keyless path does) is counted, not as keyed.
    const raw = await transport.fetch(`${baseUrl}/v1/customers`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    transport.close();
    expect(declined).toBeInstanceOf(SoftrackError);
    expect(declined).toMatchObject({ status: 402, code: "insufficient_funds", requestId: "req_1" });
    expect(raw.headers.get("idempotent-replayed")).toBe("false");
    expect(tally).toMatchObject({ posts: 3, keyed: 2 });
  });
});

describe("paymentLoad", () => {
  it("counts every payment once, as succeeded or failed with its reason", async () => {
    let n = 0;
    const load = await paymentLoad(3, 0.2, async () => {
      const i = ++n;
      await new Promise((r) => setImmediate(r));
      return i % 3 === 0 ? "402 insufficient_funds" : null;
    });
    expect(load.ok + load.failed).toBe(n);
    expect(load.latencies).toHaveLength(n);
    expect(load.failed).toBe(Math.floor(n / 3));
    expect(load.why.get("402 insufficient_funds")).toBe(load.failed);
    expect(load.paymentsPerSecond).toBeGreaterThan(0);
  });
});
