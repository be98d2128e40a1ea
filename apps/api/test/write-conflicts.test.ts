import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { retryGroupAlone } from "../src/services/payment-writes.js";
import { GroupCommit } from "../src/store/group-commit.js";
import type { TestApi } from "../src/testing.js";
import { fundedCustomer, type Http, http, realPostgresDatabaseUrl, startTestApi, TEST_CARD } from "./support.js";

// A deadlock's victim is rolled back whole by PostgreSQL; the API runs it again instead of
// answering 503. These run on a real server whatever the pass: the embedded database has one
// connection, and no deadlock.
let api: TestApi;
let sk: Http;
let databaseUrl: string;

const KG = { country: "KG", holder_name: "Asel Myrzakmatova", account_number: "1240020000123456", bank_code: "124002", currency: "KGS" };

beforeAll(async () => {
  databaseUrl = await realPostgresDatabaseUrl();
  api = await startTestApi({ databaseUrl, env: { WORKERS: "off" } });
  sk = http(api.url, api.merchant.secretKey);
});
afterAll(() => api.close());

/** Waits until one of the API's backends waits for a lock that `session` holds. */
async function blockedBy(session: pg.Client): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const r = await session.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pg_backend_pid() = ANY(pg_blocking_pids(pid))",
    );
    if (r.rows[0].n > 0) return;
    await new Promise((done) => setTimeout(done, 25));
  }
  throw new Error("the API's write never waited for the test's lock");
}

describe("a write that a deadlock ends", () => {
  it("is run again and answered, not refused with 503; it takes effect once", async () => {
    const customer = await fundedCustomer(sk, 50_000);
    const pay = await sk.post("/v1/payments", {
      amount: 20_000,
      currency: "KGS",
      customer,
      confirm: true,
      payment_method_data: { type: "wallet" },
    });
    expect(pay.body.status).toBe("succeeded");
    expect((await sk.post("/v1/bank_accounts", KG)).status).toBe(200);
    // The first payout makes the merchant's available shards; the second meets the deadlock.
    expect((await sk.post("/v1/payouts", { amount: 1_000, currency: "KGS" })).status).toBe(200);

    // The payout locks the available shards, then inserts its row. This session holds the payouts
    // table first, then asks for the shards: each waits for the other, and PostgreSQL ends the
    // API's transaction (its deadlock_timeout is the default 1 s; this session's is longer).
    const session = new pg.Client({ connectionString: databaseUrl });
    await session.connect();
    try {
      await session.query("SET deadlock_timeout = '60s'");
      await session.query("BEGIN");
      await session.query("LOCK TABLE payouts IN SHARE ROW EXCLUSIVE MODE");
      const payout = sk.post("/v1/payouts", { amount: 2_000, currency: "KGS" }, { "Idempotency-Key": "conflict-payout" });
      await blockedBy(session);
      await session.query("SELECT id FROM ledger_accounts WHERE id LIKE $1 ORDER BY id FOR UPDATE", [
        `merchant:${api.merchant.id}:test:available:KGS%`,
      ]);
      await session.query("COMMIT");
      const answer = await payout;
      expect([answer.status, answer.body.error]).toEqual([200, undefined]);
      expect(answer.body).toMatchObject({ object: "payout", amount: 2_000, status: "pending" });
    } finally {
      await session.end();
    }
    const payouts = (await sk.get("/v1/payouts")).body.data as { amount: number }[];
    expect(payouts.map((p) => p.amount)).toEqual([2_000, 1_000]);
    const verify = await http(api.url, api.adminKey).get("/v1/admin/ledger/verify");
    expect(verify.body).toMatchObject({ balanced: true, mismatches: [] });
  });
});

/**
 * A session that takes locks the way the API's other writers do, and is the one PostgreSQL ends
 * if the API takes them the other way round: it looks for a deadlock after 100 ms, the API's
 * backends after the default 1 s. So a lock order that can deadlock fails the test at once, and
 * never reaches the API's re-run.
 */
async function writerSession(): Promise<pg.Client> {
  const session = new pg.Client({ connectionString: databaseUrl });
  await session.connect();
  await session.query("SET deadlock_timeout = '100ms'");
  await session.query("BEGIN");
  return session;
}

const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();

