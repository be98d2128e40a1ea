import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { getTableName, isTable, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as schema from "../src/db/schema/index.js";
import { parseEnv } from "../src/env.js";
import { type JobHandler, JobRegistry } from "../src/jobs/registry.js";
import { planRetention, RETENTION_JOB, RETENTION_RULES, retentionCutoffs } from "../src/jobs/retention.js";
import { runDueJobs } from "../src/jobs/runner.js";
import { newId } from "../src/lib/ids.js";
import { at } from "../src/lib/json.js";
import type { TestApi } from "../src/testing.js";
import { type Http, http, startTestApi } from "./support.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ago = (ms: number) => new Date(Date.now() - ms);
/** A group of two stored answers as sessions 31 to 34 wrote them (store/idempotency.ts, `z1.`): kept until their keys go. */
const Z1_GROUP = "z1.w5oADAx9LSIsI128/AycLQMDIpwNzS18g0PC9XQNkdMFLmXY0wtyYqiVI8XeCOLsjcBvr7mBQS0A";

/** Small batches so that a handful of rows already takes several; a run's bound of 20 batches. */
const BATCH = 10;
const BATCHES_PER_RUN = 20;

describe("retention", () => {
  let api: TestApi;
  let sk: Http;
  const rows = <T = Record<string, unknown>>(q: ReturnType<typeof sql>) => api.runtime.deps.database.rows<T>(q);
  const count = async (q: ReturnType<typeof sql>) => Number((await rows<{ n: number }>(q))[0]?.n);

  /**
   * Makes the planned retention run due by the server's clock and runs it through run_jobs,
   * as a test key would: answers the run's result (what it pruned).
   */
  async function retentionRun(): Promise<string> {
    await rows(sql`UPDATE jobs SET run_at = ${at(ago(1_000))} WHERE kind = ${RETENTION_JOB} AND status = 'scheduled'`);
    const run = await sk.post("/v1/test_helpers/run_jobs", { now: new Date().toISOString() });
    expect(run.status).toBe(200);
    expect(run.body.jobs.by_kind[RETENTION_JOB]).toBe(1);
    const [done] = await rows<{ result: string }>(
      sql`SELECT result FROM jobs WHERE kind = ${RETENTION_JOB} AND status = 'done' ORDER BY finished_at DESC, id DESC LIMIT 1`,
    );
    return String(done?.result);
  }

  beforeAll(async () => {
    api = await startTestApi({
      env: { WORKERS: "off", RETENTION_BATCH_SIZE: String(BATCH), RETENTION_BATCHES_PER_RUN: String(BATCHES_PER_RUN) },
    });
    sk = http(api.url, api.merchant.secretKey);
  });
  afterAll(() => api.close());

  it("plans one run, one interval after the start, however often and concurrently it is asked to", async () => {
    await Promise.all(Array.from({ length: 5 }, () => planRetention(api.runtime.deps)));
    const planned = await rows<{ run_at: Date | string; payload: unknown; livemode: boolean }>(
      sql`SELECT run_at, payload, livemode FROM jobs WHERE kind = ${RETENTION_JOB} AND status = 'scheduled'`,
    );
    expect(planned).toHaveLength(1);
    expect(planned[0]?.payload).toEqual({});
    const runAt = new Date(planned[0]?.run_at as string).getTime();
    // RETENTION_INTERVAL_MINUTES (test APIs: a day) from the start.
    expect(runAt).toBeGreaterThan(Date.now() + 23 * HOUR);
    expect(runAt).toBeLessThanOrEqual(Date.now() + DAY);
  });

  it("a keyed POST replays after a retention run while it is inside its window", async () => {
    const key = `ret-replay-${Date.now()}`;
    const first = await sk.post("/v1/customers", { name: "Within window" }, { "Idempotency-Key": key });
    expect(first.status).toBe(200);
    // One hour short of the default window (168 hours).
    await rows(sql`UPDATE idempotency_keys SET created_at = ${at(ago(167 * HOUR))} WHERE key = ${key}`);
    expect(await retentionRun()).toMatch(/^pruned idempotency_keys \d+,/);
    const again = await sk.post("/v1/customers", { name: "Within window" }, { "Idempotency-Key": key });
    expect(again.status).toBe(200);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    // Still the same key: another body under it is refused.
    const other = await sk.post("/v1/customers", { name: "Someone else" }, { "Idempotency-Key": key });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe("idempotency_key_reused");
  });

  it("a key past its window is pruned, and the same key then runs afresh", async () => {
    const key = `ret-pruned-${Date.now()}`;
    const first = await sk.post("/v1/customers", { name: "Past window" }, { "Idempotency-Key": key });
    expect(first.status).toBe(200);
    await rows(sql`UPDATE idempotency_keys SET created_at = ${at(ago(169 * HOUR))} WHERE key = ${key}`);
    expect(await retentionRun()).toMatch(/^pruned idempotency_keys [1-9]\d*,/);
    expect(await count(sql`SELECT count(*)::int AS n FROM idempotency_keys WHERE key = ${key}`)).toBe(0);
    const again = await sk.post("/v1/customers", { name: "Past window" }, { "Idempotency-Key": key });
    expect(again.status).toBe(200);
    expect(again.headers.get("Idempotent-Replayed")).toBeNull();
    expect(again.body.id).not.toBe(first.body.id);
    // The customer the first request made is a customer still: only the stored response went.
    expect((await sk.get(`/v1/customers/${first.body.id}`)).status).toBe(200);
  });

  it("prunes finished webhook deliveries and attempts past their 30 days, never a pending delivery", async () => {
    const m = api.merchant.id;
    const delivery = (age: number, status: string) => ({ id: `${newId("event", Date.now() - age)}:we_retention`, status });
    const deliveries = {
      oldDelivered: delivery(31 * DAY, "delivered"),
      oldFailed: delivery(31 * DAY, "failed"),
      oldPending: delivery(31 * DAY, "pending"),
      recentDelivered: delivery(29 * DAY, "delivered"),
    };
    for (const d of Object.values(deliveries)) {
      await rows(
        sql`INSERT INTO webhook_deliveries (id, merchant_id, event_id, endpoint_id, status)
            VALUES (${d.id}, ${m}, ${d.id.split(":")[0]}, 'we_retention', ${d.status})`,
      );
    }
    const attempts = { old: newId("delivery", Date.now() - 31 * DAY), recent: newId("delivery", Date.now() - 29 * DAY) };
    for (const id of Object.values(attempts)) {
      await rows(
        sql`INSERT INTO webhook_attempts (id, delivery_id, endpoint_id, event_id, attempt, duration_ms, succeeded)
            VALUES (${id}, 'wd_x', 'we_retention', 'evt_x', 1, 5, true)`,
      );
    }
    await retentionRun();
    const left = await rows<{ id: string }>(sql`SELECT id FROM webhook_deliveries WHERE endpoint_id = 'we_retention' ORDER BY id`);
    expect(left.map((r) => r.id).sort()).toEqual([deliveries.oldPending.id, deliveries.recentDelivered.id].sort());
    const attemptsLeft = await rows<{ id: string }>(sql`SELECT id FROM webhook_attempts WHERE endpoint_id = 'we_retention'`);
    expect(attemptsLeft.map((r) => r.id)).toEqual([attempts.recent]);
  });

  it("prunes expired sessions, sign-in challenges a day after they expired, and throttles whose window ended", async () => {
    const session = (id: string, expires: Date) =>
      rows(
        sql`INSERT INTO sessions (id, identity_id, merchant_id, token_hash, client, expires_at)
            VALUES (${id}, 'idn_retention', ${api.merchant.id}, ${`hash-${id}`}, 'browser', ${at(expires)})`,
      );
    await session("ses_ret_expired", ago(HOUR));
    await session("ses_ret_live", new Date(Date.now() + DAY));
    const challenge = (id: string, expires: Date) =>
      rows(
        sql`INSERT INTO sign_in_challenges (id, stage, subject_hash, channel, client, code_hash, expires_at)
            VALUES (${id}, 'code', 'subject-retention', 'email', 'browser', 'h', ${at(expires)})`,
      );
    await challenge("chl_ret_long_expired", ago(DAY + HOUR));
    await challenge("chl_ret_just_expired", ago(HOUR));
    await challenge("chl_ret_open", new Date(Date.now() + 5 * 60_000));
    const throttle = (subject: string, started: Date) =>
      rows(sql`INSERT INTO sign_in_throttles (subject_hash, failures, window_started_at) VALUES (${subject}, 3, ${at(started)})`);
    await throttle("ret-window-ended", ago(2 * HOUR));
    await throttle("ret-window-open", ago(10 * 60_000));

    await retentionRun();
    const ids = async (q: ReturnType<typeof sql>) => (await rows<{ id: string }>(q)).map((r) => r.id).sort();
    expect(await ids(sql`SELECT id FROM sessions WHERE id LIKE 'ses_ret_%'`)).toEqual(["ses_ret_live"]);
    expect(await ids(sql`SELECT id FROM sign_in_challenges WHERE id LIKE 'chl_ret_%'`)).toEqual(["chl_ret_just_expired", "chl_ret_open"]);
    expect(await ids(sql`SELECT subject_hash AS id FROM sign_in_throttles WHERE subject_hash LIKE 'ret-%'`)).toEqual(["ret-window-open"]);
  });

  it("erases a live activation's sealed keys once its replay window has passed, and no sooner", async () => {
    const activated = async (name: string, at_: Date) => {
      const id = (await http(api.url, api.adminKey).post("/v1/merchants", { name, country: "KG", default_currency: "KGS" })).body.id;
      await rows(sql`UPDATE merchants SET live_activated_at = ${at(at_)}, live_activation_sealed = 'sealed-keys' WHERE id = ${id}`);
      return id as string;
    };
    const old = await activated("Activated Long Ago", ago(DAY + HOUR));
    const recent = await activated("Activated Just Now", ago(HOUR));
    await retentionRun();
    const sealed = async (id: string) =>
      (await rows<{ s: string | null }>(sql`SELECT live_activation_sealed AS s FROM merchants WHERE id = ${id}`))[0]?.s;
    expect(await sealed(old)).toBeNull();
    expect(await sealed(recent)).toBe("sealed-keys");
  });

  it("a signed-in session still works after a retention run", async () => {
    // A real member session, made by the sign-in service, is not expired: it stays and signs in.
    const { createSession } = await import("../src/services/sessions.js");
    const { token } = await createSession(api.runtime.database.db, api.runtime.deps, {
      identityId: "idn_retention_live",
      merchantId: api.merchant.id,
      client: "app",
      ip: "127.0.0.1",
      userAgent: undefined,
    });
    await retentionRun();
    expect(await count(sql`SELECT count(*)::int AS n FROM sessions WHERE identity_id = 'idn_retention_live'`)).toBe(1);
    expect(token).toMatch(/^sst_/);
  });

  it("prunes finished jobs past JOB_RETENTION_DAYS, never a scheduled one however old", async () => {
    const job = (id: string, status: string, age: number) =>
      rows(
        sql`INSERT INTO jobs (id, kind, dedupe_key, run_at, payload, livemode, status, finished_at)
            VALUES (${id}, 'retention.test', ${id}, ${at(ago(age))}, '{}'::jsonb, false, ${status},
                    ${status === "scheduled" ? null : at(ago(age))})`,
      );
    await job("job_ret_done_old", "done", 31 * DAY);
    await job("job_ret_canceled_old", "canceled", 31 * DAY);
    await job("job_ret_done_recent", "done", 29 * DAY);
    // Overdue and of a kind this process has no handler for: work another process will do.
    await job("job_ret_scheduled_old", "scheduled", 60 * DAY);
    await retentionRun();
    const left = await rows<{ id: string }>(sql`SELECT id FROM jobs WHERE kind = 'retention.test' ORDER BY id`);
    expect(left.map((r) => r.id)).toEqual(["job_ret_done_recent", "job_ret_scheduled_old"]);
    // Retention's own chain goes on: one run planned.
    expect(await count(sql`SELECT count(*)::int AS n FROM jobs WHERE kind = ${RETENTION_JOB} AND status = 'scheduled'`)).toBe(1);
  });

  it("a group's stored responses outlive every key that points at them", async () => {
    // One instant for both, as one transaction's now() gives them.
    const sealedAt = at(ago(8 * DAY));
    const [group] = await rows<{ id: number }>(
      sql`INSERT INTO idempotency_responses (bodies, created_at) VALUES (${Z1_GROUP}, ${sealedAt}) RETURNING id`,
    );
    await rows(
      sql`INSERT INTO idempotency_keys (scope, key, method, path, request_hash, response_status, response_group, response_index, created_at)
          SELECT 'key_retention_group', 'k' || g, 'POST', '/v1/customers', 'h', 200, ${group?.id}, g - 1, ${sealedAt}
          FROM generate_series(1, 2) AS g`,
    );
    const groupLeft = () => count(sql`SELECT count(*)::int AS n FROM idempotency_responses WHERE id = ${group?.id}`);
    // The responses' rule alone, as if the keys' rule had stopped at its batch: the keys still point at the group.
    const responses = RETENTION_RULES.find((r) => r.table === "idempotency_responses");
    await rows(responses?.batch(retentionCutoffs(new Date(), api.runtime.deps.env), 100) ?? sql`SELECT 0`);
    expect(await groupLeft()).toBe(1);
    // A whole run: the keys go, then their group.
    expect(await retentionRun()).toMatch(/idempotency_keys [1-9]\d*, idempotency_responses [1-9]\d*,/);
    expect(await groupLeft()).toBe(0);
    expect(await count(sql`SELECT count(*)::int AS n FROM idempotency_keys WHERE scope = 'key_retention_group'`)).toBe(0);
  });

  it("one run prunes the groups of responses whose keys took it several batches", async () => {
    // Three groups of ten keys, a day apart: the keys' batches of ten free one group at a time.
    for (const day of [10, 9, 8]) {
      const sealedAt = at(ago(day * DAY));
      const [group] = await rows<{ id: number }>(
        sql`INSERT INTO idempotency_responses (bodies, created_at) VALUES (${Z1_GROUP}, ${sealedAt}) RETURNING id`,
      );
      await rows(
        sql`INSERT INTO idempotency_keys (scope, key, method, path, request_hash, response_status, response_group, response_index, created_at)
            SELECT 'key_retention_groups', ${`d${day}-`} || g, 'POST', '/v1/customers', 'h', 200, ${group?.id}, 0, ${sealedAt}
            FROM generate_series(1, 10) AS g`,
      );
    }
    expect(await retentionRun()).not.toMatch(/more left/);
    expect(await count(sql`SELECT count(*)::int AS n FROM idempotency_keys WHERE scope = 'key_retention_groups'`)).toBe(0);
    expect(await count(sql`SELECT count(*)::int AS n FROM idempotency_responses WHERE created_at < ${at(ago(7 * DAY))}`)).toBe(0);
  });

  it("a run with more rows than one batch prunes them all over its batches", async () => {
    await rows(
      sql`INSERT INTO idempotency_keys (scope, key, method, path, request_hash, response_status, response_body, created_at)
          SELECT 'key_retention_batches', 'k' || g, 'POST', '/v1/customers', 'h', 200, 'sealed', ${at(ago(8 * DAY))}
          FROM generate_series(1, 35) AS g`,
    );
    const result = await retentionRun();
    // 35 rows in batches of 10: four of them for this rule, plus one each for the other rules.
    const m = /^pruned idempotency_keys (\d+),.* in (\d+) batches$/.exec(result);
    expect(m).not.toBeNull();
    expect(Number(m?.[1])).toBe(35);
    expect(Number(m?.[2])).toBeGreaterThanOrEqual(4 + 6);
    expect(await count(sql`SELECT count(*)::int AS n FROM idempotency_keys WHERE scope = 'key_retention_batches'`)).toBe(0);
  });

  it("a run stops at its bound of batches, brings the next run forward, and the next one finishes", async () => {
    // A run gives the first batch to every rule, the rest of its bound to this one and, in turns,
    // to the responses' rule that follows it: more than one run's worth, less than two.
    const keysPerRun = 1 + Math.ceil((BATCHES_PER_RUN - RETENTION_RULES.length) / 2);
    const total = 2 * keysPerRun * BATCH - 5;
    await rows(
      sql`INSERT INTO idempotency_keys (scope, key, method, path, request_hash, response_status, response_body, created_at)
          SELECT 'key_retention_bound', 'k' || g, 'POST', '/v1/customers', 'h', 200, 'sealed', ${at(ago(8 * DAY))}
          FROM generate_series(1, ${total}) AS g`,
    );
    const left = () => count(sql`SELECT count(*)::int AS n FROM idempotency_keys WHERE scope = 'key_retention_bound'`);
    const before = Date.now();
    const first = await retentionRun();
    expect(first).toMatch(new RegExp(`in ${BATCHES_PER_RUN} batches; more left$`));
    const afterFirst = await left();
    // At most the run's bound of rows went; some stayed for the next run.
    expect(afterFirst).toBeGreaterThan(0);
    expect(total - afterFirst).toBeLessThanOrEqual(BATCH * BATCHES_PER_RUN);
    const [next] = await rows<{ run_at: string }>(sql`SELECT run_at FROM jobs WHERE kind = ${RETENTION_JOB} AND status = 'scheduled'`);
    // Ten seconds away, not the interval.
    expect(new Date(next?.run_at as string).getTime()).toBeLessThanOrEqual(Date.now() + 10_000);
    expect(new Date(next?.run_at as string).getTime()).toBeGreaterThanOrEqual(before);
    expect(await retentionRun()).not.toMatch(/more left/);
    expect(await left()).toBe(0);
  });

  it("a test key's clock neither starts a retention run nor prunes by its own time", async () => {
    const key = `ret-clock-${Date.now()}`;
    const made = await sk.post("/v1/customers", { name: "Fresh" }, { "Idempotency-Key": key });
    expect(made.status).toBe(200);
    const farFuture = new Date(Date.now() + 365 * DAY).toISOString();
    // The planned run is not due by the server's clock: a year ahead on the caller's clock does not start it.
    const early = await sk.post("/v1/test_helpers/run_jobs", { now: farFuture });
    expect(early.status).toBe(200);
    expect(early.body.jobs.by_kind[RETENTION_JOB]).toBeUndefined();
    // Due by the server's clock, it runs, at the server's time: a fresh key stays, the next run is minutes away.
    await rows(sql`UPDATE jobs SET run_at = ${at(ago(1_000))} WHERE kind = ${RETENTION_JOB} AND status = 'scheduled'`);
    const run = await sk.post("/v1/test_helpers/run_jobs", { now: farFuture });
    expect(run.body.jobs.by_kind[RETENTION_JOB]).toBe(1);
    expect(await count(sql`SELECT count(*)::int AS n FROM idempotency_keys WHERE key = ${key}`)).toBe(1);
    const [next] = await rows<{ run_at: string }>(sql`SELECT run_at FROM jobs WHERE kind = ${RETENTION_JOB} AND status = 'scheduled'`);
    expect(new Date(next?.run_at as string).getTime()).toBeLessThanOrEqual(Date.now() + DAY);
  });
});

describe("a job's work after its commit", () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ env: { WORKERS: "off" } });
  });
  afterAll(() => api.close());

  it("runs once the claim committed, replaces the result, and a failure there is kept as the result", async () => {
    const { deps } = api.runtime;
    const seen: string[] = [];
    const handler: JobHandler<typeof deps> = async (run) => ({
      result: "claimed",
      afterCommit: async () => {
        // Outside the job's transaction: the "done" mark is already committed.
        const [row] = await deps.database.rows<{ status: string }>(sql`SELECT status FROM jobs WHERE id = ${run.job.id}`);
        seen.push(`${run.job.id}:${row?.status}`);
        if (run.payload.fail) throw new Error("the batch failed");
        return "pruned 3";
      },
    });
    const registry = new JobRegistry<typeof deps>({ "after.test": handler });
    for (const [id, fail] of [
      ["job_after_ok", false],
      ["job_after_fail", true],
    ] as const) {
      await deps.database.rows(
        sql`INSERT INTO jobs (id, kind, dedupe_key, run_at, payload, livemode)
            VALUES (${id}, 'after.test', ${id}, ${at(ago(1_000))}, ${JSON.stringify({ fail })}::jsonb, false)`,
      );
    }
    const ran = await runDueJobs({ ...deps, jobs: registry }, { now: new Date() });
    expect(ran).toEqual({ ran: 2, byKind: { "after.test": 2 }, failed: 0 });
    expect(seen.sort()).toEqual(["job_after_fail:done", "job_after_ok:done"]);
    const results = await deps.database.rows<{ id: string; status: string; result: string }>(
      sql`SELECT id, status, result FROM jobs WHERE kind = 'after.test' ORDER BY id`,
    );
    expect(results).toEqual([
      { id: "job_after_fail", status: "done", result: "failed after commit: the batch failed" },
      { id: "job_after_ok", status: "done", result: "pruned 3" },
    ]);
  });
});

