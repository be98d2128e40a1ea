import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { startApiProcess, stopApiProcesses } from "./api-process.js";
import { http, realPostgresDatabaseUrl, TEST_CARD } from "./support.js";

afterAll(() => stopApiProcesses());

/** A real API process (the same entry point as production) on its own port. */
async function startProcess(databaseUrl: string, adminKey: string): Promise<string> {
  const env = {
    ...(process.env as Record<string, string>),
    NODE_ENV: "test",
    DATABASE_URL: databaseUrl,
    PLATFORM_ADMIN_KEY: adminKey,
    PORT: "0",
    LOG_LEVEL: "warn",
    WORKERS: "on",
  };
  return (await startApiProcess(env)).url;
}

describe("durable jobs with two API processes on one PostgreSQL", () => {
  it("expires every order exactly once while both processes race for the jobs", async () => {
    const databaseUrl = await realPostgresDatabaseUrl();
    const adminKey = `sk_admin_${"j".repeat(40)}`;
    const [a, b] = await Promise.all([startProcess(databaseUrl, adminKey), startProcess(databaseUrl, adminKey)]);
    const m = await http(a as string, adminKey).post("/v1/merchants", { name: "Two", country: "KG", default_currency: "KGS" });
    const viaA = http(a as string, m.body.keys.secret_key);
    const viaB = http(b as string, m.body.keys.secret_key);
    // Far enough ahead that creating the orders never outlives it, however slow the machine.
    const collectAt = Date.now() + 10 * 60_000;
    const collectBy = new Date(collectAt).toISOString();
    const orders: string[] = [];
    for (let i = 0; i < 20; i++) {
      const client = i % 2 ? viaA : viaB;
      const o = await client.post("/v1/orders", {
        currency: "KGS",
        no_show_fee: 1_000,
        items: [{ sku: "box", name: "Box", amount: 10_000, quantity: 1 }],
        delivery: { type: "courier", collect_by: collectBy },
      });
      await client.post(`/v1/payments/${o.body.payment.id}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } });
      orders.push(o.body.id);
    }
    expect(orders).toHaveLength(20);
    // Both processes (and a second call on one of them) run the now-due jobs at the same moment.
    const now = new Date(collectAt + 1_000).toISOString();
    const runs = await Promise.all([
      viaA.post("/v1/test_helpers/run_jobs", { now }),
      viaB.post("/v1/test_helpers/run_jobs", { now }),
      viaA.post("/v1/test_helpers/run_jobs", { now }),
    ]);
    expect(runs.reduce((n, r) => n + (r.body.jobs.by_kind["order.expire"] ?? 0), 0)).toBe(20);
    for (let i = 0; i < 50; i++) {
      const statuses = await Promise.all(orders.map(async (id) => (await viaA.get(`/v1/orders/${id}`)).body.status));
      if (statuses.every((s) => s === "expired")) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    try {
      const jobs = await sql`SELECT status, count(*)::int AS n FROM jobs WHERE kind = 'order.expire' GROUP BY status`;
      expect(jobs).toEqual([{ status: "done", n: 20 }]);
      const captures =
        await sql`SELECT source_id, count(*)::int AS n FROM ledger_transactions WHERE type = 'payment.capture' GROUP BY source_id`;
      expect(captures).toHaveLength(20);
      expect(captures.every((r) => r.n === 1)).toBe(true);
      const expiredEvents = await sql`SELECT count(*)::int AS n FROM events WHERE type = 'order.expired'`;
      expect(expiredEvents[0]?.n).toBe(20);
    } finally {
      await sql.end();
    }
    const balance = (await viaB.get("/v1/balance")).body;
    // Each no-show fee of 10.00 KGS, less the card fee (2.5 %, at least 5.00): 5.00 each.
    expect(balance.available).toEqual([{ amount: 20 * 500, currency: "KGS" }]);
    expect(balance.held).toEqual([{ amount: 0, currency: "KGS" }]);
    expect((await http(b as string, adminKey).get("/v1/admin/ledger/verify")).body).toMatchObject({ balanced: true, mismatches: [] });
  });
});
