/**
 * Wallet payments per second through the HTTP API on a real PostgreSQL, three ways in one run
 * (issue 18), next to the same run's ceilings: pgbench's one-transfer-per-transaction ledger
 * script (once on the empty cluster, then taking turns with the paths; ratios use the turns) and a bare Hono endpoint
 * parsing JSON on the same machine. Each path is a wallet payment at `--connections`:
 *   (a) the SDK's path: `@softrack/sdk` create + confirm, a fresh Idempotency-Key on every POST
 *       (what the SDK, the widget and the console send);
 *   (b) the same without keys (raw undici, as before issue 18);
 *   (c) one request per payment: the SDK's `payments.create({ confirm: true, payment_method_data:
 *       { type: "wallet" } })`, with its key;
 *   (a-raw), (c-raw) the SDK's requests for (a) and (c) byte for byte (headers, body, a fresh key in
 *       its format; checked against the SDK's own at the start), sent by the bench over the same
 *       transport: the API serves the same path, and the load generator, which shares the two
 *       cores with it, no longer pays for the SDK's request building;
 *   (a-wrk), (b-wrk), (c-wrk) the same requests sent by wrk, a load generator in C as pgbench is
 *       one (Debian's `wrk`; bench/lib/wrk.ts): a third of the raw client's CPU per request on the
 *       shared cores, and the same for (a-wrk) and (b-wrk), which differ only by their keys. Their
 *       keys are counted in the API's table, not at the transport; wrk times requests, so the
 *       two-request paths' latencies are per request.
 * Prints (and with --report writes) the table and issue 18's targets with pass/fail; targets are
 * reported, not asserted. Each path also shows where the API's event loop spent its time: on a
 * core, runnable but waiting for one, or idle (the kernel's schedstat of its main thread), and how
 * its ratio to pgbench splits into CPU (pgbench's a transfer, its own CPU included, over the path's
 * a payment all told) and the cores' use (the path's busy share of the machine over pgbench's). Exits
 * non-zero only when a payment failed, the ledger is not balanced, or a keyed path's last request
 * was not replayed from its key.
 *
 *   npm run build -w @softrack/sdk -w @softrack/api && npx tsx bench/payments-http.ts \
 *     [--seconds 20] [--connections 64] [--customers 2000] [--paths a,b,c (also a-raw, c-raw, a-wrk, b-wrk, c-wrk)] [--rounds 4] [--warmup 3] [--api-processes 1] [--report file.md]
 *   CPU_PROFILE=dir profiles the API process (written when it stops).
 *   PG_STATEMENTS=1 prints where PostgreSQL's time went per statement, per path, and the WAL it
 *   wrote per payment, by record kind (pg_walinspect).
 *   PERF_SCHED=1 reads the kernel's scheduler trace (perf sched, as root) for a few seconds of each
 *   path's first slice and of pgbench's: what ran while a core was idle, and who preempted the
 *   API's event loop (bench/lib/sched.ts). perf's own work lands in the traced slices (and, as
 *   the bench's child, in pgbench's own CPU of its traced slice): take ratios from a run without it.
 *   PG_SETTINGS='{"name":"value"}' adds server settings (e.g. auto_explain's), and PG_LOG=file keeps
 *   the server's log there when the run ends.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { idempotencyKey, Softrack, SoftrackError } from "@softrack/sdk";
import { storedTextOf } from "../apps/api/src/store/idempotency.js";
import { cpuByRole, machineCpu, postmasterPid, processCpu, reapedCpu, sampleTree, threadIds, threadSchedule, treeCpu } from "./lib/cpu.js";
import {
  fmt,
  jsonClient,
  loops,
  type PostTally,
  paymentLoad,
  percentile,
  poolFetch,
  turns,
  type WalletPaymentLoad,
  walletPayments,
} from "./lib/load.js";
import { type PgbenchResult, startPostgres } from "./lib/postgres.js";
import { REFERENCE_DIR } from "./lib/reference.js";
import { type Classify, recordSchedule, type ScheduleShares, scheduleShares } from "./lib/sched.js";
import { howSure, issue18Targets, type PathId, roundRatios, targetsTable } from "./lib/targets.js";
import { type WrkRequest, type WrkSlice, wrkPayments, wrkVersion } from "./lib/wrk.js";

const PATHS: Record<PathId, string> = {
  a: "(a) SDK: create + confirm, a fresh Idempotency-Key on every POST",
  b: "(b) create + confirm, no Idempotency-Key",
  c: "(c) SDK: one request (confirm: true), with an Idempotency-Key",
  "a-raw": "(a-raw) the SDK's requests of (a), sent raw",
  "c-raw": "(c-raw) the SDK's request of (c), sent raw",
  "a-wrk": "(a-wrk) the SDK's requests of (a), sent by wrk",
  "b-wrk": "(b-wrk) the requests of (a-wrk) without keys, sent by wrk",
  "c-wrk": "(c-wrk) the SDK's request of (c), sent by wrk",
};

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "20" },
    connections: { type: "string", default: "64" },
    customers: { type: "string", default: "2000" },
    /** Which paths to measure, in this order. */
    paths: { type: "string", default: "a,b,c" },
    /** Slices per path: the paths take turns, ROUNDS times (an even number balances them: see turns(); PG_STATEMENTS=1 makes it 1). */
    rounds: { type: "string", default: "4" },
    /** Unmeasured seconds of each path before its measurement (JIT, pools, caches). */
    warmup: { type: "string", default: "3" },
    report: { type: "string" },
    /** API processes on one port (API_PROCESSES); their CPU is counted together. */
    "api-processes": { type: "string", default: "1" },
  },
});
const API_PROCESSES = Number(values["api-processes"]);
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const CUSTOMERS = Number(values.customers);
const WARMUP = Number(values.warmup);
const SELECTED = values.paths.split(",").map((p) => p.trim());
for (const p of SELECTED) if (!(p in PATHS)) throw new Error(`--paths: unknown path "${p}" (${Object.keys(PATHS).join(", ")})`);
const byWrk = (id: PathId) => id.endsWith("-wrk");
const keyed = (id: PathId) => !id.startsWith("b");
/** wrk times requests; a create + confirm path makes two a payment. */
const perRequest = (id: PathId) => id === "a-wrk" || id === "b-wrk";
if (SELECTED.some((id) => byWrk(id as PathId))) console.log(`load generator of the -wrk paths: ${await wrkVersion()}`);
const root = resolve(import.meta.dirname, "..");
const refDir = REFERENCE_DIR;
const children: ChildProcess[] = [];
process.on("exit", () => {
  for (const c of children) c.kill("SIGKILL");
});

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

