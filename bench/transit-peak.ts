/**
 * Morning peak on the transit path: 1,000 buses and 50 metro turnstiles sending taps for
 * 10,000 riders — offline batches (POST /v1/transit/taps/batch) and online single taps
 * (POST /v1/transit/taps) — against the reference API on a real PostgreSQL, next to
 * pgbench's ledger ceiling measured on the same server in the same run.
 *
 *   npx tsx bench/transit-peak.ts            (from the repo root; about 2 minutes)
 *
 * Everything is local: a private PostgreSQL cluster in a temp dir (stopped at the end), the
 * API as a child process on 127.0.0.1, the load from this process. Knobs (env):
 * BATCH_SIZE (100), BATCH_CONNECTIONS (12), SINGLE_CONNECTIONS (24), SINGLE_SECONDS (10),
 * MIXED_SECONDS (8), PGBENCH_SECONDS (10), BATCH_SECONDS (40), BATCHES (1050), DB_POOL_SIZE (20), CPU_PROFILE=dir (profiles the API), KEEP_PG=1 (leaves the cluster running),
 * PG_STATEMENTS=1 (time per statement), PG_EXPLAIN_MS=n (plans of statements slower than n ms, in the cluster's log).
 */
import { once } from "node:events";
import { copyFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import postgres from "postgres";
import { postmasterPid, processCpu, processSyscalls, treeCpu } from "./lib/cpu.js";
import { fmt, jsonClient, loops, percentile } from "./lib/load.js";
import { type PgCluster, spawnJsonAnnouncer, withPostgres } from "./lib/postgres.js";
import { REFERENCE_DIR } from "./lib/reference.js";

// The repo root, from this script's own path (works whether tsx runs it as CommonJS or ESM).
const ROOT = resolve(dirname(resolve(process.argv[1] ?? "bench/transit-peak.ts")), "..");
const REFERENCE = REFERENCE_DIR;
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const BUSES = 1000;
const TURNSTILES = 50;
const RIDERS = 10_000;
const BATCH_SIZE = env("BATCH_SIZE", 100);
const BATCH_CONNECTIONS = env("BATCH_CONNECTIONS", 12);
const SINGLE_CONNECTIONS = env("SINGLE_CONNECTIONS", 24);
const SINGLE_SECONDS = env("SINGLE_SECONDS", 10);
const MIXED_SECONDS = env("MIXED_SECONDS", 8);
const PGBENCH_SECONDS = env("PGBENCH_SECONDS", 10);
/** The offline-upload phase stops at whichever comes first: every terminal uploaded, or this. */
const BATCH_SECONDS = env("BATCH_SECONDS", 40);

interface Tap {
  terminal: string;
  customer: string;
  tapped_at: string;
  client_tap_id: string;
}
interface TapReply {
  decision?: "accepted" | "declined";
  reason?: string | null;
  replayed?: boolean;
  error?: { code: string };
}

const log = (...args: unknown[]) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...args);
const rand = (n: number) => Math.floor(Math.random() * n);

async function pgbenchCeiling(pg: PgCluster) {
  const pm = postmasterPid(pg.dataDir);
  await pg.createDatabase("ledgerbench");
  await pg.psqlFile("ledgerbench", join(REFERENCE, "ledger_schema.sql"));
  log(`pgbench ledger_transfer.sql -M prepared -c 8 -j 2 -T ${PGBENCH_SECONDS} …`);
  let cpu = treeCpu(pm);
  const single = await pg.pgbench("ledgerbench", {
    script: join(REFERENCE, "ledger_transfer.sql"),
    clients: 8,
    threads: 2,
    seconds: PGBENCH_SECONDS,
    prepared: true,
  });
  const singleCpu = (treeCpu(pm) - cpu) / single.transactions;
  log(`pgbench ledger_batch100.sql -c 8 -j 2 -T ${PGBENCH_SECONDS} …`);
  cpu = treeCpu(pm);
  const batch = await pg.pgbench("ledgerbench", {
    script: join(REFERENCE, "ledger_batch100.sql"),
    clients: 8,
    threads: 2,
    seconds: PGBENCH_SECONDS,
  });
  const batchCpu = (treeCpu(pm) - cpu) / (batch.transactions * 100);
  await pg.psql("postgres", "DROP DATABASE ledgerbench");
  return { transferTps: single.tps, batchTransfersPerSec: batch.tps * 100, singleCpu, batchCpu };
}

