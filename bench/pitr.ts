/**
 * The tested restore (issue 24): point-in-time recovery of Softrack's database from a base
 * backup and archived WAL, with scripts/pg-backup.sh, on a private PostgreSQL with archiving on.
 *
 *   1. wallet payments through the API (each with an Idempotency-Key), then a base backup;
 *   2. more payments, then T, the server's clock once every one of them was acknowledged;
 *   3. more payments after T (and a refund of an earlier one), then the WAL switched and archived;
 *   4. restore to T into a new data directory on a free port, promoted;
 *   5. on the restored database: exactly the payments acknowledged before T exist (none after),
 *      the ledger verifies balanced (GET /v1/admin/ledger/verify), every key of a payment before
 *      T replays its stored answer byte for byte, and a key used only after T runs afresh.
 *
 *   npx tsx bench/pitr.ts [--payments 20]      (CI's long form: 5 min 51 s on this 2-core machine at load 18)
 * Exits non-zero when a check fails. Every server it starts is its own and is stopped at the end.
 */
import { execFile, execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs, promisify } from "node:util";
import postgres from "postgres";
import { startApi, type TestApi } from "../apps/api/src/testing.js";
import { type PgCluster, startPostgres } from "./lib/postgres.js";

const { values } = parseArgs({ options: { payments: { type: "string", default: "20" } } });
const PER_BATCH = Number(values.payments);
const root = resolve(import.meta.dirname, "..");
const SCRIPT = join(root, "scripts/pg-backup.sh");
const run = promisify(execFile);
const ADMIN_KEY = `sk_admin_pitr_${randomUUID().replaceAll("-", "")}`;
const CARD = { number: "4242424242424242", exp_month: 12, exp_year: 2030, cvc: "123" };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => console.log(line);
/** Async, so the in-process API keeps serving (and closing its idle connections) while a script runs. */
const backup = async (...args: string[]) => (await run("bash", [SCRIPT, ...args], { encoding: "utf8" })).stdout;

interface Sent {
  key: string;
  body: unknown;
  status: number;
  text: string;
  id: string;
}

function client(base: string, key: string) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(base + path, {
      method,
      headers: { Authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, text, json: JSON.parse(text || "null"), replayed: res.headers.get("Idempotent-Replayed") };
  };
}

const work = mkdtempSync(join(tmpdir(), "softrack-pitr-"));
chmodSync(work, 0o755);
const archive = join(work, "wal-archive");
const base = join(work, "base");
const restored = join(work, "restored");
const failures: string[] = [];
const check = (ok: boolean, what: string) => {
  log(`${ok ? "✓" : "✗"} ${what}`);
  if (!ok) failures.push(what);
};

