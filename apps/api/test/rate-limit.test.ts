import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokenBuckets } from "../src/middleware/rate-limit.js";
import type { TestApi } from "../src/testing.js";
import { type Http, http, type Reply, startTestApi } from "./support.js";

/** Fires `n` requests at once and returns their replies. */
function burst(n: number, send: () => Promise<Reply>) {
  return Promise.all(Array.from({ length: n }, send));
}

describe("rate limits per API key and per client address on /v1", () => {
  let api: TestApi;
  let sk: Http;
  let other: Http;
  beforeAll(async () => {
    // Low limits for the test: 5 a second, a burst of 5 (one second's worth).
    api = await startTestApi({
      env: { WORKERS: "off", RATE_LIMIT_PER_KEY: "5", RATE_LIMIT_PER_IP: "1000", RATE_LIMIT_BURST_SECONDS: "1" },
    });
    sk = http(api.url, api.merchant.secretKey);
    const merchant = await http(api.url, api.adminKey).post("/v1/merchants", { name: "Other", country: "KG", default_currency: "KGS" });
    other = http(api.url, merchant.body.keys.secret_key);
  });
  afterAll(() => api.close());

  it("a key over its limit gets 429 rate_limit_error with Retry-After, and other keys are not affected", async () => {
    const replies = await burst(20, () => sk.get("/v1/balance"));
    const limited = replies.filter((r) => r.status === 429);
    const served = replies.filter((r) => r.status === 200);
    expect(served.length).toBeGreaterThanOrEqual(1);
    expect(served.length).toBeLessThanOrEqual(10);
    expect(limited.length).toBeGreaterThanOrEqual(10);
    for (const r of limited) {
      expect(r.body.error).toMatchObject({ type: "rate_limit_error", code: "rate_limited", request_id: r.headers.get("request-id") });
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }
    // The limit is per key: another merchant's key still gets through.
    expect((await other.get("/v1/balance")).status).toBe(200);
  });

  it("a limited write changes nothing, and the key is served again after Retry-After", async () => {
    const replies = await burst(12, () => sk.post("/v1/customers", { name: "Burst" }));
    const created = replies.filter((r) => r.status >= 200 && r.status < 300).length;
    expect(replies.filter((r) => r.status === 429).length).toBe(12 - created);
    const wait = Math.max(...replies.filter((r) => r.status === 429).map((r) => Number(r.headers.get("retry-after"))));
    await new Promise((resolve) => setTimeout(resolve, wait * 1000 + 100));
    const list = await sk.get("/v1/customers?limit=100");
    expect(list.status).toBe(200);
    expect(list.body.data.filter((c: { name: string }) => c.name === "Burst")).toHaveLength(created);
  });
});

describe("rate limit per client address", () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ env: { WORKERS: "off", RATE_LIMIT_PER_KEY: "0", RATE_LIMIT_PER_IP: "4", RATE_LIMIT_BURST_SECONDS: "1" } });
  });
  afterAll(() => api.close());

  it("one address is limited across every key it uses", async () => {
    const admin = http(api.url, api.adminKey);
    const sk = http(api.url, api.merchant.secretKey);
    const replies = await burst(12, () => ((Math.random() < 0.5 ? admin : sk) as Http).get("/v1/balance"));
    const limited = replies.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(6);
    expect(limited[0]?.body.error.type).toBe("rate_limit_error");
    expect(Number(limited[0]?.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });
});

describe("token bucket", () => {
  it("refills at its rate up to its burst", () => {
    const b = new TokenBuckets(2, 4);
    const t0 = 1_000_000;
    for (let i = 0; i < 4; i++) expect(b.take("k", t0)).toBe(0);
    expect(b.take("k", t0)).toBe(1);
    // Half a second at 2/s gives one token back.
    expect(b.take("k", t0 + 500)).toBe(0);
    expect(b.take("k", t0 + 500)).toBeGreaterThanOrEqual(1);
    // A long pause fills the bucket only up to its burst.
    for (let i = 0; i < 4; i++) expect(b.take("k", t0 + 60_000)).toBe(0);
    expect(b.take("k", t0 + 60_000)).toBeGreaterThanOrEqual(1);
    // Buckets are per key.
    expect(b.take("other", t0)).toBe(0);
  });
});
