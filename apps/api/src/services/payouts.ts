import {
  assignToPayout,
  availableAccounts,
  MAX_AMOUNT,
  type OpenMovement,
  type PayoutRef,
  payoutCreated,
  payoutReturned,
} from "@softrack/core";
import { and, eq, sql } from "drizzle-orm";
import { type PayoutRail, type PayoutTransfer, payoutRailFor } from "../connectors/payout-rail.js";
import type { AppEnv, Deps, MerchantPrincipal } from "../context.js";
import type { Db } from "../db/client.js";
import { bankAccounts, payoutItems, payoutSchedules, payouts } from "../db/schema/index.js";
import type { JobHandler } from "../jobs/registry.js";
import { cancelJob, jobVars } from "../jobs/runner.js";
import { ApiError, invalid, notFound } from "../lib/errors.js";
import { idFloor, idTime, newId } from "../lib/ids.js";
import { at } from "../lib/json.js";
import { checkCursor, type ListParams, listOwned } from "../lib/pagination.js";
import { pgArray } from "../lib/pg-array.js";
import { merchantOf } from "../middleware/auth.js";
import { auditAction } from "./auth.js";
import { type BankAccountRow, defaultBankAccount, findBankAccount } from "./bank-accounts.js";
import { emitEvent } from "./events.js";

type Vars = AppEnv["Variables"];
export type PayoutRow = typeof payouts.$inferSelect;

export function payoutObject(r: PayoutRow) {
  return {
    id: r.id,
    object: "payout" as const,
    created: r.createdAt.toISOString(),
    livemode: r.livemode,
    amount: r.amount,
    currency: r.currency,
    status: r.status,
    arrival_date: r.arrivalDate.toISOString(),
    bank_account: r.bankAccountId,
    automatic: r.automatic,
    failure_code: r.failureCode,
    failure_message: r.failureMessage,
  };
}

function railOf(v: Vars, livemode: boolean): PayoutRail {
  const rail = payoutRailFor(v.deps.livePayoutRail, livemode);
  if (!rail)
    throw invalid(
      "method_unavailable",
      "Live payouts need a payout rail, and the operator has configured none; test mode pays out through the simulator.",
    );
  return rail;
}

// ---------------------------------------------------------------- settlement report

/**
 * A transaction the API made in flight when a payout took its locks may commit after it, with
 * an id older than the cursor. So the next payout reads back this far before the cursor
 * (ids carry their creation time): a write never stays uncommitted this long (the pool's
 * statement timeout is far shorter), and a movement the look-back still missed is found by
 * the full read below, never lost.
 */
const LOOKBACK_MS = 10 * 60_000;
const PAYOUT_TYPES = ["payout", "payout.return"];

/** The merchant's movements of its available balance after `lower`, oldest first, each less what live payouts already took. */
async function openMovements(v: Vars, p: MerchantPrincipal, currency: string, lower: string): Promise<OpenMovement[]> {
  const ids = availableAccounts(p.merchantId, p.livemode, currency).map((a) => a.id);
  const rows = await v.deps.database.rows<{ id: string; remaining: number }>(
    sql`WITH net AS (
          SELECT t.id, sum(p.amount)::bigint AS net FROM ledger_transactions t
          JOIN ledger_postings p ON p.transaction_id = t.id
          WHERE t.merchant_id = ${p.merchantId} AND t.livemode = ${p.livemode} AND t.id > ${lower}
            AND t.type <> ALL(${pgArray(PAYOUT_TYPES)}::text[]) AND p.account_id = ANY(${pgArray(ids)}::text[])
          GROUP BY t.id),
        taken AS (
          SELECT transaction_id AS id, sum(amount)::bigint AS taken FROM payout_items
          WHERE merchant_id = ${p.merchantId} AND livemode = ${p.livemode} AND currency = ${currency}
            AND NOT released AND transaction_id > ${lower}
          GROUP BY transaction_id)
        SELECT net.id, (net.net - COALESCE(taken.taken, 0))::bigint AS remaining
        FROM net LEFT JOIN taken ON taken.id = net.id ORDER BY net.id`,
    v.db,
  );
  return rows.map((r) => ({ transactionId: r.id, remaining: Number(r.remaining) }));
}

