import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
