/**
 * DATABASE_REPLICA_URL: lists and reports read from the replica pool; balances, retrieves,
 * idempotent replays and writes stay on the primary. The "replica" here is a copy of the
 * primary's database (CREATE DATABASE … TEMPLATE) whose rows were then changed, so every
 * answer shows which database it came from: a real replica is the same copy, a little late.
 *
 * Both runs (embedded and TEST_DATABASE_URL) use a real PostgreSQL server: a replica only
 * exists beside one (realPostgresDatabaseUrl starts a private cluster when there is no server).
 */
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "../src/env.js";
import { randomToken } from "../src/lib/crypto.js";
import { createRouter } from "../src/lib/router.js";
import type { TestApi } from "../src/testing.js";
import { fundedCustomer, http, realPostgresDatabaseUrl, startTestApi } from "./support.js";

const MARKER = "read from the replica";
const adminKey = `sk_admin_${randomToken(32)}`;
let primaryUrl: string;
let replicaUrl: string;
let api: TestApi;
/** What the first API (no replica) answered, before the copy. */
const before = {
  secretKey: "",
  paymentId: "",
  paymentKey: randomUUID(),
  refundId: "",
  balance: undefined as unknown,
  paymentDescription: "",
};

/** CREATE DATABASE … TEMPLATE needs the template without sessions: the closed API's last connections may take a moment to go. */
async function copyDatabase(from: string, to: string): Promise<void> {
  const admin = postgres(process.env.TEST_DATABASE_URL as string, { max: 1, onnotice: () => {} });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.unsafe(`CREATE DATABASE ${to} TEMPLATE ${from}`);
        return;
      } catch (err) {
        if (attempt >= 40 || !/being accessed by other users/.test(String(err))) throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  } finally {
    await admin.end();
  }
}

const dbName = (url: string) => new URL(url).pathname.slice(1);

beforeAll(async () => {
  primaryUrl = await realPostgresDatabaseUrl();
  const first = await startTestApi({ databaseUrl: primaryUrl, adminKey, env: { WORKERS: "off" } });
  try {
    const m = http(first.url, first.merchant.secretKey);
    before.secretKey = first.merchant.secretKey;
    const customer = await fundedCustomer(m, 50_000);
    const paid = await m.post(
      "/v1/payments",
      { amount: 12_000, currency: "KGS", customer, description: "bus pass", confirm: true, payment_method_data: { type: "wallet" } },
      { "Idempotency-Key": before.paymentKey },
    );
    expect(paid.status).toBe(200);
    before.paymentId = paid.body.id;
    before.paymentDescription = paid.body.description;
    const refund = await m.post("/v1/refunds", { payment: paid.body.id, amount: 2_000 });
    expect(refund.status).toBe(200);
    before.refundId = refund.body.id;
    before.balance = (await m.get("/v1/balance")).body;
  } finally {
    await first.close();
  }
  const replicaName = `${dbName(primaryUrl)}_replica`;
  await copyDatabase(dbName(primaryUrl), replicaName);
  const u = new URL(primaryUrl);
  u.pathname = `/${replicaName}`;
  replicaUrl = u.toString();
  // The replica's rows differ from the primary's in every place a test below looks.
  const replica = postgres(replicaUrl, { max: 1, onnotice: () => {} });
  try {
    await replica`UPDATE payments SET description = ${MARKER}`;
    await replica`UPDATE refunds SET metadata = ${replica.json({ copy: "replica" })}`;
    await replica`UPDATE ledger_transactions SET description = ${MARKER}`;
    await replica`UPDATE ledger_accounts SET balance = balance + 777 WHERE kind = 'merchant_available'`;
    // A replay served from here would find no stored answer and pay a second time.
    await replica`DELETE FROM idempotency_keys`;
  } finally {
    await replica.end();
  }
  api = await startTestApi({ databaseUrl: primaryUrl, adminKey, env: { WORKERS: "off", DATABASE_REPLICA_URL: replicaUrl } });
}, 180_000);

afterAll(async () => {
  await api?.close();
});