/** A pgbench run with its CPU per transfer (PostgreSQL's, pgbench's own) and the share of the cores left idle. */
type Ceiling = PgbenchResult & { cpuUs: number; clientUs: number; idle: number };

/** The machine's core seconds, busy and idle, between two reads of machineCpu(). */
const machineSpan = (before: { busy: number; idle: number }, after: { busy: number; idle: number }) => ({
  busy: after.busy - before.busy,
  idle: after.idle - before.idle,
});

/** The share of a span's core time that nothing ran. */
function idleShare(span: { busy: number; idle: number }): number {
  const all = span.busy + span.idle;
  return all > 0 ? span.idle / all : 0;
}

const pct = (x: number) => `${Math.round(x * 100)} %`;

/** What a path's slices add up to. */
interface PathSums {
  load: WalletPaymentLoad;
  seconds: number;
  /** CPU seconds of the API, PostgreSQL and the load generator. */
  api: number;
  pg: number;
  self: number;
  posts: number;
  keyed: number;
  last?: PostTally["last"];
  /**
   * PostgreSQL's CPU seconds by process role (backends, WAL writer, autovacuum, …): where a key's
   * cost goes beyond its statements. Processes that exit during a slice count as "ended in the slice".
   */
  roles: Map<string, number>;
  /** Each round's payments/s, in round order. */
  rates: number[];
  /** The (first) API process's event loop on the scheduler, and its other threads' CPU (threadSchedule), with the slices' wall time: seconds. */
  loop: { running: number; waiting: number; others: number; wall: number };
  /** The machine's core seconds over the slices, busy and idle (machineCpu). */
  machine: { busy: number; idle: number };
  /** PERF_SCHED=1: the scheduler's trace of the first slice, or why there is none. */
  schedule?: ScheduleShares | string;
}

/** One measured path: the load's figures and what each payment cost each process. */
interface PathResult {
  id: PathId;
  load: WalletPaymentLoad;
  apiUs: number;
  pgUs: number;
  /** This process (the load generator, the SDK included) per payment. */
  loadUs: number;
  /** Keyed paths: POSTs sent during the measurement, how many carried a key, and the replay check. */
  keys?: { posts: number; keyed: number; replay: string; replayed: boolean };
  /** Each round's payments/s. */
  rates: number[];
  /** Shares of the path's time the API's event loop was on a core and waiting for one; its other threads' CPU per payment (µs). */
  loop: { running: number; waiting: number; othersUs: number };
  /** The share of the machine's core time left idle during the path's slices. */
  idle: number;
  /** PERF_SCHED=1: the scheduler's trace of the first slice, or why there is none. */
  schedule?: ScheduleShares | string;
}

