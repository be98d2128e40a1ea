/**
 * Issue 25's history bench: does a wallet payment and a transit tap cost the same after 30 days
 * of a city's traffic as on an empty database, and does retention keep the bookkeeping tables
 * to their windows while it never touches a money row? One run, a real PostgreSQL 15 (fsync on),
 * two databases in the one cluster, each with the built API as a production child process over
 * the Unix socket and the same city set up (operator, payer, tariff, terminals, 100,000 riders
 * with funded wallets): "empty" keeps no history, "api" gets it.
 *   1. the history city takes its first payments (one request, `confirm: true`, with an
 *      Idempotency-Key as the SDK sends) and single taps through the API;
 *   2. 30 days of history written straight in SQL, set-based (generate_series), cloned from the
 *      rows phase 1 wrote, so every key, id and sealed response has its real shape and size:
 *      idempotency records, taps with their ledger transactions and postings on the riders' real
 *      wallet accounts, events with their webhook deliveries and attempts, console sessions,
 *      sign-in challenges and throttles, finished jobs; VACUUM ANALYZE; then the two cities
 *      compared, and every table's rows and bytes;
 *   3. retention, run through `POST /v1/test_helpers/run_jobs` as the job runs in production
 *      (batches of RETENTION_BATCH_SIZE, RETENTION_BATCHES_PER_RUN per run; only the 10-second
 *      pause between backlog runs is skipped) until a run finds nothing left; the vacuum that
 *      autovacuum would do next; rows and bytes again; the two cities compared once more.
 * A comparison is sequential requests in `--rounds` slices per city and kind that take turns, so
 * the machine's load (two shared cores) falls on the empty city and the history city alike: the
 * ratio is measured side by side, not across the half hour the history takes to write.
 * Prints the tables for BENCHMARKS.md. No timing is asserted: the exit code is non-zero only if
 * a money table lost a row, a retained table still holds a row past its window (or lost one
 * inside it), or a replay inside the window stopped working.
 *
 * At --scale 1 (a city's month): 10,000,000 idempotency records, 5,000,000 taps (each accepted
 * one a ledger transaction of two postings), 2,000,000 events (one webhook delivery each, a
 * tenth retried), 30,000 sessions, 60,000 sign-in challenges, 5,000 throttles, 300,000 finished
 * jobs, over 100,000 riders. About 25 GB on disk: make sure the temp dir has room.
 *
 *   npm run build -w @softrack/api && npx tsx bench/history.ts [--scale 1] [--samples 2000] [--warmup 200] [--rounds 10]
 *   PG_SETTINGS='{"shared_buffers":"3GB"}' adds server settings (size the cache as production would).
 *   PG_STATEMENTS=1 prints, per comparison and city, the taps' statements with their time and blocks read.
 */
import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { type ApiProcess, startApiProcess } from "./lib/api-process.js";
import { cpuByRole, postmasterPid, sampleTree, treeCpu } from "./lib/cpu.js";
import { fmt, type JsonClient, jsonClient, percentile } from "./lib/load.js";
import { withPostgres } from "./lib/postgres.js";

const { values } = parseArgs({
  options: {
    scale: { type: "string", default: "1" },
    samples: { type: "string", default: "2000" },
    warmup: { type: "string", default: "200" },
    /** Slices per city and kind in each comparison: the two cities take turns, ROUNDS times. */
    rounds: { type: "string", default: "10" },
  },
});
const SCALE = Number(values.scale);
const SAMPLES = Number(values.samples);
const WARMUP = Number(values.warmup);
const ROUNDS = Number(values.rounds);
const DAYS = 30;
const n = (full: number, min = 100) => Math.max(min, Math.round(full * SCALE));
const COUNTS = {
  idempotency: n(10_000_000),
  taps: n(5_000_000),
  events: n(2_000_000),
  sessions: n(30_000),
  challenges: n(60_000),
  throttles: n(5_000),
  jobs: n(300_000),
  riders: n(100_000, 2_000),
};
/** The windows the API runs with here (its defaults, passed explicitly so the checks know them). */
const IDEMPOTENCY_HOURS = 168;
const WEBHOOK_DAYS = 30;
const JOB_DAYS = 30;
const TERMINALS = 20;
/** Rows per INSERT statement while synthesising: progress shows, and no statement runs for long. */
const CHUNK = 500_000;
/**
 * Rows inside the window are counted from one fixed instant, before and after retention: the window's
 * start as it will be INSIDE_MARGIN_MS after retention begins. Each retention run cuts at its own
 * now() minus the window, so a boundary that moved with the clock (as it once did) counted rows that
 * aged out during a long prune as lost. A prune that lasts longer than the margin is reported.
 */
