/**
 * wrk-payment.lua and wrk.ts against a real HTTP server on 127.0.0.1, with Debian's wrk: what
 * reaches the server is the SDK's request (its headers, its body, a fresh key in its format), and
 * what wrk.ts reports is what the server answered.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordingServer } from "./recording-server.js";
import { type WrkRequest, wrkPayments, wrkVersion } from "./wrk.js";

let server: Awaited<ReturnType<typeof recordingServer>>;
let baseUrl = "";
let seen: Awaited<ReturnType<typeof recordingServer>>["seen"];

beforeAll(async () => {
  server = await recordingServer((req, n) => {
    // A create without confirm makes a payment; every fifth payment is declined, as a wallet
    // without funds would be.
    const creates = req.url === "/v1/payments" && !req.body.includes('"confirm":true');
    const confirmOf = /^\/v1\/payments\/(pay_\w+)\/confirm$/.exec(req.url)?.[1];
    const status = !creates && n % 5 === 0 ? 402 : 200;
    const body =
      status !== 200
        ? { error: { type: "payment_error", code: "insufficient_funds", message: "no" } }
        : { id: confirmOf ?? `pay_${n}`, object: "payment", status: creates ? "requires_payment_method" : "succeeded" };
    return { status, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
  });
  baseUrl = server.url;
  seen = server.seen;
});
afterAll(() => server.close());

const request: WrkRequest = {
  steps: "one",
  keyed: true,
  headers: { Accept: "application/json", Authorization: "Bearer sk_test_bench", "Content-Type": "application/json" },
  body: (amount, customer) => JSON.stringify({ amount, currency: "KGS", customer, confirm: true, payment_method_data: { type: "wallet" } }),
  customers: ["cus_a", "cus_b", "cus_c"],
};

describe("payments sent by wrk", () => {
  it("is installed", async () => {
    expect(await wrkVersion()).toMatch(/^wrk /);
  });

  it("sends the SDK's request with a fresh key each, and counts declines as failed", async () => {
    seen.length = 0;
    const slice = await wrkPayments(baseUrl, request, 4, 1);
    const posts = seen.filter((s) => s.method === "POST");
    expect(posts.length).toBeGreaterThan(20);
    for (const s of posts) {
      expect(s.url).toBe("/v1/payments");
      expect(s.headers.authorization).toBe("Bearer sk_test_bench");
      expect(s.headers.accept).toBe("application/json");
      expect(s.headers["content-type"]).toBe("application/json");
      const { amount, customer } = JSON.parse(s.body) as { amount: number; customer: string };
      expect(s.body).toBe(request.body(amount, customer));
      expect(amount).toBeGreaterThanOrEqual(100);
      expect(amount).toBeLessThanOrEqual(999);
      expect(request.customers).toContain(customer);
      // The SDK's format: sdk_, 12 hex digits of milliseconds, 7, the variant digit 8-b.
      expect(s.headers["idempotency-key"]).toMatch(/^sdk_[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
      const ms = Number.parseInt(String(s.headers["idempotency-key"]).slice(4, 16), 16);
      expect(Math.abs(ms - Date.now())).toBeLessThan(60_000);
    }
    expect(new Set(posts.map((s) => s.headers["idempotency-key"])).size).toBe(posts.length);
    // wrk stops with requests in flight: what it counts was answered, and at most 4 answers were not.
    const answered = slice.load.ok + slice.load.failed;
    expect(answered).toBeLessThanOrEqual(posts.length);
    expect(answered).toBeGreaterThanOrEqual(posts.length - 4);
    const declined = posts.slice(0, answered).filter((s) => s.status === 402).length;
    expect(Math.abs(slice.load.failed - declined)).toBeLessThanOrEqual(4);
    expect(slice.load.failed).toBeGreaterThan(0);
    expect(slice.load.ok).toBe(answered - slice.load.failed);
    expect(slice.load.why.get("an answer but a payment succeeded or created")).toBe(slice.load.failed);
    // One latency a request, from wrk's quantiles.
    expect(slice.load.latencies.length).toBe(answered);
    expect(slice.cpuSeconds).toBeGreaterThan(0);
    // The kept requests were sent; the kept answers were given.
    const keys = new Set(posts.map((s) => s.headers["idempotency-key"]));
    expect(slice.sent.length).toBeGreaterThan(0);
    for (const s of slice.sent) {
      expect(keys.has(s.key)).toBe(true);
      expect(posts.find((p) => p.headers["idempotency-key"] === s.key)?.body).toBe(s.body);
    }
    expect(slice.answers.some((a) => a.status === 200 && /"id":"pay_\d+"/.test(a.body))).toBe(true);
  });

  it("creates, then confirms each payment it created, once; without keys when told", async () => {
    seen.length = 0;
    const confirmBody = JSON.stringify({ payment_method_data: { type: "wallet" } });
    const twoSteps: WrkRequest = {
      ...request,
      steps: "two",
      keyed: false,
      body: (amount, customer) => JSON.stringify({ amount, currency: "KGS", customer }),
      confirmBody,
    };
    const slice = await wrkPayments(baseUrl, twoSteps, 4, 1);
    const creates = seen.filter((s) => s.url === "/v1/payments");
    const confirms = seen.filter((s) => s.url !== "/v1/payments");
    expect(creates.length).toBeGreaterThan(10);
    expect(confirms.length).toBeGreaterThan(10);
    for (const s of seen) expect(s.headers["idempotency-key"]).toBeUndefined();
    for (const s of creates) {
      const { amount, customer } = JSON.parse(s.body) as { amount: number; customer: string };
      expect(s.body).toBe(twoSteps.body(amount, customer));
    }
    // Each confirmation names a payment the server created, and no payment is confirmed twice.
    const made = new Set(creates.map((c) => `pay_${seen.indexOf(c) + 1}`));
    const confirmed = confirms.map((s) => /\/v1\/payments\/(pay_\d+)\/confirm/.exec(s.url)?.[1]);
    for (const id of confirmed) expect(made.has(id as string)).toBe(true);
    expect(new Set(confirmed).size).toBe(confirmed.length);
    for (const s of confirms) expect(s.body).toBe(confirmBody);
    // A payment counts when its confirmation succeeded; a declined one is failed.
    const succeeded = confirms.filter((s) => s.status === 200).length;
    expect(slice.load.ok).toBeLessThanOrEqual(succeeded);
    expect(slice.load.ok).toBeGreaterThanOrEqual(succeeded - 4);
    expect(slice.load.failed).toBeGreaterThan(0);
    expect(slice.sent.every((s) => s.key === "-")).toBe(true);
    expect(slice.sent.some((s) => s.path.endsWith("/confirm") && s.body === confirmBody)).toBe(true);
  });
});