let pg: PgCluster | undefined;
let api: TestApi | undefined;
let restoredApi: TestApi | undefined;
let restoredStarted = false;
try {
  pg = await startPostgres({ name: "pitr" });
  // Archiving as docs/operations.md sets it on a plain server (archive_mode needs a restart).
  execFileSync("mkdir", ["-p", archive]);
  if (process.getuid?.() === 0) execFileSync("chown", ["postgres:postgres", archive]);
  const command = (await backup("archive-command", archive)).trim();
  await pg.psql("postgres", "ALTER SYSTEM SET archive_mode = 'on'");
  await pg.psql("postgres", `ALTER SYSTEM SET archive_command = '${command}'`);
  const pgCtl = `$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)/pg_ctl -D ${pg.dataDir} -w restart`;
  execFileSync("bash", ["-c", process.getuid?.() === 0 ? `runuser -u postgres -- ${pgCtl}` : pgCtl], { stdio: "ignore" });
  await pg.createDatabase("softrack");
  const url = pg.url("softrack");

  api = await startApi({ databaseUrl: url, adminKey: ADMIN_KEY, env: { WORKERS: "off" } });
  // The restored database has the source's merchants and keys: the same key works on both.
  const secretKey = api.merchant.secretKey;
  const call = client(api.url, api.merchant.secretKey);
  const customer = (await call("POST", "/v1/customers", { name: "Aibek" })).json.id as string;
  const topup = await call("POST", "/v1/payments", { amount: 10_000_000, currency: "KGS", purpose: { type: "wallet_topup", customer } });
  const funded = await call("POST", `/v1/payments/${topup.json.id}/confirm`, { payment_method_data: { type: "card", card: CARD } });
  if (funded.json?.status !== "succeeded") throw new Error(`top-up failed: ${funded.text}`);

  const pay = async (n: number, label: string): Promise<Sent[]> => {
    const sent: Sent[] = [];
    for (let i = 0; i < n; i++) {
      const key = randomUUID();
      const body = {
        amount: 1_000 + i,
        currency: "KGS",
        customer,
        description: `${label} ${i}`,
        confirm: true,
        payment_method_data: { type: "wallet" },
      };
      const r = await call("POST", "/v1/payments", body, { "Idempotency-Key": key });
      if (r.status !== 200) throw new Error(`${label} payment ${i}: ${r.status} ${r.text}`);
      sent.push({ key, body, status: r.status, text: r.text, id: r.json.id });
    }
    return sent;
  };

  const beforeBackup = await pay(PER_BATCH, "before the backup");
  log(`base backup:\n${(await backup("base", "--from", url, "--to", base)).trim()}`);
  const afterBackup = await pay(PER_BATCH, "after the backup");
  const db = postgres(url, { max: 1, onnotice: () => {} });
  const [{ t }] = (await db`SELECT to_char(clock_timestamp(), 'YYYY-MM-DD HH24:MI:SS.US TZH:TZM') AS t`) as unknown as [{ t: string }];
  log(`T = ${t}`);
  await sleep(100);
  const afterT = await pay(PER_BATCH, "after T");
  const refund = await call("POST", "/v1/refunds", { payment: beforeBackup[0]?.id, amount: 500 }, { "Idempotency-Key": randomUUID() });
  if (refund.status !== 200) throw new Error(`refund after T: ${refund.text}`);
  // The segment holding the last write, closed and archived (archive_timeout would do it within a minute).
  const [{ seg }] = (await db`SELECT pg_walfile_name(pg_current_wal_lsn()) AS seg`) as unknown as [{ seg: string }];
  await db`SELECT pg_switch_wal()`;
  for (let i = 0; ; i++) {
    const [{ last }] = (await db`SELECT coalesce(last_archived_wal, '') AS last FROM pg_stat_archiver`) as unknown as [{ last: string }];
    if (last >= seg) break;
    if (i > 600) throw new Error(`segment ${seg} not archived (last: ${last})`);
    await sleep(100);
  }
  const [{ payments: sourceCount }] = (await db`SELECT count(*)::int AS payments FROM payments`) as unknown as [{ payments: number }];
  await db.end();
  await api.close();
  api = undefined;

  restoredStarted = true; // stopped in finally even if the restore fails half way
  const out = await backup("restore", "--base", base, "--archive", archive, "--target-time", t, "--to", restored);
  const announced = /RESTORED_DATABASE_URL=(\S+)/.exec(out)?.[1];
  if (!announced) throw new Error(`the restore printed no URL: ${out}`);
  const restoredServer = announced.replace(/\/postgres$/, "/softrack");
  log(`restored to T on ${restoredServer}`);

  // The restored database, read directly before anything writes to it.
  const rdb = postgres(restoredServer, { max: 1, onnotice: () => {} });
  const ids = new Set(((await rdb`SELECT id FROM payments`) as unknown as { id: string }[]).map((r) => r.id));
  const refunds = (await rdb`SELECT count(*)::int AS n FROM refunds`) as unknown as [{ n: number }];
  await rdb.end();
  const expected = [topup.json.id as string, ...beforeBackup.map((s) => s.id), ...afterBackup.map((s) => s.id)];
  check(
    expected.every((id) => ids.has(id)),
    `every payment acknowledged before T is there (${expected.length})`,
  );
  check(
    afterT.every((s) => !ids.has(s.id)),
    `no payment acknowledged after T is there (${afterT.length} made on the source, ${sourceCount} payments there)`,
  );
  check(ids.size === expected.length, `nothing else: ${ids.size} payments restored, ${expected.length} expected`);
  check(refunds[0].n === 0, "the refund made after T is not there");

  restoredApi = await startApi({ databaseUrl: restoredServer, adminKey: ADMIN_KEY, env: { WORKERS: "off" } });
  const admin = client(restoredApi.url, ADMIN_KEY);
  const verify = await admin("GET", "/v1/admin/ledger/verify");
  check(verify.json?.balanced === true, `the ledger verifies balanced (${verify.json?.accounts_checked} accounts)`);
  const rcall = client(restoredApi.url, secretKey);
  let replayed = 0;
  for (const s of [...beforeBackup, ...afterBackup]) {
    const r = await rcall("POST", "/v1/payments", s.body, { "Idempotency-Key": s.key });
    if (r.status === s.status && r.text === s.text && r.replayed === "true") replayed++;
  }
  check(replayed === beforeBackup.length + afterBackup.length, `every key before T replays its stored answer (${replayed})`);
  const late = afterT[0] as Sent;
  const again = await rcall("POST", "/v1/payments", late.body, { "Idempotency-Key": late.key });
  check(
    again.status === 200 && again.replayed === null && again.json.id !== late.id,
    "a key used only after T runs afresh (it was never stored)",
  );
  const verifyAfter = await admin("GET", "/v1/admin/ledger/verify");
  check(verifyAfter.json?.balanced === true, "the restored database takes writes and stays balanced");
} finally {
  await api?.close().catch(() => undefined);
  await restoredApi?.close().catch(() => undefined);
  if (restoredStarted) await backup("stop", restored);
  await pg?.stop();
  rmSync(work, { recursive: true, force: true });
}

if (failures.length) {
  console.error(`PITR: ${failures.length} check(s) failed`);
  process.exit(1);
}
log("PITR: every check passed");