/** 10,000 riders with funded wallets, written straight to the database (a balanced seed posting), to keep set-up short. */
async function seedRiders(url: string, merchantId: string): Promise<{ ids: string[]; poor: number }> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const riders = Array.from({ length: RIDERS }, (_, i) => {
    const r = Math.random();
    const category = r < 0.2 ? "student" : r < 0.25 ? "pensioner" : "adult";
    // 3% of riders are nearly broke, so the run has real declines.
    const balance = i % 33 === 0 ? rand(3000) : 50_000;
    return { id: `cus_bench${String(i).padStart(6, "0")}`, category, balance };
  });
  const total = riders.reduce((s, r) => s + r.balance, 0);
  const json = JSON.stringify(riders);
  await sql.begin(async (tx) => {
    await tx.unsafe(
      `INSERT INTO customers (id, livemode, merchant_id, category, wallet_currency, metadata)
       SELECT id, false, $1, category, 'KGS', '{}' FROM json_to_recordset($2::text::json) AS r(id text, category text)`,
      [merchantId, json],
    );
    await tx.unsafe(
      `INSERT INTO ledger_accounts (id, merchant_id, kind, currency, livemode, allow_negative, balance)
       SELECT 'customer:' || id || ':wallet:KGS', $1, 'customer_wallet', 'KGS', false, false, balance FROM json_to_recordset($2::text::json) AS r(id text, balance bigint)
       UNION ALL SELECT 'platform:test:clearing_card:KGS', NULL, 'platform_clearing', 'KGS', false, true, -$3::bigint`,
      [merchantId, json, total],
    );
    await tx.unsafe(
      `INSERT INTO ledger_transactions (id, merchant_id, livemode, type, description) VALUES ('txn_benchseed', $1, false, 'wallet_topup', 'bench seed')`,
      [merchantId],
    );
    await tx.unsafe(
      `INSERT INTO ledger_postings (transaction_id, line, account_id, amount, currency)
       SELECT 'txn_benchseed', (row_number() OVER () - 1)::integer, account_id, amount, 'KGS' FROM (
         SELECT 'customer:' || id || ':wallet:KGS' AS account_id, balance AS amount FROM json_to_recordset($1::text::json) AS r(id text, balance bigint) WHERE balance <> 0
         UNION ALL SELECT 'platform:test:clearing_card:KGS', -$2::bigint) s`,
      [json, total],
    );
  });
  await sql.unsafe("ANALYZE");
  await sql.end();
  return { ids: riders.map((r) => r.id), poor: riders.filter((r) => r.balance < 3000).length };
}

interface Cpu {
  pg: number;
  api: number;
  /** The API's write system calls (socket writes: one per statement sent, one per response). */
  apiWrites: number;
  /** This process: the load generator's CPU, which shares the machine's two cores. */
  load: number;
}

function summary(name: string, taps: number, seconds: number, latencies: number[], cpu: Cpu) {
  return {
    name,
    taps,
    seconds,
    rate: taps / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    requests: latencies.length,
    pgUs: (cpu.pg * 1e6) / taps,
    apiUs: (cpu.api * 1e6) / taps,
    loadUs: (cpu.load * 1e6) / taps,
    writesPerTap: cpu.apiWrites / taps,
  };
}