const INSIDE_MARGIN_MS = 60 * 60_000;
/** Tables retention prunes, with the predicate of a row past its window (5 minutes' slack for the clock). */
const RETAINED: Record<string, { window: string; past: string; inside?: (from: Date) => string }> = {
  idempotency_keys: {
    window: `${IDEMPOTENCY_HOURS} h`,
    past: `created_at < now() - interval '${IDEMPOTENCY_HOURS} hours 5 minutes'`,
    inside: (from) => `created_at > '${from.toISOString()}'::timestamptz`,
  },
  webhook_deliveries: {
    window: `${WEBHOOK_DAYS} d, finished`,
    past: `status <> 'pending' AND created_at < now() - interval '${WEBHOOK_DAYS} days 5 minutes'`,
  },
  webhook_attempts: { window: `${WEBHOOK_DAYS} d`, past: `created_at < now() - interval '${WEBHOOK_DAYS} days 5 minutes'` },
  sessions: { window: "until expiry (30 d)", past: `expires_at < now() - interval '5 minutes'` },
  sign_in_challenges: { window: "expiry + 1 d", past: `expires_at < now() - interval '1 day 5 minutes'` },
  sign_in_throttles: { window: "1 h", past: `window_started_at < now() - interval '1 hour 5 minutes'` },
  jobs: {
    window: `${JOB_DAYS} d, finished`,
    past: `status IN ('done', 'canceled') AND run_at < now() - interval '${JOB_DAYS} days 5 minutes' AND finished_at < now() - interval '${JOB_DAYS} days 5 minutes'`,
  },
};
/** Never pruned: their row counts must be the same after retention. */
const MONEY = ["payments", "refunds", "orders", "customers", "taps", "ledger_transactions", "ledger_postings", "ledger_accounts", "events"];

const log = (...args: unknown[]) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...args);
const failures: string[] = [];
const fail = (why: string) => {
  failures.push(why);
  console.error(`CHECK FAILED: ${why}`);
};
const sdkKey = () => `sdk_${randomBytes(16).toString("hex")}`;
const apis: ApiProcess[] = [];
process.on("exit", () => {
  for (const a of apis) a.child.kill("SIGKILL");
});

// PG_SETTINGS='{"shared_buffers":"2GB"}' adds server settings (to size the cache as production would).
const extraSettings = process.env.PG_SETTINGS ? (JSON.parse(process.env.PG_SETTINGS) as Record<string, string>) : {};
// PG_STATEMENTS=1 prints, per comparison and database, where PostgreSQL's time went per statement
// of the taps, to find which statement grows with the history.
const statementsOn = process.env.PG_STATEMENTS === "1";
const statementSettings: Record<string, string> = statementsOn ? { shared_preload_libraries: "pg_stat_statements" } : {};

/** One city on its own database and API process: the operator, its payer, terminals and riders. */
interface City {
  db: string;
  api: ApiProcess;
  q: postgres.Sql;
  admin: JsonClient;
  sk: JsonClient;
  merchantId: string;
  payerId: string;
  terminals: string[];
  riders: string[];
  taps: number;
}
interface Latency {
  p50: number;
  p99: number;
  pgUs: number;
  /** WAL bytes and full-page images per request (pg_stat_wal; the slices run one at a time). */
  walBytes: number;
  fpi: number;
}
type Measured = Record<"payment" | "tap", Latency>;
type Compared = Record<"empty" | "history", Measured>;
/** What one city's slices of one kind add up to. */
interface Slices {
  ms: number[];
  cpu: number;
  walBytes: number;
  fpi: number;
  /** PostgreSQL CPU seconds by process role (see cpuByRole); they add up to `cpu`. */
  roles: Map<string, number>;
}
const noSlices = (): Slices => ({ ms: [], cpu: 0, walBytes: 0, fpi: 0, roles: new Map() });

