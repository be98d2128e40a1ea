import { type SQL, sql } from "drizzle-orm";
import type { Deps } from "../context.js";
import type { Db } from "../db/client.js";
import type { Env } from "../env.js";
import { idFloor, newId } from "../lib/ids.js";
import { at } from "../lib/json.js";
import { ADDRESS_WINDOW_MS } from "../services/auth.js";
import { ACTIVATION_REPLAY_MS } from "../services/merchants.js";
import type { JobHandler } from "./registry.js";

/**
 * Retention: bookkeeping rows are kept only as long as something can still read them. One
 * platform job (its payload names no merchant) prunes them, exactly once across processes
 * like every job, and plans its next run in the same transaction as its claim, so the chain
 * survives a crash. The deletes themselves run after that COMMIT, in batches of
 * RETENTION_BATCH_SIZE rows, each its own short statement and transaction, and at most
 * RETENTION_BATCHES_PER_RUN of them per run: no lock is held for long, and a backlog (the first
 * run on a large database) drains over several runs, brought closer together while it lasts.
 * The same run folds the analytics deltas into their rollups (the last rule).
 *
 * Money records are never pruned: payments, refunds, orders, taps, the ledger, payouts,
 * disputes and reconciliations, nor events (GET /v1/events lists them). Archiving those is
 * detaching a partition, never a DELETE; test/retention.test.ts scans the source for one.
 */
export const RETENTION_JOB = "retention.prune";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** While a run leaves rows behind, the next one comes this soon rather than after the interval. */
const BACKLOG_PAUSE_MS = 10_000;
/** An expired sign-in challenge stays a day, so a late answer still hears "expired", not "wrong". */
const CHALLENGE_GRACE_MS = DAY_MS;
/** pg_advisory_xact_lock(int, int) keys for planning the first run (two-int keys never meet the bigint ones). */
const PLAN_LOCK = [0x5e7, 0x2501] as const;

/** The instants before which each rule prunes, from the run's clock and the settings. */
export function retentionCutoffs(
  now: Date,
  env: Pick<Env, "IDEMPOTENCY_RETENTION_HOURS" | "WEBHOOK_RETENTION_DAYS" | "JOB_RETENTION_DAYS">,
) {
  const ago = (ms: number) => new Date(now.getTime() - ms);
  return {
    idempotency: ago(env.IDEMPOTENCY_RETENTION_HOURS * HOUR_MS),
    webhooks: ago(env.WEBHOOK_RETENTION_DAYS * DAY_MS),
    sessions: now,
    challenges: ago(CHALLENGE_GRACE_MS),
    throttles: ago(ADDRESS_WINDOW_MS),
    jobs: ago(env.JOB_RETENTION_DAYS * DAY_MS),
    activations: ago(ACTIVATION_REPLAY_MS),
  };
}

type Cutoffs = ReturnType<typeof retentionCutoffs>;

/**
 * One rule: a DELETE of at most `n` rows past their window, oldest first through an index
 * (ORDER BY the indexed column keeps the planner on it however many rows are due), taken by
 * ctid so that a row changed meanwhile is left alone; it answers how many went. Each
 * statement names its table in its text, for the scan that guards the money tables.
 */
interface RetentionRule {
  table: string;
  batch: (c: Cutoffs, n: number) => SQL;
  /** The rule before it whose rows hold its own back: it stays in a run for as long as that one does. */
  after?: string;
}

const counted = (del: SQL) => sql`WITH gone AS (${del} RETURNING 1) SELECT count(*)::int AS n FROM gone`;

