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
    // Low limits for the test: buckets of 5 that refill one token in 2 s, so a burst that a busy machine spreads over seconds is still a burst.
    api = await startTestApi({
      env: { WORKERS: "off", RATE_LIMIT_PER_KEY: "0.5", RATE_LIMIT_PER_IP: "1000", RATE_LIMIT_BURST_SECONDS: "10" },
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
    api = await startTestApi({
      env: { WORKERS: "off", RATE_LIMIT_PER_KEY: "0", RATE_LIMIT_PER_IP: "0.1", RATE_LIMIT_BURST_SECONDS: "40" },
    });
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

describe("client address behind proxies (TRUST_PROXY = hops counted from the right of X-Forwarded-For)", () => {
  // Issue 19, finding 9: the leftmost X-Forwarded-For (whatever the client wrote) was trusted.
  it("with TRUST_PROXY=1 a spoofed leftmost address does not move the client into a fresh bucket", async () => {
    const api = await startTestApi({
      env: { WORKERS: "off", RATE_LIMIT_PER_KEY: "0", RATE_LIMIT_PER_IP: "0.1", RATE_LIMIT_BURST_SECONDS: "40", TRUST_PROXY: "1" },
    });
    try {
      const sk = http(api.url, api.merchant.secretKey);
      // The proxy appended the address it saw (198.51.100.9); the client made up the rest.
      const replies = await burst(12, () =>
        sk.get("/v1/balance", {
          "X-Forwarded-For": `10.${Math.floor(Math.random() * 250)}.1.${Math.floor(Math.random() * 250)}, 198.51.100.9`,
        }),
      );
      expect(replies.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(6);
      // Another client behind the same proxy has a bucket of its own.
      expect((await sk.get("/v1/balance", { "X-Forwarded-For": "198.51.100.10" })).status).toBe(200);
    } finally {
      await api.close();
    }
  });

  it('TRUST_PROXY=2 takes the second address from the right; "true" means 1, unset or "false" 0', async () => {
    const two = await startTestApi({
      env: { WORKERS: "off", RATE_LIMIT_PER_KEY: "0", RATE_LIMIT_PER_IP: "0.1", RATE_LIMIT_BURST_SECONDS: "40", TRUST_PROXY: "2" },
    });
    try {
      const sk = http(two.url, two.merchant.secretKey);
      // Client 198.51.100.20 as the outer proxy saw it, then the inner proxy's address (changing, as a pool's would).
      const replies = await burst(12, () =>
        sk.get("/v1/balance", {
          "X-Forwarded-For": `6.6.6.${Math.floor(Math.random() * 250)}, 198.51.100.20, 10.0.0.${Math.floor(Math.random() * 250)}`,
        }),
      );
      expect(replies.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(6);
    } finally {
      await two.close();
    }
    const { parseEnv } = await import("../src/env.js");
    const hops = (v?: string) => {
      const r = parseEnv({ TRUST_PROXY: v });
      return r.ok ? r.env.TRUST_PROXY : r.problems;
    };
    expect([hops("true"), hops("1"), hops("3"), hops(undefined), hops("false")]).toEqual([1, 1, 3, 0, 0]);
    expect(hops("yes")).toEqual([expect.stringMatching(/^TRUST_PROXY: /)]);
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