await withPostgres({ name: "history", settings: { max_wal_size: "4GB", ...statementSettings, ...extraSettings } }, async (pg) => {
  const adminKey = `sk_admin_${"h".repeat(40)}`;
  const cities: City[] = [];
  /**
   * Set-up: a transit operator that also takes wallet payments, a payer with a topped-up wallet, a
   * webhook endpoint (so events queue deliveries, as in production), a fare tariff, terminals and
   * the city's riders (written straight to the database, with funded wallets).
   */
  const city = async (db: string): Promise<City> => {
    await pg.createDatabase(db);
    const socket = pg.socketEnv(db);
    const api = await startApiProcess({
      databaseUrl: socket.DATABASE_URL,
      adminKey,
      connections: 8,
      env: {
        ...socket,
        IDEMPOTENCY_RETENTION_HOURS: String(IDEMPOTENCY_HOURS),
        WEBHOOK_RETENTION_DAYS: String(WEBHOOK_DAYS),
        JOB_RETENTION_DAYS: String(JOB_DAYS),
      },
    });
    apis.push(api);
    const q = postgres(pg.url(db), { max: 3, onnotice: () => {} });
    const admin = jsonClient(api.url, adminKey, 2);
    const m = await admin.post<{ id: string; keys: { secret_key: string } }>("/v1/merchants", {
      name: "City transit",
      country: "KG",
      default_currency: "KGS",
    });
    if (m.status !== 200) throw new Error(`merchant: ${JSON.stringify(m.body)}`);
    const merchantId = m.body.id;
    const sk = jsonClient(api.url, m.body.keys.secret_key, 2);
    const c: City = { db, api, q, admin, sk, merchantId, payerId: "", terminals: [], riders: [], taps: 0 };
    cities.push(c);
    const payer = await sk.post<{ id: string }>("/v1/customers", { name: "Payer" });
    c.payerId = payer.body.id;
    const topup = await sk.post<{ id: string }>("/v1/payments", {
      amount: 1_000_000_000,
      currency: "KGS",
      purpose: { type: "wallet_topup", customer: payer.body.id },
    });
    const card = { number: "4242424242424242", exp_month: 12, exp_year: 2040, cvc: "123" };
    const topped = await sk.post<{ status: string }>(`/v1/payments/${topup.body.id}/confirm`, {
      payment_method_data: { type: "card", card },
    });
    if (topped.body.status !== "succeeded") throw new Error(`top-up: ${JSON.stringify(topped.body)}`);
    const endpoint = await sk.post("/v1/webhook_endpoints", { url: "https://1.1.1.1/softrack-webhooks", events: ["*"] });
    if (endpoint.status !== 200) throw new Error(`webhook endpoint: ${JSON.stringify(endpoint.body)}`);
    const tariff = await sk.put("/v1/tariffs/city-fares", {
      kind: "fare",
      effective_from: "2020-01-01T00:00:00Z",
      rules: { default_fare: 2000, transfer: { window_minutes: 60 }, caps: { daily: 8000 } },
    });
    if (tariff.status !== 200) throw new Error(`tariff: ${JSON.stringify(tariff.body)}`);
    for (let i = 0; i < TERMINALS; i++) {
      const t = await sk.post<{ id: string }>("/v1/transit/terminals", {
        kind: "bus_validator",
        route: String(1 + i),
        fare_tariff: "city-fares",
      });
      if (t.status !== 200) throw new Error(`terminal: ${JSON.stringify(t.body)}`);
      c.terminals.push(t.body.id);
    }
    // Time-ordered ids as the API makes them (lib/ids.ts: 10 Crockford base32 characters of the
    // creation millisecond, then a unique tail), so the id indexes grow as they do in production.
    const b32 = Array.from({ length: 10 }, (_, i) => `substr(a, ((m >> ${5 * (9 - i)}) & 31)::int + 1, 1)`).join(" || ");
    await q.unsafe(`CREATE FUNCTION bench_tid(prefix text, m bigint, salt bigint) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT prefix || '_' || ${b32.replaceAll("substr(a,", "substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',")} || substr(upper(md5(salt::text || prefix)), 1, 14) $$`);
    const riderBalance = 100_000_000;
    await q.begin(async (tx) => {
      await tx.unsafe(
        `CREATE TABLE bench_riders AS SELECT i - 1 AS i, bench_tid('cus', (extract(epoch FROM now()) * 1000)::bigint - 86400000::bigint * ${DAYS + 1} + i, i) AS id
         FROM generate_series(1, ${COUNTS.riders}) i`,
      );
      // Keyed, so each synthetic tap finds its rider by index, not by a scan of every rider.
      await tx.unsafe("ALTER TABLE bench_riders ADD PRIMARY KEY (i)");
      await tx.unsafe(
        `INSERT INTO customers (id, livemode, merchant_id, category, wallet_currency, metadata)
         SELECT id, false, $1, 'adult', 'KGS', '{}' FROM bench_riders`,
        [merchantId],
      );
      await tx.unsafe(
        `INSERT INTO ledger_accounts (id, merchant_id, kind, currency, livemode, allow_negative, balance)
         SELECT 'customer:' || id || ':wallet:KGS', $1, 'customer_wallet', 'KGS', false, false, ${riderBalance} FROM bench_riders
         UNION ALL SELECT 'platform:test:clearing_card:KGS', NULL, 'platform_clearing', 'KGS', false, true, -${riderBalance}::bigint * ${COUNTS.riders}
         ON CONFLICT (id) DO UPDATE SET balance = ledger_accounts.balance + excluded.balance`,
        [merchantId],
      );
      await tx.unsafe(
        `INSERT INTO ledger_transactions (id, merchant_id, livemode, type, description) VALUES ('txn_historyseed', $1, false, 'wallet_topup', 'bench seed')`,
        [merchantId],
      );
      await tx.unsafe(
        `INSERT INTO ledger_postings (transaction_id, line, account_id, amount, currency)
         SELECT 'txn_historyseed', i, 'customer:' || id || ':wallet:KGS', ${riderBalance}, 'KGS' FROM bench_riders
         UNION ALL SELECT 'txn_historyseed', ${COUNTS.riders}, 'platform:test:clearing_card:KGS', -${riderBalance}::bigint * ${COUNTS.riders}, 'KGS'`,
      );
    });
    await q.unsafe("ANALYZE");
    c.riders = (await q<{ id: string }[]>`SELECT id FROM bench_riders ORDER BY i`).map((r) => r.id);
    log(`set up ${db}: merchant ${merchantId}, ${TERMINALS} terminals, ${fmt(c.riders.length)} riders`);
    return c;
  };

  try {
    // Two cities in one cluster: one stays empty, the other gets 30 days of history. Each
    // comparison measures them in alternating slices, so the machine's load falls on both alike.
    const fresh = await city("empty");
    const hist = await city("api");
    const { q, sk, merchantId } = hist;
    const postmaster = postmasterPid(pg.dataDir);
    const paymentBody = (c: City) => ({
      amount: 10_000,
      currency: "KGS",
      customer: c.payerId,
      confirm: true,
      payment_method_data: { type: "wallet" },
    });
    const pay = async (c: City) => {
      const r = await c.sk.post<{ status: string }>("/v1/payments", paymentBody(c), { "Idempotency-Key": sdkKey() });
      if (r.status !== 200 || r.body.status !== "succeeded") throw new Error(`payment: ${r.status} ${JSON.stringify(r.body)}`);
      return r.ms;
    };
    const tap = async (c: City) => {
      const i = c.taps++;
      const r = await c.sk.post<{ decision?: string }>("/v1/transit/taps", {
        terminal: c.terminals[i % TERMINALS],
        customer: c.riders[Math.floor(Math.random() * c.riders.length)],
        tapped_at: new Date().toISOString(),
        client_tap_id: `bench-${i}`,
      });
      if (r.status !== 200 || r.body.decision !== "accepted") throw new Error(`tap: ${r.status} ${JSON.stringify(r.body)}`);
      return r.ms;
    };
    const kinds = { payment: pay, tap } as const;

    // pg_stat_statements' counters per database and statement, so the taps' slices add up.
    type Stat = { db: string; query: string; exec: number; read: number; calls: number };
    const statements = async () => {
      if (!statementsOn) return new Map<string, Stat>();
      const rows = await q.unsafe<{ id: string; db: string; query: string; exec: number; read: string; calls: string }[]>(
        `SELECT s.dbid || ':' || s.queryid AS id, d.datname AS db, left(regexp_replace(s.query, '[[:space:]]+', ' ', 'g'), 100) AS query,
                s.total_exec_time AS exec, s.shared_blks_read AS read, s.calls
         FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE s.query NOT LIKE '%pg_stat_statements%'`,
      );
      return new Map(rows.map((r) => [r.id, { db: r.db, query: r.query, exec: r.exec, read: Number(r.read), calls: Number(r.calls) }]));
    };

    /**
     * The empty city against the history city: WARMUP uncounted requests of each kind on each,
     * then SAMPLES sequential requests of each kind on each, in ROUNDS slices that take turns
     * (the first city of a slice alternates). Latency and PostgreSQL CPU per request.
     */
    const walNow = async () => {
      const [w] = await q<{ bytes: string; fpi: string }[]>`SELECT wal_bytes AS bytes, wal_fpi AS fpi FROM pg_stat_wal`;
      return { bytes: Number(w?.bytes), fpi: Number(w?.fpi) };
    };

    const compare = async (label: string): Promise<Compared> => {
      for (const c of [fresh, hist]) for (const one of Object.values(kinds)) for (let i = 0; i < WARMUP; i++) await one(c);
      const slice = Math.ceil(SAMPLES / ROUNDS);
      const sums = new Map<string, Slices>();
      const tapStats = new Map<string, Stat>();
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? [fresh, hist] : [hist, fresh];
        for (const [kind, one] of Object.entries(kinds)) {
          for (const c of order) {
            const id = `${c.db}:${kind}`;
            const sum = sums.get(id) ?? noSlices();
            sums.set(id, sum);
            const before = kind === "tap" ? await statements() : undefined;
            const wal0 = await walNow();
            const tree0 = sampleTree(postmaster);
            for (let i = 0; i < slice; i++) sum.ms.push(await one(c));
            for (const [role, used] of cpuByRole(tree0, sampleTree(postmaster))) {
              sum.cpu += used;
              sum.roles.set(role, (sum.roles.get(role) ?? 0) + used);
            }
            const wal1 = await walNow();
            sum.walBytes += wal1.bytes - wal0.bytes;
            sum.fpi += wal1.fpi - wal0.fpi;
            if (!before) continue;
            for (const [key, s] of await statements()) {
              const b = before.get(key);
              const t = tapStats.get(key) ?? { ...s, exec: 0, read: 0, calls: 0 };
              tapStats.set(key, {
                ...t,
                exec: t.exec + s.exec - (b?.exec ?? 0),
                read: t.read + s.read - (b?.read ?? 0),
                calls: t.calls + s.calls - (b?.calls ?? 0),
              });
            }
          }
        }
      }
      const latency = (c: City, kind: string): Latency => {
        const { ms, cpu, walBytes, fpi } = sums.get(`${c.db}:${kind}`) ?? noSlices();
        return {
          p50: percentile(ms, 50),
          p99: percentile(ms, 99),
          pgUs: (cpu / ms.length) * 1e6,
          walBytes: walBytes / ms.length,
          fpi: fpi / ms.length,
        };
      };
      const r: Compared = {
        empty: { payment: latency(fresh, "payment"), tap: latency(fresh, "tap") },
        history: { payment: latency(hist, "payment"), tap: latency(hist, "tap") },
      };
      // Where each city's PostgreSQL CPU went, per request and process role (µs).
      for (const [id, sum] of sums) {
        const parts = [...sum.roles].filter(([, s]) => Math.abs(s) >= 0.005).sort((a, b) => b[1] - a[1]);
        log(`${label}, ${id} µs per request by role: ${parts.map(([role, s]) => `${role} ${fmt((s / sum.ms.length) * 1e6)}`).join(", ")}`);
      }
      if (statementsOn) {
        const taps = slice * ROUNDS;
        for (const c of [fresh, hist]) {
          log(
            `${label}, ${c.db === hist.db ? "history" : "empty"} database, per tap (µs executing | blocks read from outside shared buffers | calls | statement):`,
          );
          const top = [...tapStats.values()]
            .filter((s) => s.db === c.db && s.calls > 0)
            .sort((a, b) => b.exec - a.exec)
            .slice(0, 8);
          for (const t of top) console.log(`  ${fmt((t.exec * 1000) / taps)} | ${(t.read / taps).toFixed(1)} | ${t.calls} | ${t.query}`);
        }
      }
      const said = (x: Latency) =>
        `p50 ${x.p50.toFixed(2)} / p99 ${x.p99.toFixed(2)} ms (${fmt(x.pgUs)} µs, WAL ${fmt(x.walBytes)} B, ${x.fpi.toFixed(2)} full pages)`;
      for (const [name, m] of Object.entries(r)) log(`${label}, ${name}: payment ${said(m.payment)}, tap ${said(m.tap)}`);
      return r;
    };

    // A keyed payment whose replay must still work after retention (its record is minutes old).
    const replayKey = sdkKey();
    const original = await sk.post<{ id: string }>("/v1/payments", paymentBody(hist), { "Idempotency-Key": replayKey });
    if (original.status !== 200) throw new Error(`payment: ${JSON.stringify(original.body)}`);
    if (statementsOn) await q.unsafe("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");

    // The rows the history is cloned from, written through the API (phase 1).
    for (const one of Object.values(kinds)) for (let i = 0; i < WARMUP; i++) await one(hist);

    // --- 30 days of history, cloned from what phase 1 wrote through the API.
    const loadStarted = performance.now();
    await q.unsafe(`
      CREATE TABLE bench_terminals AS SELECT row_number() OVER (ORDER BY id) - 1 AS i, id, route FROM terminals;
      ALTER TABLE bench_terminals ADD PRIMARY KEY (i);
      CREATE TABLE bench_tpl_idem AS SELECT k.scope, k.method, k.path, k.response_status, k.response_body, length(k.request_hash) AS hash_len
        FROM idempotency_keys k WHERE k.path = '/v1/payments' AND k.response_body IS NOT NULL ORDER BY k.created_at DESC LIMIT 1;
      CREATE TABLE bench_tpl_tap AS SELECT t.*, x.id AS txn_id, x.type AS txn_type, x.description AS txn_description, x.source_id = t.id AS source_is_tap
        FROM taps t JOIN ledger_transactions x ON x.source_id = t.id WHERE t.decision = 'accepted' AND t.fare > 0 ORDER BY t.id DESC LIMIT 1;
      CREATE TABLE bench_tpl_postings AS SELECT p.line, p.account_id, p.amount, p.currency FROM ledger_postings p, bench_tpl_tap t WHERE p.transaction_id = t.txn_id;
      CREATE TABLE bench_tpl_event AS SELECT * FROM events WHERE type = 'payment.succeeded' ORDER BY id DESC LIMIT 1;
      CREATE TABLE bench_tpl_endpoint AS SELECT id FROM webhook_endpoints LIMIT 1;
    `);
    const [tpl] = await q<{ idem: number; taps: number; postings: number; events: number; body: number }[]>`
      SELECT (SELECT count(*) FROM bench_tpl_idem)::int AS idem, (SELECT count(*) FROM bench_tpl_tap)::int AS taps,
             (SELECT count(*) FROM bench_tpl_postings)::int AS postings, (SELECT count(*) FROM bench_tpl_event)::int AS events,
             (SELECT length(response_body) FROM bench_tpl_idem)::int AS body`;
    if (tpl?.idem !== 1 || tpl.taps !== 1 || tpl.postings < 2 || tpl.events !== 1) {
      throw new Error(`phase 1 left no template rows to clone: ${JSON.stringify(tpl)}`);
    }
    log(`templates: a stored response ${fmt(tpl.body)} characters (as its key's row holds it); ${tpl.postings} postings per fare`);

    // Row g of a table of `total` rows is created at `m` (ms): spread evenly over the 30 days
    // that end 10 minutes ago, in order, as rows arrive.
    const spread = (total: number, lo: number, hi: number) =>
      `(SELECT g, m, to_timestamp(m / 1000.0) AS ts FROM (SELECT g, (extract(epoch FROM now()) * 1000)::bigint - ${DAYS * 86_400_000}
         + (g * ((${DAYS * 86_400_000} - 600000)::float8 / ${total}))::bigint AS m FROM generate_series(${lo}, ${hi}) g) s0) s`;
    const inserts: Record<string, (lo: number, hi: number) => string> = {
      idempotency_keys: (lo, hi) =>
        `INSERT INTO idempotency_keys (scope, key, method, path, request_hash, response_status, response_body, created_at)
         SELECT t.scope, 'sdk_' || md5(s.g::text || 'key'), t.method, t.path, left(md5(s.g::text) || md5(s.g::text || 'h'), t.hash_len),
                t.response_status, t.response_body, s.ts
         FROM ${spread(COUNTS.idempotency, lo, hi)}, bench_tpl_idem t`,
      // Every 33rd tap declined (no money moved), the others a fare with its transaction and postings.
      taps: (lo, hi) =>
        `WITH src AS (SELECT s.*, r.id AS rider, tm.id AS terminal, tm.route FROM ${spread(COUNTS.taps, lo, hi)}
                        JOIN bench_riders r ON r.i = (hashint8(s.g) & 2147483647) % ${COUNTS.riders}
                        JOIN bench_terminals tm ON tm.i = s.g % ${TERMINALS}),
              tap AS (INSERT INTO taps (id, livemode, created_at, merchant_id, terminal_id, client_tap_id, content_hash, customer_id, route,
                                        tapped_at, decision, reason, fare, full_fare, is_transfer, currency, tariff_code, tariff_version,
                                        wallet_balance, breakdown)
                      SELECT bench_tid('tap', src.m, src.g), false, src.ts, t.merchant_id, src.terminal, 'h-' || src.g,
                             left(md5(src.g::text || 'c') || md5(src.g::text), length(t.content_hash)), src.rider, src.route, src.ts,
                             CASE WHEN src.g % 33 = 0 THEN 'declined' ELSE 'accepted' END,
                             CASE WHEN src.g % 33 = 0 THEN 'insufficient_funds' END,
                             CASE WHEN src.g % 33 = 0 THEN 0 ELSE t.fare END, t.full_fare, false, t.currency, t.tariff_code,
                             t.tariff_version, t.wallet_balance, CASE WHEN src.g % 33 = 0 THEN '[]'::jsonb ELSE t.breakdown END
                      FROM src, bench_tpl_tap t RETURNING 1),
              txn AS (INSERT INTO ledger_transactions (id, merchant_id, livemode, type, description, source_id, created_at)
                      SELECT bench_tid('txn', src.m, src.g), t.merchant_id, false, t.txn_type, t.txn_description,
                             CASE WHEN t.source_is_tap THEN bench_tid('tap', src.m, src.g) END, src.ts
                      FROM src, bench_tpl_tap t WHERE src.g % 33 <> 0 RETURNING 1)
         INSERT INTO ledger_postings (transaction_id, line, account_id, amount, currency)
         SELECT bench_tid('txn', src.m, src.g), p.line, replace(p.account_id, t.customer_id, src.rider), p.amount, p.currency
         FROM src, bench_tpl_tap t, bench_tpl_postings p WHERE src.g % 33 <> 0`,
      // One delivery per event to the endpoint, delivered; one attempt each, a second for every tenth.
      events: (lo, hi) =>
        `WITH src AS (SELECT s.*, bench_tid('evt', s.m, s.g) AS evt FROM ${spread(COUNTS.events, lo, hi)}),
              ev AS (INSERT INTO events (id, livemode, created_at, merchant_id, type, data)
                     SELECT src.evt, false, src.ts, e.merchant_id, e.type, e.data FROM src, bench_tpl_event e RETURNING 1),
              wd AS (INSERT INTO webhook_deliveries (id, merchant_id, event_id, endpoint_id, status, attempts, next_attempt_at, created_at, delivered_at)
                     SELECT src.evt || ':' || w.id, e.merchant_id, src.evt, w.id, 'delivered', CASE WHEN src.g % 10 = 0 THEN 2 ELSE 1 END,
                            src.ts, src.ts, src.ts + interval '1 second'
                     FROM src, bench_tpl_event e, bench_tpl_endpoint w RETURNING 1)
         INSERT INTO webhook_attempts (id, delivery_id, endpoint_id, event_id, attempt, response_status, error, duration_ms, succeeded, created_at)
         SELECT bench_tid('wd', src.m + a, src.g * 2 + a), src.evt || ':' || w.id, w.id, src.evt, a,
                CASE WHEN a = 1 AND src.g % 10 = 0 THEN 503 ELSE 200 END, NULL, 40 + src.g % 200,
                NOT (a = 1 AND src.g % 10 = 0), src.ts + a * interval '100 milliseconds'
         FROM src CROSS JOIN bench_tpl_endpoint w CROSS JOIN LATERAL generate_series(1, CASE WHEN src.g % 10 = 0 THEN 2 ELSE 1 END) a`,
      // Console sign-ins: a challenge (code mailed, then answered), a session for 30 days.
      sessions: (lo, hi) =>
        `INSERT INTO sessions (id, livemode, created_at, identity_id, merchant_id, token_hash, client, ip, user_agent, last_used_at, expires_at, revoked_at)
         SELECT bench_tid('ses', s.m, s.g), false, s.ts, 'idn_history' || s.g % 500, '${merchantId}', md5(s.g::text || 'tok') || md5(s.g::text),
                'browser', '10.1.' || s.g % 250 || '.7', 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0', s.ts + interval '2 hours',
                s.ts + interval '30 days', CASE WHEN s.g % 3 = 0 THEN s.ts + interval '8 hours' END
         FROM ${spread(COUNTS.sessions, lo, hi)}`,
      sign_in_challenges: (lo, hi) =>
        `INSERT INTO sign_in_challenges (id, livemode, created_at, stage, identity_id, subject_hash, channel, client, code_hash, link_hash, attempts, expires_at, consumed_at)
         SELECT bench_tid('chl', s.m, s.g), false, s.ts, 'code', 'idn_history' || s.g % 500, md5('subject' || s.g % 500) || md5(s.g::text),
                'email', 'browser', md5(s.g::text || 'code') || md5(s.g::text), md5(s.g::text || 'link') || md5(s.g::text), 0,
                s.ts + interval '10 minutes', CASE WHEN s.g % 2 = 0 THEN s.ts + interval '1 minute' END
         FROM ${spread(COUNTS.challenges, lo, hi)}`,
      sign_in_throttles: (lo, hi) =>
        `INSERT INTO sign_in_throttles (subject_hash, failures, window_started_at)
         SELECT md5(s.g::text || 'throttle') || md5(s.g::text), 1 + s.g % 5, s.ts FROM ${spread(COUNTS.throttles, lo, hi)}`,
      jobs: (lo, hi) =>
        `INSERT INTO jobs (id, kind, dedupe_key, run_at, payload, livemode, status, result, finished_at, created_at)
         SELECT bench_tid('job', s.m, s.g), 'order.expire', 'order.expire:' || bench_tid('ord', s.m - 86400000, s.g), s.ts,
                jsonb_build_object('merchant_id', '${merchantId}', 'order_id', bench_tid('ord', s.m - 86400000, s.g)), false, 'done',
                'expired', s.ts + interval '40 milliseconds', s.ts - interval '1 day'
         FROM ${spread(COUNTS.jobs, lo, hi)}`,
    };
    const totals: Record<string, number> = {
      idempotency_keys: COUNTS.idempotency,
      taps: COUNTS.taps,
      events: COUNTS.events,
      sessions: COUNTS.sessions,
      sign_in_challenges: COUNTS.challenges,
      sign_in_throttles: COUNTS.throttles,
      jobs: COUNTS.jobs,
    };
    const fill = async (tables: string[]) => {
      for (const table of tables) {
        const total = totals[table] as number;
        const started = performance.now();
        for (let lo = 1; lo <= total; lo += CHUNK) {
          await q.unsafe(inserts[table]?.(lo, Math.min(total, lo + CHUNK - 1)) as string);
        }
        log(`history: ${table} ${fmt(total)} rows in ${fmt((performance.now() - started) / 1000)} s`);
      }
    };
    // Autovacuum waits for the end of the load (it would scan the tables once per chunk), then
    // VACUUM ANALYZE below does its work at once, before phase 2.
    const loadedTables = [...Object.keys(RETAINED), "taps", "ledger_transactions", "ledger_postings", "events"];
    await q.unsafe(loadedTables.map((t) => `ALTER TABLE ${t} SET (autovacuum_enabled = false);`).join("\n"));
    // Two streams, one per core, of about equal work.
    await Promise.all([
      fill(["idempotency_keys", "events"]),
      fill(["taps", "jobs", "sessions", "sign_in_challenges", "sign_in_throttles"]),
    ]);
    await q.unsafe(
      "DROP TABLE bench_riders, bench_terminals, bench_tpl_idem, bench_tpl_tap, bench_tpl_postings, bench_tpl_event, bench_tpl_endpoint",
    );
    await q.unsafe("DROP FUNCTION bench_tid");
    await q.unsafe(loadedTables.map((t) => `ALTER TABLE ${t} RESET (autovacuum_enabled);`).join("\n"));
    // The vacuum and checkpoint a bulk load sets off, done now: else they land in phase 2.
    await q.unsafe("VACUUM ANALYZE");
    await q.unsafe("CHECKPOINT");
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    log(`history written, vacuumed and analysed in ${fmt(loadSeconds)} s`);

    const insideFrom = new Date(Date.now() - IDEMPOTENCY_HOURS * 3_600_000 + INSIDE_MARGIN_MS);
    const sizes = async () => {
      const out: Record<string, { rows: number; bytes: number; indexes: number; past?: number; inside?: number }> = {};
      for (const table of [...Object.keys(RETAINED), ...MONEY]) {
        const rule = RETAINED[table];
        const [r] = await q.unsafe<{ rows: string; bytes: string; indexes: string; past: string | null; inside: string | null }[]>(
          `SELECT (SELECT count(*) FROM ${table}) AS rows, pg_total_relation_size('${table}') AS bytes, pg_indexes_size('${table}') AS indexes,
                  ${rule ? `(SELECT count(*) FROM ${table} WHERE ${rule.past})` : "NULL"} AS past,
                  ${rule?.inside ? `(SELECT count(*) FROM ${table} WHERE ${rule.inside(insideFrom)})` : "NULL"} AS inside`,
        );
        out[table] = {
          rows: Number(r?.rows),
          bytes: Number(r?.bytes),
          indexes: Number(r?.indexes),
          ...(r?.past != null && { past: Number(r.past) }),
          ...(r?.inside != null && { inside: Number(r.inside) }),
        };
      }
      return out;
    };
    const indexSizes = async () =>
      q<{ table: string; index: string; bytes: string }[]>`
        SELECT tablename AS table, indexname AS index, pg_relation_size(indexname::regclass) AS bytes FROM pg_indexes
        WHERE schemaname = 'public' AND tablename IN ('taps', 'ledger_transactions', 'ledger_postings', 'events', 'idempotency_keys')
        ORDER BY tablename, indexname`;

    const loaded = await sizes();
    const loadedIndexes = await indexSizes();
    const full = await compare("phase 2, 30 days of history");

    // --- Retention, as the job runs it, until a run finds nothing left past a window.
    const retentionStarted = performance.now();
    const retentionCpu = treeCpu(postmaster);
    const [walBefore] = await q<{ lsn: string }[]>`SELECT pg_current_wal_lsn()::text AS lsn`;
    let runs = 0;
    for (;;) {
      await q`UPDATE jobs SET run_at = now() WHERE kind = 'retention.prune' AND status = 'scheduled'`;
      const r = await sk.post<{ jobs: { by_kind: Record<string, number> } }>("/v1/test_helpers/run_jobs", {
        now: new Date().toISOString(),
      });
      if (r.status !== 200 || !r.body.jobs.by_kind["retention.prune"]) throw new Error(`run_jobs: ${r.status} ${JSON.stringify(r.body)}`);
      runs++;
      const [last] = await q<{ result: string }[]>`
        SELECT result FROM jobs WHERE kind = 'retention.prune' AND status = 'done' ORDER BY finished_at DESC LIMIT 1`;
      if (runs % 10 === 1) log(`retention run ${runs}: ${last?.result}`);
      if (!last?.result.includes("more left")) break;
    }
    const retentionSeconds = (performance.now() - retentionStarted) / 1000;
    const retentionPgSeconds = treeCpu(postmaster) - retentionCpu;
    const [wal] = await q<{ bytes: string }[]>`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), ${walBefore?.lsn ?? "0/0"}::pg_lsn) AS bytes`;
    const retentionWal = Number(wal?.bytes);
    log(
      `retention: ${runs} runs in ${fmt(retentionSeconds)} s, PostgreSQL CPU ${fmt(retentionPgSeconds)} s, WAL ${fmt(retentionWal / 1024 / 1024)} MiB`,
    );
    // What autovacuum does after a large prune, done now so it does not land in phase 3.
    await q.unsafe(`VACUUM ANALYZE ${Object.keys(RETAINED).join(", ")}`);
    await q.unsafe("CHECKPOINT");
    if (retentionSeconds * 1000 > INSIDE_MARGIN_MS) {
      fail(`retention ran ${fmt(retentionSeconds)} s, past the ${INSIDE_MARGIN_MS / 60_000}-minute margin of the inside-the-window check`);
    }
    const pruned = await sizes();
    const after = await compare("phase 3, after retention");

    // --- Checks: nothing past a window, nothing inside one lost, every money row still there.
    for (const [table, rule] of Object.entries(RETAINED)) {
      const a = loaded[table];
      const b = pruned[table];
      if (!a || !b) continue;
      if (b.past) fail(`${table}: ${b.past} rows past the window (${rule.window}) after retention`);
      if (a.inside !== undefined && b.inside !== undefined && b.inside < a.inside) {
        fail(`${table}: ${a.inside - b.inside} rows inside the window were deleted`);
      }
    }
    for (const table of MONEY) {
      // Phases 2 and 3 add rows (payments, taps, …); retention must never take one away.
      const a = loaded[table]?.rows ?? 0;
      const b = pruned[table]?.rows ?? 0;
      const [grown] = await q.unsafe<{ n: string }[]>(`SELECT count(*) AS n FROM ${table}`);
      if (b < a || Number(grown?.n) < b) fail(`${table}: ${a} rows before retention, ${b} after`);
    }
    const replay = await sk.post<{ id: string }>("/v1/payments", paymentBody(hist), { "Idempotency-Key": replayKey });
    if (replay.status !== 200 || replay.body.id !== original.body.id) {
      fail(`a replay inside the window answered ${replay.status} ${JSON.stringify(replay.body)}, not the stored payment`);
    }

    // --- Report.
    const mb = (bytes: number) => `${fmt(bytes / 1024 / 1024)} MiB`;
    const ratio = (x: number, y: number) => `${(x / y).toFixed(2)}×`;
    const cell = (x: Latency) => `${x.p50.toFixed(2)} / ${x.p99.toFixed(2)} | ${fmt(x.pgUs)} | ${fmt(x.walBytes)} (${x.fpi.toFixed(2)})`;
    const row = (name: string, k: "payment" | "tap", c: Compared) =>
      `| ${name} | ${cell(c.empty[k])} | ${cell(c.history[k])} | ${ratio(c.history[k].p50, c.empty[k].p50)} / ${ratio(c.history[k].p99, c.empty[k].p99)} | ${ratio(c.history[k].pgUs, c.empty[k].pgUs)} |`;
    for (const [title, c] of [
      ["30 days of history", full],
      ["after retention", after],
    ] as const) {
      console.log(
        `\n| ${fmt(SAMPLES)} sequential requests per city, ${ROUNDS} alternating slices: ${title} | empty p50 / p99 ms | PostgreSQL CPU µs | WAL bytes (full pages) | ${title} p50 / p99 ms | PostgreSQL CPU µs | WAL bytes (full pages) | ratio p50 / p99 | CPU ratio |`,
      );
      console.log("|---|---|---:|---:|---|---:|---:|---|---:|");
      console.log(row("wallet payment (`confirm: true`, Idempotency-Key)", "payment", c));
      console.log(row("single tap (`POST /v1/transit/taps`)", "tap", c));
    }
    console.log("\n| table | window | rows after 30 days | size (indexes) | rows after retention | size (indexes) |");
    console.log("|---|---|---:|---:|---:|---:|");
    for (const table of [...Object.keys(RETAINED), ...MONEY]) {
      const a = loaded[table];
      const b = pruned[table];
      if (!a || !b) continue;
      console.log(
        `| ${table} | ${RETAINED[table]?.window ?? "kept (money)"} | ${fmt(a.rows)} | ${mb(a.bytes)} (${mb(a.indexes)}) | ${fmt(b.rows)} | ${mb(b.bytes)} (${mb(b.indexes)}) |`,
      );
    }
    console.log("\n| index (after 30 days) | size |");
    console.log("|---|---:|");
    for (const i of loadedIndexes) console.log(`| ${i.table}.${i.index} | ${mb(Number(i.bytes))} |`);
    const target = (k: "payment" | "tap", c: Compared) =>
      (["p50", "p99"] as const)
        .map((p) => `${k} ${p} ${ratio(c.history[k][p], c.empty[k][p])} ${c.history[k][p] <= 1.1 * c.empty[k][p] ? "met" : "MISSED"}`)
        .join(", ");
    console.log(`\nTargets (latency ≤ 1.1× the empty database's; not asserted):`);
    console.log(`- with 30 days of history: ${target("payment", full)}; ${target("tap", full)}`);
    console.log(`- after retention: ${target("payment", after)}; ${target("tap", after)}`);
    console.log(
      `- retained tables bounded by their windows: ${failures.length === 0 ? "yes (no row past a window, none inside one lost)" : "NO"}; money tables: same rows before and after retention; replay inside the window after retention: ${replay.status === 200 && replay.body.id === original.body.id ? "stored payment" : "FAILED"}`,
    );
    console.log(
      `\nHistory written in ${fmt(loadSeconds)} s; retention pruned it in ${runs} runs, ${fmt(retentionSeconds)} s (PostgreSQL CPU ${fmt(retentionPgSeconds)} s, WAL ${fmt(retentionWal / 1024 / 1024)} MiB). Run: \`npx tsx bench/history.ts --scale ${SCALE} --samples ${SAMPLES} --warmup ${WARMUP} --rounds ${ROUNDS}\`, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, load average ${loadavg()[0]?.toFixed(1)}.`,
    );
    if (failures.length > 0) process.exitCode = 1;
  } finally {
    for (const c of cities) {
      c.admin.close();
      c.sk.close();
      await c.q.end();
      c.api.stop();
    }
  }
});