describe("the retention settings", () => {
  it("cuts each rule off at its own window", () => {
    const now = new Date("2026-12-02T12:00:00Z");
    const c = retentionCutoffs(now, { IDEMPOTENCY_RETENTION_HOURS: 24, WEBHOOK_RETENTION_DAYS: 30, JOB_RETENTION_DAYS: 7 });
    expect(Object.fromEntries(Object.entries(c).map(([k, v]) => [k, v.toISOString()]))).toEqual({
      idempotency: "2026-12-01T12:00:00.000Z",
      webhooks: "2026-11-02T12:00:00.000Z",
      sessions: "2026-12-02T12:00:00.000Z",
      challenges: "2026-12-01T12:00:00.000Z",
      throttles: "2026-12-02T11:00:00.000Z",
      jobs: "2026-11-25T12:00:00.000Z",
      activations: "2026-12-01T12:00:00.000Z",
    });
  });

  it("keeps an Idempotency-Key 7 days by default and refuses a window under the contract's 24 hours", () => {
    const ok = parseEnv({});
    expect(ok.ok && ok.env.IDEMPOTENCY_RETENTION_HOURS).toBe(168);
    expect(ok.ok && [ok.env.WEBHOOK_RETENTION_DAYS, ok.env.JOB_RETENTION_DAYS, ok.env.RETENTION_BATCH_SIZE]).toEqual([30, 30, 1000]);
    const short = parseEnv({ IDEMPOTENCY_RETENTION_HOURS: "23" });
    expect(short.ok).toBe(false);
    expect(!short.ok && short.problems.join("\n")).toMatch(/^IDEMPOTENCY_RETENTION_HOURS: must be at least 24/m);
    const day = parseEnv({ IDEMPOTENCY_RETENTION_HOURS: "24" });
    expect(day.ok && day.env.IDEMPOTENCY_RETENTION_HOURS).toBe(24);
  });
});

