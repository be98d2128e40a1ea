/**
 * Crash test: payments (card, and wallet ones in the API's groups: create + confirm, and one
 * request with confirm: true), refunds, taps and orders at full speed against the API on a real
 * PostgreSQL, the API killed with SIGKILL at random moments and restarted. Every write request
 * carries an Idempotency-Key, as the SDK sends it, and its retries reuse it (a tap also keeps its
 * client_tap_id). At the end, checked against the database itself:
 *   - every request that got a 2xx is stored exactly once;
 *   - nothing was applied twice (one payment per creation key, one refund per payment,
 *     one tap per client_tap_id, one order per key, each wallet debited once per payment
 *     and tap), whatever the client saw;
 *   - each keyed write's effect and its stored response (the key's record) exist together or
 *     not at all, and a payment made with confirm: true exists only confirmed;
 *   - GET /v1/admin/ledger/verify is balanced;
 *   - every webhook event of an acknowledged change was delivered at least once.
 *
 *   Full (≥ 20 kills): npm run build -w @softrack/api && npx tsx bench/chaos.ts --kills 20 --report bench/CHAOS.md
 *   CI short form:     npm run build -w @softrack/api && npx tsx bench/chaos.ts --kills 5 --clients 8 --max-seconds 240
 *   (--source runs the API from source with tsx instead of apps/api/dist: slower restarts.)
 * Exits non-zero when a check fails. Loopback only; every loop is bounded in count and time.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import { type AddressInfo, createServer as netServer } from "node:net";
import { cpus } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { startPostgres } from "./lib/postgres.js";

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
     * switchover), or "mixed" (both, alternating). The checks are the same.
     */
    fault: { type: "string", default: "api" },
  },
});
const KILLS = Number(values.kills);
const FAULT = values.fault;
if (!["api", "primary", "switchover", "mixed"].includes(FAULT)) throw new Error(`--fault: api, primary, switchover or mixed, not ${FAULT}`);
const CLIENTS = Number(values.clients);
const DEADLINE = Date.now() + Number(values["max-seconds"]) * 1000;
const root = resolve(import.meta.dirname, "..");
const ADMIN_KEY = `sk_admin_chaos_${randomUUID().replaceAll("-", "")}`;
const CARD = { number: "4242424242424242", exp_month: 12, exp_year: 2030, cvc: "123" };
/** Each customer's wallet top-up, in minor units. */
const TOPUP = 10_000_000;
/** Where --fault primary|switchover|mixed keeps its three-node cluster (scripts/ha-cluster.sh). */
const HA_DIR = "/tmp/softrack-chaos-ha";

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
    const timer = setTimeout(() => fail(new Error("the API did not start within 60 s")), 60_000);
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
};
const attempted = { payments: new Set<string>(), refunds: new Set<string>(), taps: new Set<string>(), orders: new Set<string>() };
/**
 * The Idempotency-Key of every write that has one effect to look for, by what it does: a
 * creation's key is also its chaos_key. Each must have its effect and its key's record
 * together, or neither.
 */
const keyOf = {
  confirms: new Map<string, string>(), // confirm key → payment id
  refunds: new Map<string, string>(), // refund key → payment id
  taps: new Map<string, string>(), // tap key → client_tap_id
  oneRequest: new Set<string>(), // creation keys of payments made with confirm: true
};

/**
 * Sends one logical request until it gets a definitive answer: a 2xx or a 4xx (not 409
 * request_in_progress, not 429). No answer, 409 and 5xx (a 503 while the database connection
 * is re-established) are retried with the same key, backing off up to 1 s. Bounded: 1,000
 * attempts and 180 s per request, and the run's deadline. Every write carries an
 * Idempotency-Key (a fresh one unless the caller names it), as the SDK sends them.
 */
