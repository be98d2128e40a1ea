/**
 * Issue 25: does a volume-tier merchant's payment cost the same on the last day of a busy month
 * as on the first? One run, a real PostgreSQL 15 (fsync on), the API over its Unix socket:
 *   1. an empty month: sequential wallet payments (create + confirm in one request) of a merchant
 *      whose fee tariff prices by monthly volume tiers, and of one on a flat tariff;
 *   2. the same merchants after `--history` succeeded payments of the month are written into the
 *      payments table (and the tiered merchant's running total raised by as much), then again.
 * Prints p50/p99 latency and PostgreSQL CPU per payment per phase, and the ratio of phase 2 to 1.
 *
 *   npm run build -w @softrack/api && npx tsx bench/fee-volume.ts [--payments 2000] [--history 1000000]
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { type ApiProcess, startApiProcess } from "./lib/api-process.js";
import { postmasterPid, treeCpu } from "./lib/cpu.js";
import { fmt, jsonClient, percentile } from "./lib/load.js";
import { startPostgres } from "./lib/postgres.js";

const { values } = parseArgs({
  options: { payments: { type: "string", default: "2000" }, history: { type: "string", default: "1000000" } },
});
const PAYMENTS = Number(values.payments);
const HISTORY = Number(values.history);
let api: ApiProcess | undefined;
process.on("exit", () => api?.child.kill("SIGKILL"));

const pg = await startPostgres({ name: "fee-volume" });
try {
  await pg.createDatabase("api");
  const adminKey = `sk_admin_${"f".repeat(40)}`;
  // Over the Unix socket, as the payments bench reaches it.
  const socket = pg.socketEnv("api");
  api = await startApiProcess({ databaseUrl: socket.DATABASE_URL, adminKey, connections: 8, env: socket });
  const url = api.url;
  const admin = jsonClient(url, adminKey, 2);
  const put = await admin.put("/v1/tariffs/volume-tiers", {
    kind: "fee",
    currency: "KGS",
    effective_from: "2024-01-01T00:00:00Z",
    rules: {
      tier_period: "month",
      default: {
        tiers: [
          { from: 0, percent_bps: 250 },
          { from: 100_000_000, percent_bps: 200 },
          { from: 1_000_000_000, percent_bps: 150 },
        ],
      },
    },
  });
  if (put.status !== 200) throw new Error(`tariff: ${JSON.stringify(put.body)}`);
  const merchant = async (name: string, feeTariff?: string) => {
    const m = await admin.post<{ id: string; keys: { secret_key: string } }>("/v1/merchants", {
      name,
      country: "KG",
      default_currency: "KGS",
      ...(feeTariff && { fee_tariff: feeTariff }),
    });
    const sk = jsonClient(url, m.body.keys.secret_key, 2);
    const c = await sk.post<{ id: string }>("/v1/customers", { name: "Payer" });
    const topup = await sk.post<{ id: string }>("/v1/payments", {
      amount: 1_000_000_000,
      currency: "KGS",
      purpose: { type: "wallet_topup", customer: c.body.id },
    });
    const card = { number: "4242424242424242", exp_month: 12, exp_year: 2040, cvc: "123" };
    await sk.post(`/v1/payments/${topup.body.id}/confirm`, { payment_method_data: { type: "card", card } });
    return { id: m.body.id, sk, customer: c.body.id };
  };
  const tiered = await merchant("Tiered", "volume-tiers");
  const flat = await merchant("Flat");
  const postmaster = postmasterPid(pg.dataDir);

  async function phase(m: Awaited<ReturnType<typeof merchant>>) {
    const ms: number[] = [];
    let fees = 0;
    const cpu0 = treeCpu(postmaster);
    for (let i = 0; i < PAYMENTS; i++) {
      const r = await m.sk.post<{ status: string; fee: number }>("/v1/payments", {
        amount: 10_000,
        currency: "KGS",
        customer: m.customer,
        confirm: true,
        payment_method_data: { type: "wallet" },
      });
      if (r.status !== 200 || r.body.status !== "succeeded") throw new Error(`payment: ${r.status} ${JSON.stringify(r.body)}`);
      ms.push(r.ms);
      fees += r.body.fee;
    }
    return { p50: percentile(ms, 50), p99: percentile(ms, 99), pgUs: ((treeCpu(postmaster) - cpu0) / PAYMENTS) * 1e6, fees };
  }

  const before = { tiered: await phase(tiered), flat: await phase(flat) };
  console.log(`empty month: tiered p50 ${before.tiered.p50.toFixed(2)} ms, flat p50 ${before.flat.p50.toFixed(2)} ms`);
  // A month of history: succeeded payments written straight into the table, as if captured
  // earlier this month, and the tiered merchant's running total raised by the same amount.
  const started = performance.now();
  for (const m of [tiered, flat]) {
    await pg.psql(
      "api",
      `INSERT INTO payments (id, livemode, created_at, merchant_id, amount, currency, status, capture_method, method,
                             amount_captured, fee, client_secret_hash, client_secret_sealed, updated_at)
       SELECT 'pay_hist_' || '${m.id}' || '_' || g, false, date_trunc('month', now()) + (g % 86400) * interval '1 second', '${m.id}',
              10000, 'KGS', 'succeeded', 'automatic', 'wallet', 10000, 250, 'x', 'x', now()
       FROM generate_series(1, ${HISTORY}) g;
       UPDATE fee_volumes SET volume = volume + ${HISTORY}::bigint * 10000 WHERE merchant_id = '${m.id}';`,
    );
  }
  // The vacuum and checkpoint a bulk insert sets off, done now: else they land in the next phase's
  // PostgreSQL CPU (autovacuum is the postmaster's child).
  await pg.psql("api", "VACUUM ANALYZE payments");
  await pg.psql("api", "CHECKPOINT");
  console.log(`history: ${fmt(HISTORY)} payments per merchant written in ${fmt((performance.now() - started) / 1000)} s`);
  const after = { tiered: await phase(tiered), flat: await phase(flat) };
  const rows = [
    ["volume-tier tariff", before.tiered, after.tiered],
    ["flat tariff", before.flat, after.flat],
  ] as const;
  console.log(
    `\n| merchant (${fmt(PAYMENTS)} sequential wallet payments per phase) | empty month p50 / p99 ms | PostgreSQL CPU µs per payment | ${fmt(HISTORY)} payments this month p50 / p99 ms | PostgreSQL CPU µs per payment | p50 ratio | CPU ratio |`,
  );
  console.log("|---|---|---:|---|---:|---:|---:|");
  for (const [name, a, b] of rows) {
    console.log(
      `| ${name} | ${a.p50.toFixed(2)} / ${a.p99.toFixed(2)} | ${fmt(a.pgUs)} | ${b.p50.toFixed(2)} / ${b.p99.toFixed(2)} | ${fmt(b.pgUs)} | ${(b.p50 / a.p50).toFixed(2)}× | ${(b.pgUs / a.pgUs).toFixed(2)}× |`,
    );
  }
  console.log(
    `\nRun: \`npx tsx bench/fee-volume.ts --payments ${PAYMENTS} --history ${HISTORY}\`, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, load average ${loadavg()[0]?.toFixed(1)}.`,
  );
  // The tiered merchant was priced at the volume its history reached, not at the first tier.
  if (HISTORY * 10_000 >= 100_000_000 && after.tiered.fees >= before.tiered.fees) {
    console.error("the tiered merchant's fees did not fall after a month of volume: the running total was not read");
    process.exitCode = 1;
  }
  admin.close();
  tiered.sk.close();
  flat.sk.close();
} finally {
  api?.stop();
  await pg.stop();
}
