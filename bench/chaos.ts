/**
 * Crash test: payments (card, and wallet ones in the API's groups: create + confirm, and one
 * request with confirm: true), refunds, taps and orders with their handovers at full speed
 * through the SDK against the API on a real PostgreSQL, the API killed with SIGKILL at random
 * moments and restarted. Every write carries the SDK's Idempotency-Key and its retries reuse it
 * (a tap also keeps its client_tap_id). At the end, checked against the database itself:
 *   - every request that got a 2xx is stored exactly once;
 *   - nothing was applied twice (one payment per creation key, one refund per payment,
 *     one tap per client_tap_id, one order per key, each wallet debited once per payment
 *     and tap), whatever the client saw;
 *   - each keyed write's effect and its stored response (the key's record) exist together or
 *     not at all, and a payment made with confirm: true exists only confirmed;
 *   - GET /v1/admin/ledger/verify is balanced; total money is conserved (the wallets);
 *   - every acknowledged write's key replays its stored answer;
 *   - every webhook event of an acknowledged change was delivered at least once.
 * On the three-node cluster (issue 24, --fault other than api) also: no split brain, from the
 * write history (see databaseFault and docs/operations.md), and --compare-seconds measures the
 * same load on one PostgreSQL server and on the cluster without faults (synchronous replication's cost).
 *
 *   Full (≥ 20 kills): npm run build -w @softrack/api && npx tsx bench/chaos.ts --kills 20 --report bench/CHAOS.md
 *   CI short form:     npm run build -w @softrack/api && npx tsx bench/chaos.ts --kills 5 --clients 8 --max-seconds 240
 *   Failover, full:    npx tsx bench/chaos.ts --fault mixed --kills 12 --clients 8 --compare-seconds 30 --max-seconds 1800
 *   Failover, CI:      npx tsx bench/chaos.ts --fault mixed --kills 2 --clients 8 --max-seconds 420
 *   (--source runs the API from source with tsx instead of apps/api/dist: slower restarts.)
 * Exits non-zero when a check fails. Loopback only; every loop is bounded in count and time.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import { type AddressInfo, createServer as netServer } from "node:net";
import { cpus } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { isRetryable, type RequestOptions, Softrack, SoftrackError } from "@softrack/sdk";
import postgres from "postgres";
import { startPostgres } from "./lib/postgres.js";
import { applicationCommits, forkOf, judgeBranch, promotionTime } from "./lib/wal-history.js";

const { values } = parseArgs({
  options: {
    kills: { type: "string", default: "20" },
    clients: { type: "string", default: "16" },
    report: { type: "string" },
    "max-seconds": { type: "string", default: "600" },
    /** Run the API from source with tsx (slower restarts) instead of apps/api/dist. */
    source: { type: "boolean", default: false },
    /**
     * What is killed: "api" (the API process, on one PostgreSQL), or on the three-node Patroni
     * cluster of scripts/ha-cluster.sh (issue 24): "primary" (the primary's Patroni and
     * postmaster, SIGKILL; the old node then rejoins as a replica), "switchover" (a planned
     * switchover), "isolate" (the primary's Patroni frozen with SIGSTOP while its PostgreSQL
     * runs on, then thawed: it must demote and rewind), "etcd" (etcd's leader, SIGKILL, then
     * restarted), or "mixed" (those four in turn: a kill, a switchover, an isolation, an etcd
     * leader). The checks are the same.
     */
    fault: { type: "string", default: "api" },
    /**
     * Before the faults: the same load for this many seconds on one PostgreSQL server, then on
     * the cluster without faults; the ratio is synchronous replication's cost (0: skipped).
     */
    "compare-seconds": { type: "string", default: "0" },
  },
});
const KILLS = Number(values.kills);
const FAULT = values.fault;
const DATABASE_FAULTS = ["primary", "switchover", "isolate", "etcd"] as const;
type FaultKind = (typeof DATABASE_FAULTS)[number];
if (!["api", "mixed", ...DATABASE_FAULTS].includes(FAULT))
  throw new Error(`--fault: api, ${DATABASE_FAULTS.join(", ")} or mixed, not ${FAULT}`);
const COMPARE_SECONDS = FAULT === "api" ? 0 : Number(values["compare-seconds"]);
const CLIENTS = Number(values.clients);
const DEADLINE = Date.now() + Number(values["max-seconds"]) * 1000;
const root = resolve(import.meta.dirname, "..");
const ADMIN_KEY = `sk_admin_chaos_${randomUUID().replaceAll("-", "")}`;
const CARD = { number: "4242424242424242", exp_month: 12, exp_year: 2030, cvc: "123" };
/** Each customer's wallet top-up, in minor units. */
const TOPUP = 10_000_000;
/** Where a database fault's three-node cluster lives (scripts/ha-cluster.sh's HA_DIR and HA_PORT). */
const HA_DIR = process.env.HA_DIR ?? "/tmp/softrack-chaos-ha";
const HA_PORT = process.env.HA_PORT ?? "17100"; // below the ephemeral port range (see scripts/ha-cluster.sh)
const PG_WALDUMP = ["15", "16", "17"].map((v) => `/usr/lib/postgresql/${v}/bin/pg_waldump`).find((f) => existsSync(f)) ?? "pg_waldump";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const freePort = () =>
  new Promise<number>((done) => {
    const s = netServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => done(port));
    });
  });

// ---- the API process, killed and restarted ------------------------------------------------
let api: ChildProcess | undefined;
let apiUrl = "";
process.on("exit", () => api?.kill("SIGKILL"));

