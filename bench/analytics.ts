/**
 * Issue 22: does GET /v1/analytics/overview answer in under 200 ms for a merchant with a million
 * payments? One run, a real PostgreSQL (fsync on), the API as a production process:
 *   1. one merchant (a shop and a transit operator, so every figure is computed) gets `--payments`
 *      payments written straight into the table in SQL, spread over the last `--spread` days
 *      (card, wallet, SMS, QR; 92 % succeeded, 6 % failed, 2 % still open), a refund on every
 *      `--refund-every`th one, and `--taps` taps over 20 routes; plus a second merchant with as
 *      many payments. The tables' triggers append the figures to analytics_deltas as they would
 *      for the API's own writes;
 *   2. the retention run folds them into analytics_rollups (through run_jobs, as its job);
 *   3. `--requests` sequential requests of the 30-day overview in Asia/Bishkek through HTTP,
 *      after 5 to warm up: once folded, and once more with `--backlog` rows of deltas not yet
 *      folded (zero-valued, so the answer is the same; 20,000 is about five minutes of grouped
 *      writes at 1,000 payments/s, the retention interval).
 * Prints p50/p99 latency, checks the answer against sums over the tables themselves, and prints
 * the plan of the payments statement.
 *
 *   npm run build -w @softrack/api && npx tsx bench/analytics.ts [--payments 1000000] [--spread 30] [--taps 1000000] [--requests 200] [--backlog 20000]
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { type ApiProcess, startApiProcess } from "./lib/api-process.js";
import { fmt, jsonClient, percentile } from "./lib/load.js";
import { startPostgres } from "./lib/postgres.js";

const { values } = parseArgs({
  options: {
    payments: { type: "string", default: "1000000" },
    spread: { type: "string", default: "30" },
    "refund-every": { type: "string", default: "10" },
    taps: { type: "string", default: "1000000" },
    requests: { type: "string", default: "200" },
    backlog: { type: "string", default: "20000" },
  },
});
const PAYMENTS = Number(values.payments);
const SPREAD = Number(values.spread);
const REFUND_EVERY = Number(values["refund-every"]);
const TAPS = Number(values.taps);
const REQUESTS = Number(values.requests);
const BACKLOG = Number(values.backlog);
let api: ApiProcess | undefined;
process.on("exit", () => api?.child.kill("SIGKILL"));

// Of every 20 payments: 13 by card, 4 from a wallet, 2 by SMS, 1 by QR.
const METHODS = [..."cccccccccccccwwwwssq"].map((c) => `'${{ c: "card", w: "wallet", s: "sms", q: "qr" }[c]}'`).join(",");

const pg = await startPostgres({ name: "analytics" });
try {
  await pg.createDatabase("api");
  const adminKey = `sk_admin_${"a".repeat(40)}`;
  const socket = pg.socketEnv("api");
  api = await startApiProcess({ databaseUrl: socket.DATABASE_URL, adminKey, connections: 8, env: socket });
  const admin = jsonClient(api.url, adminKey, 1);
  const merchant = async (name: string) => {
    const m = await admin.post<{ id: string; keys: { secret_key: string } }>("/v1/merchants", {
      name,
      country: "KG",
      default_currency: "KGS",
    });
    return { id: m.body.id, sk: jsonClient(api?.url as string, m.body.keys.secret_key, 1) };
  };
  const shop = await merchant("Bishkek Bus & Shop");
  const neighbour = await merchant("Neighbour");
  // One real terminal, so the overview computes rides; the synthetic taps name it.
  const tariff = await shop.sk.put("/v1/tariffs/city", {
    kind: "fare",
    effective_from: "2020-01-01T00:00:00Z",
    rules: { default_fare: 2000 },
  });
  if (tariff.status !== 200) throw new Error(`tariff: ${JSON.stringify(tariff.body)}`);
  const terminal = await shop.sk.post<{ id: string }>("/v1/transit/terminals", { kind: "bus_validator", route: "7", fare_tariff: "city" });

  const started = performance.now();
  const seconds = SPREAD * 86_400;
  for (const m of [shop, neighbour]) {
    await pg.psql(
      "api",
      `INSERT INTO payments (id, livemode, created_at, merchant_id, amount, currency, status, capture_method, method,
                             amount_captured, fee, client_secret_hash, client_secret_sealed, updated_at)
       SELECT 'pay_b_${m.id}_' || lpad(g::text, 8, '0'), false, now() - ((g::bigint * 7919) % ${seconds}) * interval '1 second', '${m.id}',
              a, 'KGS', s, 'automatic', (ARRAY[${METHODS}])[1 + g % 20],
              CASE WHEN s = 'succeeded' THEN a ELSE 0 END, CASE WHEN s = 'succeeded' THEN a / 40 END, 'x', 'x', now()
       FROM (SELECT g, 1000 + (g * 37) % 99000 AS a,
                    CASE WHEN g % 50 < 46 THEN 'succeeded' WHEN g % 50 < 49 THEN 'failed' ELSE 'requires_payment_method' END AS s
             FROM generate_series(1, ${PAYMENTS}) g) x;`,
    );
  }
  await pg.psql(
    "api",
    `INSERT INTO refunds (id, livemode, created_at, merchant_id, payment_id, amount, currency, status)
     SELECT 're_b_' || p.id, false, p.created_at + interval '1 hour', p.merchant_id, p.id, p.amount_captured / 2, 'KGS', 'succeeded'
     FROM payments p WHERE p.merchant_id = '${shop.id}' AND p.status = 'succeeded' AND p.id LIKE 'pay_b_%'
       AND right(p.id, 3)::int % ${REFUND_EVERY} = 0 AND p.created_at + interval '1 hour' < now();
     INSERT INTO taps (id, livemode, created_at, merchant_id, terminal_id, client_tap_id, content_hash, customer_id, route, tapped_at,
                       decision, reason, fare, full_fare, is_transfer, currency, wallet_balance)
     SELECT 'tap_b_' || g, false, t, '${shop.id}', '${terminal.body.id}', 'b-' || g, 'x', 'cus_b_' || (g % 5000), (g % 20 + 1)::text, t,
            CASE WHEN g % 25 = 0 THEN 'declined' ELSE 'accepted' END, CASE WHEN g % 25 = 0 THEN 'insufficient_funds' END,
            CASE WHEN g % 25 = 0 THEN 0 ELSE 2000 END, 2000, false, 'KGS', 10000
     FROM (SELECT g, now() - ((g::bigint * 6007) % ${seconds}) * interval '1 second' AS t FROM generate_series(1, ${TAPS}) g) x;`,
  );
  // The retention run folds the deltas the bulk inserts appended (its job, made due, through run_jobs).
  await pg.psql("api", "UPDATE jobs SET run_at = now() - interval '1 second' WHERE kind = 'retention.prune' AND status = 'scheduled'");
  const fold = await shop.sk.post<{ jobs: { by_kind: Record<string, number> } }>("/v1/test_helpers/run_jobs", {
    now: new Date().toISOString(),
  });
  if (fold.body.jobs.by_kind["retention.prune"] !== 1) throw new Error(`fold: ${JSON.stringify(fold.body)}`);
  for (const table of ["payments", "refunds", "taps", "analytics_rollups", "analytics_deltas"])
    await pg.psql("api", `VACUUM ANALYZE ${table}`);
  await pg.psql("api", "CHECKPOINT");
  const counts = await pg.psql(
    "api",
    `SELECT (SELECT count(*) FROM payments WHERE merchant_id = '${shop.id}') || ' payments, ' ||
            (SELECT count(*) FROM refunds WHERE merchant_id = '${shop.id}') || ' refunds, ' ||
            (SELECT count(*) FROM taps WHERE merchant_id = '${shop.id}') || ' taps; ' ||
            (SELECT count(*) FROM analytics_rollups WHERE merchant_id = '${shop.id}') || ' rollup rows'`,
  );
  console.log(`synthesised in ${fmt((performance.now() - started) / 1000)} s: the merchant has ${counts.split("\n")[2]?.trim()}`);

  // What the answer must say, summed over the tables themselves.
  const truth = (
    await pg.psql(
      "api",
      `SELECT count(*) || ' ' || sum(amount_captured) FROM payments WHERE merchant_id = '${shop.id}' AND status = 'succeeded'
         AND (created_at AT TIME ZONE 'Asia/Bishkek')::date > (now() AT TIME ZONE 'Asia/Bishkek')::date - ${SPREAD}`,
    )
  )
    .split("\n")[2]
    ?.trim();

  type Overview = { totals: { count: number; amount: number }[]; transit: { rides: number } | null };
  const path = "/v1/analytics/overview?days=30&timezone=Asia%2FBishkek";
  const measure = async (label: string) => {
    for (let i = 0; i < 5; i++) await shop.sk.get(path);
    const ms: number[] = [];
    let last: Overview | undefined;
    for (let i = 0; i < REQUESTS; i++) {
      const r = await shop.sk.get<Overview>(path);
      if (r.status !== 200) throw new Error(`overview: ${r.status} ${JSON.stringify(r.body)}`);
      ms.push(r.ms);
      last = r.body;
    }
    const said = `${last?.totals[0]?.count} ${last?.totals[0]?.amount}`;
    if (said !== truth) throw new Error(`overview says ${said} succeeded payments/amount, the table ${truth}`);
    return { label, p50: percentile(ms, 50), p99: percentile(ms, 99), last };
  };
  const folded = await measure("folded");
  await pg.psql(
    "api",
    `INSERT INTO analytics_deltas (merchant_id, livemode, bucket, measure, currency, dimension, count, amount, fee)
     SELECT '${shop.id}', false, date_bin('15 minutes', now() - (g % 300) * interval '1 second', TIMESTAMPTZ '2000-01-01 00:00:00+00'),
            'payment_succeeded', 'KGS', 'card', 0, 0, 0
     FROM generate_series(1, ${BACKLOG}) g;`,
  );
  await pg.psql("api", "VACUUM ANALYZE analytics_deltas");
  const backlog = await measure(`+ ${fmt(BACKLOG)} deltas not yet folded`);
  const plan = await pg.psql(
    "api",
    `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
     SELECT to_char((bucket AT TIME ZONE 'Asia/Bishkek')::date, 'YYYY-MM-DD'), currency, dimension, measure, sum(count), sum(amount), sum(fee)
     FROM (SELECT bucket, measure, currency, dimension, count, amount, fee FROM analytics_rollups
           WHERE merchant_id = '${shop.id}' AND livemode = false AND bucket >= now() - interval '30 days'
             AND measure = ANY('{payment_succeeded,payment_failed}'::text[])
           UNION ALL
           SELECT bucket, measure, currency, dimension, count, amount, fee FROM analytics_deltas
           WHERE merchant_id = '${shop.id}' AND livemode = false AND bucket >= now() - interval '30 days'
             AND measure = ANY('{payment_succeeded,payment_failed}'::text[])) f
     GROUP BY 1, 2, 3, 4`,
  );
  console.log(plan);
  console.log(
    `in the window: ${fmt(folded.last?.totals[0]?.count ?? 0)} succeeded payments, ${fmt(folded.last?.transit?.rides ?? 0)} rides (the tables agree)`,
  );
  console.log(`\n| payments of the merchant | spread over | taps | figures | requests | p50 ms | p99 ms |`);
  console.log("|---:|---:|---:|---|---:|---:|---:|");
  for (const m of [folded, backlog]) {
    console.log(
      `| ${fmt(PAYMENTS)} | ${SPREAD} days | ${fmt(TAPS)} | ${m.label} | ${REQUESTS} | ${m.p50.toFixed(1)} | ${m.p99.toFixed(1)} |`,
    );
  }
  console.log(
    `\nRun: \`npx tsx bench/analytics.ts --payments ${PAYMENTS} --spread ${SPREAD} --taps ${TAPS} --requests ${REQUESTS} --backlog ${BACKLOG}\`, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, load average ${loadavg()[0]?.toFixed(1)}.`,
  );
  admin.close();
  shop.sk.close();
  neighbour.sk.close();
} finally {
  api?.stop();
  await pg.stop();
}