async function main() {
  const started = Date.now();
  const slow = process.env.PG_SLOW_MS;
  const statements = process.env.PG_STATEMENTS
    ? { shared_preload_libraries: "pg_stat_statements", "pg_stat_statements.track_planning": "on" }
    : {};
  // PG_EXPLAIN_MS=n logs the plan of every statement slower than n ms (auto_explain) to the cluster's log (with KEEP_PG=1 to read it).
  const explain = process.env.PG_EXPLAIN_MS
    ? {
        session_preload_libraries: "auto_explain",
        "auto_explain.log_min_duration": process.env.PG_EXPLAIN_MS,
        "auto_explain.log_analyze": "on",
      }
    : {};
  await withPostgres(
    { name: "transit", settings: { ...(slow ? { log_min_duration_statement: slow } : {}), ...statements, ...explain } },
    async (pg) => {
      log(`PostgreSQL 15 on 127.0.0.1:${pg.port} (fsync and synchronous_commit on)`);
      const ceiling = await pgbenchCeiling(pg);
      log(`ceiling: ${fmt(ceiling.transferTps)} single transfers/s, ${fmt(ceiling.batchTransfersPerSec)} batched transfers/s`);

      await pg.createDatabase("softrack");
      const server = await spawnJsonAnnouncer(
        process.execPath,
        [
          ...(process.env.CPU_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.CPU_PROFILE}`] : []),
          "--import",
          "tsx",
          join(ROOT, "bench/transit-server.ts"),
        ],
        {
          ...(process.env.API_OVER_TCP ? { DATABASE_URL: pg.url("softrack") } : pg.socketEnv("softrack")),
          DB_POOL_SIZE: String(env("DB_POOL_SIZE", 20)),
        },
      );
      const api = server.announce as { url: string; merchantId: string; secretKey: string; adminKey: string; pid: number };
      const pm = postmasterPid(pg.dataDir);
      const cpuNow = (): Cpu => ({
        pg: treeCpu(pm),
        api: processCpu(api.pid),
        apiWrites: processSyscalls(api.pid).writes,
        load: processCpu(process.pid),
      });
      const cpuSince = (a: Cpu): Cpu => {
        const b = cpuNow();
        return { pg: b.pg - a.pg, api: b.api - a.api, apiWrites: b.apiWrites - a.apiWrites, load: b.load - a.load };
      };
      /** PG_STATEMENTS=1: where PostgreSQL's time went in a phase (planning and execution per statement, per tap). */
      const statementsSince = async (label: string, taps?: number) => {
        if (!process.env.PG_STATEMENTS) return;
        const q = postgres(pg.url("softrack"), { max: 1, onnotice: () => {} });
        try {
          await q`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`;
          if (taps !== undefined) {
            const top = await q<{ calls: number; plan_ms: number; exec_ms: number; query: string }[]>`
            SELECT calls::int, round(total_plan_time::numeric, 1)::float AS plan_ms, round(total_exec_time::numeric, 1)::float AS exec_ms,
                   left(regexp_replace(query, '[[:space:]]+', ' ', 'g'), 90) AS query
            FROM pg_stat_statements ORDER BY total_plan_time + total_exec_time DESC LIMIT 8`;
            log(`${label}: PostgreSQL time per statement (µs per tap: planning / execution)`);
            for (const r of top) log(`  ${fmt((r.plan_ms * 1000) / taps)} / ${fmt((r.exec_ms * 1000) / taps)}  ×${r.calls}  ${r.query}`);
          }
          await q`SELECT pg_stat_statements_reset()`;
        } finally {
          await q.end();
        }
      };
      const client = jsonClient(api.url, api.secretKey, 64);
      const admin = jsonClient(api.url, api.adminKey, 2);
      try {
        // --- Set-up: a fare tariff, 1,050 terminals, 10,000 riders.
        const tariff = await client.put("/v1/tariffs/peak-fares", {
          kind: "fare",
          effective_from: "2020-01-01T00:00:00Z",
          rules: {
            default_fare: 2000,
            routes: { M1: 3000, M2: 3000, M3: 3000 },
            periods: [{ name: "peak", days: ["mon", "tue", "wed", "thu", "fri"], start: "07:00", end: "10:00", adjust_bps: 2500 }],
            categories: { student: { discount_bps: 5000 }, pensioner: { free: true } },
            transfer: { window_minutes: 60 },
            caps: { daily: 8000 },
          },
        });
        if (tariff.status !== 200) throw new Error(`tariff: ${JSON.stringify(tariff.body)}`);
        const terminals: string[] = new Array(BUSES + TURNSTILES);
        let next = 0;
        await loops(
          16,
          () => next >= terminals.length,
          async () => {
            const i = next++;
            const bus = i < BUSES;
            const r = await client.post<{ id: string }>("/v1/transit/terminals", {
              kind: bus ? "bus_validator" : "turnstile",
              route: bus ? String(1 + (i % 100)) : `M${1 + (i % 3)}`,
              fare_tariff: "peak-fares",
            });
            if (r.status !== 200) throw new Error(`terminal: ${JSON.stringify(r.body)}`);
            terminals[i] = r.body.id;
          },
        );
        const riders = await seedRiders(pg.url("softrack"), api.merchantId);
        log(
          `set up ${terminals.length} terminals (${BUSES} buses, ${TURNSTILES} turnstiles) and ${RIDERS} riders (${riders.poor} nearly broke)`,
        );

        const rider = () => riders.ids[rand(riders.ids.length)] as string;
        const offlineBatch = (terminalIndex: number, tag: string): Tap[] => {
          const now = Date.now();
          const times = Array.from({ length: BATCH_SIZE }, () => now - 90 * 60_000 + rand(85 * 60_000)).sort((a, b) => a - b);
          return times.map((t, k) => ({
            terminal: terminals[terminalIndex] as string,
            customer: rider(),
            tapped_at: new Date(t).toISOString(),
            client_tap_id: `${tag}-${k}`,
          }));
        };
        const outcomes = { accepted: 0, declined: 0, errors: 0, replayed: 0, http: 0 };
        const count = (replies: TapReply[]) => {
          for (const r of replies) {
            if (r.error) outcomes.errors++;
            else if (r.replayed) outcomes.replayed++;
            else if (r.decision === "accepted") outcomes.accepted++;
            else outcomes.declined++;
          }
        };

        // --- Phase 1: every terminal uploads the taps it stored offline.
        const batches = terminals.slice(0, env("BATCHES", terminals.length)).map((_, i) => offlineBatch(i, `off${i}`));
        const batchLatencies: number[] = [];
        let b = 0;
        await statementsSince("set-up");
        let t0 = performance.now();
        let cpu0 = cpuNow();
        const batchDeadline = performance.now() + BATCH_SECONDS * 1000;
        await loops(
          BATCH_CONNECTIONS,
          () => b >= batches.length || performance.now() >= batchDeadline,
          async () => {
            const taps = batches[b++] as Tap[];
            const r = await client.post<{ data: TapReply[] }>("/v1/transit/taps/batch", { taps });
            if (r.status !== 200) {
              outcomes.http++;
              return;
            }
            batchLatencies.push(r.ms);
            count(r.body.data);
          },
        );
        const batchPhase = summary(
          `offline batches of ${BATCH_SIZE}, ${BATCH_CONNECTIONS} connections`,
          batchLatencies.length * BATCH_SIZE,
          (performance.now() - t0) / 1000,
          batchLatencies,
          cpuSince(cpu0),
        );
        log(`batches: ${fmt(batchPhase.rate)} taps/s, batch p50 ${fmt(batchPhase.p50, 1)} ms, p99 ${fmt(batchPhase.p99, 1)} ms`);
        await statementsSince("batches", batchPhase.taps);

        // --- Phase 2: re-uploads, two at once over two connections, overlapping: nothing may be charged twice.
        const before = outcomes.accepted + outcomes.declined;
        const replayed = outcomes.replayed;
        const again = Array.from({ length: 40 }, () => rand(b)); // batches that were uploaded
        await Promise.all(
          again.map(async (i) => {
            const taps = batches[i] as Tap[];
            const half = Math.floor(taps.length / 2);
            const [x, y] = await Promise.all([
              client.post<{ data: TapReply[] }>("/v1/transit/taps/batch", { taps }),
              client.post<{ data: TapReply[] }>("/v1/transit/taps/batch", { taps: taps.slice(half - 10) }),
            ]);
            count(x.body.data);
            count(y.body.data);
          }),
        );
        const replayOk =
          outcomes.accepted + outcomes.declined === before &&
          outcomes.replayed - replayed === again.reduce((s) => s + BATCH_SIZE + BATCH_SIZE - Math.floor(BATCH_SIZE / 2) + 10, 0);
        log(
          `re-uploads: ${outcomes.replayed - replayed} taps answered from the record, ${outcomes.accepted + outcomes.declined - before} decided again (must be 0)`,
        );

        // --- Phase 3: online single taps from all terminals.
        const single = async (latencies: number[]) => {
          const tap = {
            terminal: terminals[rand(terminals.length)] as string,
            customer: rider(),
            tapped_at: new Date().toISOString(),
            client_tap_id: `on-${process.hrtime.bigint()}-${rand(1e9)}`,
          };
          const r = await client.post<TapReply>("/v1/transit/taps", tap);
          if (r.status !== 200) outcomes.http++;
          else {
            latencies.push(r.ms);
            count([r.body]);
          }
        };
        const singleLatencies: number[] = [];
        await statementsSince("re-uploads");
        let deadline = performance.now() + SINGLE_SECONDS * 1000;
        t0 = performance.now();
        cpu0 = cpuNow();
        await loops(
          SINGLE_CONNECTIONS,
          () => performance.now() >= deadline,
          () => single(singleLatencies),
        );
        const singlePhase = summary(
          `online single taps, ${SINGLE_CONNECTIONS} connections`,
          singleLatencies.length,
          (performance.now() - t0) / 1000,
          singleLatencies,
          cpuSince(cpu0),
        );
        log(`singles: ${fmt(singlePhase.rate)} taps/s, p50 ${fmt(singlePhase.p50, 1)} ms, p99 ${fmt(singlePhase.p99, 1)} ms`);
        await statementsSince("singles", singlePhase.taps);

        // --- Phase 4: the real morning: singles and offline uploads at the same time.
        const mixedSingles: number[] = [];
        const mixedBatches: number[] = [];
        let mixedBatchTaps = 0;
        let tag = 0;
        deadline = performance.now() + MIXED_SECONDS * 1000;
        t0 = performance.now();
        cpu0 = cpuNow();
        await Promise.all([
          loops(
            SINGLE_CONNECTIONS,
            () => performance.now() >= deadline,
            () => single(mixedSingles),
          ),
          loops(
            2,
            () => performance.now() >= deadline,
            async () => {
              const r = await client.post<{ data: TapReply[] }>("/v1/transit/taps/batch", {
                taps: offlineBatch(rand(terminals.length), `mix${tag++}`),
              });
              if (r.status !== 200) outcomes.http++;
              else {
                mixedBatches.push(r.ms);
                mixedBatchTaps += r.body.data.length;
                count(r.body.data);
              }
            },
          ),
        ]);
        const mixedSeconds = (performance.now() - t0) / 1000;
        const mixedCpu = cpuSince(cpu0);
        // CPU of the mixed phase is shared out by taps.
        const share = (n: number): Cpu => ({
          pg: (mixedCpu.pg * n) / (mixedSingles.length + mixedBatchTaps),
          api: (mixedCpu.api * n) / (mixedSingles.length + mixedBatchTaps),
        });
        const mixedSingle = summary(
          `mixed: singles, ${SINGLE_CONNECTIONS} connections`,
          mixedSingles.length,
          mixedSeconds,
          mixedSingles,
          share(mixedSingles.length),
        );
        const mixedBatch = summary(
          `mixed: batches of ${BATCH_SIZE}, 2 connections`,
          mixedBatchTaps,
          mixedSeconds,
          mixedBatches,
          share(mixedBatchTaps),
        );
        log(`mixed: ${fmt(mixedSingle.rate)} single taps/s (p99 ${fmt(mixedSingle.p99, 1)} ms) + ${fmt(mixedBatch.rate)} batched taps/s`);

        // --- Checks: exactly once, balanced ledger.
        const sql = postgres(pg.url("softrack"), { max: 1, onnotice: () => {} });
        const [check] = await sql<{ taps: number; charged: number; fares: number; txns: number; dup: number }[]>`
        SELECT (SELECT count(*) FROM taps)::int AS taps,
               (SELECT count(*) FROM taps WHERE decision = 'accepted' AND fare > 0)::int AS charged,
               (SELECT coalesce(sum(fare), 0) FROM taps WHERE decision = 'accepted')::bigint AS fares,
               (SELECT count(*) FROM ledger_transactions WHERE type = 'transit_fare')::int AS txns,
               (SELECT count(*) FROM (SELECT source_id FROM ledger_transactions WHERE type = 'transit_fare' GROUP BY source_id HAVING count(*) > 1) d)::int AS dup`;
        await sql.end();
        const verify = await admin.get<{ balanced: boolean }>("/v1/admin/ledger/verify");
        const exactlyOnce = check !== undefined && check.charged === check.txns && check.dup === 0 && replayOk;

        // --- Report.
        const rows = [batchPhase, singlePhase, mixedSingle, mixedBatch];
        console.log("\n## Transit morning peak (bench/transit-peak.ts)\n");
        console.log(
          `PostgreSQL 15 (private cluster, defaults: fsync on, synchronous_commit on; pgbench and the API over its unix socket), API as a child process (DB pool ${env("DB_POOL_SIZE", 20)}), load from the same 2-core machine over 127.0.0.1.`,
        );
        console.log(
          `${BUSES} buses + ${TURNSTILES} turnstiles, ${RIDERS} riders; fare tariff with a peak period, categories, 60-min transfers and a daily cap.\n`,
        );
        console.log(
          "| workload | taps | taps/s | p50 ms | p99 ms | vs pgbench | PG CPU µs/tap | API CPU µs/tap | load CPU µs/tap | API writes/tap |",
        );
        console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (const r of rows) {
          const ref = r.name.includes("batch") ? ceiling.batchTransfersPerSec : ceiling.transferTps;
          console.log(
            `| ${r.name} | ${fmt(r.taps)} | ${fmt(r.rate)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${fmt((100 * r.rate) / ref)}% of ${r.name.includes("batch") ? "batch100" : "single"} | ${fmt(r.pgUs)} | ${fmt(r.apiUs)} | ${fmt(r.loadUs)} | ${fmt(r.writesPerTap, 2)} |`,
          );
        }
        console.log(
          `| pgbench ledger_transfer.sql, -M prepared -c 8 -j 2 | | ${fmt(ceiling.transferTps)} transfers/s | | | 100% | ${fmt(ceiling.singleCpu * 1e6)} per transfer | | | |`,
        );
        console.log(
          `| pgbench ledger_batch100.sql, -c 8 -j 2 | | ${fmt(ceiling.batchTransfersPerSec)} transfers/s | | | 100% | ${fmt(ceiling.batchCpu * 1e6)} per transfer | | | |`,
        );
        console.log(
          `\np50/p99 are per request: for batches the time to decide all ${BATCH_SIZE} taps of the upload. CPU columns: CPU time of the PostgreSQL cluster, of the API process and of this load generator per tap (from /proc), which drift less than rates on a shared machine.`,
        );
        console.log(
          `Machine load average at the end: ${loadavg()
            .map((l) => l.toFixed(1))
            .join(", ")} on ${cpus().length} cores.`,
        );
        console.log(
          `Outcomes: ${fmt(outcomes.accepted)} accepted, ${fmt(outcomes.declined)} declined, ${fmt(outcomes.replayed)} answered from the record (re-uploads), ${outcomes.errors} per-tap errors, ${outcomes.http} failed requests.`,
        );
        console.log(
          `Exactly once: ${check?.charged} charged taps = ${check?.txns} fare transactions, ${check?.dup} tap charged twice; ledger verify balanced: ${verify.body.balanced} → ${exactlyOnce && verify.body.balanced ? "OK" : "FAILED"}`,
        );
        console.log(
          `Targets: batches ≥ 5,000 taps/s: ${batchPhase.rate >= 5000 ? "met" : "NOT met"}; singles ≥ 1,000 taps/s with p99 < 50 ms: ${singlePhase.rate >= 1000 && singlePhase.p99 < 50 ? "met" : "NOT met"}.`,
        );
        console.log(`Run took ${fmt((Date.now() - started) / 1000)} s.`);
        if (!exactlyOnce || !verify.body.balanced || outcomes.http > 0) process.exitCode = 1;
      } finally {
        client.close();
        admin.close();
        if (slow) copyFileSync(pg.logFile, "/tmp/transit-peak-postgres.log");
        server.child.kill("SIGTERM");
        await once(server.child, "exit");
      }
    },
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
