import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_VIEWS_PER_MINUTE } from "../src/routes/static/index.js";
import type { TestApi } from "../src/testing.js";
import { http, startTestApi } from "./support.js";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ env: { WORKERS: "off" } });
});
afterAll(() => api.close());

const lead = (extra: Record<string, unknown> = {}) => ({
  name: "Aida",
  email: "aida@example.kg",
  company: "Namba",
  message: "We run 40 buses.",
  started_at: Date.now() - 10_000,
  ...extra,
});

describe("POST /v1/leads (the site's contact form)", () => {
  it("stores a lead without a key, and allows the site's origin", async () => {
    const r = await http(api.url).post("/v1/leads", lead(), { Origin: "http://127.0.0.1:4321" });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ object: "lead", id: expect.stringMatching(/^lead_/) });
    expect(r.headers.get("access-control-allow-origin")).toBe("*");
    const rows = await api.runtime.database.rows<{ email: string; ip_hash: string }>(
      sql`SELECT email, ip_hash FROM leads WHERE id = ${r.body.id}`,
    );
    expect(rows[0]?.email).toBe("aida@example.kg");
    expect(rows[0]?.ip_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("refuses a filled honeypot, a form sent too fast, and bad input — storing nothing", async () => {
    const count = async () => (await api.runtime.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM leads`))[0]?.n;
    const before = await count();
    expect((await http(api.url).post("/v1/leads", lead({ website: "http://spam" }))).body.error).toMatchObject({
      code: "spam_suspected",
      param: "website",
    });
    expect((await http(api.url).post("/v1/leads", lead({ started_at: Date.now() }))).body.error).toMatchObject({
      code: "spam_suspected",
      param: "started_at",
    });
    expect((await http(api.url).post("/v1/leads", lead({ email: "nope" }))).status).toBe(400);
    expect(await count()).toBe(before);
  });

  it("rate-limits one address with 429 and Retry-After", async () => {
    const replies = [];
    for (let i = 0; i < 7; i++) replies.push(await http(api.url).post("/v1/leads", lead()));
    const limited = replies.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]?.body.error.type).toBe("rate_limit_error");
    expect(Number(limited[0]?.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});

describe("the demo page", () => {
  it("creates a test payment and embeds the checkout under a strict CSP", async () => {
    const res = await fetch(`${api.url}/demo`);
    expect(res.status).toBe(200);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    const html = await res.text();
    expect(html).toMatch(/<softrack-checkout client-secret="pay_[^"]+_secret_[^"]+" publishable-key="pk_test_[^"]+"/);
    expect(html).toContain('<script type="module" src="/widget.js"></script>');
    expect(html).not.toMatch(/<script>|style=/);
  });

  it("is rate limited per client address: over the limit 429 with Retry-After, and no payment stored", async () => {
    // Issue 19, finding 8: every anonymous view stored a payment, without a limit.
    const own = await startTestApi({ env: { WORKERS: "off" } });
    try {
      const statuses: number[] = [];
      let limited: Response | undefined;
      for (let i = 0; i < DEMO_VIEWS_PER_MINUTE + 3; i++) {
        const res = await fetch(`${own.url}/demo`);
        statuses.push(res.status);
        if (res.status === 429) limited ??= res;
        else await res.text();
      }
      expect(statuses.filter((s) => s === 200)).toHaveLength(DEMO_VIEWS_PER_MINUTE);
      expect(statuses.filter((s) => s === 429)).toHaveLength(3);
      if (!limited) throw new Error("no 429");
      expect(((await limited.json()) as { error: { type: string } }).error.type).toBe("rate_limit_error");
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      const [row] = await own.runtime.database.rows<{ n: number }>(
        sql`SELECT count(*)::int AS n FROM payments WHERE description = 'Softrack checkout demo'`,
      );
      expect(Number(row?.n)).toBe(DEMO_VIEWS_PER_MINUTE);
    } finally {
      await own.close();
    }
  });

  it("does not exist in production without DEMO=1: 404, and no merchant, person or payment is created", async () => {
    const production = {
      NODE_ENV: "production",
      PUBLIC_URL: "https://pay.softrack.example",
      METRICS_TOKEN: "m".repeat(24),
      BUYER_HASH_KEY: "k".repeat(40),
      WORKERS: "off",
    };
    const prod = await startTestApi({ env: production });
    try {
      const count = async (table: string) =>
        Number((await prod.runtime.database.rows<{ n: number }>(sql.raw(`SELECT count(*)::int AS n FROM ${table}`)))[0]?.n);
      const before = { merchants: await count("merchants"), identities: await count("identities"), payments: await count("payments") };
      const res = await fetch(`${prod.url}/demo`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("route_not_found");
      expect({ merchants: await count("merchants"), identities: await count("identities"), payments: await count("payments") }).toEqual(
        before,
      );
      expect(await count("settings WHERE key = 'demo_merchant'")).toBe(0);
    } finally {
      await prod.close();
    }
    // With the explicit opt-in the demo answers, and its merchant has no owner anyone could sign in as.
    const optIn = await startTestApi({ env: { ...production, DEMO: "1" } });
    try {
      expect((await fetch(`${optIn.url}/demo`)).status).toBe(200);
      const [row] = await optIn.runtime.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM identities`);
      expect(Number(row?.n)).toBe(0);
    } finally {
      await optIn.close();
    }
  });

  it("never serves files from outside its folders", async () => {
    const res = await fetch(`${api.url}/elements/..%2F..%2F..%2Fpackage.json`);
    expect(res.status).toBe(404);
  });
});

describe("CORS for the browser", () => {
  it("answers a preflight for /v1 before authentication and exposes Request-Id", async () => {
    const res = await fetch(`${api.url}/v1/payments/pay_x/confirm`, {
      method: "OPTIONS",
      headers: {
        Origin: "https://shop.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,idempotency-key",
      },
    });
    expect(res.status).toBeLessThan(300);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("idempotency-key");
    const get = await fetch(`${api.url}/v1/balance`, {
      headers: { Origin: "https://shop.example", Authorization: `Bearer ${api.merchant.secretKey}` },
    });
    expect(get.headers.get("access-control-expose-headers")).toContain("Request-Id");
  });
});
