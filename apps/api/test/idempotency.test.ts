import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256Hex } from "../src/lib/crypto.js";
import type { TestApi } from "../src/testing.js";
import { type Http, http, realPostgresDatabaseUrl, startTestApi, storedTexts, TEST_CARD } from "./support.js";

let api: TestApi;
let sk: Http;

beforeAll(async () => {
  api = await startTestApi({ env: { WORKERS: "off" } });
  sk = http(api.url, api.merchant.secretKey);
});
afterAll(() => api.close());

const count = async (table: string) =>
  (await api.runtime.database.rows<{ n: number }>(sql.raw(`SELECT count(*)::int AS n FROM ${table}`)))[0]?.n ?? 0;

describe("Idempotency-Key", () => {
  it("same key, same body: the first response again, marked replayed, with no second effect", async () => {
    const before = await count("payments");
    const first = await sk.post("/v1/payments", { amount: 700, currency: "KGS" }, { "Idempotency-Key": "order-1" });
    // Same JSON with keys in another order and other whitespace is the same request.
    const again = await sk.call("POST", "/v1/payments", '{ "currency": "KGS",  "amount": 700 }', { "Idempotency-Key": "order-1" });
    expect(again.status).toBe(first.status);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(await count("payments")).toBe(before + 1);
  });

  it("no body and {} are the same request under one key", async () => {
    const p = await sk.post("/v1/payments", { amount: 700, currency: "KGS" });
    const first = await sk.call("POST", `/v1/payments/${p.body.id}/cancel`, undefined, { "Idempotency-Key": "cancel-1" });
    expect(first.body.status).toBe("canceled");
    const again = await sk.post(`/v1/payments/${p.body.id}/cancel`, {}, { "Idempotency-Key": "cancel-1" });
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
  });

  it("same key, different body: 422 idempotency_key_reused", async () => {
    await sk.post("/v1/customers", { name: "A" }, { "Idempotency-Key": "cus-1" });
    const r = await sk.post("/v1/customers", { name: "B" }, { "Idempotency-Key": "cus-1" });
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ type: "idempotency_error", code: "idempotency_key_reused" });
  });

  it("same key and body on another path: 422, the path being part of the request it names", async () => {
    // The key's row keeps no method or path of its own: the request hash holds both.
    const [one, two] = await Promise.all([1, 2].map(() => sk.post("/v1/payments", { amount: 500, currency: "KGS" })));
    const first = await sk.post(`/v1/payments/${one?.body.id}/cancel`, {}, { "Idempotency-Key": "path-1" });
    expect(first.body.status).toBe("canceled");
    const other = await sk.post(`/v1/payments/${two?.body.id}/cancel`, {}, { "Idempotency-Key": "path-1" });
    expect(other.status).toBe(422);
    expect(other.body.error).toMatchObject({ type: "idempotency_error", code: "idempotency_key_reused" });
    expect((await sk.get(`/v1/payments/${two?.body.id}`)).body.status).toBe("requires_payment_method");
    const again = await sk.post(`/v1/payments/${one?.body.id}/cancel`, {}, { "Idempotency-Key": "path-1" });
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
  });

  it("is scoped to the calling key", async () => {
    const other = await http(api.url, api.adminKey).post("/v1/merchants", { name: "Other", country: "KG", default_currency: "KGS" });
    const them = http(api.url, other.body.keys.secret_key);
    const a = await sk.post("/v1/customers", { name: "Same" }, { "Idempotency-Key": "shared" });
    const b = await them.post("/v1/customers", { name: "Same" }, { "Idempotency-Key": "shared" });
    expect(b.status).toBe(200);
    expect(b.body.id).not.toBe(a.body.id);
  });

  it("replays a decline (402) too, and a confirm is charged once", async () => {
    const p = (await sk.post("/v1/payments", { amount: 900, currency: "KGS" })).body;
    const body = { payment_method_data: { type: "card", card: { ...TEST_CARD, number: "4000000000000002" } } };
    const r1 = await sk.post(`/v1/payments/${p.id}/confirm`, body, { "Idempotency-Key": "confirm-1" });
    const r2 = await sk.post(`/v1/payments/${p.id}/confirm`, body, { "Idempotency-Key": "confirm-1" });
    expect(r1.status).toBe(402);
    expect(r2.status).toBe(402);
    expect(r2.body).toEqual(r1.body);
  });

  it("20 parallel requests with one key have one effect", async () => {
    const before = await count("ledger_transactions");
    const p = (await sk.post("/v1/payments", { amount: 1_234, currency: "KGS" })).body;
    const body = { payment_method_data: { type: "card", card: TEST_CARD } };
    const replies = await Promise.all(
      Array.from({ length: 20 }, () => sk.post(`/v1/payments/${p.id}/confirm`, body, { "Idempotency-Key": `parallel-${p.id}` })),
    );
    const ok = replies.filter((r) => r.status === 200);
    const inProgress = replies.filter((r) => r.status === 409);
    expect(ok.length + inProgress.length).toBe(20);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const r of ok) expect(r.body).toEqual(ok[0]?.body);
    for (const r of inProgress) expect(r.body.error).toMatchObject({ type: "idempotency_error", code: "request_in_progress" });
    // One (netted) capture, whatever the interleaving.
    expect(await count("ledger_transactions")).toBe(before + 1);
    expect((await sk.get(`/v1/payments/${p.id}`)).body).toMatchObject({ status: "succeeded", amount_captured: 1_234 });
    // On either database: the embedded one answers without yielding, yet a duplicate that has
    // arrived meets the first request running.
    expect(inProgress.length).toBeGreaterThan(0);
  });

  it("keeps a refusal met once the request ran: the key replays it, and a later retry changes nothing", async () => {
    const p = (await sk.post("/v1/payments", { amount: 800, currency: "KGS", capture_method: "manual" })).body;
    const key = { "Idempotency-Key": `early-capture-${p.id}` };
    const first = await sk.post(`/v1/payments/${p.id}/capture`, {}, key);
    expect(first.status).toBe(400);
    expect(first.body.error.code).toBe("payment_unexpected_state");
    // The payment can now be captured, but this key's answer is the refusal it got.
    await sk.post(`/v1/payments/${p.id}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } });
    const again = await sk.post(`/v1/payments/${p.id}/capture`, {}, key);
    expect(again.status).toBe(400);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    // The replayed body names the refused request, and so does its Request-Id.
    expect(again.headers.get("request-id")).toBe(first.body.error.request_id);
    expect((await sk.get(`/v1/payments/${p.id}`)).body).toMatchObject({ status: "requires_capture", amount_captured: 0 });
    const other = await sk.post(`/v1/payments/${p.id}/capture`, { amount: 100 }, key);
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe("idempotency_key_reused");
  });

  it("keeps a wallet confirmation's refusal too, on the payment writer's path", async () => {
    const c = (await sk.post("/v1/customers", { name: "Refused" })).body;
    const p = (await sk.post("/v1/payments", { amount: 300, currency: "KGS" })).body;
    await sk.post(`/v1/payments/${p.id}/cancel`, {});
    const body = { payment_method_data: { type: "wallet", customer: c.id } };
    const first = await sk.post(`/v1/payments/${p.id}/confirm`, body, { "Idempotency-Key": `refused-${p.id}` });
    expect(first.status).toBe(400);
    const again = await sk.post(`/v1/payments/${p.id}/confirm`, body, { "Idempotency-Key": `refused-${p.id}` });
    expect(again.status).toBe(400);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
  });

  it("stores nothing for a request that failed validation: the key stays free for a valid body", async () => {
    const bad = await sk.post("/v1/customers", { name: 5 }, { "Idempotency-Key": "invalid-first" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("parameter_invalid");
    const good = await sk.post("/v1/customers", { name: "Valid" }, { "Idempotency-Key": "invalid-first" });
    expect(good.status).toBe(200);
    expect(good.headers.get("idempotent-replayed")).toBeNull();
  });

  it("holds for every POST, the test helper run_jobs too: a replay, and 422 for another body", async () => {
    const first = await sk.post("/v1/test_helpers/run_jobs", { now: "2030-01-01T00:00:00Z" }, { "Idempotency-Key": "jobs-1" });
    expect(first.status).toBe(200);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const again = await sk.post("/v1/test_helpers/run_jobs", { now: "2030-01-01T00:00:00Z" }, { "Idempotency-Key": "jobs-1" });
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    const other = await sk.post("/v1/test_helpers/run_jobs", { now: "2030-01-02T00:00:00Z" }, { "Idempotency-Key": "jobs-1" });
    expect(other.status).toBe(422);
    expect(other.body.error).toMatchObject({ type: "idempotency_error", code: "idempotency_key_reused" });
  });

  it("run_jobs: the same key while the first run is still running is 409 request_in_progress", async () => {
    // A receiver that holds its answer keeps the first run busy delivering a webhook.
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let arrived = () => {};
    const reached = new Promise<void>((r) => {
      arrived = r;
    });
    const receiver = createServer((req, res) => {
      req.resume();
      arrived();
      void held.then(() => res.end("ok"));
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    const port = (receiver.address() as AddressInfo).port;
    try {
      await sk.post("/v1/webhook_endpoints", { url: `http://127.0.0.1:${port}/hooks`, events: ["payment.succeeded"] });
      const p = (await sk.post("/v1/payments", { amount: 500, currency: "KGS" })).body;
      await sk.post(`/v1/payments/${p.id}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } });
      const body = { now: new Date(Date.now() + 60_000).toISOString() };
      const first = sk.post("/v1/test_helpers/run_jobs", body, { "Idempotency-Key": "jobs-busy" });
      await reached;
      const second = await sk.post("/v1/test_helpers/run_jobs", body, { "Idempotency-Key": "jobs-busy" });
      expect(second.status).toBe(409);
      expect(second.body.error).toMatchObject({ type: "idempotency_error", code: "request_in_progress" });
      release();
      const done = await first;
      expect(done.status).toBe(200);
      expect(done.body.webhooks).toMatchObject({ attempted: 1, delivered: 1 });
      const again = await sk.post("/v1/test_helpers/run_jobs", body, { "Idempotency-Key": "jobs-busy" });
      expect(again.headers.get("idempotent-replayed")).toBe("true");
      expect(again.body).toEqual(done.body);
    } finally {
      release();
      await new Promise<void>((r) => receiver.close(() => r()));
    }
  });

  it("rejects a key longer than 255 characters", async () => {
    const r = await sk.post("/v1/customers", {}, { "Idempotency-Key": "k".repeat(256) });
    expect(r.status).toBe(400);
    expect(r.body.error.param).toBe("Idempotency-Key");
  });

  it("stores a payment's answer without its client secret, and replays it byte for byte", async () => {
    const send = () =>
      fetch(`${api.url}/v1/payments`, {
        method: "POST",
        headers: { Authorization: `Bearer ${api.merchant.secretKey}`, "Content-Type": "application/json", "Idempotency-Key": "stored-1" },
        body: JSON.stringify({ amount: 100, currency: "KGS" }),
      });
    const first = await (await send()).text();
    const secret = JSON.parse(first).client_secret as string;
    const [stored] = await storedTexts(api.runtime.database, "stored-1");
    // No part of the secret after its payment's id is in the table; the replay makes it again.
    expect(secret).toMatch(/^pay_\w+_secret_[\w-]{32}$/);
    expect(stored).toContain(JSON.parse(first).id);
    expect(stored).not.toContain(secret.slice(secret.indexOf("_secret_") + "_secret_".length));
    const again = await send();
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.text()).toBe(first);
  });

  it("stores any other answer sealed: a new merchant's keys never reach the table in clear", async () => {
    const admin = http(api.url, api.adminKey);
    const r = await admin.post(
      "/v1/merchants",
      { name: "Keyed", country: "KG", default_currency: "KGS" },
      { "Idempotency-Key": "sealed-2" },
    );
    expect(r.status).toBe(200);
    const [stored] = await storedTexts(api.runtime.database, "sealed-2");
    expect(stored?.startsWith("v1.")).toBe(true);
    expect(stored).not.toContain(r.body.keys.secret_key);
    const again = await admin.post(
      "/v1/merchants",
      { name: "Keyed", country: "KG", default_currency: "KGS" },
      { "Idempotency-Key": "sealed-2" },
    );
    expect(again.body.keys.secret_key).toBe(r.body.keys.secret_key);
  });
});

describe("a key another process seals first", () => {
  it("is 409 request_in_progress with nothing done, then replays that process's answer", async () => {
    // A process whose lock for the key is another (a build of before the lock was PostgreSQL's hash,
    // still running during a deploy) does not wait on this one's lock: only the primary key meets it.
    const url = await realPostgresDatabaseUrl();
    const two = await startTestApi({ databaseUrl: url, env: { WORKERS: "off" } });
    const other = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const client = http(two.url, two.merchant.secretKey);
      await client.post("/v1/customers", {}, { "Idempotency-Key": "scope-probe" });
      const [{ scope } = { scope: "" }] = await other<{ scope: string }[]>`SELECT scope FROM idempotency_keys WHERE key = 'scope-probe'`;
      const customers = async () => Number((await other`SELECT count(*) AS n FROM customers`)[0]?.n);
      const before = await customers();
      let release = () => {};
      let inserted = () => {};
      const held = new Promise<void>((r) => {
        inserted = r;
      });
      // The other process's transaction: its key's row written, not yet committed.
      const theirs = other.begin(async (tx) => {
        await tx`INSERT INTO idempotency_keys (scope, key, request_hash, response_status, response_body)
                 VALUES (${scope}, 'sealed-elsewhere', ${sha256Hex("POST /v1/customers\n{}")}, 200,
                         ${'d1.client_secret.cus_elsewhere.-1.{"id":"cus_elsewhere","object":"customer"}'})`;
        inserted();
        await new Promise<void>((r) => {
          release = r;
        });
      });
      await held;
      const mine = client.post("/v1/customers", {}, { "Idempotency-Key": "sealed-elsewhere" });
      // This request's seal waits on the other row's primary key entry; then the other commits.
      const watcher = postgres(url, { max: 1, onnotice: () => {} });
      for (let waiting = 0; waiting === 0; ) {
        const [row] = await watcher`SELECT count(*)::int AS n FROM pg_stat_activity
                                    WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO idempotency_keys%'`;
        waiting = row?.n ?? 0;
      }
      await watcher.end();
      release();
      await theirs;
      const refused = await mine;
      expect(refused.status).toBe(409);
      expect(refused.body.error).toMatchObject({ type: "idempotency_error", code: "request_in_progress" });
      expect(await customers()).toBe(before);
      const again = await client.post("/v1/customers", {}, { "Idempotency-Key": "sealed-elsewhere" });
      expect(again.headers.get("idempotent-replayed")).toBe("true");
      expect(again.body).toEqual({ id: "cus_elsewhere", object: "customer" });
    } finally {
      await other.end();
      await two.close();
    }
  });
});