// ---------------------------------------------------------------- no money record is ever deleted

/**
 * The tables that hold money or its history. Nothing in the API's source or its migrations
 * may DELETE from (or TRUNCATE) one of them: archiving is detaching a partition.
 */
const MONEY_TABLES = [
  "payments",
  "refunds",
  "orders",
  "order_events",
  "taps",
  "ledger_transactions",
  "ledger_postings",
  "ledger_accounts",
  "payouts",
  "payout_items",
  "disputes",
  "reconciliations",
  "reconciled_movements",
  // Listable by merchants (GET /v1/events), with no window in the contract.
  "events",
];

/** Drizzle's table objects by the name the source imports them as, mapped to their SQL names. */
const TABLES_BY_SYMBOL = new Map(
  Object.entries(schema)
    .filter(([, value]) => isTable(value))
    .map(([symbol, table]) => [symbol, getTableName(table as Parameters<typeof getTableName>[0])]),
);

interface DeleteFound {
  file: string;
  /** The SQL table name, or null when the statement does not name one in its text. */
  table: string | null;
  text: string;
}

/**
 * Every delete in one file's text: raw SQL `DELETE FROM t` and `TRUNCATE t`, and drizzle's
 * `.delete(table)` on a database or transaction handle (or on any schema table).
 */
