import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { retryGroupAlone } from "../src/services/payment-writes.js";
import { GroupCommit } from "../src/store/group-commit.js";
import type { TestApi } from "../src/testing.js";
import { fundedCustomer, type Http, http, realPostgresDatabaseUrl, startTestApi } from "./support.js";

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