async function untilAnswered(
  method: string,
  path: string,
  key: string,
  body: unknown,
  idem: string | undefined = method === "GET" ? undefined : randomUUID(),
): Promise<Answer> {
  const giveUpAt = Math.min(DEADLINE, Date.now() + 180_000);
  for (let attempt = 0; attempt < 1_000 && Date.now() < giveUpAt; attempt++) {
    if (attempt > 0) stats.retries++;
    stats.requests++;
    const a = await call(method, path, key, body, idem);
    stats.status.set(a.status, (stats.status.get(a.status) ?? 0) + 1);
    if (a.status === 0) stats.noAnswer++;
    if (a.replayed) stats.replayed++;
    if (a.status !== 0 && a.status < 500 && a.status !== 409 && a.status !== 429) return a;
    await sleep(Math.min(1_000, 50 * 1.5 ** attempt) * (0.5 + Math.random()));
  }
  stats.gaveUp++;
  return { status: 0, body: null };
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
  const created = await untilAnswered(
    "POST",
    "/v1/payments",
    s.sk,
    { amount: 1_000 + Math.floor(Math.random() * 50_000), currency: "KGS", metadata: { chaos_key: key } },
    key,
  );
  if (!ok(created)) return;
  acked.payments.set(key, created.body.id);
  const confirmKey = randomUUID();
  keyOf.confirms.set(confirmKey, created.body.id);
  const confirmed = await untilAnswered(
    "POST",
    `/v1/payments/${created.body.id}/confirm`,
    s.sk,
    { payment_method_data: { type: "card", card: CARD } },
    confirmKey,
  );
  if (ok(confirmed) && confirmed.body.status === "succeeded") acked.confirmed.add(created.body.id);
}

/** A wallet payment, as the SDK makes it: create, then confirm from the customer's wallet, each with its key. */
async function walletPayment(s: Setup) {
  const key = randomUUID();
  attempted.payments.add(key);
  const customer = s.customers[Math.floor(Math.random() * s.customers.length)] as string;
  const body = { amount: 100 + Math.floor(Math.random() * 900), currency: "KGS", customer, metadata: { chaos_key: key } };
  const created = await untilAnswered("POST", "/v1/payments", s.sk, body, key);
  if (!ok(created)) return;
  acked.payments.set(key, created.body.id);
  const confirmKey = randomUUID();
  keyOf.confirms.set(confirmKey, created.body.id);
  const paid = await untilAnswered(
    "POST",
    `/v1/payments/${created.body.id}/confirm`,
    s.sk,
    { payment_method_data: { type: "wallet" } },
    confirmKey,
  );
  if (ok(paid) && paid.body.status === "succeeded") acked.walletPaid.add(created.body.id);
}

/** A wallet payment in one request (confirm: true), as `payments.create({ confirm: true })` sends it. */
async function oneRequestPayment(s: Setup) {
  const key = randomUUID();
  attempted.payments.add(key);
  keyOf.oneRequest.add(key);
  const customer = s.customers[Math.floor(Math.random() * s.customers.length)] as string;
  const paid = await untilAnswered(
    "POST",
    "/v1/payments",
    s.sk,
    {
      amount: 100 + Math.floor(Math.random() * 900),
      currency: "KGS",
      customer,
      confirm: true,
      payment_method_data: { type: "wallet" },
      metadata: { chaos_key: key },
    },
    key,
  );
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
  const r = await untilAnswered("POST", "/v1/refunds", setup.sk, { payment, amount: 500 }, key);
  if (ok(r)) acked.refunds.set(payment, r.body.id);
}

async function tap(s: Setup) {
  const clientTapId = randomUUID();
  attempted.taps.add(clientTapId);
  const customer = s.customers[Math.floor(Math.random() * s.customers.length)] as string;
  // A terminal's retry is the same tap (same client_tap_id), here also under the same Idempotency-Key.
  const key = randomUUID();
  keyOf.taps.set(key, clientTapId);
  const r = await untilAnswered(
    "POST",
    "/v1/transit/taps",
    s.sk,
    { terminal: s.terminal, customer, tapped_at: new Date().toISOString(), client_tap_id: clientTapId },
    key,
  );
  if (ok(r)) acked.taps.set(clientTapId, r.body.id);
}

