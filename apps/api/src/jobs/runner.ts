import { and, eq, sql } from "drizzle-orm";
import type { Deps } from "../context.js";
import type { Db } from "../db/client.js";
import { jobs } from "../db/schema/index.js";
import { newId } from "../lib/ids.js";
import { at } from "../lib/json.js";

export type JobHandler = (ctx: { deps: Deps; tx: Db; now: Date; payload: Record<string, unknown> }) => Promise<string>;

/** Handlers by job kind; features register theirs at import (see services/orders.ts). */
export const jobHandlers = new Map<string, JobHandler>();

/** Schedules a job once per dedupe key (a second schedule of the same subject is a no-op). */
export async function scheduleJob(
  database: Deps["database"],
  tx: Db,
  job: { kind: string; dedupeKey: string; runAt: Date; payload: Record<string, unknown>; livemode: boolean },
) {
  await database.rows(
    sql`INSERT INTO jobs (id, kind, dedupe_key, run_at, payload, livemode)
        VALUES (${newId("job")}, ${job.kind}, ${job.dedupeKey}, ${at(job.runAt)}, ${JSON.stringify(job.payload)}::jsonb, ${job.livemode})
        ON CONFLICT (dedupe_key) DO NOTHING`,
    tx,
  );
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
 * Runs every job due at `now`, each in its own transaction together with its effect: the
 * claim (FOR UPDATE SKIP LOCKED), the work and the "done" mark commit as one, so a job
 * runs exactly once even with several API processes on one database, and a crash mid-job
 * leaves it scheduled for the next run.
 */
export async function runDueJobs(
  deps: Deps,
  opts: { now: Date; only?: JobScope },
): Promise<{ ran: number; byKind: Record<string, number> }> {
  const byKind: Record<string, number> = {};
  let ran = 0;
  const scope = opts.only ? sql`AND payload->>'merchant_id' = ${opts.only.merchantId} AND livemode = ${opts.only.livemode}` : sql``;
  // Cheap look first, so an idle poll costs one index probe and no transaction.
  const [due] = await deps.database.rows(
    sql`SELECT 1 AS due FROM jobs WHERE status = 'scheduled' AND run_at <= ${at(opts.now)} ${scope} LIMIT 1`,
  );
  if (!due) return { ran, byKind };
  for (;;) {
    const done = await deps.database.db.transaction(async (tx) => {
      const [job] = await deps.database.rows<{ id: string; kind: string; payload: Record<string, unknown> }>(
        sql`SELECT id, kind, payload FROM jobs WHERE status = 'scheduled' AND run_at <= ${at(opts.now)} ${scope}
            ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
        tx,
      );
      if (!job) return null;
      const handler = jobHandlers.get(job.kind);
      const result = handler ? await handler({ deps, tx, now: opts.now, payload: job.payload }) : "no handler";
      await tx.update(jobs).set({ status: "done", result, finishedAt: new Date() }).where(eq(jobs.id, job.id));
      return job.kind;
    });
    if (!done) break;
    ran++;
    byKind[done] = (byKind[done] ?? 0) + 1;
  }
  return { ran, byKind };
}