// PG_STATEMENTS=1 prints where PostgreSQL's time went per statement during each path.
const statementsOn = process.env.PG_STATEMENTS === "1";
// PERF_SCHED=1 traces the scheduler during each path's first slice and pgbench's first interleaved one.
const schedOn = process.env.PERF_SCHED === "1";
// Per-statement figures need one slice per path: their counters are read and reset around it.
const ROUNDS = statementsOn ? 1 : Math.max(1, Number(values.rounds));
// pgbench's -T and wrk's -d take whole seconds: refused here, not a minute in.
if (!Number.isInteger(SECONDS / ROUNDS)) throw new Error(`--seconds ${SECONDS} must be a multiple of --rounds ${ROUNDS}`);
const pg = await startPostgres({
  name: "payments",
  settings: {
    max_connections: 300,
    ...(statementsOn ? { shared_preload_libraries: "pg_stat_statements", "pg_stat_statements.track_planning": "on" } : {}),
    ...(process.env.PG_SETTINGS ? (JSON.parse(process.env.PG_SETTINGS) as Record<string, string>) : {}),
  },
});
const startedAt = new Date();
const load0 = loadavg()[0] as number;
let exitCode = 0;
try {
  await pg.createDatabase("pgbench");
  await pg.createDatabase("api");
  await pg.psqlFile("pgbench", `${refDir}/ledger_schema.sql`);
  const machine = `${cpus().length} cores (${cpus()[0]?.model}), Node ${process.version}`;
  console.log(`machine: ${machine}`);
  const pm = postmasterPid(pg.dataDir);

  /** pgbench's ledger_transfer.sql ceiling with PostgreSQL's CPU per transfer. */
  const ceiling = async (when: string, seconds = SECONDS, trace = false): Promise<Ceiling> => {
    const schedule = trace ? traceSlice(seconds, -1) : undefined;
    const pgCpu = treeCpu(pm);
    // pgbench runs as a child to its end: its own CPU is what this process has reaped meanwhile.
    const client0 = reapedCpu(process.pid);
    const machine0 = machineCpu();
    const r = await pg.pgbench("pgbench", {
      script: `${refDir}/ledger_transfer.sql`,
      clients: 8,
      threads: 2,
      seconds,
      prepared: true,
    });
    const cpuUs = ((treeCpu(pm) - pgCpu) / r.transactions) * 1e6;
    const clientUs = ((reapedCpu(process.pid) - client0) / r.transactions) * 1e6;
    const idle = idleShare(machineSpan(machine0, machineCpu()));
    console.log(
      `pgbench ledger_transfer.sql (${when}), 8 clients, -M prepared: ${fmt(r.tps)} tps (PostgreSQL CPU ${fmt(cpuUs)} µs per transfer, ` +
        `pgbench's own ${fmt(clientUs)}; the cores idle ${pct(idle)})`,
    );
    if (schedule) console.log(`  ${scheduleText(await schedule, false)}`);
    return { ...r, cpuUs, clientUs, idle };
  };
  const before = await ceiling("before the paths");

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
      BUYER_HASH_KEY: "bench-buyer-hash-key-0123456789abcdef",
      PUBLIC_URL: "http://localhost",
      METRICS: "off",
      PLATFORM_ADMIN_KEY: adminKey,
      PORT: "0",
      LOG_LEVEL: "warn",
      DB_POOL_SIZE: String(Math.min(CONNECTIONS, 64)),
      API_PROCESSES: String(API_PROCESSES),
      // The bench's one key sends more than the default 5,000 requests a second on a quiet machine
      // (5,400 in (a-wrk), 2026-12-05): the limiter still counts every request, and never refuses.
      RATE_LIMIT_PER_KEY: "1000000",
    },
  );
  const apiPid = children.at(-1)?.pid as number;
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

  // The SDK as a partner runs it, over the same pooled transport as (b). No retries, so every
  // failed payment is counted rather than retried away.
  const tally: PostTally = { posts: 0, keyed: 0 };
  const transport = poolFetch(api, CONNECTIONS, tally);
  const sdk = new Softrack({ apiKey: m.keys.secret_key, baseUrl: api, fetch: transport.fetch, maxRetries: 0 });
  const customer = () => customers[Math.floor(Math.random() * customers.length)] as string;
  const amount = () => 100 + Math.floor(Math.random() * 900);
  const why = (err: unknown) =>
    err instanceof SoftrackError ? `${err.status ?? "no answer"} ${err.code ?? err.type ?? err.message}` : String(err);
  // The raw paths send what the SDK sends: its headers, its body, and a fresh key from the SDK's
  // own idempotencyKey(). Recorded from the SDK itself with a fetch that only captures, and checked
  // request by request shape, so a change to the SDK's requests cannot leave the raw paths
  // measuring something else.
  const sdkHeaders = await sdkRequest(m.keys.secret_key, (s, o) =>
    s.payments.confirm("pay_x", { payment_method_data: { type: "wallet" } }, o),
  );
  const raw = async (path: string, params: object): Promise<{ status: number; body: { id?: string; status?: string } }> => {
    const res = await transport.fetch(api + path, {
      method: "POST",
      headers: { ...sdkHeaders.headers, "Idempotency-Key": idempotencyKey() },
      body: JSON.stringify(params),
    });
    return { status: res.status, body: JSON.parse(await res.text()) };
  };
  const createParams = () => ({ amount: amount(), currency: "KGS", customer: customer() });
  const oneRequestParams = () => ({ ...createParams(), confirm: true, payment_method_data: { type: "wallet" } });
  const confirmParams = { payment_method_data: { type: "wallet" } };
  for (const [params, path, call] of [
    [createParams(), "/v1/payments", (s, p, o) => s.payments.create(p as never, o)],
    [oneRequestParams(), "/v1/payments", (s, p, o) => s.payments.create(p as never, o)],
    [confirmParams, "/v1/payments/pay_x/confirm", (s, p, o) => s.payments.confirm("pay_x", p as never, o)],
  ] as const satisfies readonly (readonly [
    object,
    string,
    (s: Softrack, p: object, o: { idempotencyKey: string }) => Promise<unknown>,
  ])[]) {
    const sdkSent = await sdkRequest(m.keys.secret_key, (s, o) => call(s, params, o));
    const rawSent = { path, headers: { ...sdkHeaders.headers, "Idempotency-Key": "sdk_check" }, body: JSON.stringify(params) };
    if (JSON.stringify(sdkSent) !== JSON.stringify(rawSent)) {
      throw new Error(`the raw paths no longer send what the SDK sends:\n SDK ${JSON.stringify(sdkSent)}\n raw ${JSON.stringify(rawSent)}`);
    }
  }
  // The -wrk paths: the raw paths' requests, their bodies made by wrk from these parts.
  const wrkHeaders = Object.fromEntries(Object.entries(sdkHeaders.headers).filter(([name]) => name !== "Idempotency-Key"));
  const twoSteps = {
    steps: "two",
    headers: wrkHeaders,
    body: (amount: number, customer: string) => JSON.stringify({ ...createParams(), amount, customer }),
    confirmBody: JSON.stringify(confirmParams),
    customers,
  } as const;
  const wrkRequests: Record<"a-wrk" | "b-wrk" | "c-wrk", WrkRequest> = {
    "a-wrk": { ...twoSteps, keyed: true },
    "b-wrk": { ...twoSteps, keyed: false },
    "c-wrk": {
      steps: "one",
      keyed: true,
      headers: wrkHeaders,
      body: (amount: number, customer: string) => JSON.stringify({ ...oneRequestParams(), amount, customer }),
      customers,
    },
  };
  const pay: Record<Exclude<PathId, "b" | "a-wrk" | "b-wrk" | "c-wrk">, () => Promise<string | null>> = {
    a: async () => {
      try {
        const created = await sdk.payments.create({ amount: amount(), currency: "KGS", customer: customer() });
        const confirmed = await sdk.payments.confirm(created.id, { payment_method_data: { type: "wallet" } });
        return confirmed.status === "succeeded" ? null : `200 ${confirmed.status}`;
      } catch (err) {
        return why(err);
      }
    },
    "a-raw": async () => {
      try {
        const created = await raw("/v1/payments", createParams());
        const confirmed = created.body.id ? await raw(`/v1/payments/${created.body.id}/confirm`, confirmParams) : created;
        return confirmed.status === 200 && confirmed.body.status === "succeeded"
          ? null
          : `${created.status}/${confirmed.status} ${confirmed.body.status}`;
      } catch (err) {
        return String(err);
      }
    },
    "c-raw": async () => {
      try {
        const paid = await raw("/v1/payments", oneRequestParams());
        return paid.status === 200 && paid.body.status === "succeeded" ? null : `${paid.status} ${paid.body.status}`;
      } catch (err) {
        return String(err);
      }
    },
    c: async () => {
      try {
        const paid = await sdk.payments.create({
          amount: amount(),
          currency: "KGS",
          customer: customer(),
          confirm: true,
          payment_method_data: { type: "wallet" },
        });
        return paid.status === "succeeded" ? null : `200 ${paid.status}`;
      } catch (err) {
        return why(err);
      }
    },
  };

  /** Sends the last keyed POST again, same key and body: the API must answer from its key record. */
  const replayLast = async (last: PostTally["last"]): Promise<{ replay: string; replayed: boolean }> => {
    if (!last) return { replay: "no request to replay", replayed: false };
    const res = await transport.fetch(api + last.path, { method: "POST", headers: last.headers, body: last.body });
    const text = await res.text();
    const id = (s: string) => (JSON.parse(s) as { id?: string }).id;
    const replayed = res.headers.get("idempotent-replayed") === "true" && res.status === last.status && text === last.response;
    return {
      replayed,
      replay: replayed
        ? `POST ${last.path} sent again with its key: ${res.status}, Idempotent-Replayed: true, byte for byte the same ${id(text)}`
        : `POST ${last.path} sent again with its key: ${res.status}, Idempotent-Replayed: ${res.headers.get("idempotent-replayed")}, first ${last.status} ${id(last.response)}, now ${id(text)}`,
    };
  };

  /** PG_STATEMENTS=1: where PostgreSQL's time and WAL went per payment in the slice just run; then the counters restart. */
  const printStatements = async (id: PathId, n: number) => {
    const top = await pg.psql(
      "api",
      `SELECT round((total_plan_time * 1000 / ${n})::numeric) AS plan_us, round((total_exec_time * 1000 / ${n})::numeric) AS exec_us,
              calls, left(regexp_replace(query, '[[:space:]]+', ' ', 'g'), 110) FROM pg_stat_statements
       ORDER BY total_plan_time + total_exec_time DESC LIMIT 15`,
    );
    console.log(`PostgreSQL time per payment, path ${id} (µs planning | execution | calls | statement):\n${top}`);
    const wal = await pg.psql(
      "api",
      `SELECT round(wal_records::numeric / ${n}, 1) AS records, round(wal_fpi::numeric / ${n}, 2) AS full_pages,
              round(wal_bytes / ${n}) AS bytes, round(wal_write::numeric / ${n}, 2) AS writes, round(wal_sync::numeric / ${n}, 3) AS syncs
       FROM pg_stat_wal`,
    );
    console.log(`WAL per payment, path ${id}:\n${wal}`);
    // Which records (pg_walinspect): a heap insert, an index insert, a page split, a full page. Up to
    // the flushed end: pg_walinspect refuses an end past it, and the inserted end can be ahead.
    const kinds = await pg.psql(
      "api",
      `SELECT "resource_manager/record_type" AS record, round(count::numeric / ${n}, 2) AS per_payment,
              round((record_size + fpi_size)::numeric / ${n}) AS bytes
       FROM pg_get_wal_stats((SELECT l FROM bench_lsn), pg_current_wal_flush_lsn(), true) ORDER BY count DESC LIMIT 14`,
    );
    console.log(`WAL records per payment by kind, path ${id}:\n${kinds}`);
    await pg.psql("api", "SELECT pg_stat_statements_reset(); SELECT pg_stat_reset_shared('wal');");
  };

  /** Keys in the API's table: the -wrk paths' are counted here, since wrk's transport is not the bench's. */
  const storedKeys = async () => Number(/N=(\d+)/.exec(await pg.psql("api", "SELECT 'N=' || count(*) FROM idempotency_keys"))?.[1]);
  /**
   * One of wrk's last requests with its answer, to send again: wrk keeps them unpaired, so a
   * request's key is paired with its answer through the payment its stored response names.
   */
  const wrkLast = async (w: WrkSlice): Promise<PostTally["last"] | undefined> => {
    const keys = w.sent.map((s) => s.key).filter((k) => /^sdk_[0-9a-f]{32}$/.test(k));
    if (keys.length === 0) return undefined;
    // The stored text in hex: a key's own (`t1.`) holds control characters that psql would not show as they are.
    const stored = await pg.psql(
      "api",
      `SELECT 'K=' || k.key || '|' || encode(convert_to(k.response_body, 'UTF8'), 'hex') FROM idempotency_keys k
       WHERE k.response_body IS NOT NULL AND k.key IN (${keys.map((k) => `'${k}'`).join(",")})`,
    );
    for (const [, key, hex = ""] of stored.matchAll(/K=(sdk_[0-9a-f]{32})\|([0-9a-f]+)/g)) {
      // A payment's stored text names the payment: `d1.client_secret.<payment>.<offset>.<body>`.
      const text = storedTextOf({ response_body: Buffer.from(hex, "hex").toString("utf8") });
      const payment = text.split(".", 3)[2] ?? "";
      const sent = w.sent.find((s) => s.key === key);
      if (!sent) continue;
      // A create and its confirmation both answer with the payment: the status tells them apart.
      const status = sent.path.endsWith("/confirm") || sent.body.includes('"confirm":true') ? "succeeded" : "requires_payment_method";
      const answer = w.answers.find((a) => a.body.includes(`"id":"${payment}"`) && a.body.includes(`"status":"${status}"`));
      if (!answer) continue;
      const headers = { ...sdkHeaders.headers, "Idempotency-Key": sent.key };
      return { path: sent.path, headers, body: sent.body, status: answer.status, response: answer.body };
    }
    return undefined;
  };
  /** A slice of one path: its load, and for a -wrk path what wrk reports of itself. */
  const run = async (id: PathId, seconds: number): Promise<{ load: WalletPaymentLoad; wrk?: WrkSlice }> => {
    if (id === "b") return { load: await walletPayments(client, customers, CONNECTIONS, seconds) };
    if (id === "a-wrk" || id === "b-wrk" || id === "c-wrk") {
      const wrk = await wrkPayments(api, wrkRequests[id], CONNECTIONS, seconds);
      return { load: wrk.load, wrk };
    }
    return { load: await paymentLoad(CONNECTIONS, seconds, pay[id]) };
  };
  // Interleaved: each path runs ROUNDS slices of SECONDS / ROUNDS, the paths taking turns (see
  // turns(): rotated, and every second round backwards), so a neighbour's burst on this shared
  // machine, or the database growing, weighs on every path alike instead of on whichever ran last.
  const sums = new Map<PathId, PathSums>();
  for (const id of SELECTED as PathId[]) {
    if (WARMUP > 0) await run(id, WARMUP);
    sums.set(id, {
      load: { ok: 0, failed: 0, latencies: [], why: new Map(), paymentsPerSecond: 0 },
      seconds: 0,
      api: 0,
      pg: 0,
      self: 0,
      posts: 0,
      keyed: 0,
      roles: new Map(),
      rates: [],
      loop: { running: 0, waiting: 0, others: 0, wall: 0 },
      machine: { busy: 0, idle: 0 },
    });
  }
  if (statementsOn) {
    await pg.psql(
      "api",
      "CREATE EXTENSION IF NOT EXISTS pg_stat_statements; CREATE EXTENSION IF NOT EXISTS pg_walinspect; CREATE TABLE bench_lsn (l pg_lsn); " +
        "SELECT pg_stat_statements_reset(); SELECT pg_stat_reset_shared('wal');",
    );
  }
  // pgbench takes its turn too: the ceiling then runs under the same neighbours, checkpoints and
  // autovacuum as the paths (run only before them, on an empty cluster, it read 30-45 % higher
  // than after them, and their mean was the basis).
  const slots = [...(SELECTED as PathId[]), "pgbench" as const];
  const ceilings: Ceiling[] = [];
  for (const [round, order] of turns(slots, ROUNDS).entries()) {
    for (const id of order) {
      if (id === "pgbench") {
        ceilings.push(await ceiling(`interleaved, slice ${round + 1} of ${ROUNDS}`, SECONDS / ROUNDS, schedOn && round === 0));
        continue;
      }
      const sum = sums.get(id) as PathSums;
      const posts0 = { posts: tally.posts, keyed: tally.keyed, stored: byWrk(id) ? await storedKeys() : 0 };
      if (statementsOn) await pg.psql("api", "DELETE FROM bench_lsn; INSERT INTO bench_lsn SELECT pg_current_wal_lsn()");
      // PostgreSQL's whole CPU is the sum of its processes' (one walk of /proc, not two).
      const tree0 = sampleTree(pm);
      const cpu0 = {
        api: treeCpu(apiPid),
        self: process.cpuUsage(),
        loop: threadSchedule(apiPid),
        wall: performance.now(),
        machine: machineCpu(),
      };
      const schedule = schedOn && round === 0 ? traceSlice(SECONDS / ROUNDS, apiPid) : undefined;
      const { load: slice, wrk } = await run(id, SECONDS / ROUNDS);
      if (schedule) sum.schedule = await schedule;
      const self = process.cpuUsage(cpu0.self);
      const machine = machineSpan(cpu0.machine, machineCpu());
      sum.machine.busy += machine.busy;
      sum.machine.idle += machine.idle;
      sum.api += treeCpu(apiPid) - cpu0.api;
      const loop = threadSchedule(apiPid);
      sum.loop.running += loop.running - cpu0.loop.running;
      sum.loop.waiting += loop.waiting - cpu0.loop.waiting;
      sum.loop.others += loop.others - cpu0.loop.others;
      sum.loop.wall += (performance.now() - cpu0.wall) / 1000;
      for (const [role, cpu] of cpuByRole(tree0, sampleTree(pm))) {
        sum.pg += cpu;
        sum.roles.set(role, (sum.roles.get(role) ?? 0) + cpu);
      }
      sum.self += (self.user + self.system) / 1e6 + (wrk?.cpuSeconds ?? 0);
      if (wrk) {
        // wrk stops with requests in flight: let the API answer them before counting their keys.
        await new Promise((done) => setTimeout(done, 500));
        sum.posts += wrk.requests;
        sum.keyed += (await storedKeys()) - posts0.stored;
        if (keyed(id)) sum.last = (await wrkLast(wrk)) ?? sum.last;
      } else {
        sum.posts += tally.posts - posts0.posts;
        sum.keyed += tally.keyed - posts0.keyed;
      }
      sum.seconds += slice.ok / slice.paymentsPerSecond || SECONDS / ROUNDS;
      sum.rates.push(slice.paymentsPerSecond);
      sum.load.ok += slice.ok;
      sum.load.failed += slice.failed;
      for (const l of slice.latencies) sum.load.latencies.push(l);
      for (const [why, count] of slice.why) sum.load.why.set(why, (sum.load.why.get(why) ?? 0) + count);
      if (keyed(id) && !byWrk(id) && tally.last) sum.last = tally.last;
      if (statementsOn) await printStatements(id, slice.ok + slice.failed);
    }
  }

  const results: PathResult[] = [];
  for (const id of SELECTED as PathId[]) {
    const sum = sums.get(id) as PathSums;
    const load = { ...sum.load, paymentsPerSecond: sum.load.ok / sum.seconds };
    const n = load.ok + load.failed;
    const r: PathResult = {
      id,
      load,
      apiUs: (sum.api / n) * 1e6,
      pgUs: (sum.pg / n) * 1e6,
      loadUs: (sum.self / n) * 1e6,
      rates: sum.rates,
      loop: {
        running: sum.loop.running / sum.loop.wall,
        waiting: sum.loop.waiting / sum.loop.wall,
        othersUs: (sum.loop.others / n) * 1e6,
      },
      idle: idleShare(sum.machine),
      ...(sum.schedule === undefined ? {} : { schedule: sum.schedule }),
    };
    if (keyed(id)) r.keys = { posts: sum.posts, keyed: sum.keyed, ...(await replayLast(sum.last)) };
    results.push(r);
    console.log(
      `${PATHS[id]}: ${fmt(load.paymentsPerSecond)} payments/s, p50 ${fmt(percentile(load.latencies, 50), 1)} ms${perRequest(id) ? " a request" : ""}, ` +
        `p99 ${fmt(percentile(load.latencies, 99), 1)} ms, failed ${load.failed}${load.failed ? ` (${[...load.why].map(([k, v]) => `${k}: ${v}`).join(", ")})` : ""}; ` +
        `CPU per payment: API ${fmt(r.apiUs)} µs, PostgreSQL ${fmt(r.pgUs)} µs, load generator ${fmt(r.loadUs)} µs` +
        (r.keys ? `; ${keysText(r)}; ${r.keys.replay}` : ""),
    );
    const roles = [...sum.roles].filter(([, cpu]) => cpu > 0).sort((x, y) => y[1] - x[1]);
    console.log(`  PostgreSQL CPU per payment by process: ${roles.map(([role, cpu]) => `${role} ${fmt((cpu / n) * 1e6)} µs`).join(", ")}`);
    console.log(`  ${loopText(r)}`);
    if (r.schedule) console.log(`  ${scheduleText(r.schedule, true)}`);
  }
  const verify = (await admin.get<{ balanced: boolean }>("/v1/admin/ledger/verify")).body;
  // What a stored key costs on disk, its stored answer and every index included.
  const stored = await pg.psql(
    "api",
    `SELECT 'S=' || count(*) || '|' || pg_total_relation_size('idempotency_keys') || '|' || coalesce(avg(length(response_body)), 0)::int
       FROM idempotency_keys`,
  );
  const [, keysN = "0", bytes = "0", answer = "0"] = /S=(\d+)\|(\d+)\|(\d+)/.exec(stored) ?? [];
  if (Number(keysN) > 0) {
    console.log(
      `Stored Idempotency-Keys: ${fmt(Number(keysN))}, ${fmt(Number(bytes) / Number(keysN))} bytes a key on disk ` +
        `(its indexes included), its stored answer ${fmt(Number(answer))} characters on average`,
    );
  }
  client.close();
  admin.close();
  transport.close();
  const transfers = ceilings.reduce((n, c) => n + c.transactions, 0);
  // The slices' length: each ran its transactions at its tps.
  const ceilingSeconds = ceilings.reduce((t, c) => t + c.transactions / c.tps, 0);
  const interleaved = {
    tps: transfers / ceilingSeconds,
    cpuUs: ceilings.reduce((t, c) => t + c.cpuUs * c.transactions, 0) / transfers,
    clientUs: ceilings.reduce((t, c) => t + c.clientUs * c.transactions, 0) / transfers,
    // Weighted by each slice's length, as the slices' core time is.
    idle: ceilings.reduce((t, c) => t + (c.idle * c.transactions) / c.tps, 0) / ceilingSeconds,
    failed: ceilings.reduce((n, c) => n + c.failed, 0),
  };
  for (const r of results) console.log(budgetText(r, interleaved));

  const report = paymentsReport({ machine, before, interleaved, bareRps, bareCpuUs, results, balanced: verify.balanced === true });
  console.log(`\n${report}`);
  if (values.report) writeFileSync(resolve(root, values.report), `${report}\n`);
  const failed = results.reduce((s, r) => s + r.load.failed, 0);
  if (failed > 0 || verify.balanced !== true || results.some((r) => r.keys && !r.keys.replayed)) exitCode = 1;
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
  if (process.env.PG_LOG) copyFileSync(pg.logFile, process.env.PG_LOG);
  await pg.stop();
}
process.exit(exitCode);