export const RETENTION_RULES: readonly RetentionRule[] = [
  {
    // Replays are promised for IDEMPOTENCY_RETENTION_HOURS (≥ 24); then the key runs afresh.
    table: "idempotency_keys",
    batch: (c, n) =>
      counted(sql`DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM idempotency_keys WHERE created_at < ${at(c.idempotency)} ORDER BY created_at LIMIT ${n}))`),
  },
  {
    // The keys' responses, after the keys: never older than the oldest key left, which may point at them.
    table: "idempotency_responses",
    after: "idempotency_keys",
    batch: (c, n) =>
      counted(sql`DELETE FROM idempotency_responses WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM idempotency_responses
        WHERE created_at < LEAST(${at(c.idempotency)}, (SELECT min(created_at) FROM idempotency_keys))
        ORDER BY created_at LIMIT ${n}))`),
  },
  {
    // The dispatcher's queue: finished (delivered or failed) deliveries; ids start with their event's time-ordered id.
    table: "webhook_deliveries",
    batch: (c, n) =>
      counted(sql`DELETE FROM webhook_deliveries WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM webhook_deliveries WHERE id < ${idFloor("event", c.webhooks.getTime())} AND status <> 'pending' ORDER BY id LIMIT ${n}))`),
  },
  {
    // GET /v1/webhook_endpoints/{id}/attempts shows WEBHOOK_RETENTION_DAYS of them; ids sort by time.
    table: "webhook_attempts",
    batch: (c, n) =>
      counted(sql`DELETE FROM webhook_attempts WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM webhook_attempts WHERE id < ${idFloor("delivery", c.webhooks.getTime())} ORDER BY id LIMIT ${n}))`),
  },
  {
    // An expired session signs nobody in (revoked ones go when they would have expired).
    table: "sessions",
    batch: (c, n) =>
      counted(sql`DELETE FROM sessions WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM sessions WHERE expires_at < ${at(c.sessions)} ORDER BY expires_at LIMIT ${n}))`),
  },
  {
    table: "sign_in_challenges",
    batch: (c, n) =>
      counted(sql`DELETE FROM sign_in_challenges WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM sign_in_challenges WHERE expires_at < ${at(c.challenges)} ORDER BY expires_at LIMIT ${n}))`),
  },
  {
    // A throttle whose window ended counts from zero at its next failure anyway.
    table: "sign_in_throttles",
    batch: (c, n) =>
      counted(sql`DELETE FROM sign_in_throttles WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM sign_in_throttles WHERE window_started_at < ${at(c.throttles)} ORDER BY window_started_at LIMIT ${n}))`),
  },
  {
    // Finished jobs only: a scheduled one is work still to do (jobs_due_idx finds them).
    table: "jobs",
    batch: (c, n) =>
      counted(sql`DELETE FROM jobs WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM jobs WHERE status IN ('done', 'canceled') AND run_at < ${at(c.jobs)} AND finished_at < ${at(c.jobs)} LIMIT ${n}))`),
  },
  {
    // A live activation's keys, sealed for its replay window only: then nothing may show them again.
    table: "merchants",
    batch: (c, n) =>
      counted(sql`UPDATE merchants SET live_activation_sealed = NULL WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM merchants WHERE live_activation_sealed IS NOT NULL AND live_activated_at < ${at(c.activations)} LIMIT ${n}))`),
  },
  {
    // Folded, not lost: the analytics deltas the triggers appended (db/schema/analytics.ts) move
    // into analytics_rollups, summed per key, in one statement, so a reader finds each figure in
    // one table or the other. Only this job writes the rollups: the upsert waits on no writer.
    table: "analytics_deltas",
    batch: (_c, n) =>
      sql`WITH moved AS (
            DELETE FROM analytics_deltas WHERE ctid = ANY(ARRAY(SELECT ctid FROM analytics_deltas LIMIT ${n}))
            RETURNING merchant_id, livemode, bucket, measure, currency, dimension, count, amount, fee),
          folded AS (
            INSERT INTO analytics_rollups AS r (merchant_id, livemode, bucket, measure, currency, dimension, count, amount, fee)
            SELECT merchant_id, livemode, bucket, measure, currency, dimension, sum(count)::bigint, sum(amount)::bigint, sum(fee)::bigint
            FROM moved GROUP BY 1, 2, 3, 4, 5, 6
            ON CONFLICT ON CONSTRAINT analytics_rollups_pkey
            DO UPDATE SET count = r.count + excluded.count, amount = r.amount + excluded.amount, fee = r.fee + excluded.fee)
          SELECT count(*)::int AS n FROM moved`,
  },
];

export interface RetentionRun {
  /** Rows deleted, by table. */
  pruned: Record<string, number>;
  batches: number;
  /** False when the run stopped at its bound with rows still past their window. */
  complete: boolean;
}

/**
 * Prunes what is past its window at `now`, one batch per rule in turn (so one rule's backlog
 * does not starve the others), until every rule found less than a full batch or the run's
 * bound is reached. Each batch is its own statement outside any transaction (autocommit).
 */
