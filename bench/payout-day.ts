/**
 * The end of a marketplace's day (issue 20, "Must show"): MERCHANTS merchants, each made
 * through the API with a bank account (validated per country) and a daily payout schedule,
 * take card payments through the day (some refunded in part). At the day's end the scheduled
 * payouts run through the job path production runs (jobs/runner.ts runDueJobs, driven per
 * merchant by POST /v1/test_helpers/run_jobs): `payout.scheduled` at midnight creates each
 * payout, `payout.submit` an hour later hands it to the rail, `payout.settle` at its arrival
 * date pays it (or, for an account ending in 0000, fails it and returns the money). Then the
 * platform admin fetches the day's card settlement file and reconciles it
 * (POST /v1/reconciliations), and uploads it again.
 *
 * Checks (any failure exits 1): every merchant's payout equals its available balance at the
 * day's end; paid payouts leave available at 0, failed ones return exactly their amount; the
 * settlement report of every payout sums to its amount; ledger verify is balanced; every line
 * of the file matches (no missing, no mismatch); the same file again answers the same
 * reconciliation, and the same lines in another file match nothing twice.
 *
 *   npm run build -w @softrack/api && npx tsx bench/payout-day.ts [--merchants 1000] [--payments 10]
 *     [--refund-every 10] [--closed-every 100] [--connections 16] [--statements]
 */
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { type ApiProcess, startApiProcess } from "./lib/api-process.js";
import { postmasterPid, processCpu, treeCpu } from "./lib/cpu.js";
import { fmt, type JsonClient, jsonClient } from "./lib/load.js";
import { startPostgres } from "./lib/postgres.js";

const { values } = parseArgs({
  options: {
    merchants: { type: "string", default: "1000" },
    payments: { type: "string", default: "10" },
    "refund-every": { type: "string", default: "10" },
    "closed-every": { type: "string", default: "100" },
    connections: { type: "string", default: "16" },
    /** Print PostgreSQL's busiest statements of each payout step (pg_stat_statements). */
    statements: { type: "boolean", default: false },
  },
});
const MERCHANTS = Number(values.merchants);
/** Card payments per merchant during the day. */
const PAYMENTS = Number(values.payments);
/** One payment in this many is refunded in part. */
const REFUND_EVERY = Number(values["refund-every"]);
/** One merchant in this many has a closed bank account (number ending in 0000): its payout fails. */
const CLOSED_EVERY = Number(values["closed-every"]);
const CONNECTIONS = Number(values.connections);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CARD = { number: "4242424242424242", exp_month: 12, exp_year: 2035, cvc: "123" };

const failures: string[] = [];
function check(ok: boolean, what: string) {
  if (!ok) failures.push(what);
  return ok;
}

/** Runs `work(i)` for i in 0..n-1 on `concurrency` loops. */
async function each(n: number, concurrency: number, work: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) await work(next++);
    }),
  );
}

/** Every page of a list endpoint (limit 100, newest first, by starting_after). */
async function listAll<T extends { id: string }>(client: JsonClient, path: string): Promise<T[]> {
  const out: T[] = [];
  for (;;) {
    const sep = path.includes("?") ? "&" : "?";
    const after = out.length > 0 ? `&starting_after=${out[out.length - 1]?.id}` : "";
    const page = await client.get<{ data: T[]; has_more: boolean }>(`${path}${sep}limit=100${after}`);
    if (page.status !== 200) throw new Error(`GET ${path} answered ${page.status}: ${JSON.stringify(page.body).slice(0, 300)}`);
    out.push(...page.body.data);
    if (!page.body.has_more) return out;
  }
}

interface Merchant {
  id: string;
  client: JsonClient;
  closed: boolean;
  /** Available at the day's end, before the payouts. */
  available: number;
}

interface Payout {
  id: string;
  amount: number;
  status: string;
  automatic: boolean;
  failure_code: string | null;
}

const sum = (xs: readonly number[]) => xs.reduce((t, x) => t + x, 0);

/** One timed step: wall seconds, and the CPU seconds the API process and PostgreSQL spent on it. */
interface Step {
  label: string;
  count: number;
  seconds: number;
  apiCpu: number;
  pgCpu: number;
}
/**
 * Starts a step's clocks. On this shared machine the wall time moves with whatever else runs;
 * the CPU per item (API + PostgreSQL, read from /proc) is what a quiet machine would spend.
 */
