/**
 * PostgreSQL restarted under load, on a private cluster of Debian's postgresql: while it is
 * down the API answers 503 `api_error` with Retry-After at once (never a 500, never a hang),
 * /health says 503, and once it is back the API recovers by itself. Clients retry with their
 * Idempotency-Keys; every payment acknowledged before, during and after is there exactly once.
 *
 * Part of the real-PostgreSQL pass only (vitest.config.ts includes it when TEST_DATABASE_URL
 * is set): it stops and starts a server, which the embedded database has no equivalent of.
 * It never touches the TEST_DATABASE_URL server; the cluster it restarts is its own.
 *   TEST_DATABASE_URL=postgres://… npx vitest run test/db-restart.test.ts
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApi } from "../src/testing.js";
import { http, startTestApi, TEST_CARD } from "./support.js";

const SCRIPT = new URL("../../../scripts/pg-cluster.sh", import.meta.url).pathname;
// A fresh directory and a port the kernel says is free: a fixed pair can meet a cluster that
// another run (or another program on the machine) left there.
const DIR = mkdtempSync(join(tmpdir(), "softrack-dbrestart-"));
let PORT = 0;
/** No request may take longer than this, database up or down (the pool gives up connecting after 10 s). */
const ANSWER_WITHIN_MS = 15_000;
const CLIENTS = 8;

const pg = (cmd: "start" | "stop") => execFileSync("bash", [SCRIPT, cmd, DIR, String(PORT)]).toString();

let api: TestApi;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  PORT = await freePort();
  const url = pg("start").split("=")[1]?.trim() as string;
  api = await startTestApi({ databaseUrl: url, env: { WORKERS: "off", DB_POOL_SIZE: "10" } });
}, 120_000);
afterAll(async () => {
  await api?.close().catch(() => undefined);
  pg("stop");
  rmSync(DIR, { recursive: true, force: true });
});

interface Seen {
  status: number;
  retryAfter: string | null;
  type?: string;
  ms: number;
}

describe("PostgreSQL restarted under load", () => {
  it("answers 503 with Retry-After while it is down, recovers by itself, and loses no acknowledged payment", async () => {
    const headers = { Authorization: `Bearer ${api.merchant.secretKey}`, "Content-Type": "application/json" };
    const seen: Seen[] = [];
    /** One POST; a request that outlives ANSWER_WITHIN_MS is a hang (status -1). */
    async function post(path: string, body: unknown, key: string): Promise<{ status: number; body: any }> {
      const started = Date.now();
      try {
        const res = await fetch(api.url + path, {
          method: "POST",
          headers: { ...headers, "Idempotency-Key": key },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
        });
        const parsed = (await res.json().catch(() => ({}))) as any;
        seen.push({ status: res.status, retryAfter: res.headers.get("retry-after"), type: parsed?.error?.type, ms: Date.now() - started });
        return { status: res.status, body: parsed };
      } catch {
        seen.push({ status: -1, retryAfter: null, ms: Date.now() - started });
        return { status: -1, body: null };
      }
    }
    /** A client's payment: create and confirm, each retried with its own key until acknowledged (bounded). */
    const acknowledged = new Map<string, string>(); // payment id → its creation key
    async function payOnce(): Promise<void> {
      const createKey = randomUUID();
      let payment: string | undefined;
      for (let attempt = 0; attempt < 60 && !payment; attempt++) {
        const r = await post(
          "/v1/payments",
          { amount: 1_000 + Math.floor(Math.random() * 9_000), currency: "KGS", metadata: { key: createKey } },
          createKey,
        );
        if (r.status === 200 || r.status === 201) payment = r.body.id;
        else await sleep(250);
      }
      if (!payment) return;
      acknowledged.set(payment, createKey);
      const confirmKey = randomUUID();
      for (let attempt = 0; attempt < 60; attempt++) {
        const r = await post(`/v1/payments/${payment}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } }, confirmKey);
        if (r.status === 200) return;
        await sleep(250);
      }
    }

    let phase: "load" | "stop" = "load";
    const clients = Array.from({ length: CLIENTS }, async () => {
      for (let i = 0; i < 400 && phase === "load"; i++) await payOnce();
    });

    await sleep(1_500);
    const beforeStop = acknowledged.size;
    pg("stop");
    const downAt = seen.length;
    // While it is down: writes, reads and /health all answer 503 quickly.
    await sleep(2_000);
    const health = await fetch(`${api.url}/health`, { signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
    expect(health.status).toBe(503);
    const read = await fetch(`${api.url}/v1/payments?limit=1`, { headers, signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
    expect(read.status).toBe(503);
    expect(read.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(((await read.json()) as any).error).toMatchObject({ type: "api_error", code: "service_unavailable" });
    const duringOutage = seen.slice(downAt);

    pg("start");
    // It recovers by itself: /health is 200 again within a bound, without restarting the API.
    const recovered = await waitFor(async () => (await fetch(`${api.url}/health`)).status === 200, 30_000);
    expect(recovered).toBe(true);
    await sleep(1_500);
    phase = "stop";
    await Promise.all(clients);

    // What clients saw: no 500, no hang; the outage answered 503 api_error with Retry-After.
    expect(seen.filter((s) => s.status >= 500 && s.status !== 503)).toEqual([]);
    expect(seen.filter((s) => s.status === -1)).toEqual([]);
    const unavailable = duringOutage.filter((s) => s.status === 503);
    expect(unavailable.length).toBeGreaterThan(0);
    for (const s of seen.filter((x) => x.status === 503)) {
      expect(s.type).toBe("api_error");
      expect(s.retryAfter).toMatch(/^\d+$/);
    }
    expect(beforeStop).toBeGreaterThan(0);
    expect(acknowledged.size).toBeGreaterThan(beforeStop);

    // Every acknowledged payment is stored exactly once, and none is stored twice.
    const rows = await api.runtime.database.rows<{ id: string; key: string; status: string }>(
      sql`SELECT id, metadata->>'key' AS key, status FROM payments WHERE merchant_id = ${api.merchant.id}`,
    );
    const byKey = new Map<string, number>();
    for (const r of rows) byKey.set(r.key, (byKey.get(r.key) ?? 0) + 1);
    expect([...byKey.values()].filter((n) => n > 1)).toEqual([]);
    const stored = new Set(rows.map((r) => r.id));
    expect([...acknowledged.keys()].filter((id) => !stored.has(id))).toEqual([]);
    const verify = await http(api.url, api.adminKey).get("/v1/admin/ledger/verify");
    expect(verify.body.balanced).toBe(true);
    console.log(
      `db-restart: ${seen.length} requests, ${acknowledged.size} payments acknowledged (${beforeStop} before the stop), ${unavailable.length} answered 503 during the outage, slowest answer ${Math.max(...seen.map((s) => s.ms))} ms`,
    );
  }, 120_000);
});

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(check: () => Promise<boolean>, withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return true;
    await sleep(200);
  }
  return false;
}