export async function pruneExpired(
  deps: Pick<Deps, "database" | "env">,
  now: Date,
  rules: readonly RetentionRule[] = RETENTION_RULES,
): Promise<RetentionRun> {
  const { RETENTION_BATCH_SIZE: size, RETENTION_BATCHES_PER_RUN: bound } = deps.env;
  const cutoffs = retentionCutoffs(now, deps.env);
  const pruned: Record<string, number> = Object.fromEntries(rules.map((r) => [r.table, 0]));
  let active = [...rules];
  let batches = 0;
  while (active.length > 0 && batches < bound) {
    const still: RetentionRule[] = [];
    for (const rule of active) {
      if (batches >= bound) {
        still.push(rule);
        continue;
      }
      const [row] = await deps.database.rows<{ n: number }>(rule.batch(cutoffs, size));
      batches++;
      const n = Number(row?.n ?? 0);
      pruned[rule.table] = (pruned[rule.table] ?? 0) + n;
      if (n >= size || (rule.after !== undefined && still.some((r) => r.table === rule.after))) still.push(rule);
      // Let requests in between batches (the embedded database has one connection).
      await new Promise((resolve) => setImmediate(resolve));
    }
    active = still;
  }
  return { pruned, batches, complete: active.length === 0 };
}

function describeRun(r: RetentionRun): string {
  const counts = Object.entries(r.pruned)
    .map(([table, n]) => `${table} ${n}`)
    .join(", ");
  return `pruned ${counts} in ${r.batches} batches${r.complete ? "" : "; more left"}`;
}

/** Inserts the next run at `runAt` in `tx`; a second insert for the same instant is a no-op. */
async function planRun(deps: Pick<Deps, "database">, tx: Db, runAt: Date): Promise<void> {
  await deps.database.rows(
    sql`INSERT INTO jobs (id, kind, dedupe_key, run_at, payload, livemode)
        VALUES (${newId("job")}, ${RETENTION_JOB}, ${`${RETENTION_JOB}:${runAt.toISOString()}`}, ${at(runAt)}, '{}'::jsonb, false)
        ON CONFLICT (dedupe_key) DO NOTHING`,
    tx,
  );
}

/**
 * At start: plans the first run one interval from now unless one is planned. Under a
 * transaction lock, so processes starting together plan one chain, not one each.
 */
export async function planRetention(deps: Pick<Deps, "database" | "env" | "now">): Promise<void> {
  const runAt = new Date(deps.now().getTime() + deps.env.RETENTION_INTERVAL_MINUTES * 60_000);
  await deps.database.db.transaction(async (tx) => {
    await deps.database.rows(sql`SELECT pg_advisory_xact_lock(${PLAN_LOCK[0]}::int, ${PLAN_LOCK[1]}::int)`, tx);
    const [planned] = await deps.database.rows(
      sql`SELECT 1 AS planned FROM jobs WHERE kind = ${RETENTION_JOB} AND status = 'scheduled' LIMIT 1`,
      tx,
    );
    if (!planned) await planRun(deps, tx, runAt);
  });
}

/**
 * The claim's transaction plans the next run; the pruning follows the COMMIT. A run that
 * stopped at its bound brings the next one forward to BACKLOG_PAUSE_MS from now.
 */
const runRetention: JobHandler<Deps> = async (run) => {
  const next = new Date(run.now.getTime() + run.deps.env.RETENTION_INTERVAL_MINUTES * 60_000);
  await planRun(run.deps, run.tx, next);
  return {
    result: "pruning",
    afterCommit: async () => {
      const outcome = await pruneExpired(run.deps, run.now);
      if (!outcome.complete) {
        const soon = new Date(run.now.getTime() + BACKLOG_PAUSE_MS);
        await run.deps.database.rows(
          sql`UPDATE jobs SET run_at = ${at(soon)} WHERE kind = ${RETENTION_JOB} AND status = 'scheduled' AND run_at > ${at(soon)}`,
        );
      }
      run.deps.logger.info({ job: run.job.id, ...outcome }, "retention run");
      return describeRun(outcome);
    },
  };
};

/** Retention's background job, for the runtime's registry (server.ts). */
export const retentionJobs: Readonly<Record<string, JobHandler<Deps>>> = {
  [RETENTION_JOB]: runRetention,
};