/**
 * The scheduler's trace from 1 s into a slice of `sliceSeconds`, for up to 4 s of it (perf's own
 * work then stays off the slice's edges), read with `apiPid`'s main thread as the event loop (-1:
 * none), or why there is none.
 */
async function traceSlice(sliceSeconds: number, apiPid: number): Promise<ScheduleShares | string> {
  await new Promise((done) => setTimeout(done, 1000));
  const r = await recordSchedule(Math.max(1, Math.min(4, sliceSeconds - 2)));
  return "trace" in r ? scheduleShares(r.trace, cpus().length, apiPid, classifier(apiPid)) : `no scheduler trace (${r.unavailable})`;
}

/**
 * Each traced thread's part: the API's event loop is its process's main thread (its id is the
 * process's); the API's other threads; PostgreSQL's processes; the load generator (wrk, pgbench,
 * or this process, which drives the SDK and raw paths). With API_PROCESSES above 1, the other API
 * processes' threads count as "other".
 */
function classifier(apiPid: number): Classify {
  const api = new Set(threadIds(apiPid));
  const self = new Set(threadIds(process.pid));
  return (tid, comm) =>
    tid === apiPid
      ? "API event loop"
      : api.has(tid)
        ? "API other threads"
        : comm === "postgres"
          ? "PostgreSQL"
          : comm === "wrk" || comm === "pgbench" || self.has(tid)
            ? "load generator"
            : "other";
}

