import { and, eq, sql } from "drizzle-orm";
import type { AppEnv, Deps } from "../context.js";
import type { Db } from "../db/client.js";
import { isDatabaseDown } from "../db/errors.js";
import { jobs } from "../db/schema/index.js";
import { newId } from "../lib/ids.js";
import { at } from "../lib/json.js";
import { pgArray } from "../lib/pg-array.js";
import type { JobRun } from "./registry.js";

/**
 * What a job's work runs with when it calls the services a request would: the job's own
 * principal (kind "job": no API key, so no idempotency scope, no rate-limit bucket, and no
 * route's allow() admits it), the job's transaction, its clock, and its id as the request id.
 */
export function jobVars(run: JobRun<Deps>, merchantId: string, livemode: boolean): AppEnv["Variables"] {
  return {
    deps: { ...run.deps, now: () => run.now },
    db: run.tx,
    principal: { kind: "job", job: run.job.kind, merchantId, livemode },
    requestId: run.job.id,
  };
}

/** Schedules a job once per dedupe key (a second schedule of the same subject is a no-op). */
export interface NewJob {
  kind: string;
  dedupeKey: string;
  runAt: Date;
  payload: Record<string, unknown>;
  livemode: boolean;
}

export async function scheduleJob(database: Deps["database"], tx: Db, job: NewJob) {
  await database.rows(scheduleJobStatement(job), tx);
}

/** The job's insert, for a writer that sends its statements together (a payment group). */
export function scheduleJobStatement(job: NewJob) {
  return sql`INSERT INTO jobs (id, kind, dedupe_key, run_at, payload, livemode)
      VALUES (${newId("job")}, ${job.kind}, ${job.dedupeKey}, ${at(job.runAt)}, ${JSON.stringify(job.payload)}::jsonb, ${job.livemode})
      ON CONFLICT (dedupe_key) DO NOTHING`;
}

export async function cancelJob(tx: Db, dedupeKey: string) {
  await tx
    .update(jobs)
    .set({ status: "canceled", finishedAt: new Date() })
    .where(and(eq(jobs.dedupeKey, dedupeKey), eq(jobs.status, "scheduled")));
}

/**
 * One merchant's jobs of one mode: what `run_jobs` may touch. A test credential's clock
 * must never reach a live job (it would expire live orders early and charge their fees).
 */
export interface JobScope {
  merchantId: string;
  livemode: boolean;
}

/**
 * Runs every due job at `now` of the kinds this process knows (deps.jobs), each in its own
 * transaction together with its effect: the claim (FOR UPDATE SKIP LOCKED), the work and the
 * "done" mark commit as one, so a job runs exactly once even with several API processes on
 * one database, and a crash mid-job leaves it scheduled for the next run. Once the registry
 * is closed, no further job is claimed.
 *
 * With `only` (run_jobs), the caller's clock reaches that merchant's jobs of that mode. A
 * platform job (its payload names no merchant: retention) runs too, but only when it is due
 * by the server's own clock, and at that clock: a test key's clock never moves platform work.
 */
export async function runDueJobs(
  deps: Deps,
  opts: { now: Date; only?: JobScope },
): Promise<{ ran: number; byKind: Record<string, number>; failed: number }> {
  const byKind: Record<string, number> = {};
  let ran = 0;
  let failed = 0;
  const registry = deps.jobs;
  const serverNow = deps.now();
  const when = opts.only
    ? sql`((payload->>'merchant_id' = ${opts.only.merchantId} AND livemode = ${opts.only.livemode} AND run_at <= ${at(opts.now)})
           OR (payload->>'merchant_id' IS NULL AND run_at <= ${at(serverNow)}))`
    : sql`run_at <= ${at(opts.now)}`;
  const due = sql`status = 'scheduled' AND kind = ANY(${pgArray(registry.kinds)}::text[]) AND ${when}`;
  // Cheap look first, so an idle poll costs one index probe and no transaction.
  const [first] = await deps.database.rows(sql`SELECT 1 AS due FROM jobs WHERE ${due} LIMIT 1`);
  if (!first) return { ran, byKind, failed };
  for (;;) {
    // The job this turn claimed, and its clock: if its work fails, it is put back for later.
    let current: { id: string; kind: string; now: Date } | undefined;
    const done = await registry
      .run(async () => {
        const claimed = await deps.database.db.transaction(async (tx) => {
          const [job] = await deps.database.rows<{ id: string; kind: string; payload: Record<string, unknown> }>(
            sql`SELECT id, kind, payload FROM jobs WHERE ${due} ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
            tx,
          );
          if (!job) return null;
          const handler = registry.handler(job.kind) as NonNullable<ReturnType<typeof registry.handler>>;
          const now = opts.only && (job.payload.merchant_id ?? null) === null ? serverNow : opts.now;
          current = { id: job.id, kind: job.kind, now };
          const out = await handler({ deps, tx, now, job: { id: job.id, kind: job.kind }, payload: job.payload });
          const outcome = typeof out === "string" ? { result: out, afterCommit: undefined } : out;
          await tx.update(jobs).set({ status: "done", result: outcome.result, finishedAt: new Date() }).where(eq(jobs.id, job.id));
          return { id: job.id, kind: job.kind, afterCommit: outcome.afterCommit };
        });
        // Committed: the job is done, and nothing after this puts it back.
        current = undefined;
        if (claimed?.afterCommit) await finishAfterCommit(deps, claimed.id, claimed.afterCommit);
        return claimed?.kind ?? null;
      }, null)
      .catch(async (err: unknown) => {
        // No database: nothing can be marked; the caller (the worker's tick) tries again later.
        if (!current || isDatabaseDown(err)) throw err;
        await putBack(deps, current, err);
        failed++;
        return "failed";
      });
    if (!done) break;
    if (done === "failed") continue;
    ran++;
    byKind[done] = (byKind[done] ?? 0) + 1;
  }
  return { ran, byKind, failed };
}

/** How long a job whose work failed waits before it is tried again. */
const RETRY_AFTER_MS = 15 * 60_000;

/**
 * A job whose work failed (rolled back whole) waits RETRY_AFTER_MS and is tried again; its
 * error is logged and kept as its result. Never left due: one job that cannot run must not
 * stop every other merchant's expiries and settlements behind it.
 */
async function putBack(deps: Deps, job: { id: string; kind: string; now: Date }, err: unknown): Promise<void> {
  const message = err instanceof Error ? err.message : String(err);
  deps.logger.error({ job: job.id, kind: job.kind, err: { message } }, "job failed; tried again later");
  await deps.database.rows(
    sql`UPDATE jobs SET run_at = ${at(new Date(job.now.getTime() + RETRY_AFTER_MS))}, result = ${`failed: ${message}`.slice(0, 500)}
        WHERE id = ${job.id} AND status = 'scheduled'`,
  );
}

/**
 * A job's work after its COMMIT: the job is already done (and its next run planned), so a
 * failure here is logged and kept as the result, and the next run picks the work up again.
 */
async function finishAfterCommit(deps: Deps, jobId: string, work: () => Promise<string>): Promise<void> {
  let result: string;
  try {
    result = await work();
  } catch (err) {
    deps.logger.error({ job: jobId, err: { message: (err as Error).message } }, "job work after commit failed");
    result = `failed after commit: ${(err as Error).message}`.slice(0, 500);
  }
  await deps.database.rows(sql`UPDATE jobs SET result = ${result} WHERE id = ${jobId}`);
}
