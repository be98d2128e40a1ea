/**
 * Concurrency model checks: fast-check generates random batches of operations on a few
 * shared wallets and orders, sends each batch all at once through the real API (some
 * requests twice, in parallel, with one Idempotency-Key), and checks the invariants after
 * every batch against a model built only from the answers the clients got:
 *   - no wallet below zero, and each wallet equals top-ups − wallet payments + their refunds;
 *   - the merchant's held balance (escrow) equals the sum of the orders still held;
 *   - the ledger verifies: every balance equals its postings, every currency sums to zero;
 *   - each Idempotency-Key has one effect, however many times and however concurrently it was sent.
 * Bounded: MODEL_RUNS (default 25) batches of at most 12 operations.
 */
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApi } from "../src/testing.js";
import { type Http, http, type Reply, startTestApi, TEST_CARD } from "./support.js";

const RUNS = Number(process.env.MODEL_RUNS ?? 25);

let api: TestApi;
let sk: Http;
let admin: Http;
const wallets: string[] = [];
let point: string;

beforeAll(async () => {
  api = await startTestApi({ env: { WORKERS: "off" } });
  sk = http(api.url, api.merchant.secretKey);
  admin = http(api.url, api.adminKey);
  for (let i = 0; i < 3; i++) wallets.push((await sk.post("/v1/customers", { name: `Rider ${i}` })).body.id);
  point = (await sk.post("/v1/pickup_points", { name: "Osh bazaar", address: "Bishkek" })).body.id;
});
afterAll(() => api?.close());

type Op =
  | { kind: "topup"; wallet: number; amount: number; twice: boolean }
  | { kind: "spend"; wallet: number; amount: number; twice: boolean }
  | { kind: "refund"; nth: number; twice: boolean }
  | { kind: "order"; amount: number; twice: boolean }
  | { kind: "settle"; nth: number; how: "handover" | "fail" };

const amount = fc.integer({ min: 1, max: 5_000 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("topup" as const), wallet: fc.nat(2), amount, twice: fc.boolean() }),
  fc.record({ kind: fc.constant("spend" as const), wallet: fc.nat(2), amount, twice: fc.boolean() }),
  fc.record({ kind: fc.constant("refund" as const), nth: fc.nat(20), twice: fc.boolean() }),
  fc.record({ kind: fc.constant("order" as const), amount, twice: fc.boolean() }),
  fc.record({ kind: fc.constant("settle" as const), nth: fc.nat(20), how: fc.constantFrom("handover" as const, "fail" as const) }),
);

/** The model: what the clients were told. */
const model = {
  wallet: new Map<string, number>(),
  walletPayments: [] as { id: string; wallet: string; amount: number; refunded: boolean }[],
  heldOrders: new Map<string, number>(),
  keys: [] as { key: string; table: "payments" | "orders" }[],
};
const ok = (s: number) => s >= 200 && s < 300;

/** POSTs once, or twice at the same instant with one key: both answers must agree. */
async function post(path: string, body: unknown, twice: boolean) {
  const key = randomUUID();
  const sends = twice
    ? [sk.post(path, body, { "Idempotency-Key": key }), sk.post(path, body, { "Idempotency-Key": key })]
    : [sk.post(path, body, { "Idempotency-Key": key })];
  const replies = await Promise.all(sends);
  // The loser of a race is told 409 request_in_progress; it never gets a different success.
  const wins = replies.filter((r) => r.status !== 409);
  for (const r of wins) expect(r.body?.id ?? r.status).toEqual(wins[0]?.body?.id ?? wins[0]?.status);
  for (const r of replies.filter((x) => x.status === 409)) expect(r.body.error.code).toBe("request_in_progress");
  return { key, reply: (wins[0] ?? replies[0]) as Reply };
}