/**
 * A slice's scheduler trace in one line: how long how many cores were idle, what ran on the others
 * meanwhile, and (for a path) who preempted the API's event loop and how long it then waited beside
 * an idle core: the time the pipeline left a core unused.
 */
function scheduleText(s: ScheduleShares | string, loop: boolean): string {
  if (typeof s === "string") return s;
  const byShare = <K>(m: Map<K, number>, unit: (v: number) => string) =>
    [...m]
      .sort((x, y) => y[1] - x[1])
      .map(([k, v]) => `${k} ${unit(v)}`)
      .join(", ");
  const cores = s.idleCores.map((v, n) => `${n === 0 ? "none" : n} ${pct(v)}`).join(", ");
  let text =
    `scheduler trace, ${s.seconds.toFixed(1)} s of the first slice: cores idle ${cores}; while a core was idle, the others ran: ` +
    byShare(new Map([...s.whileIdle].filter(([, v]) => v >= 0.005)), pct);
  if (loop) {
    const total = [...s.preemptedBy.values()].reduce((a, b) => a + b, 0);
    text +=
      `; the API's event loop preempted ${fmt(total)} times a second (${byShare(s.preemptedBy, fmt)}), ` +
      `then waiting beside an idle core ${pct(s.loopPreemptedBesideIdle)} of the time`;
  }
  return text;
}