/**
 * Assigns the oldest unsettled movements to a new payout (the core's assignToPayout) and
 * stores them, then moves the merchant's cursor past what is now wholly settled. Runs under
 * the available balance's locks, so two payouts never take the same movement.
 */
async function assignSettlement(v: Vars, p: MerchantPrincipal, payoutId: string, currency: string, amount: number) {
  const [cursor] = await v.deps.database.rows<{ settled_through: string }>(
    sql`SELECT settled_through FROM payout_cursors WHERE merchant_id = ${p.merchantId} AND livemode = ${p.livemode} AND currency = ${currency}`,
    v.db,
  );
  let lower = cursor ? idFloor("transaction", idTime(cursor.settled_through) - LOOKBACK_MS) : "";
  let open = await openMovements(v, p, currency, lower);
  let assigned = assignToPayout(open, amount);
  if (!assigned.covered && lower !== "") {
    v.deps.logger.warn(
      { merchant: p.merchantId, currency },
      "payout settlement: movements before the look-back were open; read the whole history",
    );
    lower = "";
    open = await openMovements(v, p, currency, lower);
    assigned = assignToPayout(open, amount);
  }
  // The ledger let the payout through, so its movements add up to it: anything else is a bug.
  if (!assigned.covered) throw new Error(`payout ${payoutId}: the open movements do not cover ${amount} ${currency}`);
  if (assigned.items.length > 0) {
    await v.db.insert(payoutItems).values(
      assigned.items.map((it, line) => ({
        payoutId,
        line,
        merchantId: p.merchantId,
        livemode: p.livemode,
        currency,
        transactionId: it.transactionId,
        amount: it.amount,
      })),
    );
  }
  const next = assigned.settledThrough ?? open.find((m) => m.remaining !== 0)?.transactionId;
  if (next) {
    await v.deps.database.rows(
      sql`INSERT INTO payout_cursors (merchant_id, livemode, currency, settled_through)
          VALUES (${p.merchantId}, ${p.livemode}, ${currency}, ${next})
          ON CONFLICT (merchant_id, livemode, currency) DO UPDATE SET settled_through = EXCLUDED.settled_through`,
      v.db,
    );
  }
}

/** A failed or canceled payout's movements are free again: the cursor goes back to the oldest of them. */
async function releaseSettlement(v: Vars, po: PayoutRow) {
  await v.deps.database.rows(
    sql`WITH freed AS (UPDATE payout_items SET released = true WHERE payout_id = ${po.id} AND NOT released RETURNING transaction_id)
        UPDATE payout_cursors c SET settled_through = LEAST(c.settled_through, (SELECT min(transaction_id) FROM freed))
        WHERE c.merchant_id = ${po.merchantId} AND c.livemode = ${po.livemode} AND c.currency = ${po.currency}
          AND EXISTS (SELECT 1 FROM freed)`,
    v.db,
  );
}

// ---------------------------------------------------------------- payouts

/** POST /v1/payouts: a payout of `amount`, or a refusal. */
export async function createPayout(
  v: Vars,
  input: { amount: number; currency: string; bank_account?: string | undefined },
): Promise<PayoutRow> {
  return (await makePayout(v, input)) as PayoutRow;
}

/**
 * A payout of `amount`, or (the schedule) of everything available once it reaches `minimum`
 * (null below it). Runs in the caller's transaction: the request's unit of work, or the job's.
 */