function stepClock(apiPid: number, postmaster: number) {
  const wall = performance.now();
  const api = processCpu(apiPid);
  const db = treeCpu(postmaster);
  return (label: string, count: number): Step => ({
    label,
    count,
    seconds: (performance.now() - wall) / 1000,
    apiCpu: processCpu(apiPid) - api,
    pgCpu: treeCpu(postmaster) - db,
  });
}
const perItemMs = (cpu: number, n: number) => fmt((cpu * 1000) / n, 2);
const show = (s: Step) =>
  `${fmt(s.count)} in ${fmt(s.seconds, 2)} s = ${fmt(s.count / s.seconds)}/s; CPU per item: API ${perItemMs(s.apiCpu, s.count)} ms, PostgreSQL ${perItemMs(s.pgCpu, s.count)} ms`;

let server: ApiProcess | undefined;
const clients: JsonClient[] = [];
const pg = await startPostgres({
  name: "payout-day",
  settings: { max_connections: 200, ...(values.statements && { shared_preload_libraries: "pg_stat_statements" }) },
});
try {
  await pg.createDatabase("api");
  if (values.statements) await pg.psql("api", "CREATE EXTENSION pg_stat_statements");
  /** The statements that took PostgreSQL's time since the last call (with --statements). */
  const busiest = async () => {
    if (!values.statements) return;
    const top = await pg.psql(
      "api",
      `SELECT calls, round(total_exec_time) AS ms, left(regexp_replace(query, '\\s+', ' ', 'g'), 140) AS query
         FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'api')
        ORDER BY total_exec_time DESC LIMIT 8; SELECT pg_stat_statements_reset() IS NULL AS reset`,
    );
    console.log(top);
  };
  const adminKey = `sk_admin_${"p".repeat(40)}`;
  server = await startApiProcess({ databaseUrl: pg.url("api"), adminKey, connections: CONNECTIONS });
  const admin = jsonClient(server.url, adminKey, CONNECTIONS);
  clients.push(admin);
  const apiPid = server.child.pid as number;
  const postmaster = postmasterPid(pg.dataDir);
  const steps: Step[] = [];
  const clock = () => stepClock(apiPid, postmaster);
  console.log(
    `machine: ${cpus().length} cores (${cpus()[0]?.model}), Node ${process.version}; ${fmt(MERCHANTS)} merchants × ${PAYMENTS} card payments, ${CONNECTIONS} connections`,
  );

  // ---- the marketplace's merchants: made through the API, each with its bank account and schedule
  let stop = clock();
  const merchants: Merchant[] = new Array(MERCHANTS);
  await each(MERCHANTS, CONNECTIONS, async (i) => {
    const m = await admin.post<{ id: string; keys: { secret_key: string } }>("/v1/merchants", {
      name: `Shop ${i}`,
      country: "KG",
      default_currency: "KGS",
    });
    if (m.status !== 200) throw new Error(`merchant create answered ${m.status}: ${JSON.stringify(m.body).slice(0, 300)}`);
    // One keep-alive socket per merchant: the load is spread by `each`, not by a merchant's pool.
    const client = jsonClient(server?.url as string, m.body.keys.secret_key, 1);
    clients.push(client);
    const closed = CLOSED_EVERY > 0 && i % CLOSED_EVERY === CLOSED_EVERY - 1;
    const account = `1240${String(i).padStart(8, "0")}${closed ? "0000" : "1001"}`;
    const ba = await client.post<{ id: string }>("/v1/bank_accounts", {
      country: "KG",
      holder_name: `Shop ${i} LLC`,
      account_number: account,
      bank_code: "124001",
      currency: "KGS",
    });
    if (ba.status !== 200) throw new Error(`bank account answered ${ba.status}: ${JSON.stringify(ba.body).slice(0, 300)}`);
    const schedule = await client.put<{ next_run: string }>("/v1/payout_schedule", { interval: "daily", minimum: 0 });
    if (schedule.status !== 200)
      throw new Error(`payout schedule answered ${schedule.status}: ${JSON.stringify(schedule.body).slice(0, 300)}`);
    merchants[i] = { id: m.body.id, client, closed, available: 0 };
  });
  console.log(`merchants: ${show(stop("merchants", MERCHANTS))} (merchant + bank account + daily schedule, 3 requests each)`);

  // ---- the day: card payments in one request each (confirm: true), some refunded in part
  const dayStart = Date.now();
  stop = clock();
  const TOTAL = MERCHANTS * PAYMENTS;
  let refunds = 0;
  let errors = 0;
  await each(TOTAL, CONNECTIONS, async (n) => {
    // Round-robin over the merchants, as a marketplace's buyers spread over its shops.
    const m = merchants[n % MERCHANTS] as Merchant;
    const amount = 10_000 + Math.floor(Math.random() * 990_000);
    const paid = await m.client.post<{ id: string; status: string }>("/v1/payments", {
      amount,
      currency: "KGS",
      confirm: true,
      payment_method_data: { type: "card", card: CARD },
    });
    if (paid.status !== 200 || paid.body.status !== "succeeded") {
      if (++errors <= 3) console.error(`payment answered ${paid.status}: ${JSON.stringify(paid.body).slice(0, 300)}`);
      return;
    }
    if (REFUND_EVERY > 0 && n % REFUND_EVERY === REFUND_EVERY - 1) {
      const r = await m.client.post("/v1/refunds", { payment: paid.body.id, amount: Math.floor(amount / 3) });
      if (r.status !== 200) {
        if (++errors <= 3) console.error(`refund answered ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
        return;
      }
      refunds++;
    }
  });
  const day = stop("card payments during the day (1 request each)", TOTAL);
  steps.push(day);
  const dayEnd = Date.now();
  check(errors === 0, `${errors} payments or refunds failed`);
  console.log(`day: ${show(day)} card payments, ${fmt(refunds)} refunds`);

  // The balance each schedule will pay out.
  await each(MERCHANTS, CONNECTIONS, async (i) => {
    const m = merchants[i] as Merchant;
    const b = await m.client.get<{ available: { amount: number; currency: string }[] }>("/v1/balance");
    m.available = b.body.available.find((a) => a.currency === "KGS")?.amount ?? 0;
  });

  // ---- the day's end: the scheduled runs at midnight, hand-over an hour later, arrival a day later
  const midnight = Math.floor(dayEnd / DAY) * DAY + DAY;
  const runJobs = async (label: string, now: number, kind: string) => {
    await busiest();
    const stopJobs = clock();
    const byKind: Record<string, number> = {};
    await each(MERCHANTS, CONNECTIONS, async (i) => {
      const m = merchants[i] as Merchant;
      const r = await m.client.post<{ jobs: { by_kind: Record<string, number> } }>("/v1/test_helpers/run_jobs", {
        now: new Date(now).toISOString(),
      });
      if (r.status !== 200) throw new Error(`run_jobs answered ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
      for (const [k, c] of Object.entries(r.body.jobs.by_kind)) byKind[k] = (byKind[k] ?? 0) + c;
    });
    const step = stopJobs(`${label} (\`${kind}\`)`, byKind[kind] ?? 0);
    steps.push(step);
    console.log(`${label}: ${show(step)} (jobs ${JSON.stringify(byKind)}, one run_jobs per merchant)`);
    await busiest();
    return step;
  };
  const created = await runJobs("payouts created", midnight, "payout.scheduled");
  check(created.count === MERCHANTS, `${created.count} scheduled runs at midnight, expected ${MERCHANTS}`);
  const submitted = await runJobs("payouts submitted", midnight + HOUR, "payout.submit");
  check(submitted.count === MERCHANTS, `${submitted.count} payouts submitted, expected ${MERCHANTS}`);
  // The arrival date is a day after creation; the next day's scheduled run is due then too and
  // runs first (nothing left to pay), so that run's jobs are counted apart from the settlements.
  const settled = await runJobs("payouts paid or failed", midnight + DAY, "payout.settle");
  check(settled.count === MERCHANTS, `${settled.count} payouts settled, expected ${MERCHANTS}`);

  // ---- checks: each payout is the day's available balance, its report sums to it, the ledger balances
  let t = performance.now();
  let paid = 0;
  let failed = 0;
  let reportLines = 0;
  await each(MERCHANTS, CONNECTIONS, async (i) => {
    const m = merchants[i] as Merchant;
    const payouts = await listAll<Payout>(m.client, "/v1/payouts");
    const po = payouts[0];
    if (!check(payouts.length === 1 && po !== undefined, `${m.id}: ${payouts.length} payouts, expected 1`) || !po) return;
    check(po.automatic, `${po.id} is not automatic`);
    check(po.amount === m.available, `${po.id}: amount ${po.amount} ≠ available ${m.available} at the day's end`);
    const want = m.closed ? "failed" : "paid";
    check(po.status === want, `${po.id}: ${po.status}, expected ${want}`);
    if (po.status === "paid") paid++;
    if (po.status === "failed") failed++;
    const lines = await listAll<{ id: string; amount: number }>(m.client, `/v1/payouts/${po.id}/transactions`);
    reportLines += lines.length;
    check(sum(lines.map((l) => l.amount)) === po.amount, `${po.id}: report sums to ${sum(lines.map((l) => l.amount))}, not ${po.amount}`);
    const b = await m.client.get<{ available: { amount: number; currency: string }[] }>("/v1/balance");
    const after = b.body.available.find((a) => a.currency === "KGS")?.amount ?? 0;
    // A failed payout returns exactly its amount; a paid one leaves nothing behind.
    check(after === (m.closed ? po.amount : 0), `${m.id}: available ${after} after its ${po.status} payout of ${po.amount}`);
  });
  const verify = (await admin.get<{ balanced: boolean }>("/v1/admin/ledger/verify")).body;
  check(verify.balanced === true, "ledger verify is not balanced");
  console.log(
    `checked: ${fmt(paid)} paid, ${fmt(failed)} failed (returned), ${fmt(reportLines)} report lines in ${fmt((performance.now() - t) / 1000, 1)} s; ledger balanced=${verify.balanced}`,
  );

  // ---- reconciliation of the day's card settlement file(s)
  const days = [...new Set([dayStart, dayEnd].map((ms) => new Date(ms).toISOString().slice(0, 10)))];
  let lines = 0;
  let fetchSeconds = 0;
  const recSteps: Step[] = [];
  const files: { date: string; content: string; id: string }[] = [];
  for (const date of days) {
    t = performance.now();
    const file = await admin.get<string>(`/v1/test_helpers/settlement_files?provider=card&date=${date}`);
    fetchSeconds += (performance.now() - t) / 1000;
    if (file.status !== 200) throw new Error(`settlement file answered ${file.status}`);
    const content = file.body;
    const count = content.trim().split("\r\n").length - 1;
    const stopRec = clock();
    const rec = await admin.post<Record<string, number | string>>("/v1/reconciliations", { provider: "card", date, content });
    recSteps.push(stopRec(date, count));
    if (rec.status !== 200) throw new Error(`reconciliation answered ${rec.status}: ${JSON.stringify(rec.body).slice(0, 300)}`);
    const r = rec.body;
    check(
      r.line_count === count && r.matched === count && r.missing_in_ledger === 0 && r.missing_in_file === 0,
      `${date}: ${JSON.stringify(r).slice(0, 300)}`,
    );
    check(
      r.amount_mismatch === 0 && r.fee_mismatch === 0 && r.already_reconciled === 0,
      `${date}: mismatches ${JSON.stringify(r).slice(0, 300)}`,
    );
    lines += count;
    files.push({ date, content, id: String(r.id) });
  }
  check(lines === TOTAL + refunds, `the settlement files hold ${lines} lines, the day made ${TOTAL + refunds} movements`);
  const rec: Step = {
    label: "settlement lines reconciled",
    count: lines,
    seconds: sum(recSteps.map((r) => r.seconds)),
    apiCpu: sum(recSteps.map((r) => r.apiCpu)),
    pgCpu: sum(recSteps.map((r) => r.pgCpu)),
  };
  steps.push(rec);
  console.log(`reconciliation: ${show(rec)} lines reconciled (${days.join(", ")}; file fetched in ${fmt(fetchSeconds, 2)} s), all matched`);

  // ---- a second upload: the same file answers its reconciliation; the same lines in another file match nothing
  for (const f of files) {
    const again = await admin.post<{ id: string }>("/v1/reconciliations", { provider: "card", date: f.date, content: f.content });
    check(again.status === 200 && again.body.id === f.id, `${f.date}: the same file got ${again.body.id}, not ${f.id}`);
    const [header, ...rows] = f.content.trim().split("\r\n");
    const reordered = `${[header, ...rows.reverse()].join("\r\n")}\r\n`;
    const other = await admin.post<Record<string, number | string>>("/v1/reconciliations", {
      provider: "card",
      date: f.date,
      content: reordered,
    });
    check(
      other.status === 200 && other.body.id !== f.id && other.body.matched === 0 && other.body.already_reconciled === rows.length,
      `${f.date}: the same lines again: ${JSON.stringify(other.body).slice(0, 300)}`,
    );
  }
  console.log("second upload: the same file answered its reconciliation; the same lines reordered matched 0, all already_reconciled");

  console.log(
    `machine load average at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" / ")} (1/5/15 min)`,
  );
  console.log("");
  console.log("| step | count | wall time | per second | API CPU per item | PostgreSQL CPU per item |");
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const st of steps)
    console.log(
      `| ${st.label} | ${fmt(st.count)} | ${fmt(st.seconds, 2)} s | ${fmt(st.count / st.seconds)} | ${perItemMs(st.apiCpu, st.count)} ms | ${perItemMs(st.pgCpu, st.count)} ms |`,
    );
  if (failures.length > 0) {
    console.error(`\n${failures.length} checks failed:\n${failures.slice(0, 20).join("\n")}`);
    process.exitCode = 1;
  } else console.log("\nall checks passed");
} finally {
  for (const c of clients) c.close();
  server?.stop();
  await pg.stop();
}