/**
 * Where the API's event loop spent the path's time: on a core, runnable but waiting for one (other
 * threads held both cores), or idle with nothing to do.
 */
function loopText(r: PathResult): string {
  return (
    `the ${API_PROCESSES > 1 ? "first " : ""}API process's event loop on a core ${pct(r.loop.running)} of the path's time, waiting for one ${pct(r.loop.waiting)}, ` +
    `idle ${pct(Math.max(0, 1 - r.loop.running - r.loop.waiting))}; its other threads (V8's garbage-collection helpers, libuv's pool) ${fmt(r.loop.othersUs)} µs a payment`
  );
}

/**
 * The path against pgbench on the machine's CPU. With every busy core's time spent by the API,
 * PostgreSQL and the load generator, a rate is the cores' busy share over the CPU a payment costs
 * all told, so `× pgbench` is two factors: pgbench's CPU a transfer (PostgreSQL's and pgbench's own)
 * over the path's a payment, and the path's busy share of the cores over pgbench's. The first says
 * what the code costs, the second what the pipeline leaves unused; their product should come near
 * the measured ratio (what it misses: other tenants of the machine, the kernel's work for no one
 * process). And the CPU a payment must lose for 1.0× at the path's own use of the cores.
 */
function budgetText(r: PathResult, ceiling: { tps: number; cpuUs: number; clientUs: number; idle: number }): string {
  const pathUs = r.apiUs + r.pgUs + r.loadUs;
  const pgbenchUs = ceiling.cpuUs + ceiling.clientUs;
  const use = (1 - r.idle) / (1 - ceiling.idle);
  const lose = pathUs - pgbenchUs * use;
  return (
    `${PATHS[r.id]}: ${fmt(pathUs)} µs of CPU a payment all told, against pgbench's ${fmt(pgbenchUs)} a transfer (PostgreSQL ${fmt(ceiling.cpuUs)}, ` +
    `pgbench ${fmt(ceiling.clientUs)}): ${(pgbenchUs / pathUs).toFixed(2)}× on CPU; the cores idle ${pct(r.idle)} against pgbench's ${pct(ceiling.idle)}: ` +
    `${use.toFixed(2)}× on their use; together ${((pgbenchUs / pathUs) * use).toFixed(2)}×, measured ${(r.load.paymentsPerSecond / ceiling.tps).toFixed(2)}×` +
    (lose > 0 ? `; 1.0× at this use of the cores needs ${fmt(lose)} µs less a payment` : "")
  );
}

