/**
 * A day at a marketplace with the courier payment guarantee, through the HTTP API on a real
 * PostgreSQL: N orders paid by card and held in escrow, then — at realistic rates — kept in
 * full, partly bought out, returned in part, failed in delivery, never collected (expired by
 * the job at collect_by, minus the no-show fee), or still open at the end of the day.
 * Checks at the end: escrow (the merchant's held balance) equals exactly the sum of the
 * orders still held; pending equals the merchant's share of delivered orders less returns;
 * ledger verify is balanced.
 *
 *   npm run build -w @softrack/api && npx tsx bench/marketplace-day.ts [--orders 100000] [--connections 32]
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { type ApiProcess, startApiProcess } from "./lib/api-process.js";
import { fmt, jsonClient, loops } from "./lib/load.js";
import { startPostgres } from "./lib/postgres.js";

const { values } = parseArgs({
  options: { orders: { type: "string", default: "100000" }, connections: { type: "string", default: "32" } },
});
const ORDERS = Number(values.orders);
const CONNECTIONS = Number(values.connections);
const HOUR = 3_600_000;

/** Outcome mix: 15 % never collected, 30 % partial buyout, 5 % failed delivery, 10 % still open; the rest kept in full. Returns hit 10 % of delivered orders. */
function outcome(r: number): "no_show" | "partial" | "fail" | "open" | "full" {
  if (r < 0.15) return "no_show";
  if (r < 0.45) return "partial";
  if (r < 0.5) return "fail";
  if (r < 0.6) return "open";
  return "full";
}

