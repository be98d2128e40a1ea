import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApi } from "../src/testing.js";
import { type Http, http, startTestApi } from "./support.js";

let api: TestApi;
let admin: Http;
let merchant: Http;

beforeAll(async () => {
  api = await startTestApi();
  admin = http(api.url, api.adminKey);
  merchant = http(api.url, api.merchant.secretKey);
});
afterAll(() => api.close());

describe("running it", () => {
  it("answers /health once migrated, and every response carries Request-Id", async () => {
    const r = await http(api.url).get("/health");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: "ok" });
    expect(r.headers.get("request-id")).toMatch(/^req_/);
    const missing = await http(api.url).get("/nowhere");
    expect(missing.status).toBe(404);
    expect(missing.body.error.request_id).toBe(missing.headers.get("request-id"));
  });

  it("publishes the OpenAPI document and an API reference page", async () => {
    const doc = await http(api.url).get("/openapi.json");
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe("3.1.0");
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(["/v1/merchants", "/v1/payments", "/v1/balance", "/v1/admin/ledger/verify"]),
    );
    const page = await fetch(`${api.url}/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("/openapi.json");
  });
});

describe("merchants and keys", () => {
  it("creates a merchant with prefixed keys that are stored only as hashes", async () => {
    const r = await admin.post("/v1/merchants", { name: "Namba Food", country: "KG", default_currency: "KGS" });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ object: "merchant", name: "Namba Food", livemode: false });
    expect(r.body.id).toMatch(/^mer_/);
    expect(r.body.keys.secret_key).toMatch(/^sk_test_[A-Za-z0-9_-]{43}$/);
    expect(r.body.keys.publishable_key).toMatch(/^pk_test_/);
    const rows = await api.runtime.database.rows<{ hash: string; hint: string }>(
      sql`SELECT hash, hint FROM api_keys WHERE merchant_id = ${r.body.id}`,
    );
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(row)).not.toContain(r.body.keys.secret_key.slice(8));
    }
    const again = await admin.get(`/v1/merchants/${r.body.id}`);
    expect(again.body.keys).toBeUndefined();
    const own = await http(api.url, r.body.keys.secret_key).get("/v1/balance");
    expect(own.status).toBe(200);
  });

  it("takes only an assigned ISO 3166-1 country, and refuses any other with 400 naming the parameter", async () => {
    // Audit E: only the shape was checked, so ZZ (no country) made a merchant.
    for (const country of ["ZZ", "QQ", "AA", "kg", "KGZ"]) {
      const r = await admin.post("/v1/merchants", { name: "Nowhere", country, default_currency: "KGS" });
      expect(r.status, country).toBe(400);
      expect(r.body.error, country).toMatchObject({ type: "invalid_request_error", param: "country" });
      expect(r.body.error.message, country).toMatch(/ISO 3166-1 alpha-2/);
    }
    for (const country of ["KG", "KZ", "UZ", "TJ", "DE", "XK"])
      expect((await admin.post("/v1/merchants", { name: "Somewhere", country, default_currency: "KGS" })).status, country).toBe(200);
  });

  it("rejects missing, unknown and wrong-kind keys", async () => {
    expect((await http(api.url).get("/v1/balance")).body.error).toMatchObject({ type: "authentication_error", code: "missing_api_key" });
    expect((await http(api.url, "sk_test_nope_nope_nope").get("/v1/balance")).status).toBe(401);
    // Something that is not a key is an invalid key, not a missing one; every 401 names its scheme.
    for (const authorization of ["Bearer abc", "Basic dXNlcjpwYXNz", "sk_test_without_a_scheme"]) {
      const r = await http(api.url).get("/v1/balance", { Authorization: authorization });
      expect(r.status, authorization).toBe(401);
      expect(r.body.error).toMatchObject({ type: "authentication_error", code: "invalid_api_key" });
      expect(r.headers.get("www-authenticate")).toBe('Bearer realm="softrack"');
    }
    expect((await http(api.url).get("/v1/balance")).headers.get("www-authenticate")).toBe('Bearer realm="softrack"');
    expect((await merchant.post("/v1/merchants", { name: "x", country: "KG", default_currency: "KGS" })).body.error.type).toBe(
      "permission_error",
    );
    expect((await http(api.url, api.merchant.publishableKey).get("/v1/balance")).status).toBe(403);
    expect((await admin.get("/v1/balance")).status).toBe(403);
  });

  it("never lets one merchant see or touch another's objects", async () => {
    const other = await admin.post("/v1/merchants", { name: "Other", country: "KZ", default_currency: "KZT" });
    const them = http(api.url, other.body.keys.secret_key);
    const mine = await merchant.post("/v1/payments", { amount: 1000, currency: "KGS" });
    const cus = await merchant.post("/v1/customers", { name: "Mine" });
    expect((await them.get(`/v1/payments/${mine.body.id}`)).status).toBe(404);
    expect((await them.post(`/v1/payments/${mine.body.id}/cancel`)).status).toBe(404);
    expect((await them.get(`/v1/customers/${cus.body.id}`)).status).toBe(404);
    expect((await them.get(`/v1/merchants/${api.merchant.id}`)).status).toBe(404);
    expect((await them.get("/v1/payments")).body.data).toEqual([]);
    expect((await merchant.get(`/v1/payments/${mine.body.id}`)).body.status).toBe("requires_payment_method");
  });
});

describe("lists", () => {
  it("pages newest first with starting_after and has_more", async () => {
    const m = await admin.post("/v1/merchants", { name: "Pager", country: "KG", default_currency: "KGS" });
    const c = http(api.url, m.body.keys.secret_key);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await c.post("/v1/customers", { name: `c${i}` })).body.id);
    const first = await c.get("/v1/customers?limit=2");
    expect(first.body).toMatchObject({ object: "list", has_more: true });
    expect(first.body.data.map((x: { id: string }) => x.id)).toEqual([ids[4], ids[3]]);
    const second = await c.get(`/v1/customers?limit=2&starting_after=${ids[3]}`);
    expect(second.body.data.map((x: { id: string }) => x.id)).toEqual([ids[2], ids[1]]);
    const last = await c.get(`/v1/customers?limit=2&starting_after=${ids[1]}`);
    expect(last.body).toMatchObject({ has_more: false });
    expect(last.body.data.map((x: { id: string }) => x.id)).toEqual([ids[0]]);
    expect((await c.get("/v1/customers?limit=101")).status).toBe(400);
  });
});

describe("ledger", () => {
  it("verify reports a balanced ledger with totals per currency", async () => {
    const r = await admin.get("/v1/admin/ledger/verify");
    expect(r.status).toBe(200);
    expect(r.body.balanced).toBe(true);
    expect(r.body.mismatches).toEqual([]);
    expect(typeof r.body.accounts_checked).toBe("number");
  });

  it("balance and ledger transactions are the merchant's own", async () => {
    const b = await merchant.get("/v1/balance");
    expect(b.body).toMatchObject({ object: "balance", available: expect.any(Array), pending: expect.any(Array), held: expect.any(Array) });
    const t = await merchant.get("/v1/ledger/transactions");
    expect(t.body.object).toBe("list");
  });
});