function deletesIn(file: string, text: string): DeleteFound[] {
  const found: DeleteFound[] = [];
  for (const m of text.matchAll(/\b(?:DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+(?:ONLY\s+)?("?)([A-Za-z_][\w.]*)?\1/gi)) {
    found.push({ file, table: m[2] ? (m[2].split(".").pop() as string).toLowerCase() : null, text: m[0] });
  }
  for (const m of text.matchAll(/([\w$#.]*)\s*\.delete\(\s*([^)]*?)\s*\)/g)) {
    const receiver = m[1] ?? "";
    const arg = m[2] ?? "";
    const table = TABLES_BY_SYMBOL.get(arg);
    if (table) found.push({ file, table, text: m[0] });
    else if (/(^|\.)(db|tx)$/.test(receiver)) found.push({ file, table: null, text: m[0] });
  }
  return found;
}

function filesUnder(dir: string, ext: RegExp): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name), ext) : ext.test(e.name) ? [join(dir, e.name)] : [],
  );
}

describe("no money record is ever deleted", () => {
  const apiDir = fileURLToPath(new URL("..", import.meta.url));
  const files = [...filesUnder(join(apiDir, "src"), /\.ts$/), ...filesUnder(join(apiDir, "drizzle"), /\.sql$/)];
  const all = files.flatMap((f) => deletesIn(f.slice(apiDir.length), readFileSync(f, "utf8")));

  it("the scan finds raw and drizzle deletes, named or not", () => {
    // A tagged template's `${…}` as it appears in source text.
    const interpolation = (name: string) => `$${"{"}${name}}`;
    const sample = [
      "await db.delete(payments).where(eq(payments.id, id));",
      "await v.db\n    .delete(ledgerPostings)\n    .where(x);",
      `sql\`DELETE FROM taps WHERE id = ${interpolation("id")}\``,
      'DELETE FROM "ledger_transactions";',
      "sql`WITH gone AS (DELETE FROM refunds RETURNING 1) SELECT 1`",
      `sql\`DELETE FROM ${interpolation("table")} WHERE true\``,
      "TRUNCATE TABLE events;",
      "await tx.delete(someAlias);",
      "this.#inFlight.delete(running); seen.delete(key);",
    ].join("\n");
    expect(deletesIn("sample.ts", sample).map((d) => d.table)).toEqual([
      "taps",
      "ledger_transactions",
      "refunds",
      null,
      "events",
      "payments",
      "ledger_postings",
      null,
    ]);
  });

  it("reads the whole tree: retention's deletes and the known ones are found", () => {
    const tables = new Set(all.map((d) => d.table));
    for (const t of ["idempotency_keys", "webhook_deliveries", "webhook_attempts", "sessions", "jobs", "recovery_codes", "buyer_events"]) {
      expect(tables).toContain(t);
    }
    expect(files.some((f) => f.endsWith(".sql"))).toBe(true);
  });

  it("every delete in apps/api/src and the migrations names its table, and none is a money table", () => {
    expect(all.filter((d) => d.table === null).map((d) => `${d.file}: ${d.text}`)).toEqual([]);
    expect(all.filter((d) => MONEY_TABLES.includes(d.table as string)).map((d) => `${d.file}: ${d.text}`)).toEqual([]);
    // Every money table named above exists: a renamed table cannot slip out of the list.
    const known = new Set(TABLES_BY_SYMBOL.values());
    expect(MONEY_TABLES.filter((t) => !known.has(t))).toEqual([]);
  });
});