async function order(s: Setup) {
  const key = randomUUID();
  attempted.orders.add(key);
  const created = await untilAnswered(
    "POST",
    "/v1/orders",
    s.sk,
    {
      currency: "KGS",
      items: [{ sku: "tea", name: "Tea", amount: 1_500, quantity: 1 + Math.floor(Math.random() * 3) }],
      delivery: { type: "pickup_point", point: s.point, collect_by: "2030-01-01T00:00:00Z" },
      metadata: { chaos_key: key },
    },
    key,
  );
  if (!ok(created)) return;
  acked.orders.set(key, { id: created.body.id, payment: created.body.payment.id });
  const confirmKey = randomUUID();
  keyOf.confirms.set(confirmKey, created.body.payment.id);
  const paid = await untilAnswered(
    "POST",
    `/v1/payments/${created.body.payment.id}/confirm`,
    s.sk,
    { payment_method_data: { type: "card", card: CARD } },
    confirmKey,
  );
  if (ok(paid)) acked.heldOrders.add(created.body.id);
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
const pg = FAULT === "api" ? await startPostgres({ name: "chaos", settings: { max_connections: 200 } }) : await startHaCluster();
const hooks = await receiver();
const failures: string[] = [];
const lines: string[] = [];
const log = (l: string) => {
  lines.push(l);
  console.log(l);
};
try {
  await pg.createDatabase("chaos");
  const port = await freePort();
  apiUrl = `http://127.0.0.1:${port}`;
  const env = {
    DATABASE_URL: pg.url("chaos"),
    PORT: String(port),
    HOST: "127.0.0.1",
    PLATFORM_ADMIN_KEY: ADMIN_KEY,
    // A test suite: its webhook receivers listen on 127.0.0.1, which production refuses for any endpoint.
    NODE_ENV: "test",
    LOG_LEVEL: "warn",
    WORKERS: "on",
    DB_POOL_SIZE: "20",
  };
  await startApi(env);

  // Setup, before any kill.
  const m = await untilAnswered("POST", "/v1/merchants", ADMIN_KEY, { name: "Chaos Merchant", country: "KG", default_currency: "KGS" });
  if (!ok(m)) throw new Error(`cannot create the merchant: ${JSON.stringify(m.body)}`);
  const sk = m.body.keys.secret_key as string;
  const hook = await untilAnswered("POST", "/v1/webhook_endpoints", sk, {
    url: hooks.url,
    events: ["payment.succeeded", "refund.succeeded", "order.held"],
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
  setup = { sk, customers, terminal: terminal.body.id, point: point.body.id };
  const setupRequests = stats.requests;

  // Clients at full speed until the kills are done.
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

  // SIGKILL at random moments, restart at once (or a database fault, and the API rides it out).
  const restartMs: number[] = [];
  const faults: DatabaseFault[] = [];
  for (let k = 0; k < KILLS && Date.now() < DEADLINE; k++) {
    await sleep(1_000 + Math.random() * 3_000); // the API serves 1–4 s between kills
    if (FAULT !== "api") {
      faults.push(await databaseFault(FAULT === "mixed" ? (k % 2 === 0 ? "primary" : "switchover") : FAULT, setup.sk));
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
  running = false;
  await Promise.all(clients);

  // Webhooks: wait (bounded) for every acknowledged change's event.
  const expected = [
    ...[...acked.confirmed, ...acked.walletPaid].map((p) => `payment.succeeded ${p}`),
    ...[...acked.refunds.values()].map((r) => `refund.succeeded ${r}`),
    ...[...acked.heldOrders].map((o) => `order.held ${o}`),
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

  // Each wallet debited exactly once per succeeded wallet payment and accepted tap: its balance
  // (as the API shows it) is the top-up less exactly those.
  const spent = await db<{ customer: string; amount: number }[]>`
    SELECT customer_id AS customer, sum(amount_captured)::int AS amount FROM payments
    WHERE method = 'wallet' AND status = 'succeeded' AND customer_id IS NOT NULL GROUP BY 1`;
  const fares = await db<{ customer: string; amount: number }[]>`
    SELECT customer_id AS customer, sum(fare)::int AS amount FROM taps WHERE decision = 'accepted' GROUP BY 1`;
  const spentBy = new Map(spent.map((r) => [r.customer, r.amount]));
  const faresBy = new Map(fares.map((r) => [r.customer, r.amount]));
  for (const customer of setup.customers) {
    const c = await untilAnswered("GET", `/v1/customers/${customer}`, setup.sk, undefined);
    const expected = TOPUP - (spentBy.get(customer) ?? 0) - (faresBy.get(customer) ?? 0);
    if (c.body?.wallet?.balance !== expected)
      failures.push(`wallet of ${customer}: ${c.body?.wallet?.balance}, expected ${expected} (top-up less its payments and fares)`);
  }

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
  await db.end();

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
    `Run: \`npx tsx bench/chaos.ts --kills ${KILLS} --clients ${CLIENTS}${FAULT === "api" ? "" : ` --fault ${FAULT}`}${values.source ? " --source" : ""}\`, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, Node ${process.version}, PostgreSQL 15 (fsync on${FAULT === "api" ? "" : "; three nodes under Patroni, synchronous replication, HAProxy"}), API ${values.source ? "from source (tsx)" : "from apps/api/dist"}, ${seconds} s in all.`,
  );
  log("");
  log("| | |");
  log("|---|---|");
  if (FAULT === "api")
    log(`| kill -9 of the API process | ${kills} (restart to ready: median ${median(restartMs)} ms, max ${Math.max(...restartMs)} ms) |`);
  for (const kind of ["primary", "switchover"] as const) {
    const of = faults.filter((f) => f.kind === kind);
    if (of.length === 0) continue;
    const what = kind === "primary" ? "primary killed (Patroni and postmaster, SIGKILL)" : "planned switchover (patronictl)";
    log(
      `| ${what} | ${of.length}: new primary after median ${median(of.map((f) => f.newPrimaryMs))} ms (max ${Math.max(...of.map((f) => f.newPrimaryMs))}); the API served again after median ${median(of.map((f) => f.servedMs))} ms (max ${Math.max(...of.map((f) => f.servedMs))}) |`,
    );
  }
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
  log(`| orders created / acknowledged / paid (held) | ${attempted.orders.size} / ${acked.orders.size} / ${acked.heldOrders.size} |`);
  log(`| webhook deliveries received / events expected / missing | ${deliveries} / ${expected.length} / ${missing.length} |`);
  log(`| keyed writes checked: effect and stored response together or neither | ${keyedChecked} |`);
  log(`| ledger verify | ${verify.body?.balanced ? "balanced" : "NOT balanced"} (${verify.body?.accounts_checked} accounts) |`);
  log("");
  log("Checks (against the database, not the clients' view):");
  log("- every write carried an Idempotency-Key, and its retries the same one;");
  log("- every 2xx is stored exactly once (payments and orders by their creation key, refunds by payment, taps by client_tap_id);");
  log("- nothing applied twice: at most one payment per key, one refund per payment, one tap per client_tap_id, one order per key;");
  log("- each wallet's balance is its top-up less its succeeded wallet payments and accepted fares, each counted once;");
  log(
    "- each keyed write's effect and its key's stored response exist together or not at all (payment, order and refund creations, confirmations, taps);",
  );
  log(
    "- payments acknowledged as succeeded are succeeded, one made with confirm: true is never stored unconfirmed; the ledger verifies balanced;",
  );
  log(
    "- every payment.succeeded, refund.succeeded and order.held event of an acknowledged change reached the webhook receiver at least once.",
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
  kind: "primary" | "switchover";
  /** From the fault to a new primary named by Patroni. */
  newPrimaryMs: number;
  /** From the fault to the API's first 2xx on a write. */
  servedMs: number;
}

function haScript(...args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn("bash", [resolve(root, "scripts/ha-cluster.sh"), ...args], {
      env: { ...process.env, HA_DIR: HA_DIR, HA_PORT: "56100" },
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

/** One fault, then the wait for a new primary and for the API to serve a write again; the old primary rejoins. */
async function databaseFault(kind: "primary" | "switchover", sk: string): Promise<DatabaseFault> {
  const before = await haScript("leader");
  const t0 = Date.now();
  await haScript(kind === "primary" ? "kill-primary" : "switchover");
  let newPrimaryMs = -1;
  let servedMs = -1;
  while ((newPrimaryMs < 0 || servedMs < 0) && Date.now() - t0 < 120_000) {
    if (newPrimaryMs < 0) {
      const now = await haScript("leader").catch(() => "");
      if (now !== "" && now !== before) newPrimaryMs = Date.now() - t0;
    }
    if (servedMs < 0 && newPrimaryMs >= 0) {
      const probe = await call("POST", "/v1/customers", sk, { name: "Failover probe" }, randomUUID());
      if (probe.status >= 200 && probe.status < 300) servedMs = Date.now() - t0;
    }
    await sleep(200);
  }
  if (newPrimaryMs < 0 || servedMs < 0) throw new Error(`no new primary or no API within 120 s after a ${kind}`);
  // The old primary comes back, as a replica (pg_rewind when it has to).
  if (kind === "primary") await haScript("restart-node", before.replace("node", ""));
  // The next fault finds a synchronous standby to promote, as an operator would wait for.
  await haScript("wait-healthy");
  return { kind, newPrimaryMs, servedMs };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}