describe("writes that meet on the same rows take their locks in one order", () => {
  it("an order's payment is confirmed after its order is locked, as the order's own writes lock them", async () => {
    const order = async () =>
      (
        await sk.post("/v1/orders", {
          currency: "KGS",
          items: [{ sku: "scarf", name: "Scarf", amount: 12_000, quantity: 1 }],
          delivery: { type: "courier", collect_by: inDays(3) },
        })
      ).body as { id: string; payment: { id: string } };
    const threeDs = await order();
    const challenged = await sk.post(`/v1/payments/${threeDs.payment.id}/confirm`, {
      payment_method_data: { type: "card", card: { ...TEST_CARD, number: "4000000000003220" } },
    });
    expect(challenged.body.status).toBe("requires_action");
    const customer = await fundedCustomer(sk, 20_000);
    // A wallet confirmation (decided with others in a group) and a card's 3-D Secure code (decided alone).
    for (const [o, path, body] of [
      [await order(), "confirm", { payment_method_data: { type: "wallet", customer } }],
      [threeDs, "verify", { code: "000000" }],
    ] as const) {
      // The order first, then its payment: what handover, fail, return and the expiry job do.
      const session = await writerSession();
      try {
        await session.query("SELECT id FROM orders WHERE id = $1 FOR UPDATE", [o.id]);
        const answer = sk.post(`/v1/payments/${o.payment.id}/${path}`, body);
        await blockedBy(session);
        await session.query("SELECT id FROM payments WHERE id = $1 FOR UPDATE", [o.payment.id]);
        await session.query("COMMIT");
        expect((await answer).body.status, path).toBe("requires_capture");
        expect((await sk.get(`/v1/orders/${o.id}`)).body.status, path).toBe("held");
      } finally {
        await session.end();
      }
    }
  });

  it("a payout is canceled after its submission job is locked, as the job runner locks them", async () => {
    const customer = await fundedCustomer(sk, 10_000);
    await sk.post("/v1/payments", { amount: 5_000, currency: "KGS", customer, confirm: true, payment_method_data: { type: "wallet" } });
    await sk.post("/v1/bank_accounts", KG);
    const payout = (await sk.post("/v1/payouts", { amount: 1_500, currency: "KGS" })).body as { id: string };
    // The runner claims the job, then locks its payout.
    const session = await writerSession();
    try {
      const job = await session.query("SELECT id FROM jobs WHERE dedupe_key = $1 FOR UPDATE", [`payout.submit:${payout.id}`]);
      expect(job.rowCount).toBe(1);
      const answer = sk.post(`/v1/payouts/${payout.id}/cancel`);
      await blockedBy(session);
      await session.query("SELECT id FROM payouts WHERE id = $1 FOR UPDATE", [payout.id]);
      await session.query("COMMIT");
      expect((await answer).body).toMatchObject({ id: payout.id, status: "canceled" });
    } finally {
      await session.end();
    }
  });

  /** A merchant whose only income so far is one wallet payment: one shard of its available balance exists. */
  async function newShop() {
    const created = (
      await http(api.url, api.adminKey).post("/v1/merchants", { name: "Bishkek Books", country: "KG", default_currency: "KGS" })
    ).body;
    const shop = http(api.url, created.keys.secret_key);
    const customer = await fundedCustomer(shop, 10_000);
    const paid = await shop.post("/v1/payments", {
      amount: 6_000,
      currency: "KGS",
      customer,
      confirm: true,
      payment_method_data: { type: "wallet" },
    });
    expect(paid.body.status).toBe("succeeded");
    const available = `merchant:${created.id}:test:available:KGS`;
    const accounts = async (session: pg.Client) =>
      (await session.query("SELECT id FROM ledger_accounts WHERE id LIKE $1 ORDER BY id", [`${available}%`])).rows.map(
        (r) => r.id as string,
      );
    return { id: created.id as string, shop, customer, payment: paid.body.id as string, available, accounts };
  }

  it("a new merchant's first payout creates the balance accounts it lacks in id order with the ones it locks", async () => {
    const m = await newShop();
    await m.shop.post("/v1/bank_accounts", KG);
    const session = await writerSession();
    try {
      // The unsharded account, first in id order, does not exist yet.
      expect(await m.accounts(session)).not.toContain(m.available);
      // Another writer creating it, then locking the shards in id order.
      await session.query(
        `INSERT INTO ledger_accounts (id, merchant_id, kind, currency, livemode, allow_negative, balance)
         VALUES ($1, $2, 'merchant_available', 'KGS', false, false, 0)`,
        [m.available, m.id],
      );
      const answer = m.shop.post("/v1/payouts", { amount: 1_000, currency: "KGS" });
      await blockedBy(session);
      await session.query("SELECT id FROM ledger_accounts WHERE id LIKE $1 ORDER BY id FOR UPDATE", [`${m.available}:s%`]);
      await session.query("COMMIT");
      expect((await answer).body).toMatchObject({ object: "payout", amount: 1_000, status: "pending" });
    } finally {
      await session.end();
    }
  });

  it("a refund to a wallet locks the wallet before it creates the merchant's balance accounts", async () => {
    const m = await newShop();
    const wallet = `customer:${m.customer}:wallet:KGS`;
    const session = await writerSession();
    try {
      const existing = await m.accounts(session);
      const shard = Array.from({ length: 8 }, (_, i) => `${m.available}:s${i}`).find((id) => !existing.includes(id)) as string;
      expect(shard).toBeDefined();
      // A payment group paying from the wallet holds it, then credits a shard that does not exist yet.
      await session.query("SELECT id FROM ledger_accounts WHERE id = $1 FOR UPDATE", [wallet]);
      const answer = m.shop.post("/v1/refunds", { payment: m.payment, amount: 1_000 });
      await blockedBy(session);
      await session.query(
        `INSERT INTO ledger_accounts AS a (id, merchant_id, kind, currency, livemode, allow_negative, balance)
         VALUES ($1, $2, 'merchant_available', 'KGS', false, false, 0)
         ON CONFLICT (id) DO UPDATE SET balance = a.balance`,
        [shard, m.id],
      );
      await session.query("COMMIT");
      expect((await answer).body).toMatchObject({ object: "refund", amount: 1_000, status: "succeeded" });
    } finally {
      await session.end();
    }
  });
});

describe("a payment group that a deadlock ends", () => {
  it("has its writes decided again one by one, so the others in it are not refused", async () => {
    const deadlock = Object.assign(new Error("deadlock detected"), { code: "40P01" });
    const decided: number[][] = [];
    const groups = new GroupCommit<number, number>(
      async (group) => {
        decided.push(group);
        // The group's transaction is the victim; a write alone commits.
        if (group.length > 1) throw deadlock;
        return group.map((n) => n * 10);
      },
      { maxGroup: 8, inFlight: 1, retryAlone: retryGroupAlone },
    );
    expect(await Promise.all([1, 2, 3].map((n) => groups.submit("k", n)))).toEqual([10, 20, 30]);
    expect(decided).toEqual([[1, 2, 3], [1], [2], [3]]);
  });
});