/** How many POSTs carried a key: seen at the transport, or for a -wrk path counted in the API's table. */
function keysText(r: PathResult): string {
  if (!r.keys) return "";
  return r.id.endsWith("-wrk")
    ? `${r.keys.posts} POSTs answered, ${r.keys.keyed} new keys in the API's table (wrk stops with up to ${CONNECTIONS} requests unanswered)`
    : `an Idempotency-Key on ${r.keys.keyed} of ${r.keys.posts} POSTs`;
}

/** The run as markdown: the measurements, then issue 18's targets with pass/fail. */
function paymentsReport(run: {
  machine: string;
  before: Ceiling;
  /** pgbench's slices between the paths' slices: the ratios' basis. */
  interleaved: { tps: number; cpuUs: number; clientUs: number; idle: number; failed: number };
  bareRps: number;
  bareCpuUs: number;
  results: PathResult[];
  balanced: boolean;
}): string {
  const tps = run.interleaved.tps;
  const pgbenchCpuUs = run.interleaved.cpuUs;
  const ms = (xs: number[], p: number) => fmt(percentile(xs, p), 1);
  const out: string[] = [
    `Run: \`npx tsx bench/payments-http.ts ${process.argv.slice(2).join(" ")}\`, ${startedAt.toISOString().slice(0, 16).replace("T", " ")} UTC, ` +
      `${run.machine}, PostgreSQL 15 (fsync on), ${CONNECTIONS} connections, ${API_PROCESSES > 1 ? `${API_PROCESSES} API processes (API_PROCESSES), ` : ""}${SECONDS} s per path in ${ROUNDS} interleaved slices after ${WARMUP} s of warm-up, ` +
      `load average ${load0.toFixed(1)} at the start and ${(loadavg()[0] as number).toFixed(1)} at the end.`,
    "",
    "| workload (same run) | rate | p50 ms | p99 ms | failed | API CPU µs per payment | PostgreSQL CPU µs per payment | load generator CPU µs per payment | × pgbench tps | PostgreSQL CPU × pgbench's per transfer |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    `| pgbench ledger_transfer.sql, 8 clients, before the paths (empty cluster) | ${fmt(run.before.tps)} tps | | | ${run.before.failed} | | ${fmt(run.before.cpuUs)} per transfer | | | |`,
    `| pgbench ledger_transfer.sql, 8 clients, interleaved with the paths | ${fmt(run.interleaved.tps)} tps | | | ${run.interleaved.failed} | | ${fmt(run.interleaved.cpuUs)} per transfer | | | |`,
    `| bare Hono POST /echo | ${fmt(run.bareRps)} req/s | | | | ${fmt(run.bareCpuUs)} per request | | | | |`,
    ...run.results.map(
      (r) =>
        `| ${PATHS[r.id]} | ${fmt(r.load.paymentsPerSecond)} payments/s | ${ms(r.load.latencies, 50)}${perRequest(r.id) ? " a request" : ""} | ${ms(r.load.latencies, 99)}${perRequest(r.id) ? " a request" : ""} | ${r.load.failed} | ` +
        `${fmt(r.apiUs)} | ${fmt(r.pgUs)} | ${fmt(r.loadUs)} | ${(r.load.paymentsPerSecond / tps).toFixed(2)}× | ${(r.pgUs / pgbenchCpuUs).toFixed(2)}× |`,
    ),
    "",
    `Ratios use pgbench's slices interleaved with the paths': ${fmt(tps)} tps, ${fmt(pgbenchCpuUs)} µs of PostgreSQL CPU per transfer. ` +
      "A payment's latency is from its first request to its last answer (two requests in (a) and (b), one in (c)); " +
      "wrk times requests, so (a-wrk) and (b-wrk) show a request's. " +
      "The SDK runs with maxRetries 0, so every failure is counted.",
    ...run.results.filter((r) => r.keys).map((r) => `- ${PATHS[r.id]}: ${keysText(r)}; ${r.keys?.replay}.`),
    ...run.results.map((r) => `- ${PATHS[r.id]}: ${loopText(r)}.`),
    ...run.results.map((r) => `- ${budgetText(r, run.interleaved)}.`),
    ...roundPairs(run.results),
    `- Failed payments: ${run.results.reduce((s, r) => s + r.load.failed, 0)}${run.results
      .filter((r) => r.load.failed > 0)
      .map((r) => ` — ${r.id}: ${[...r.load.why].map(([k, v]) => `${k} × ${v}`).join(", ")}`)
      .join("")}. Ledger verify at the end: ${run.balanced ? "balanced" : "**NOT balanced**"}.`,
    "",
  ];
  const figures = run.results.map((r) => ({
    id: r.id,
    paymentsPerSecond: r.load.paymentsPerSecond,
    p99Ms: percentile(r.load.latencies, 99),
    failed: r.load.failed,
    apiUs: r.apiUs,
    pgUs: r.pgUs,
    perRequest: perRequest(r.id),
    rates: r.rates,
  }));
  out.push(...targetsTable(issue18Targets(figures, { tps, cpuUs: pgbenchCpuUs }, run.balanced, CONNECTIONS)));
  return out.join("\n");
}