async function makePayout(
  v: Vars,
  input: { amount: number | "available"; currency: string; bank_account?: string | undefined },
  opts: { automatic?: boolean; minimum?: number } = {},
): Promise<PayoutRow | null> {
  const p = merchantOf(v);
  const rail = railOf(v, p.livemode);
  let account: BankAccountRow | undefined;
  if (input.bank_account) {
    account = await findBankAccount(v.db, p, input.bank_account, "bank_account");
    if (account.currency !== input.currency)
      throw invalid(
        "bank_account_currency_mismatch",
        `The bank account ${account.id} takes ${account.currency}, not ${input.currency}.`,
        "bank_account",
      );
  } else {
    account = await defaultBankAccount(v.db, p, input.currency);
    if (!account)
      throw invalid(
        "bank_account_missing",
        `There is no bank account for ${input.currency} payouts: add one with POST /v1/bank_accounts, or name one in bank_account.`,
        "bank_account",
      );
  }
  // Every shard of the available balance, locked (and made, at zero, if missing) in id order as
  // every debit of it is: while the payout holds them nothing else moves that balance.
  const { shards, locked } = await v.deps.ledger.lockAvailable(v.db, {
    merchantId: p.merchantId,
    livemode: p.livemode,
    currency: input.currency,
  });
  const available = shards.reduce((t, s) => t + Math.max(0, s.balance), 0);
  // A scheduled payout carries at most the largest amount (as a requested one may): what is left
  // above it goes in the next one.
  const amount = input.amount === "available" ? Math.min(available, MAX_AMOUNT) : input.amount;
  if (input.amount === "available" && (amount <= 0 || amount < (opts.minimum ?? 0))) return null;
  if (amount > available)
    throw invalid(
      "balance_insufficient",
      `The payout of ${amount} exceeds the available balance of ${available} ${input.currency}.`,
      "amount",
      { available },
    );
  const now = v.deps.now();
  const id = newId("payout");
  const ref: PayoutRef = { payoutId: id, merchantId: p.merchantId, livemode: p.livemode, currency: input.currency, amount };
  const posting = await v.deps.ledger.prepare(v.db, [payoutCreated(ref, shards)], locked);
  if (!posting.results[0]?.ok) throw new Error(`payout ${id} rejected by the ledger`);
  await assignSettlement(v, p, id, input.currency, amount);
  const [row] = await v.db
    .insert(payouts)
    .values({
      id,
      merchantId: p.merchantId,
      livemode: p.livemode,
      amount,
      currency: input.currency,
      bankAccountId: account.id,
      automatic: opts.automatic ?? false,
      arrivalDate: rail.arrivalDate(now, input.currency),
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  const po = row as PayoutRow;
  // Pending until the rail's next hand-over to the bank (cancelable until then).
  await scheduleAt(v, "payout.submit", po, new Date(now.getTime() + SUBMIT_AFTER_MS));
  await announce(v, po, "payout.created");
  // The ledger last: the clearing shard it credits is shared by every merchant's payouts, and
  // stays locked from this statement to the COMMIT only.
  await posting.write();
  return po;
}

/** How long a payout stays pending (cancelable) before it is handed to the bank. */
const SUBMIT_AFTER_MS = 60 * 60_000;

async function scheduleAt(v: Vars, kind: "payout.submit" | "payout.settle", po: PayoutRow, runAt: Date) {
  await v.deps.database.rows(
    sql`INSERT INTO jobs (id, kind, dedupe_key, run_at, payload, livemode)
        VALUES (${newId("job")}, ${kind}, ${`${kind}:${po.id}`}, ${at(runAt)},
                ${JSON.stringify({ merchant_id: po.merchantId, payout: po.id })}::jsonb, ${po.livemode})
        ON CONFLICT (dedupe_key) DO NOTHING`,
    v.db,
  );
}

async function announce(v: Vars, po: PayoutRow, type: "payout.created" | "payout.paid" | "payout.failed" | "payout.canceled") {
  await emitEvent(v.deps.database, v.db, { merchantId: po.merchantId, livemode: po.livemode, type, object: payoutObject(po) });
}

export async function findPayout(db: Db, p: MerchantPrincipal, id: string, lock = false): Promise<PayoutRow> {
  const q = db
    .select()
    .from(payouts)
    .where(and(eq(payouts.id, id), eq(payouts.merchantId, p.merchantId), eq(payouts.livemode, p.livemode)));
  const [row] = lock ? await q.for("update") : await q;
  if (!row) throw notFound("payout", id);
  return row;
}

export function listPayouts(v: Vars, q: ListParams) {
  return listOwned(v.db, merchantOf(v), payouts, q, "/v1/payouts");
}

/** The payout's amount back to available, its movements free again, and its new status. */
async function returnPayout(
  v: Vars,
  po: PayoutRow,
  status: "failed" | "canceled",
  failure?: { code: string; message: string },
): Promise<PayoutRow> {
  const ref: PayoutRef = { payoutId: po.id, merchantId: po.merchantId, livemode: po.livemode, currency: po.currency, amount: po.amount };
  const [posted] = await v.deps.ledger.post(v.db, [payoutReturned(ref)]);
  if (!posted?.ok) throw new Error(`return of payout ${po.id} rejected by the ledger`);
  await releaseSettlement(v, po);
  const [row] = await v.db
    .update(payouts)
    .set({ status, failureCode: failure?.code ?? null, failureMessage: failure?.message ?? null, updatedAt: v.deps.now() })
    .where(eq(payouts.id, po.id))
    .returning();
  const out = row as PayoutRow;
  await announce(v, out, status === "failed" ? "payout.failed" : "payout.canceled");
  return out;
}

export async function cancelPayout(v: Vars, id: string): Promise<PayoutRow> {
  // The submission job first, then the payout: the job runner holds the job it claimed and then
  // locks its payout, and a cancel that took them the other way round waited on it while it
  // waited on the cancel. A payout not found or not pending rolls this back with the rest.
  await cancelJob(v.db, `payout.submit:${id}`);
  const po = await findPayout(v.db, merchantOf(v), id, true);
  if (po.status !== "pending")
    throw new ApiError(
      400,
      "invalid_request_error",
      "payout_unexpected_state",
      `Only a pending payout can be canceled; ${po.id} is ${po.status}.`,
      undefined,
      { payout_status: po.status },
    );
  return returnPayout(v, po, "canceled");
}

// ---------------------------------------------------------------- settlement report

/** One line of a payout's settlement report: the part of a balance movement the payout carries. */
interface ReportLine {
  transaction_id: string;
  amount: number;
  currency: string;
  type: string;
  source_id: string | null;
  description: string | null;
  created_at: Date | string;
  livemode: boolean;
  fee: number;
}

async function reportLines(
  v: Vars,
  po: PayoutRow,
  q: { limit: number; starting_after?: string | undefined; ending_before?: string | undefined },
) {
  const cursor = q.ending_before
    ? sql`AND i.transaction_id > ${q.ending_before}`
    : q.starting_after
      ? sql`AND i.transaction_id < ${q.starting_after}`
      : sql``;
  // A cursor is a line of this payout's report.
  await checkCursor(
    q,
    "payout transaction",
    async (id) =>
      (await v.deps.database.rows(sql`SELECT 1 FROM payout_items WHERE payout_id = ${po.id} AND transaction_id = ${id}`, v.db)).length > 0,
  );
  const order = q.ending_before ? sql`ASC` : sql`DESC`;
  const limit = sql`LIMIT ${q.limit + 1}`;
  return v.deps.database.rows<ReportLine>(
    // A movement split over payouts shows its fee once, on the first part a payout still carries
    // (not released by a failure or a cancel): summed over the reports, every fee counts once.
    sql`SELECT i.transaction_id, i.amount, i.currency, t.type, t.source_id, t.description, t.created_at, t.livemode,
               CASE WHEN i.released OR EXISTS (
                      SELECT 1 FROM payout_items o
                      WHERE o.merchant_id = i.merchant_id AND o.livemode = i.livemode AND o.currency = i.currency
                        AND o.transaction_id = i.transaction_id AND NOT o.released AND o.payout_id < i.payout_id)
                    THEN 0
                    ELSE (SELECT COALESCE(sum(p.amount), 0) FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id
                          WHERE p.transaction_id = i.transaction_id AND a.kind = 'platform_revenue') END::bigint AS fee
        FROM payout_items i JOIN ledger_transactions t ON t.id = i.transaction_id
        WHERE i.payout_id = ${po.id} ${cursor}
        ORDER BY i.transaction_id ${order} ${limit}`,
    v.db,
  );
}

function reportObject(r: ReportLine) {
  return {
    id: r.transaction_id,
    object: "payout_transaction" as const,
    created: new Date(r.created_at).toISOString(),
    livemode: r.livemode,
    type: r.type,
    source: r.source_id,
    description: r.description,
    amount: Number(r.amount),
    fee: Number(r.fee),
    currency: r.currency,
  };
}

/** GET /v1/payouts/:id/transactions: newest first, paginated by the movement's id, like every list. */
export async function payoutTransactions(v: Vars, id: string, q: ListParams) {
  const po = await findPayout(v.db, merchantOf(v), id);
  const rows = await reportLines(v, po, q);
  const has_more = rows.length > q.limit;
  const page = rows.slice(0, q.limit);
  if (q.ending_before) page.reverse();
  return { object: "list" as const, url: `/v1/payouts/${po.id}/transactions`, has_more, data: page.map(reportObject) };
}

// ---------------------------------------------------------------- schedule

export const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"] as const;
type Schedule = typeof payoutSchedules.$inferSelect;
const DAY_MS = 86_400_000;

/** The schedule's next run strictly after `after`: the next midnight UTC (weekly: of the anchor day). Manual: none. */
export function nextScheduledRun(s: Pick<Schedule, "interval" | "weeklyAnchor">, after: Date): Date | null {
  if (s.interval === "manual") return null;
  let day = Math.floor(after.getTime() / DAY_MS) * DAY_MS + DAY_MS;
  if (s.interval === "weekly") {
    const anchor = WEEKDAYS.indexOf((s.weeklyAnchor ?? "monday") as (typeof WEEKDAYS)[number]);
    while (new Date(day).getUTCDay() !== anchor) day += DAY_MS;
  }
  return new Date(day);
}

/**
 * When the schedule's runs continue from: now, or the latest run already made if it is later (in
 * test mode run_jobs moves a merchant's clock ahead of the server's). A run at a time that already
 * ran is never made again, so planning from the server's clock alone would plan nothing.
 */
async function runsFrom(v: Vars, p: MerchantPrincipal, now: Date): Promise<Date> {
  const [row] = await v.deps.database.rows<{ last: Date | string | null }>(
    sql`SELECT max(run_at) AS last FROM jobs
        WHERE kind = 'payout.scheduled' AND status = 'done' AND livemode = ${p.livemode} AND payload->>'merchant_id' = ${p.merchantId}`,
    v.db,
  );
  const last = row?.last ? new Date(row.last) : null;
  return last && last.getTime() > now.getTime() ? last : now;
}

function scheduleObject(p: MerchantPrincipal, s: Schedule | undefined, from: Date) {
  const interval = s?.interval ?? "manual";
  const next = s ? nextScheduledRun(s, from) : null;
  return {
    object: "payout_schedule" as const,
    livemode: p.livemode,
    interval,
    weekly_anchor: (s?.weeklyAnchor ?? null) as (typeof WEEKDAYS)[number] | null,
    minimum: s?.minimum ?? 0,
    next_run: next?.toISOString() ?? null,
  };
}

export async function getPayoutSchedule(v: Vars) {
  const p = merchantOf(v);
  const [s] = await v.db
    .select()
    .from(payoutSchedules)
    .where(and(eq(payoutSchedules.merchantId, p.merchantId), eq(payoutSchedules.livemode, p.livemode)));
  return scheduleObject(p, s, await runsFrom(v, p, v.deps.now()));
}

/**
 * Sets the schedule and (re)plans its next run as one job per merchant, mode and run time:
 * the job runs once across processes (jobs/runner.ts), and a changed schedule cancels the
 * run it no longer wants. The schedule row's lock orders concurrent changes.
 */
export async function putPayoutSchedule(
  v: Vars,
  input: { interval: "manual" | "daily" | "weekly"; weekly_anchor?: string | undefined; minimum?: number | undefined },
  ip: string,
) {
  const p = merchantOf(v);
  if (input.interval !== "weekly" && input.weekly_anchor !== undefined)
    throw invalid("parameter_invalid", "weekly_anchor applies to a weekly schedule only.", "weekly_anchor");
  if (input.interval === "weekly" && input.weekly_anchor === undefined)
    throw invalid("parameter_missing", "A weekly schedule needs weekly_anchor (monday … sunday).", "weekly_anchor");
  const now = v.deps.now();
  const values = {
    merchantId: p.merchantId,
    livemode: p.livemode,
    interval: input.interval,
    weeklyAnchor: input.weekly_anchor ?? null,
    minimum: input.minimum ?? 0,
    updatedAt: now,
  };
  const [s] = await v.db
    .insert(payoutSchedules)
    .values(values)
    .onConflictDoUpdate({ target: [payoutSchedules.merchantId, payoutSchedules.livemode], set: values })
    .returning();
  const schedule = s as Schedule;
  const from = await runsFrom(v, p, now);
  const next = nextScheduledRun(schedule, from);
  await v.deps.database.rows(
    sql`UPDATE jobs SET status = 'canceled', finished_at = now()
        WHERE kind = 'payout.scheduled' AND status = 'scheduled' AND livemode = ${p.livemode}
          AND payload->>'merchant_id' = ${p.merchantId} AND (${next ? at(next) : null}::timestamptz IS NULL OR run_at <> ${next ? at(next) : null}::timestamptz)`,
    v.db,
  );
  if (next) await planScheduledRun(v.deps, v.db, p, next);
  // How often the balance leaves on its own: audited with who set it.
  await auditAction(v, p, ip, "payout_schedule.updated", {
    interval: schedule.interval,
    weekly_anchor: schedule.weeklyAnchor,
    minimum: schedule.minimum,
  });
  return scheduleObject(p, schedule, from);
}

/** One run per merchant, mode and time: a run canceled by an earlier change comes back; one that ran does not. */
async function planScheduledRun(deps: Deps, db: Db, p: { merchantId: string; livemode: boolean }, runAt: Date) {
  await deps.database.rows(
    sql`INSERT INTO jobs (id, kind, dedupe_key, run_at, payload, livemode)
        VALUES (${newId("job")}, 'payout.scheduled', ${`payout.scheduled:${p.merchantId}:${p.livemode ? "live" : "test"}:${runAt.toISOString()}`},
                ${at(runAt)}, ${JSON.stringify({ merchant_id: p.merchantId, livemode: p.livemode })}::jsonb, ${p.livemode})
        ON CONFLICT (dedupe_key) DO UPDATE SET status = 'scheduled', finished_at = NULL WHERE jobs.status = 'canceled'`,
    db,
  );
}

// ---------------------------------------------------------------- jobs

async function transferOf(deps: Deps, db: Db, po: PayoutRow): Promise<PayoutTransfer> {
  const [a] = await db.select().from(bankAccounts).where(eq(bankAccounts.id, po.bankAccountId));
  if (!a) throw new Error(`payout ${po.id}: bank account ${po.bankAccountId} is gone`);
  return {
    payoutId: po.id,
    amount: po.amount,
    currency: po.currency,
    livemode: po.livemode,
    account: { country: a.country, accountNumber: deps.box.open(a.accountNumberSealed), bankCode: a.bankCode, holderName: a.holderName },
  };
}

async function lockedPayout(db: Db, id: unknown): Promise<PayoutRow | undefined> {
  const [po] = await db
    .select()
    .from(payouts)
    .where(eq(payouts.id, String(id)))
    .for("update");
  return po;
}

/** pending → in_transit: handed to the bank; the outcome is asked for at the arrival date. */
const submitPayout: JobHandler<Deps> = async (run) => {
  const po = await lockedPayout(run.tx, run.payload.payout);
  if (po?.status !== "pending") return `skipped: ${po?.status ?? "missing"}`;
  const v = jobVars(run, po.merchantId, po.livemode);
  const rail = payoutRailFor(run.deps.livePayoutRail, po.livemode);
  if (!rail) return "skipped: no payout rail";
  await rail.submit(await transferOf(run.deps, run.tx, po));
  const [row] = await run.tx.update(payouts).set({ status: "in_transit", updatedAt: run.now }).where(eq(payouts.id, po.id)).returning();
  await scheduleAt(v, "payout.settle", row as PayoutRow, po.arrivalDate);
  return "in_transit";
};

/** in_transit → paid, or failed (the amount returns to available). */
const settlePayout: JobHandler<Deps> = async (run) => {
  const po = await lockedPayout(run.tx, run.payload.payout);
  if (po?.status !== "in_transit") return `skipped: ${po?.status ?? "missing"}`;
  const v = jobVars(run, po.merchantId, po.livemode);
  const rail = payoutRailFor(run.deps.livePayoutRail, po.livemode);
  if (!rail) return "skipped: no payout rail";
  const outcome = await rail.outcome(await transferOf(run.deps, run.tx, po));
  if (outcome.status === "failed") {
    await returnPayout(v, po, "failed", { code: outcome.failureCode, message: outcome.failureMessage });
    return `failed: ${outcome.failureCode}`;
  }
  const [row] = await run.tx.update(payouts).set({ status: "paid", updatedAt: run.now }).where(eq(payouts.id, po.id)).returning();
  await announce(v, row as PayoutRow, "payout.paid");
  return "paid";
};

/** A scheduled run: the whole available balance of each currency, when it reaches the minimum, then the next run. */
const runSchedule: JobHandler<Deps> = async (run) => {
  const merchantId = String(run.payload.merchant_id);
  const livemode = run.payload.livemode === true;
  const [s] = await run.tx
    .select()
    .from(payoutSchedules)
    .where(and(eq(payoutSchedules.merchantId, merchantId), eq(payoutSchedules.livemode, livemode)))
    .for("update");
  if (!s || s.interval === "manual") return "skipped: manual";
  const v = jobVars(run, merchantId, livemode);
  const made: string[] = [];
  if (payoutRailFor(run.deps.livePayoutRail, livemode)) {
    const currencies = await run.deps.database.rows<{ currency: string }>(
      sql`SELECT DISTINCT b.currency FROM bank_accounts b
          WHERE b.merchant_id = ${merchantId} AND b.livemode = ${livemode} AND b.default_for_currency AND b.deleted_at IS NULL
          ORDER BY b.currency`,
      run.tx,
    );
    for (const { currency } of currencies) {
      const po = await makePayout(v, { amount: "available", currency }, { automatic: true, minimum: Math.max(1, s.minimum) });
      if (po) made.push(po.id);
    }
  }
  const next = nextScheduledRun(s, run.now);
  if (next) await planScheduledRun(run.deps, run.tx, { merchantId, livemode }, next);
  return made.length > 0 ? `payouts ${made.join(",")}` : "nothing to pay out";
};

/** The payout service's background jobs, for the runtime's registry (server.ts). */
export const payoutJobs: Readonly<Record<string, JobHandler<Deps>>> = {
  "payout.submit": submitPayout,
  "payout.settle": settlePayout,
  "payout.scheduled": runSchedule,
};