let server: ApiProcess | undefined;
const pg = await startPostgres({ name: "marketplace", settings: { max_connections: 200 } });
try {
  await pg.createDatabase("api");
  const adminKey = `sk_admin_${"m".repeat(40)}`;
  server = await startApiProcess({ databaseUrl: pg.url("api"), adminKey, connections: CONNECTIONS });
  const url = server.url;
  const admin = jsonClient(url, adminKey, 2);
  const m = (
    await admin.post<{ keys: { secret_key: string } }>("/v1/merchants", { name: "Marketplace", country: "KG", default_currency: "KGS" })
  ).body;
  const api = jsonClient(url, m.keys.secret_key, CONNECTIONS);
  const point = (await api.post<{ id: string }>("/v1/pickup_points", { name: "PVZ 1", address: "Bishkek" })).body;

  const dayStart = Date.now();
  const tally = { no_show: 0, partial: 0, fail: 0, open: 0, full: 0, returns: 0, errors: 0 };
  let next = 0;
  const started = performance.now();
  await loops(
    CONNECTIONS,
    () => next >= ORDERS,
    async () => {
      next++;
      if (next % 10_000 === 0)
        console.log(
          `… ${fmt(next)} orders after ${fmt((performance.now() - started) / 1000)} s (load average ${loadavg()[0]?.toFixed(1)})`,
        );
      const kind = outcome(Math.random());
      const items = Array.from({ length: 1 + Math.floor(Math.random() * 4) }, (_, i) => ({
        sku: `sku${i}`,
        name: `Item ${i}`,
        amount: 50_000 + Math.floor(Math.random() * 950_000),
        quantity: 1 + Math.floor(Math.random() * 2),
      }));
      const collectBy = new Date(dayStart + (kind === "open" ? 72 * HOUR : (2 + Math.random() * 18) * HOUR)).toISOString();
      const o = await api.post<{ id: string; payment: { id: string }; handover_code: { code: string } | null }>("/v1/orders", {
        currency: "KGS",
        items,
        // 700 KGS, or the whole order when it costs less (the API refuses a larger fee).
        no_show_fee: Math.min(
          70_000,
          items.reduce((sum, i) => sum + i.amount * i.quantity, 0),
        ),
        delivery: { type: "pickup_point", point: point.id, collect_by: collectBy },
      });
      if (o.status !== 200) {
        tally.errors++;
        if (tally.errors <= 3) console.error(`order create answered ${o.status}: ${JSON.stringify(o.body).slice(0, 300)}`);
        return;
      }
      const paid = await api.post<{ status: string }>(`/v1/payments/${o.body.payment.id}/confirm`, {
        payment_method_data: { type: "card", card: { number: "4242424242424242", exp_month: 12, exp_year: 2035, cvc: "123" } },
      });
      if (o.status !== 200 || paid.body.status !== "requires_capture") {
        tally.errors++;
        return;
      }
      tally[kind]++;
      if (kind === "fail") await api.post(`/v1/orders/${o.body.id}/fail`, { reason: "buyer not at home" });
      if (kind === "full" || kind === "partial") {
        const accepted =
          kind === "full"
            ? items.map((i) => ({ sku: i.sku, quantity: i.quantity }))
            : items.slice(0, Math.max(1, items.length - 1)).map((i) => ({ sku: i.sku, quantity: 1 }));
        const h = await api.post(`/v1/orders/${o.body.id}/handover`, { accepted });
        if (h.status !== 200) tally.errors++;
        if (Math.random() < 0.1) {
          await api.post(`/v1/orders/${o.body.id}/returns`, { items: [accepted[0]] });
          tally.returns++;
        }
      }
    },
  );
  const seconds = (performance.now() - started) / 1000;
  const jobsStarted = performance.now();
  const run = (
    await api.post<{ jobs: { ran: number; by_kind: Record<string, number> } }>("/v1/test_helpers/run_jobs", {
      now: new Date(dayStart + 24 * HOUR).toISOString(),
    })
  ).body;
  const jobSeconds = (performance.now() - jobsStarted) / 1000;

  const sql = postgres(pg.url("api"), { max: 1, onnotice: () => {} });
  const [row] = await sql.unsafe(
    `SELECT
       (SELECT COALESCE(sum(amount), 0) FROM orders WHERE status = 'held') AS open_orders,
       (SELECT COALESCE(sum(balance), 0) FROM ledger_accounts WHERE kind = 'merchant_held') AS escrow,
       (SELECT COALESCE(sum(p.amount_captured - p.fee - p.amount_refunded), 0) FROM orders o JOIN payments p ON p.id = o.payment_id WHERE o.status = 'delivered') AS owed_pending,
       (SELECT COALESCE(sum(balance), 0) FROM ledger_accounts WHERE kind = 'merchant_pending') AS pending,
       (SELECT count(*) FROM orders WHERE status = 'expired') AS expired`,
  );
  await sql.end();
  const [openOrders, escrow, owedPending, pending, expired] = ["open_orders", "escrow", "owed_pending", "pending", "expired"].map((k) =>
    Number(row?.[k]),
  );
  const verify = (await admin.get<{ balanced: boolean }>("/v1/admin/ledger/verify")).body;
  console.log(
    `machine load average at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" / ")} (1/5/15 min)`,
  );
  console.log(
    `orders: ${fmt(ORDERS)} in ${fmt(seconds, 1)} s = ${fmt(ORDERS / seconds)} orders/s (${CONNECTIONS} connections; create + pay + outcome, ~3.3 requests per order)`,
  );
  console.log(
    `mix: ${JSON.stringify(tally)}; jobs at end of day: ${run.jobs.ran} in ${fmt(jobSeconds, 1)} s (${JSON.stringify(run.jobs.by_kind)}), expired orders ${expired}`,
  );
  console.log(
    `escrow ${fmt(escrow ?? 0)} = open orders ${fmt(openOrders ?? 0)}: ${escrow === openOrders}; pending ${fmt(pending ?? 0)} = owed ${fmt(owedPending ?? 0)}: ${pending === owedPending}; ledger balanced=${verify.balanced}`,
  );
  api.close();
  admin.close();
  if (escrow !== openOrders || pending !== owedPending || !verify.balanced || tally.errors > 0) process.exitCode = 1;
} finally {
  server?.stop();
  await pg.stop();
}