async function run(o: Op): Promise<void> {
  switch (o.kind) {
    case "topup": {
      const w = wallets[o.wallet] as string;
      const { key, reply } = await post(
        "/v1/payments",
        { amount: o.amount, currency: "KGS", purpose: { type: "wallet_topup", customer: w }, metadata: { model_key: "x" } },
        o.twice,
      );
      model.keys.push({ key, table: "payments" });
      if (!ok(reply.status)) return;
      const paid = await sk.post(`/v1/payments/${reply.body.id}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } });
      if (ok(paid.status) && paid.body.status === "succeeded") model.wallet.set(w, (model.wallet.get(w) ?? 0) + o.amount);
      return;
    }
    case "spend": {
      const w = wallets[o.wallet] as string;
      const { key, reply } = await post(
        "/v1/payments",
        { amount: o.amount, currency: "KGS", customer: w, metadata: { model_key: "x" } },
        o.twice,
      );
      model.keys.push({ key, table: "payments" });
      if (!ok(reply.status)) return;
      const paid = await sk.post(`/v1/payments/${reply.body.id}/confirm`, { payment_method_data: { type: "wallet", customer: w } });
      if (ok(paid.status) && paid.body.status === "succeeded") {
        model.wallet.set(w, (model.wallet.get(w) ?? 0) - o.amount);
        model.walletPayments.push({ id: reply.body.id, wallet: w, amount: o.amount, refunded: false });
      } else {
        // A decline for a short wallet is the only acceptable refusal.
        expect(paid.status === 402 ? paid.body.error.code : "succeeded").toMatch(/insufficient_funds|succeeded/);
      }
      return;
    }
    case "refund": {
      const p = model.walletPayments.filter((x) => !x.refunded)[o.nth % Math.max(1, model.walletPayments.length)];
      if (!p) return;
      p.refunded = true; // claimed before the await: no two refunds of one payment in one batch
      const { reply } = await post("/v1/refunds", { payment: p.id }, o.twice);
      if (ok(reply.status)) model.wallet.set(p.wallet, (model.wallet.get(p.wallet) ?? 0) + p.amount);
      else p.refunded = false;
      return;
    }
    case "order": {
      const body = {
        currency: "KGS",
        items: [{ sku: "tea", name: "Tea", amount: o.amount, quantity: 1 }],
        delivery: { type: "pickup_point", point, collect_by: "2030-01-01T00:00:00Z" },
        metadata: { model_key: "o" },
      };
      const { key, reply } = await post("/v1/orders", body, o.twice);
      model.keys.push({ key, table: "orders" });
      if (!ok(reply.status)) return;
      const paid = await sk.post(`/v1/payments/${reply.body.payment.id}/confirm`, {
        payment_method_data: { type: "card", card: TEST_CARD },
      });
      if (ok(paid.status)) model.heldOrders.set(reply.body.id, o.amount);
      return;
    }
    case "settle": {
      const ids = [...model.heldOrders.keys()];
      const id = ids[o.nth % Math.max(1, ids.length)];
      if (!id) return;
      model.heldOrders.delete(id); // claimed before the await
      const r =
        o.how === "handover"
          ? await sk.post(`/v1/orders/${id}/handover`, { accepted: [{ sku: "tea", quantity: 1 }] })
          : await sk.post(`/v1/orders/${id}/fail`, { reason: "courier_lost" });
      expect(r.status).toBe(200);
      return;
    }
  }
}

describe("concurrent operations on shared wallets and orders keep the invariants", () => {
  it(`holds for ${RUNS} random batches sent at once`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 2, maxLength: 12 }), async (batch) => {
        await Promise.all(batch.map(run));

        for (const w of wallets) {
          const c = await sk.get(`/v1/customers/${w}`);
          expect(c.body.wallet.balance).toBeGreaterThanOrEqual(0);
          expect(c.body.wallet.balance).toBe(model.wallet.get(w) ?? 0);
        }
        const balance = await sk.get("/v1/balance");
        const held = (balance.body.held as { amount: number; currency: string }[]).find((h) => h.currency === "KGS")?.amount ?? 0;
        expect(held).toBe([...model.heldOrders.values()].reduce((a, b) => a + b, 0));
        const verify = await admin.get("/v1/admin/ledger/verify");
        expect(verify.body).toMatchObject({ balanced: true, mismatches: [] });
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    // Each Idempotency-Key had one effect: one row per key, however often it was sent.
    const paymentKeys = new Set(model.keys.filter((k) => k.table === "payments").map((k) => k.key));
    const orderKeys = new Set(model.keys.filter((k) => k.table === "orders").map((k) => k.key));
    const stored = await api.runtime.database.rows<{ key: string; n: number }>(
      sql`SELECT key, count(*)::int AS n FROM idempotency_keys GROUP BY key HAVING count(*) > 1`,
    );
    expect(stored).toEqual([]);
    const payments = await api.runtime.database.rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM payments WHERE metadata->>'model_key' = 'x'`,
    );
    const orders = await api.runtime.database.rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM orders WHERE metadata->>'model_key' = 'o'`,
    );
    expect(payments[0]?.n).toBe(paymentKeys.size);
    expect(orders[0]?.n).toBe(orderKeys.size);
  }, 600_000);
});
