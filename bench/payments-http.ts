/**
 * Wallet payments per second through the HTTP API (create + confirm, 64 connections) on a
 * real PostgreSQL, next to the same run's ceilings: pgbench's one-transfer-per-transaction
 * ledger script, and a bare Hono endpoint parsing JSON on the same machine.
 *
 *   npm run build -w @softrack/api && npx tsx bench/payments-http.ts [--seconds 20] [--connections 64] [--customers 2000]
 *   CPU_PROFILE=dir profiles the API process (written when it stops).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { cpus } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { postmasterPid, processCpu, treeCpu } from "./lib/cpu.js";
import { fmt, jsonClient, loops, percentile, walletPayments } from "./lib/load.js";
import { startPostgres } from "./lib/postgres.js";
import { REFERENCE_DIR } from "./lib/reference.js";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "20" },
    connections: { type: "string", default: "64" },
    customers: { type: "string", default: "2000" },
  },
});
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const CUSTOMERS = Number(values.customers);
const root = resolve(import.meta.dirname, "..");
const refDir = REFERENCE_DIR;
const children: ChildProcess[] = [];
process.on("exit", () => children.forEach((c) => c.kill("SIGKILL")));

function startChild(args: string[], env: Record<string, string>): Promise<string> {
  // Resolves with the child's URL; its pid is children.at(-1).pid.
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
    children.push(child);
    let out = "";
    child.stdout?.on("data", (d) => {
      out += d;
      const m = /ready on (http:\/\/[\d.:]+)/.exec(out);
      if (m) resolvePromise(m[1] as string);
    });
    child.on("exit", (code) => reject(new Error(`child exited ${code}: ${out}`)));
  });
}

// PG_STATEMENTS=1 prints where PostgreSQL's time went per statement during the payments phase.
const statementsOn = process.env.PG_STATEMENTS === "1";
const pg = await startPostgres({
  name: "payments",
  settings: {
    max_connections: 300,
    ...(statementsOn ? { shared_preload_libraries: "pg_stat_statements", "pg_stat_statements.track_planning": "on" } : {}),
  },
});
try {
  await pg.createDatabase("pgbench");
  await pg.createDatabase("api");
  await pg.psqlFile("pgbench", `${refDir}/ledger_schema.sql`);
  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model}), Node ${process.version}`);
  const pm = postmasterPid(pg.dataDir);
  const pgCpu = treeCpu(pm);
  const ceiling = await pg.pgbench("pgbench", {
    script: `${refDir}/ledger_transfer.sql`,
    clients: 8,
    threads: 2,
    seconds: SECONDS,
    prepared: true,
  });
  const pgbenchCpuUs = ((treeCpu(pm) - pgCpu) / ceiling.transactions) * 1e6;
  console.log(
    `pgbench ledger_transfer.sql, 8 clients, -M prepared: ${fmt(ceiling.tps)} tps (PostgreSQL CPU ${fmt(pgbenchCpuUs)} µs per transfer)`,
  );

  // Bare Hono floor, same load generator, same connection count.
  const bare = await startChild(["--import", "tsx", resolve(root, "bench/bare-hono.ts")], { PORT: "0" });
  const bareClient = jsonClient(bare, "x", CONNECTIONS);
  const barePid = children.at(-1)?.pid as number;
  const bareCpu0 = processCpu(barePid);
  let bareDone = 0;
  const bareEnd = Date.now() + SECONDS * 1000;
  const bareStart = performance.now();
  await loops(
    CONNECTIONS,
    () => Date.now() > bareEnd,
    async () => {
      await bareClient.post("/echo", { amount: 100, currency: "KGS" });
      bareDone++;
    },
  );
  const bareRps = bareDone / ((performance.now() - bareStart) / 1000);
  const bareCpuUs = ((processCpu(barePid) - bareCpu0) / bareDone) * 1e6;
  bareClient.close();
  children.pop()?.kill("SIGTERM");
  console.log(`bare Hono POST /echo, ${CONNECTIONS} connections: ${fmt(bareRps)} req/s (server CPU ${fmt(bareCpuUs)} µs per request)`);

  const adminKey = `sk_admin_${"b".repeat(40)}`;
  const api = await startChild(
    [
      ...(process.env.CPU_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.CPU_PROFILE}`] : []),
      resolve(root, "apps/api/dist/index.js"),
    ],
    {
      // Over the Unix socket, as the transit bench and a same-host deployment would.
      ...pg.socketEnv("api"),
      NODE_ENV: "production",
      PUBLIC_URL: "http://localhost",
      METRICS: "off",
      PLATFORM_ADMIN_KEY: adminKey,
      PORT: "0",
      LOG_LEVEL: "warn",
      DB_POOL_SIZE: String(Math.min(CONNECTIONS, 64)),
    },
  );
  const admin = jsonClient(api, adminKey, 4);
  const m = (
    await admin.post<{ id: string; keys: { secret_key: string } }>("/v1/merchants", {
      name: "Bench",
      country: "KG",
      default_currency: "KGS",
    })
  ).body;
  const client = jsonClient(api, m.keys.secret_key, CONNECTIONS);
  const customers: string[] = [];
  let next = 0;
  await loops(
    CONNECTIONS,
    () => next >= CUSTOMERS,
    async () => {
      next++;
      const c = (await client.post<{ id: string }>("/v1/customers", {})).body;
      const topup = (
        await client.post<{ id: string }>("/v1/payments", {
          amount: 100_000_000,
          currency: "KGS",
          purpose: { type: "wallet_topup", customer: c.id },
        })
      ).body;
      await client.post(`/v1/payments/${topup.id}/confirm`, {
        payment_method_data: { type: "card", card: { number: "4242424242424242", exp_month: 12, exp_year: 2035, cvc: "123" } },
      });
      customers.push(c.id);
    },
  );

  const apiPid = children.at(-1)?.pid as number;
  if (statementsOn) await pg.psql("api", "CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset();");
  const cpu0 = { api: processCpu(apiPid), pg: treeCpu(pm) };
  const { ok, failed, latencies, paymentsPerSecond: pps } = await walletPayments(client, customers, CONNECTIONS, SECONDS);
  const apiUs = ((processCpu(apiPid) - cpu0.api) / (ok + failed)) * 1e6;
  const pgUs = ((treeCpu(pm) - cpu0.pg) / (ok + failed)) * 1e6;
  if (statementsOn) {
    const top = await pg.psql(
      "api",
      `SELECT round((total_plan_time * 1000 / ${ok + failed})::numeric) AS plan_us, round((total_exec_time * 1000 / ${ok + failed})::numeric) AS exec_us,
              calls, left(regexp_replace(query, '[[:space:]]+', ' ', 'g'), 110) FROM pg_stat_statements
       ORDER BY total_plan_time + total_exec_time DESC LIMIT 15`,
    );
    console.log(`PostgreSQL time per payment (µs planning | execution | calls | statement):\n${top}`);
  }
  const verify = (await admin.get<{ balanced: boolean }>("/v1/admin/ledger/verify")).body;
  client.close();
  admin.close();
  console.log(
    `wallet payments (create + confirm), ${CONNECTIONS} connections: ${fmt(pps)} payments/s (${fmt(2 * pps)} req/s), ` +
      `p50 ${fmt(percentile(latencies, 50), 1)} ms, p99 ${fmt(percentile(latencies, 99), 1)} ms, failed ${failed}, ledger balanced=${verify.balanced}`,
  );
  console.log(
    `CPU per payment: API ${fmt(apiUs)} µs + PostgreSQL ${fmt(pgUs)} µs (2 requests); if CPU-bound on ${cpus().length} cores: ≈ ${fmt((cpus().length * 1e6) / (apiUs + pgUs))} payments/s`,
  );
  console.log(
    `ratio to pgbench ledger transfers: ${(pps / ceiling.tps).toFixed(2)}×; requests to bare Hono: ${((2 * pps) / bareRps).toFixed(3)}×`,
  );
} finally {
  // Let the API stop cleanly (and write its CPU profile) before its database goes.
  await Promise.all(
    children.map(
      (c) =>
        new Promise((done) => {
          if (c.exitCode !== null) return done(null);
          c.once("exit", done);
          c.kill("SIGTERM");
          setTimeout(done, 10_000).unref();
        }),
    ),
  );
  await pg.stop();
}