function startApi(env: Record<string, string>): Promise<void> {
  return new Promise((ready, fail) => {
    const args = values.source ? ["--import", "tsx", resolve(root, "apps/api/src/index.ts")] : [resolve(root, "apps/api/dist/index.js")];
    const child = spawn(process.execPath, args, {
      cwd: resolve(root, "apps/api"),
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    api = child;
    let out = "";
    // Generous: on a shared two-core machine, migrations on the cluster wait on synchronous commits.
    const timer = setTimeout(() => fail(new Error("the API did not start within 180 s")), 180_000);
    child.stdout?.on("data", (d) => {
      out += d;
      if (/ready on http/.test(out)) {
        clearTimeout(timer);
        child.stdout?.resume();
        out = "";
        ready();
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (signal !== "SIGKILL") fail(new Error(`the API exited (${code ?? signal}) on its own`));
    });
  });
}

// ---- a plain HTTP client that reports "no answer" instead of throwing ----------------------
interface Answer {
  status: number; // 0 = no answer (connection refused or reset: the API was killed)
  body: any;
  /** Idempotent-Replayed: the first attempt had committed before its answer was lost. */
  replayed?: boolean;
}
function call(method: string, path: string, key: string, body?: unknown, idem?: string): Promise<Answer> {
  const url = new URL(apiUrl + path);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((done) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: url.pathname + url.search,
        agent: false,
        timeout: 20_000,
        headers: {
          Authorization: `Bearer ${key}`,
          ...(payload ? { "Content-Type": "application/json", "Content-Length": payload.length } : {}),
          ...(idem ? { "Idempotency-Key": idem } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          let parsed: unknown = null;
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString());
          } catch {}
          done({ status: res.statusCode ?? 0, body: parsed, replayed: res.headers["idempotent-replayed"] === "true" });
        });
        res.on("error", () => done({ status: 0, body: null }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => done({ status: 0, body: null }));
    req.end(payload);
  });
}

// ---- the run's ledger of what clients saw --------------------------------------------------
const stats = { requests: 0, noAnswer: 0, retries: 0, replayed: 0, status: new Map<number, number>(), gaveUp: 0 };
const acked = {
  payments: new Map<string, string>(), // creation key → payment id
  confirmed: new Set<string>(), // card payment ids confirmed (succeeded) with a 2xx
  walletPaid: new Set<string>(), // wallet payment ids acknowledged as succeeded
  refunds: new Map<string, string>(), // payment id → refund id
  taps: new Map<string, string>(), // client_tap_id → tap id
  orders: new Map<string, { id: string; payment: string }>(), // key → order
  heldOrders: new Set<string>(),
  handovers: new Map<string, number>(), // order id → the amount its handover captured
};
const attempted = {
  payments: new Set<string>(),
  refunds: new Set<string>(),
  taps: new Set<string>(),
  orders: new Set<string>(),
  handovers: new Set<string>(),
};
/**
 * The Idempotency-Key of every write that has one effect to look for, by what it does: a
 * creation's key is also its chaos_key. Each must have its effect and its key's record
 * together, or neither.
 */
const keyOf = {
  confirms: new Map<string, string>(), // confirm key → payment id
  refunds: new Map<string, string>(), // refund key → payment id
  taps: new Map<string, string>(), // tap key → client_tap_id
  handovers: new Map<string, string>(), // handover key → order id
  oneRequest: new Set<string>(), // creation keys of payments made with confirm: true
};
/** Every acknowledged workload write, to send again with its key at the end: each must replay its answer. */
const acknowledged: { sk: string; path: string; body: unknown; key: string; answer: unknown }[] = [];
/** Idempotency-Keys the SDK has sent: a second sight of one is a retry. */
const sentKeys = new Set<string>();

/** Forgets what clients saw (between the single-server comparison and the cluster run). */
function resetLedger() {
  Object.assign(stats, { requests: 0, noAnswer: 0, retries: 0, replayed: 0, gaveUp: 0 });
  stats.status.clear();
  for (const group of [acked, attempted, keyOf]) for (const m of Object.values(group)) m.clear();
  acknowledged.length = 0;
  sentKeys.clear();
  delivered.clear();
  deliveries = 0;
}

/** fetch as the SDK calls it, counted: every attempt, its status, retries and replays. */
const countingFetch: typeof fetch = async (input, init) => {
  stats.requests++;
  const key = new Headers(init?.headers).get("idempotency-key");
  if (key && sentKeys.has(key)) stats.retries++;
  else if (key) sentKeys.add(key);
  try {
    const res = await fetch(input, init);
    stats.status.set(res.status, (stats.status.get(res.status) ?? 0) + 1);
    if (res.headers.get("idempotent-replayed") === "true") stats.replayed++;
    return res;
  } catch (err) {
    stats.noAnswer++;
    stats.status.set(0, (stats.status.get(0) ?? 0) + 1);
    throw err;
  }
};
const sdks = new Map<string, Softrack>();
/**
 * The SDK as an integrator runs it through a failover: it retries network errors, 409
 * request_in_progress, 429 and 5xx (the API's 503 while its database moves) with the same
 * Idempotency-Key, honouring Retry-After; here without a retry limit but within 180 s a call.
 */
function sdk(key: string): Softrack {
  const id = `${apiUrl} ${key}`;
  let client = sdks.get(id);
  if (!client) {
    client = new Softrack({ apiKey: key, baseUrl: apiUrl, fetch: countingFetch, timeout: 20_000, maxRetries: 10_000 });
    sdks.set(id, client);
  }
  return client;
}

/**
 * One logical call through the SDK, until a definitive answer: a 2xx, or an error the SDK does
 * not retry. Bounded: 180 s per call and the run's deadline; then it counts as given up.
 */
async function viaSdk(send: (options: RequestOptions) => Promise<unknown>, idempotencyKey?: string): Promise<Answer> {
  const signal = AbortSignal.timeout(Math.max(1, Math.min(DEADLINE - Date.now(), 180_000)));
  try {
    const body = await send({ signal, ...(idempotencyKey ? { idempotencyKey } : {}) });
    return { status: 200, body };
  } catch (err) {
    if (err instanceof SoftrackError && err.status !== undefined && !isRetryable(err.status, err.raw))
      return { status: err.status, body: err.raw };
    stats.gaveUp++;
    return { status: 0, body: null };
  }
}

/** Setup and reads, through the SDK's generic request (a fresh key on each write unless named). */
function untilAnswered(
  method: "GET" | "POST" | "PUT",
  path: string,
  key: string,
  body: unknown,
  idem: string | undefined = method === "GET" ? undefined : randomUUID(),
): Promise<Answer> {
  return viaSdk((options) => sdk(key).request(method, path.replace(/^\/v1/, ""), body, options), idem);
}
let ackedWrites = 0;
/** A workload write through one of the SDK's resource methods, under key `idem`; kept to replay when acknowledged. */
async function write(
  sk: string,
  path: string,
  body: unknown,
  idem: string,
  send: (client: Softrack, o: RequestOptions) => Promise<unknown>,
) {
  const a = await viaSdk((options) => send(sdk(sk), options), idem);
  if (ok(a)) {
    ackedWrites++;
    acknowledged.push({ sk, path, body, key: idem, answer: a.body });
  }
  return a;
}
const ok = (a: Answer) => a.status >= 200 && a.status < 300;

// ---- the workload --------------------------------------------------------------------------
interface Setup {
  sk: string;
  customers: string[];
  terminal: string;
  point: string;
}

async function cardPayment(s: Setup) {
  const key = randomUUID();
  attempted.payments.add(key);
  const body = { amount: 1_000 + Math.floor(Math.random() * 50_000), currency: "KGS" as const, metadata: { chaos_key: key } };
  const created = await write(s.sk, "/v1/payments", body, key, (c, o) => c.payments.create(body, o));
  if (!ok(created)) return;
  acked.payments.set(key, created.body.id);
  const confirmKey = randomUUID();
  keyOf.confirms.set(confirmKey, created.body.id);
  const confirm = { payment_method_data: { type: "card" as const, card: CARD } };
  const confirmed = await write(s.sk, `/v1/payments/${created.body.id}/confirm`, confirm, confirmKey, (c, o) =>
    c.payments.confirm(created.body.id, confirm, o),
  );
  if (ok(confirmed) && confirmed.body.status === "succeeded") acked.confirmed.add(created.body.id);
}

/** A wallet payment, as the SDK makes it: create, then confirm from the customer's wallet, each with its key. */
async function walletPayment(s: Setup) {
  const key = randomUUID();
  attempted.payments.add(key);
  const customer = s.customers[Math.floor(Math.random() * s.customers.length)] as string;
  const body = { amount: 100 + Math.floor(Math.random() * 900), currency: "KGS" as const, customer, metadata: { chaos_key: key } };
  const created = await write(s.sk, "/v1/payments", body, key, (c, o) => c.payments.create(body, o));
  if (!ok(created)) return;
  acked.payments.set(key, created.body.id);
  const confirmKey = randomUUID();
  keyOf.confirms.set(confirmKey, created.body.id);
  const confirm = { payment_method_data: { type: "wallet" as const } };
  const paid = await write(s.sk, `/v1/payments/${created.body.id}/confirm`, confirm, confirmKey, (c, o) =>
    c.payments.confirm(created.body.id, confirm, o),
  );
  if (ok(paid) && paid.body.status === "succeeded") acked.walletPaid.add(created.body.id);
}

/** A wallet payment in one request (confirm: true), as `payments.create({ confirm: true })` sends it. */
async function oneRequestPayment(s: Setup) {
  const key = randomUUID();
  attempted.payments.add(key);
  keyOf.oneRequest.add(key);
  const customer = s.customers[Math.floor(Math.random() * s.customers.length)] as string;
  const body = {
    amount: 100 + Math.floor(Math.random() * 900),
    currency: "KGS" as const,
    customer,
    confirm: true,
    payment_method_data: { type: "wallet" as const },
    metadata: { chaos_key: key },
  };
  const paid = await write(s.sk, "/v1/payments", body, key, (c, o) => c.payments.create(body, o));
  if (!ok(paid)) return;
  acked.payments.set(key, paid.body.id);
  if (paid.body.status === "succeeded") acked.walletPaid.add(paid.body.id);
}

async function refund() {
  const candidates = [...acked.confirmed].filter((p) => !attempted.refunds.has(p));
  const payment = candidates[Math.floor(Math.random() * candidates.length)];
  if (!payment) return;
  attempted.refunds.add(payment);
  const key = randomUUID();
  keyOf.refunds.set(key, payment);
  const body = { payment, amount: 500 };
  const r = await write(setup.sk, "/v1/refunds", body, key, (c, o) => c.refunds.create(body, o));
  if (ok(r)) acked.refunds.set(payment, r.body.id);
}

async function tap(s: Setup) {
  const clientTapId = randomUUID();
  attempted.taps.add(clientTapId);
  const customer = s.customers[Math.floor(Math.random() * s.customers.length)] as string;
  // A terminal's retry is the same tap (same client_tap_id), here also under the same Idempotency-Key.
  const key = randomUUID();
  keyOf.taps.set(key, clientTapId);
  const body = { terminal: s.terminal, customer, tapped_at: new Date().toISOString(), client_tap_id: clientTapId };
  const r = await write(s.sk, "/v1/transit/taps", body, key, (c, o) => c.transit.taps.create(body, o));
  if (ok(r)) acked.taps.set(clientTapId, r.body.id);
}

/** An order paid into escrow (held), then handed over at the pickup point: the buyer takes some of its items. */
async function order(s: Setup) {
  const key = randomUUID();
  attempted.orders.add(key);
  const quantity = 1 + Math.floor(Math.random() * 3);
  const body = {
    currency: "KGS" as const,
    items: [{ sku: "tea", name: "Tea", amount: 1_500, quantity }],
    delivery: { type: "pickup_point" as const, point: s.point, collect_by: "2030-01-01T00:00:00Z" },
    metadata: { chaos_key: key },
  };
  const created = await write(s.sk, "/v1/orders", body, key, (c, o) => c.orders.create(body, o));
  if (!ok(created)) return;
  const id = created.body.id as string;
  const payment = created.body.payment.id as string;
  acked.orders.set(key, { id, payment });
  const confirmKey = randomUUID();
  keyOf.confirms.set(confirmKey, payment);
  const confirm = { payment_method_data: { type: "card" as const, card: CARD } };
  const paid = await write(s.sk, `/v1/payments/${payment}/confirm`, confirm, confirmKey, (c, o) => c.payments.confirm(payment, confirm, o));
  if (!ok(paid)) return;
  acked.heldOrders.add(id);
  const accepted = 1 + Math.floor(Math.random() * quantity);
  const handoverKey = randomUUID();
  attempted.handovers.add(id);
  keyOf.handovers.set(handoverKey, id);
  const handover = { accepted: [{ sku: "tea", quantity: accepted }] };
  const given = await write(s.sk, `/v1/orders/${id}/handover`, handover, handoverKey, (c, o) => c.orders.handover(id, handover, o));
  if (ok(given)) acked.handovers.set(id, 1_500 * accepted);
}

// ---- the webhook receiver ------------------------------------------------------------------
const delivered = new Set<string>(); // "type object_id"
let deliveries = 0;
function receiver(): Promise<{ server: Server; url: string }> {
  return new Promise((done) => {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        try {
          const e = JSON.parse(Buffer.concat(chunks).toString());
          const obj = e.data?.object ?? e.data;
          delivered.add(`${e.type} ${obj?.id}`);
          deliveries++;
        } catch {}
        res.writeHead(200).end();
      });
    });
    server.listen(0, "127.0.0.1", () => done({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks` }));
  });
}

// ---- the run -------------------------------------------------------------------------------
let setup: Setup;
const started = Date.now();
const hooks = await receiver();
const failures: string[] = [];
const lines: string[] = [];
const log = (l: string) => {
  lines.push(l);
  console.log(l);
};
const apiEnv = (databaseUrl: string, port: number) => ({
  DATABASE_URL: databaseUrl,
  PORT: String(port),
  HOST: "127.0.0.1",
  PLATFORM_ADMIN_KEY: ADMIN_KEY,
  // A test suite: its webhook receivers listen on 127.0.0.1, which production refuses for any endpoint.
  NODE_ENV: "test",
  LOG_LEVEL: "warn",
  WORKERS: "on",
  DB_POOL_SIZE: "20",
});

/** A merchant with a webhook endpoint, 20 riders with topped-up wallets, a bus validator and a pickup point. */
async function prepare(): Promise<Setup> {
  const m = await untilAnswered("POST", "/v1/merchants", ADMIN_KEY, { name: "Chaos Merchant", country: "KG", default_currency: "KGS" });
  if (!ok(m)) throw new Error(`cannot create the merchant: ${JSON.stringify(m.body)}`);
  const sk = m.body.keys.secret_key as string;
  const hook = await untilAnswered("POST", "/v1/webhook_endpoints", sk, {
    url: hooks.url,
    events: ["payment.succeeded", "refund.succeeded", "order.held", "order.delivered"],
  });
  if (!ok(hook)) throw new Error(`cannot create the webhook endpoint: ${JSON.stringify(hook.body)}`);
  const customers: string[] = [];
  for (let i = 0; i < 20; i++) {
    const c = await untilAnswered("POST", "/v1/customers", sk, { name: `Rider ${i}` });
    const top = await untilAnswered("POST", "/v1/payments", sk, {
      amount: TOPUP,
      currency: "KGS",
      purpose: { type: "wallet_topup", customer: c.body.id },
    });
    await untilAnswered("POST", `/v1/payments/${top.body.id}/confirm`, sk, { payment_method_data: { type: "card", card: CARD } });
    customers.push(c.body.id);
  }
  await untilAnswered("PUT", "/v1/tariffs/chaos-bus", sk, {
    kind: "fare",
    rules: { default_fare: 2_000 },
    effective_from: "2020-01-01T00:00:00Z",
  });
  const terminal = await untilAnswered("POST", "/v1/transit/terminals", sk, {
    kind: "bus_validator",
    route: "7",
    fare_tariff: "chaos-bus",
  });
  const point = await untilAnswered("POST", "/v1/pickup_points", sk, { name: "Osh bazaar", address: "Bishkek" });
  if (!ok(terminal) || !ok(point)) throw new Error("setup failed");
  return { sk, customers, terminal: terminal.body.id, point: point.body.id };
}

/** Clients at full speed, each cycling through the six kinds of work, until stopped. */
function startLoad(): { stop(): Promise<void> } {
  let running = true;
  const clients = Array.from({ length: CLIENTS }, async (_, i) => {
    for (let n = 0; running && n < 1_000_000 && Date.now() < DEADLINE; n++) {
      const pick = (i + n) % 6;
      if (pick === 0) await cardPayment(setup);
      else if (pick === 1) await refund();
      else if (pick === 2) await tap(setup);
      else if (pick === 3) await order(setup);
      else if (pick === 4) await walletPayment(setup);
      else await oneRequestPayment(setup);
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(clients);
    },
  };
}
/** Acknowledged workload writes per second over the next `seconds`, the load running. */
async function writeRate(seconds: number): Promise<number> {
  const from = ackedWrites;
  const t0 = Date.now();
  await sleep(seconds * 1000);
  return (ackedWrites - from) / ((Date.now() - t0) / 1000);
}

// Synchronous replication's cost: the same load, first on one PostgreSQL server (fsync and
// synchronous_commit on, as each cluster node), then below on the cluster before any fault.
let singleRate = 0;
if (COMPARE_SECONDS > 0) {
  const single = await startPostgres({ name: "chaos-single", settings: { max_connections: 200 } });
  try {
    await single.createDatabase("chaos");
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    await startApi(apiEnv(single.url("chaos"), port));
    setup = await prepare();
    const load = startLoad();
    singleRate = await writeRate(COMPARE_SECONDS);
    await load.stop();
  } finally {
    api?.kill("SIGKILL");
    await single.stop();
  }
  resetLedger();
}

const pg = FAULT === "api" ? await startPostgres({ name: "chaos", settings: { max_connections: 200 } }) : await startHaCluster();
try {
  await pg.createDatabase("chaos");
  const port = await freePort();
  apiUrl = `http://127.0.0.1:${port}`;
  const env = apiEnv(pg.url("chaos"), port);
  await startApi(env);

  // Setup, before any kill.
  setup = await prepare();
  const setupRequests = stats.requests;
  const chaosDb = FAULT === "api" ? 0 : await databaseOid("chaos");

  // Clients at full speed until the kills are done.
  const load = startLoad();
  const clusterRate = COMPARE_SECONDS > 0 ? await writeRate(COMPARE_SECONDS) : 0;

  // SIGKILL at random moments, restart at once (or a database fault, and the API rides it out).
  const restartMs: number[] = [];
  const faults: DatabaseFault[] = [];
  for (let k = 0; k < KILLS && Date.now() < DEADLINE; k++) {
    await sleep(1_000 + Math.random() * 3_000); // the API serves 1–4 s between kills
    if (FAULT !== "api") {
      const kind = FAULT === "mixed" ? (DATABASE_FAULTS[k % DATABASE_FAULTS.length] as FaultKind) : (FAULT as FaultKind);
      faults.push(await databaseFault(kind, setup.sk, chaosDb));
      continue;
    }
    api?.kill("SIGKILL");
    const t0 = Date.now();
    await new Promise((r) => api?.once("exit", r));
    await startApi(env);
    restartMs.push(Date.now() - t0);
  }
  const kills = FAULT === "api" ? restartMs.length : faults.length;
  await sleep(1_000);
  await load.stop();

  // Webhooks: wait (bounded) for every acknowledged change's event.
  const expected = [
    ...[...acked.confirmed, ...acked.walletPaid].map((p) => `payment.succeeded ${p}`),
    ...[...acked.refunds.values()].map((r) => `refund.succeeded ${r}`),
    ...[...acked.heldOrders].map((o) => `order.held ${o}`),
    ...[...acked.handovers.keys()].map((o) => `order.delivered ${o}`),
  ];
  const waitUntil = Date.now() + 90_000;
  while (Date.now() < waitUntil && expected.some((e) => !delivered.has(e))) await sleep(500);

  // Checks, against the database itself.
  const db = postgres(pg.url("chaos"), { max: 2, onnotice: () => {} });
  const payRows = await db<
    { id: string; key: string; status: string }[]
  >`SELECT id, metadata->>'chaos_key' AS key, status FROM payments WHERE metadata ? 'chaos_key'`;
  const perKey = new Map<string, string[]>();
  for (const r of payRows) perKey.set(r.key, [...(perKey.get(r.key) ?? []), r.id]);
  const payStatus = new Map(payRows.map((r) => [r.id, r.status]));
  for (const [key, id] of acked.payments)
    if ((perKey.get(key) ?? []).join() !== id) failures.push(`payment ${id} (key ${key}) stored as [${perKey.get(key)}]`);
  for (const [key, ids] of perKey) if (ids.length > 1) failures.push(`payment key ${key} applied ${ids.length} times`);
  for (const id of [...acked.confirmed, ...acked.walletPaid])
    if (payStatus.get(id) !== "succeeded") failures.push(`payment ${id} acknowledged as succeeded is ${payStatus.get(id)}`);
  // Created and confirmed in one request: never stored half-way.
  for (const r of payRows)
    if (keyOf.oneRequest.has(r.key) && r.status !== "succeeded") failures.push(`payment ${r.id} made with confirm: true is ${r.status}`);

  const refundRows = await db<
    { payment: string; n: number; ids: string[] }[]
  >`SELECT payment_id AS payment, count(*)::int AS n, array_agg(id) AS ids FROM refunds GROUP BY payment_id`;
  const refundsBy = new Map(refundRows.map((r) => [r.payment, r]));
  for (const [payment, id] of acked.refunds)
    if (!refundsBy.get(payment)?.ids.includes(id)) failures.push(`refund ${id} of ${payment} not stored`);
  for (const r of refundRows) if (r.n > 1) failures.push(`payment ${r.payment} refunded ${r.n} times`);

  const tapRows = await db<
    { client_tap_id: string; n: number; ids: string[] }[]
  >`SELECT client_tap_id, count(*)::int AS n, array_agg(id) AS ids FROM taps GROUP BY client_tap_id`;
  const tapsBy = new Map(tapRows.map((r) => [r.client_tap_id, r]));
  for (const [ct, id] of acked.taps) if (!tapsBy.get(ct)?.ids.includes(id)) failures.push(`tap ${id} (${ct}) not stored`);
  for (const r of tapRows) if (r.n > 1) failures.push(`tap ${r.client_tap_id} applied ${r.n} times`);
  const charged = await db<{ n: number }[]>`SELECT count(*)::int AS n FROM taps t WHERE t.decision = 'accepted'`;

  const orderRows = await db<
    { key: string; n: number; ids: string[] }[]
  >`SELECT metadata->>'chaos_key' AS key, count(*)::int AS n, array_agg(id) AS ids FROM orders WHERE metadata ? 'chaos_key' GROUP BY 1`;
  const ordersBy = new Map(orderRows.map((r) => [r.key, r]));
  for (const [key, o] of acked.orders)
    if (ordersBy.get(key)?.ids.join() !== o.id) failures.push(`order ${o.id} (key ${key}) stored as [${ordersBy.get(key)?.ids}]`);
  for (const r of orderRows) if (r.n > 1) failures.push(`order key ${r.key} applied ${r.n} times`);
  // Handovers: each order handed over at most once; an acknowledged one is delivered with what it captured.
  const handoverRows = await db<{ order: string; n: number; status: string; captured: number }[]>`
    SELECT o.id AS order, count(e.id)::int AS n, o.status, o.amount_captured::int AS captured
    FROM orders o LEFT JOIN order_events e ON e.order_id = o.id AND e.type = 'order.handover'
    WHERE o.metadata ? 'chaos_key' GROUP BY o.id`;
  const handoversBy = new Map(handoverRows.map((r) => [r.order, r]));
  for (const r of handoverRows) if (r.n > 1) failures.push(`order ${r.order} handed over ${r.n} times`);
  for (const [id, captured] of acked.handovers) {
    const r = handoversBy.get(id);
    if (r?.n !== 1 || r.status !== "delivered" || r.captured !== captured)
      failures.push(`order ${id} acknowledged as handed over (${captured} captured) is ${JSON.stringify(r)}`);
  }

  // Each wallet debited exactly once per succeeded wallet payment and accepted tap: its balance
  // (as the API shows it) is the top-up less exactly those.
  const spent = await db<{ customer: string; amount: number }[]>`
    SELECT customer_id AS customer, sum(amount_captured)::int AS amount FROM payments
    WHERE method = 'wallet' AND status = 'succeeded' AND customer_id IS NOT NULL GROUP BY 1`;
  const fares = await db<{ customer: string; amount: number }[]>`
    SELECT customer_id AS customer, sum(fare)::int AS amount FROM taps WHERE decision = 'accepted' GROUP BY 1`;
  const spentBy = new Map(spent.map((r) => [r.customer, r.amount]));
  const faresBy = new Map(fares.map((r) => [r.customer, r.amount]));
  // Total money conserved (the bank test): the wallets together hold what was topped up less
  // what left them, each movement counted once.
  let walletsHold = 0;
  let walletsPaid = 0;
  for (const customer of setup.customers) {
    const c = await untilAnswered("GET", `/v1/customers/${customer}`, setup.sk, undefined);
    const paid = (spentBy.get(customer) ?? 0) + (faresBy.get(customer) ?? 0);
    const expected = TOPUP - paid;
    walletsHold += Number(c.body?.wallet?.balance);
    walletsPaid += paid;
    if (c.body?.wallet?.balance !== expected)
      failures.push(`wallet of ${customer}: ${c.body?.wallet?.balance}, expected ${expected} (top-up less its payments and fares)`);
  }
  const toppedUp = TOPUP * setup.customers.length;
  if (walletsHold + walletsPaid !== toppedUp)
    failures.push(`money not conserved: wallets hold ${walletsHold} and paid out ${walletsPaid}, ${toppedUp} was topped up`);

  // An effect and its stored response commit or vanish together: every keyed write with an
  // effect has its key's record, and every record has its effect.
  const records = new Map(
    (await db<{ key: string; status: number }[]>`SELECT key, response_status AS status FROM idempotency_keys`).map((r) => [
      r.key,
      r.status,
    ]),
  );
  const confirmedIds = [...new Set(keyOf.confirms.values())];
  const confirmStatus = new Map(
    (await db<{ id: string; status: string }[]>`SELECT id, status FROM payments WHERE id = ANY(${confirmedIds})`).map((r) => [
      r.id,
      r.status,
    ]),
  );
  let keyedChecked = 0;
  const together = (what: string, key: string, effect: boolean) => {
    keyedChecked++;
    if (effect && !records.has(key)) failures.push(`${what} (key ${key}) took effect without its stored response`);
    if (!effect && records.has(key)) failures.push(`${what} (key ${key}) has a stored response (${records.get(key)}) but no effect`);
  };
  for (const key of attempted.payments) together("payment creation", key, perKey.has(key));
  for (const key of attempted.orders) together("order creation", key, ordersBy.has(key));
  for (const [key, payment] of keyOf.confirms) {
    const status = confirmStatus.get(payment);
    together(`confirmation of ${payment}`, key, status !== undefined && status !== "requires_payment_method");
  }
  for (const [key, payment] of keyOf.refunds) together(`refund of ${payment}`, key, refundsBy.has(payment));
  for (const [key, clientTapId] of keyOf.taps) together(`tap ${clientTapId}`, key, tapsBy.has(clientTapId));
  for (const [key, order] of keyOf.handovers) together(`handover of ${order}`, key, (handoversBy.get(order)?.n ?? 0) > 0);
  await db.end();

  // Every acknowledged write's key, sent again with its request, replays the stored answer.
  let replays = 0;
  const replayFailures: string[] = [];
  for (let i = 0; i < acknowledged.length; i += 8) {
    await Promise.all(
      acknowledged.slice(i, i + 8).map(async (w) => {
        let r: Answer = { status: 0, body: null };
        for (let attempt = 0; attempt < 20 && (r.status === 0 || r.status >= 500); attempt++) {
          if (attempt > 0) await sleep(500);
          r = await call("POST", w.path, w.sk, w.body, w.key);
        }
        if (r.status >= 200 && r.status < 300 && r.replayed && JSON.stringify(r.body) === JSON.stringify(w.answer)) replays++;
        else
          replayFailures.push(
            `${w.path} (key ${w.key}): ${r.status}${r.replayed ? " replayed" : ""} ${JSON.stringify(r.body).slice(0, 200)}`,
          );
      }),
    );
  }
  if (replayFailures.length > 0)
    failures.push(`${replayFailures.length} acknowledged keys did not replay their answer, e.g. ${replayFailures.slice(0, 3).join("; ")}`);

  // No split brain, from the write history: every promotion seen is one timeline, and no old
  // primary took a write on its own branch after the new primary was promoted (databaseFault).
  const promotions = faults.filter((f) => f.promoted).length;
  const splitBrain = faults.reduce((n, f) => n + f.splitBrainCommits, 0);
  const discarded = faults.reduce((n, f) => n + f.discardedCommits, 0);
  let finalTimeline = 0;
  if (FAULT !== "api") {
    const admin = postgres(pg.url(), { max: 1, onnotice: () => {} });
    const [row] = await admin<{ tli: string }[]>`SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8) AS tli`;
    await admin.end();
    finalTimeline = Number.parseInt(row?.tli ?? "0", 16);
    if (finalTimeline !== 1 + promotions)
      failures.push(`the primary is on timeline ${finalTimeline} after ${promotions} promotions: a history was rewritten`);
    if (splitBrain > 0) failures.push(`${splitBrain} commits on an old primary after its successor was promoted (split brain)`);
  }

  const verify = await untilAnswered("GET", "/v1/admin/ledger/verify", ADMIN_KEY, undefined);
  if (verify.body?.balanced !== true) failures.push(`ledger verify: ${JSON.stringify(verify.body).slice(0, 500)}`);
  const missing = expected.filter((e) => !delivered.has(e));
  if (missing.length > 0)
    failures.push(`${missing.length} webhook events of acknowledged changes never delivered, e.g. ${missing.slice(0, 3).join("; ")}`);
  if (kills < KILLS) failures.push(`only ${kills} of ${KILLS} kills before the deadline`);
  if (stats.gaveUp > 0) failures.push(`${stats.gaveUp} requests never got a definitive answer within 180 s`);

  const statuses = [...stats.status]
    .sort((a, b) => a[0] - b[0])
    .map(([s, n]) => `${s === 0 ? "no answer" : s}: ${n}`)
    .join(", ");
  const seconds = Math.round((Date.now() - started) / 1000);
  log(`# Crash test (bench/chaos.ts)`);
  log("");
  log(
    `Run: \`npx tsx bench/chaos.ts --kills ${KILLS} --clients ${CLIENTS}${FAULT === "api" ? "" : ` --fault ${FAULT}`}${COMPARE_SECONDS > 0 ? ` --compare-seconds ${COMPARE_SECONDS}` : ""}${values.source ? " --source" : ""}\`, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, Node ${process.version}, PostgreSQL 15 (fsync on${FAULT === "api" ? "" : "; three nodes under Patroni, synchronous replication, HAProxy"}), API ${values.source ? "from source (tsx)" : "from apps/api/dist"}, ${seconds} s in all.`,
  );
  log("");
  log("| | |");
  log("|---|---|");
  if (FAULT === "api")
    log(`| kill -9 of the API process | ${kills} (restart to ready: median ${median(restartMs)} ms, max ${Math.max(...restartMs)} ms) |`);
  const faultNames: Record<FaultKind, [string, string]> = {
    primary: ["primary killed (Patroni and postmaster, SIGKILL)", "new primary"],
    switchover: ["planned switchover (patronictl)", "new primary"],
    isolate: ["primary isolated (its Patroni frozen, SIGSTOP; PostgreSQL running on)", "new primary"],
    etcd: ["etcd's leader killed (SIGKILL)", "new etcd leader"],
  };
  for (const kind of DATABASE_FAULTS) {
    const of = faults.filter((f) => f.kind === kind);
    if (of.length === 0) continue;
    const [what, leader] = faultNames[kind];
    const promoted = of.filter((f) => f.promoted).length;
    log(
      `| ${what} | ${of.length}: ${leader} after median ${median(of.map((f) => f.newLeaderMs))} ms (max ${Math.max(...of.map((f) => f.newLeaderMs))}); the API served a write again after median ${median(of.map((f) => f.servedMs))} ms (max ${Math.max(...of.map((f) => f.servedMs))})${kind === "etcd" ? `; PostgreSQL's primary changed ${promoted} times` : ""} |`,
    );
  }
  if (FAULT !== "api") {
    log(`| split-brain commits (an old primary's, after its successor's promotion) | ${splitBrain} |`);
    log(`| commits discarded with an old primary's branch (in flight at the fault, never acknowledged) | ${discarded} |`);
    log(`| timeline of the final primary / promotions seen | ${finalTimeline} / ${promotions} |`);
  }
  if (COMPARE_SECONDS > 0)
    log(
      `| acknowledged writes/s, same load for ${COMPARE_SECONDS} s: one PostgreSQL server / the cluster without faults (synchronous replication) | ${singleRate.toFixed(1)} / ${clusterRate.toFixed(1)}: ratio ${(clusterRate / singleRate).toFixed(2)} |`,
    );
  log(`| HTTP requests sent (after setup) | ${stats.requests - setupRequests} |`);
  log(`| of which retries with the same key | ${stats.retries} |`);
  log(`| answered by status | ${statuses} |`);
  log(
    `| retries answered from the stored first response (Idempotent-Replayed: the first attempt had committed, its answer was lost with the process) | ${stats.replayed} |`,
  );
  const oneRequestPaid = [...acked.payments].filter(([key, id]) => keyOf.oneRequest.has(key) && acked.walletPaid.has(id)).length;
  log(
    `| payments created / acknowledged / acknowledged as succeeded (card and wallet) | ${attempted.payments.size} / ${acked.payments.size} / ${acked.confirmed.size + acked.walletPaid.size} |`,
  );
  log(
    `| wallet payments acknowledged as succeeded: create + confirm / one request (confirm: true) | ${acked.walletPaid.size - oneRequestPaid} / ${oneRequestPaid} |`,
  );
  log(`| refunds attempted / acknowledged | ${attempted.refunds.size} / ${acked.refunds.size} |`);
  log(`| taps attempted / acknowledged (accepted in the database) | ${attempted.taps.size} / ${acked.taps.size} (${charged[0]?.n}) |`);
  log(
    `| orders created / acknowledged / paid (held) / handed over | ${attempted.orders.size} / ${acked.orders.size} / ${acked.heldOrders.size} / ${acked.handovers.size} |`,
  );
  log(`| webhook deliveries received / events expected / missing | ${deliveries} / ${expected.length} / ${missing.length} |`);
  log(`| keyed writes checked: effect and stored response together or neither | ${keyedChecked} |`);
  log(`| ledger verify | ${verify.body?.balanced ? "balanced" : "NOT balanced"} (${verify.body?.accounts_checked} accounts) |`);
  log(`| money: topped up / held by the wallets + paid out of them | ${toppedUp} / ${walletsHold} + ${walletsPaid} |`);
  log(`| acknowledged keys replayed with their stored answer | ${replays} of ${acknowledged.length} |`);
  log("");
  log("Checks (against the database, not the clients' view):");
  log("- every write went through the SDK with an Idempotency-Key, and its retries the same one;");
  log("- every 2xx is stored exactly once (payments and orders by their creation key, refunds by payment, taps by client_tap_id);");
  log("- nothing applied twice: at most one payment per key, one refund per payment, one tap per client_tap_id, one order per key;");
  log("- each wallet's balance is its top-up less its succeeded wallet payments and accepted fares, each counted once;");
  log(
    "- each keyed write's effect and its key's stored response exist together or not at all (payment, order and refund creations, confirmations, taps);",
  );
  log(
    "- payments acknowledged as succeeded are succeeded, one made with confirm: true is never stored unconfirmed; the ledger verifies balanced;",
  );
  log("- an order is handed over at most once, and an acknowledged handover is delivered with what it captured;");
  log("- total money is conserved: the wallets hold what was topped up less what they paid, each payment and fare once;");
  log("- every acknowledged write, sent again with its key, replays the stored answer (status, Idempotent-Replayed, the same body);");
  if (FAULT !== "api")
    log(
      "- no split brain: the final primary's timeline is one per promotion seen, and no old primary's WAL past the fork holds a commit of the application's tables dated after its successor's END_OF_RECOVERY;",
    );
  log(
    "- every payment.succeeded, refund.succeeded, order.held and order.delivered event of an acknowledged change reached the webhook receiver at least once.",
  );
  log("");
  log(
    failures.length === 0
      ? "Result: **all checks passed**."
      : `Result: **${failures.length} check(s) failed**:\n${failures
          .slice(0, 20)
          .map((f) => `- ${f}`)
          .join("\n")}`,
  );
  if (values.report) writeFileSync(resolve(root, values.report), `${lines.join("\n")}\n`);
} finally {
  api?.kill("SIGKILL");
  hooks.server.close();
  await pg.stop();
}
process.exit(failures.length === 0 ? 0 : 1);

// ---- the three-node cluster (issue 24): scripts/ha-cluster.sh ----------------------------------
interface DatabaseFault {
  kind: FaultKind;
  /** From the fault to a new primary named by Patroni (for "etcd": to a new etcd leader). */
  newLeaderMs: number;
  /** From the fault to the API's first 2xx on a write. */
  servedMs: number;
  /** PostgreSQL's primary moved to another node. */
  promoted: boolean;
  /** Commits of the application's tables on the old primary's branch past the fork, dated after the promotion. */
  splitBrainCommits: number;
  /** Such commits dated before it: in flight when the primary died, never acknowledged, discarded by pg_rewind. */
  discardedCommits: number;
}

function haScript(...args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn("bash", [resolve(root, "scripts/ha-cluster.sh"), ...args], {
      env: { ...process.env, HA_DIR, HA_PORT },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout?.on("data", (d) => {
      out += d;
    });
    child.once("exit", (code) => (code === 0 ? done(out.trim()) : fail(new Error(`ha-cluster.sh ${args.join(" ")} exited ${code}`))));
  });
}

/** The cluster, shaped as the one-server cluster the checks use. */
async function startHaCluster() {
  await haScript("stop").catch(() => undefined);
  const out = await haScript("start");
  const write = /DATABASE_URL=(\S+)/.exec(out)?.[1];
  if (!write) throw new Error(`ha-cluster.sh start printed no DATABASE_URL: ${out}`);
  const url = (db = "postgres") => write.replace(/\/postgres$/, `/${db}`);
  return {
    url,
    createDatabase: async (name: string) => {
      const admin = postgres(url(), { max: 1, onnotice: () => {} });
      await admin.unsafe(`CREATE DATABASE ${name}`);
      await admin.end();
    },
    stop: () => haScript("stop").then(() => undefined),
  };
}

/** The database's OID: its tables' WAL records name it (rel <tablespace>/<database>/<relfilenode>). */
async function databaseOid(name: string): Promise<number> {
  const admin = postgres(pg.url(), { max: 1, onnotice: () => {} });
  const [row] = await admin<{ oid: number }[]>`SELECT oid::int AS oid FROM pg_database WHERE datname = ${name}`;
  await admin.end();
  return row?.oid ?? 0;
}

/**
 * One fault, then the wait for a new primary (or etcd leader) and for the API to serve a write
 * again; then the split-brain check on the old primary's WAL, before it rejoins; then the old
 * node (or etcd member) comes back, and the cluster is healthy again before the next fault.
 */
async function databaseFault(kind: FaultKind, sk: string, chaosDb: number): Promise<DatabaseFault> {
  const before = await haScript("leader");
  const etcdBefore = kind === "etcd" ? await haScript("etcd-leader") : "";
  const t0 = Date.now();
  const hit = await haScript(
    { primary: "kill-primary", switchover: "switchover", isolate: "isolate-primary", etcd: "kill-etcd-leader" }[kind],
  );
  let newLeaderMs = -1;
  let servedMs = -1;
  while ((newLeaderMs < 0 || servedMs < 0) && Date.now() - t0 < 120_000) {
    if (newLeaderMs < 0) {
      const now = await haScript(kind === "etcd" ? "etcd-leader" : "leader").catch(() => "");
      if (now !== "" && now !== (kind === "etcd" ? etcdBefore : before)) newLeaderMs = Date.now() - t0;
    }
    if (servedMs < 0 && newLeaderMs >= 0) {
      const probe = await call("POST", "/v1/customers", sk, { name: "Failover probe" }, randomUUID());
      if (probe.status >= 200 && probe.status < 300) servedMs = Date.now() - t0;
    }
    await sleep(200);
  }
  if (newLeaderMs < 0 || servedMs < 0) throw new Error(`no new leader or no API within 120 s after a fault (${kind})`);
  const after = await haScript("leader");
  const promoted = after !== "" && after !== before;
  // Before the old primary rejoins (pg_rewind would discard its branch): what did it write past the fork?
  const branch = promoted ? await oldBranch(Number(before.replace("node", "")), Number(after.replace("node", "")), chaosDb) : undefined;
  if (kind === "primary") await haScript("restart-node", before.replace("node", ""));
  if (kind === "isolate") await haScript("heal-node", hit.replace("node", ""));
  if (kind === "etcd") await haScript("restart-etcd", hit.replace("etcd", ""));
  // The next fault finds a synchronous standby to promote, as an operator would wait for.
  await haScript("wait-healthy", "180");
  return {
    kind,
    newLeaderMs,
    servedMs,
    promoted,
    splitBrainCommits: branch?.splitBrain ?? 0,
    discardedCommits: branch?.inFlight ?? 0,
  };
}

function waldump(args: string[]): Promise<string> {
  // pg_waldump exits non-zero at the end of valid WAL ("invalid record length"): its records are on stdout all the same.
  return new Promise((done) => execFile(PG_WALDUMP, args, { maxBuffer: 512 * 1024 * 1024 }, (_err, stdout) => done(stdout)));
}
/**
 * The split-brain check, from the write history. The new primary's newest timeline history
 * file names the fork: the old timeline and the LSN where the new one branched off; its
 * END_OF_RECOVERY record there carries the promotion's time. Every commit in the old primary's
 * own WAL past the fork, of a transaction that may have written the application's tables, is a
 * write only the old primary has: dated before the promotion, it was in flight when the primary
 * was lost (never acknowledged under synchronous replication: no standby had confirmed it);
 * dated after, the old primary was still taking writes while another node was primary — split
 * brain. (All nodes share this machine's clock; across hosts, allow for their clock skew.)
 */
async function oldBranch(oldNode: number, newNode: number, chaosDb: number) {
  const newWal = `${HA_DIR}/node${newNode}/data/pg_wal`;
  const newest = readdirSync(newWal)
    .filter((f) => /^[0-9A-F]{8}\.history$/.test(f))
    .sort()
    .at(-1);
  if (!newest) throw new Error(`no timeline history on node${newNode} after its promotion`);
  const { parentTimeline, fork } = forkOf(readFileSync(`${newWal}/${newest}`, "utf8"));
  // PostgreSQL writes the history file a moment before the END_OF_RECOVERY record: look again for a
  // few seconds. Not found (it once was not, on a loaded machine), the history file's time stands
  // in: it is earlier than the promotion, so the check can only grow stricter, never miss a commit.
  let promotedAt: number | undefined;
  for (let attempt = 0; promotedAt === undefined && attempt < 10; attempt++) {
    if (attempt > 0) await sleep(500);
    promotedAt = promotionTime(
      await waldump(["-p", newWal, "-t", String(Number.parseInt(newest.slice(0, 8), 16)), "-s", fork, "-n", "1000"]),
    );
  }
  if (promotedAt === undefined) {
    promotedAt = statSync(`${newWal}/${newest}`).mtimeMs;
    console.log(`node${newNode}: no END_OF_RECOVERY record found at ${fork}; the promotion is dated by ${newest}'s time`);
  }
  const branch = await waldump(["-p", `${HA_DIR}/node${oldNode}/data/pg_wal`, "-t", String(parentTimeline), "-s", fork]);
  return judgeBranch(applicationCommits(branch, chaosDb), promotedAt);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}