/** Each keyed path against its keyless pair, round by round (see roundRatios). */
function roundPairs(results: readonly PathResult[]): string[] {
  const of = (id: PathId) => results.find((r) => r.id === id);
  return (
    [
      ["a", "b"],
      ["a-raw", "b"],
      ["a-wrk", "b-wrk"],
    ] as const
  ).flatMap(([k, b]) => {
    const keyed = of(k);
    const keyless = of(b);
    if (!keyed || !keyless || ROUNDS < 2) return [];
    const rounds = roundRatios(keyed.rates, keyless.rates);
    const { ratios, median } = rounds;
    return [
      `- (${k}) / (${b}) round by round: ${ratios.map((x) => x.toFixed(2)).join(", ")}; median ${median.toFixed(2)}×, ` +
        `${howSure(rounds)}, lowest ${Math.min(...ratios).toFixed(2)}×, highest ${Math.max(...ratios).toFixed(2)}×.`,
    ];
  });
}

/** What the SDK hands its transport for one call (path, headers, body), with the key "sdk_check". */
async function sdkRequest(
  apiKey: string,
  call: (sdk: Softrack, options: { idempotencyKey: string }) => Promise<unknown>,
): Promise<{ path: string; headers: Record<string, string>; body: string }> {
  let sent: { path: string; headers: Record<string, string>; body: string } | undefined;
  const capture = async (url: string, init: RequestInit) => {
    sent = { path: new URL(url).pathname, headers: { ...(init.headers as Record<string, string>) }, body: String(init.body) };
    return new Response(JSON.stringify({ id: "pay_x", status: "succeeded" }), { headers: { "content-type": "application/json" } });
  };
  await call(new Softrack({ apiKey, baseUrl: "http://127.0.0.1:9", fetch: capture as unknown as typeof fetch, maxRetries: 0 }), {
    idempotencyKey: "sdk_check",
  });
  if (!sent) throw new Error("the SDK sent nothing");
  return sent;
}