describe("DATABASE_REPLICA_URL", () => {
  it("serves the payment, refund and ledger lists from the replica", async () => {
    const m = http(api.url, before.secretKey);
    const payments = await m.get("/v1/payments");
    expect(payments.status).toBe(200);
    expect(payments.body.data.map((p: { id: string }) => p.id)).toContain(before.paymentId);
    expect(payments.body.data.every((p: { description: string }) => p.description === MARKER)).toBe(true);
    const refunds = await m.get("/v1/refunds");
    expect(refunds.body.data).toEqual([expect.objectContaining({ id: before.refundId, metadata: { copy: "replica" } })]);
    const ledger = await m.get("/v1/ledger/transactions");
    expect(ledger.body.data.length).toBeGreaterThan(0);
    expect(ledger.body.data.every((t: { description: string }) => t.description === MARKER)).toBe(true);
  });

  it("never serves a balance or a retrieve from it", async () => {
    const m = http(api.url, before.secretKey);
    expect((await m.get("/v1/balance")).body).toEqual(before.balance);
    const payment = await m.get(`/v1/payments/${before.paymentId}`);
    expect(payment.body.description).toBe(before.paymentDescription);
    expect(payment.body.description).not.toBe(MARKER);
    const refund = await m.get(`/v1/refunds/${before.refundId}`);
    expect(refund.body.metadata).not.toEqual({ copy: "replica" });
  });

  it("replays an Idempotency-Key from the primary, where its answer is", async () => {
    const m = http(api.url, before.secretKey);
    const first = await m.get(`/v1/payments/${before.paymentId}`);
    const replay = await m.post(
      "/v1/payments",
      {
        amount: 12_000,
        currency: "KGS",
        customer: first.body.customer,
        description: "bus pass",
        confirm: true,
        payment_method_data: { type: "wallet" },
      },
      { "Idempotency-Key": before.paymentKey },
    );
    expect(replay.status).toBe(200);
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
    expect(replay.body.id).toBe(before.paymentId);
    expect((await m.get("/v1/balance")).body).toEqual(before.balance);
  });

  it("writes to the primary: a new payment is retrievable at once, and absent from the (stale) list", async () => {
    const m = http(api.url, before.secretKey);
    const customer = (await m.get(`/v1/payments/${before.paymentId}`)).body.customer as string;
    const paid = await m.post(
      "/v1/payments",
      { amount: 1_000, currency: "KGS", customer, confirm: true, payment_method_data: { type: "wallet" } },
      { "Idempotency-Key": randomUUID() },
    );
    expect(paid.status).toBe(200);
    expect((await m.get(`/v1/payments/${paid.body.id}`)).status).toBe(200);
    const list = await m.get("/v1/payments");
    expect(list.body.data.map((p: { id: string }) => p.id)).not.toContain(paid.body.id);
  });

  it("opens every replica transaction read-only, so a mistaken writable URL still refuses writes", async () => {
    const replica = api.runtime.deps.replica;
    if (!replica) throw new Error("no replica pool");
    const [row] = await api.runtime.database.rows<{ default_transaction_read_only: string }>(
      sql`SHOW default_transaction_read_only`,
      replica,
    );
    expect(row?.default_transaction_read_only).toBe("on");
    // 25006 read_only_sql_transaction, PostgreSQL's own refusal.
    await expect(replica.execute(sql`UPDATE payments SET description = 'written'`)).rejects.toMatchObject({ cause: { code: "25006" } });
  });
});

describe("configuration", () => {
  it("refuses a replica without a PostgreSQL primary, and a URL of the wrong kind", () => {
    const alone = parseEnv({ DATABASE_REPLICA_URL: "postgres://db-replica:5432/softrack" });
    expect(alone.ok ? [] : alone.problems).toEqual([
      "DATABASE_REPLICA_URL: needs DATABASE_URL (a replica of a PostgreSQL server, never of the embedded database)",
    ]);
    const wrong = parseEnv({ DATABASE_URL: "postgres://db:5432/softrack", DATABASE_REPLICA_URL: "mysql://db-replica/softrack" });
    expect(wrong.ok ? [] : wrong.problems.map((p) => p.split(":")[0])).toEqual(["DATABASE_REPLICA_URL"]);
    expect(parseEnv({ DATABASE_URL: "postgres://db:5432/softrack", DATABASE_REPLICA_URL: "postgres://db-replica:5432/softrack" }).ok).toBe(
      true,
    );
  });

  it("docs/operations.md lists exactly the routes that read from the replica", () => {
    const routesDir = fileURLToPath(new URL("../src/routes", import.meta.url));
    const files = readdirSync(routesDir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
    const declared = files
      .flatMap((f) => [...readFileSync(join(routesDir, f), "utf8").matchAll(/path: "([^"]+)",\s*reads: "replica"/g)].map((m) => m[1]))
      .sort();
    const doc = readFileSync(fileURLToPath(new URL("../../../docs/operations.md", import.meta.url)), "utf8");
    const section = doc.slice(doc.indexOf("These read from the replica"), doc.indexOf("These never do"));
    const documented = [...section.matchAll(/^\| `GET ([^`]+)` \|/gm)].map((m) => m[1]).sort();
    expect(declared.length).toBeGreaterThan(5);
    expect(documented).toEqual(declared);
    // Never the balance: it decides nothing, but a client reads it to decide.
    expect(declared).not.toContain("/v1/balance");
  });

  it("lets only a GET read from a replica", () => {
    const write = createRoute({
      method: "post",
      path: "/v1/things",
      reads: "replica",
      responses: { 200: { description: "ok", content: { "application/json": { schema: z.object({}) } } } },
    });
    expect(() => createRouter().openapi(write, (c) => c.json({}, 200))).toThrow(/POST \/v1\/things: only a GET may read from a replica/);
  });
});
