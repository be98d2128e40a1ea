/**
 * Ledger transfers per second through the API's ledger store (apps/api/src/store/ledger-store.ts)
 * against a real PostgreSQL server, next to the same run's pgbench ceiling for the same
 * transfer written as SQL (bench/reference/ledger_transfer.sql).
 *
 *   npx tsx bench/ledger-store.ts [--seconds 20] [--writers 32]
 *
 * Starts its own throw-away cluster (scripts/pg-cluster.sh) with fsync and synchronous_commit on.
 */
import { execFileSync, execSync } from "node:child_process";
import { cpus } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { createDatabase } from "../apps/api/src/db/client.js";
import { clearingAccount, walletAccount } from "../apps/api/src/store/accounts.js";
import { LedgerGroupCommit } from "../apps/api/src/store/group-commit.js";
import { LedgerStore } from "../apps/api/src/store/ledger-store.js";
import { REFERENCE_DIR } from "./lib/reference.js";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "20" },
    writers: { type: "string", default: "32" },
    accounts: { type: "string", default: "100000" },
  },
});
const SECONDS = Number(values.seconds);
const WRITERS = Number(values.writers);
const ACCOUNTS = Number(values.accounts);
const root = resolve(import.meta.dirname, "..");
const refDir = REFERENCE_DIR;
const pgBin = execSync("ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1").toString().trim();

const env = execFileSync("bash", [`${root}/scripts/pg-cluster.sh`, "start", "/tmp/softrack-bench-pg", "55470"]).toString();
const baseUrl = env.split("=")[1]?.trim() as string;
const dbUrl = (name: string) => baseUrl.replace(/\/postgres$/, `/${name}`);
const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
for (const name of ["bench_pgbench", "bench_ledger"]) {
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name}`);
  await admin.unsafe(`CREATE DATABASE ${name}`);
}
await admin.end();

function pgbench(clients: number, script = "ledger_transfer.sql"): number {
  const out = execFileSync(
    `${pgBin}/pgbench`,
    ["-n", "-M", "prepared", "-c", String(clients), "-j", "2", "-T", String(SECONDS), "-f", `${refDir}/${script}`, dbUrl("bench_pgbench")],
    { stdio: ["ignore", "pipe", "pipe"] },
  ).toString();
  return Number(/tps = ([\d.]+)/.exec(out)?.[1] ?? 0);
}

console.log(
  `machine: ${cpus().length} cores (${cpus()[0]?.model}), PostgreSQL ${execFileSync(`${pgBin}/postgres`, ["--version"]).toString().trim()}, Node ${process.version}`,
);
execFileSync(`${pgBin}/psql`, ["-q", "-f", `${refDir}/ledger_schema.sql`, dbUrl("bench_pgbench")], { stdio: "ignore" });
const ceiling8 = pgbench(8);
const ceilingN = pgbench(WRITERS);
console.log(`pgbench ledger_transfer.sql -M prepared: 8 clients ${ceiling8.toFixed(0)} tps; ${WRITERS} clients ${ceilingN.toFixed(0)} tps`);

// The ledger store on the API's own schema and code path.
const database = await createDatabase({ url: dbUrl("bench_ledger"), poolSize: WRITERS });
await database.migrate();
const ledger = new LedgerStore(database);
const merchant = "mer_bench";
const account = (i: number) => walletAccount(merchant, `cus_${String(i).padStart(6, "0")}`, false, "KGS");
await database.rows(
  sql`INSERT INTO ledger_accounts (id, merchant_id, kind, currency, livemode, allow_negative, balance)
      SELECT 'customer:cus_' || lpad(g::text, 6, '0') || ':wallet:KGS', ${merchant}, 'customer_wallet', 'KGS', false, false, 1000000000
      FROM generate_series(1, ${ACCOUNTS}) g`,
);
// Opening balances came from outside: one posting pair per account keeps verify balanced.
await database.rows(
  sql`INSERT INTO ledger_accounts (id, kind, currency, allow_negative, balance) VALUES (${clearingAccount("card", false, "KGS").id}, 'platform_clearing', 'KGS', true, ${-1000000000 * ACCOUNTS})`,
);
await database.rows(sql`INSERT INTO ledger_transactions (id, type) VALUES ('txn_opening', 'opening')`);
await database.rows(
  sql`INSERT INTO ledger_postings (transaction_id, line, account_id, amount, currency)
      SELECT 'txn_opening', (row_number() OVER () - 1)::integer, id, balance, 'KGS' FROM ledger_accounts`,
);
await database.rows(sql`VACUUM ANALYZE ledger_accounts`);

/** Runs WRITERS closed loops of random transfers for SECONDS; `post` commits one transfer. */
async function measure(post: (e: Parameters<LedgerGroupCommit["submit"]>[0]) => Promise<unknown>) {
  const latencies: number[] = [];
  let done = 0;
  const deadline = Date.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (Date.now() < deadline) {
        const src = 1 + Math.floor(Math.random() * ACCOUNTS);
        const dst = 1 + ((src + Math.floor(Math.random() * (ACCOUNTS - 1))) % ACCOUNTS);
        const amount = 1 + Math.floor(Math.random() * 1000);
        const t = performance.now();
        await post({
          type: "bench.transfer",
          merchantId: merchant,
          livemode: false,
          postings: [
            { account: account(src), amount: -amount },
            { account: account(dst), amount },
          ],
        });
        latencies.push(performance.now() - t);
        done++;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]?.toFixed(1);
  return { tps: done / ((performance.now() - started) / 1000), p50: pct(0.5), p99: pct(0.99) };
}

// One database transaction per transfer (BEGIN; lock; write; COMMIT).
const single = await measure((e) => database.db.transaction((tx) => ledger.post(tx, [e])));
// Group commit: concurrent transfers share one transaction, each acknowledged after COMMIT.
const group = new LedgerGroupCommit(database, ledger, { maxBatch: 500, maxParallel: 2 });
const grouped = await measure((e) => group.submit(e));
const verify = await ledger.verify();
await database.close();
execFileSync("bash", [`${root}/scripts/pg-cluster.sh`, "stop", "/tmp/softrack-bench-pg"]);

for (const [name, r] of [
  ["one transaction per transfer", single],
  [`group commit (${(group.entries / Math.max(1, group.batches)).toFixed(0)} transfers per commit on average)`, grouped],
] as const) {
  console.log(`ledger store, ${WRITERS} concurrent writers, ${name}: ${r.tps.toFixed(0)} transfers/s (p50 ${r.p50} ms, p99 ${r.p99} ms)`);
  console.log(
    `  ratio to pgbench at ${WRITERS} clients: ${(r.tps / ceilingN).toFixed(2)}×; to pgbench at 8 clients: ${(r.tps / ceiling8).toFixed(2)}×`,
  );
}
console.log(`ledger verify balanced=${verify.balanced}`);
