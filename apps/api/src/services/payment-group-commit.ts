import { getTableColumns, sql } from "drizzle-orm";
import type pg from "pg";
import type { AppEnv, Deps, MerchantPrincipal } from "../context.js";
import { type Database, inlineTransaction } from "../db/client.js";
import { isDatabaseDown } from "../db/errors.js";
import { rowReader, rowWriter } from "../db/rows.js";
import { customers, payments } from "../db/schema/index.js";
import { ApiError, notFound } from "../lib/errors.js";
import { pgArray } from "../lib/pg-array.js";
import { merchantOf } from "../middleware/auth.js";
import { GroupCommit } from "../store/group-commit.js";
import type { LedgerEntry } from "../store/ledger-store.js";
import { type EventDraft, eventsStatement } from "./events.js";
import {
  applyOrThrow,
  type CreatePaymentInput,
  checkClientSecret,
  checkConfirmable,
  confirmPayment,
  createPayment,
  creatingMerchant,
  ledgerEntries,
  newPaymentRow,
  type Outcome,
  type PaymentRow,
  payingCustomer,
  planWalletConfirm,
  statusEvent,
  WALLET_DECLINE,
} from "./payments.js";

type Vars = AppEnv["Variables"];
type ConfirmBody = { payment_method_data: Record<string, unknown>; client_secret?: string | undefined };

interface Confirmation {
  v: Vars;
  id: string;
  body: ConfirmBody;
}
/** `later`: decided in a transaction of its own after the group (a payment of an order: its order moves with it). */
type Decision = { outcome: Outcome } | { error: unknown } | { later: true };

/** Most confirmations one transaction decides: its statements stay well under a megabyte. */
const MAX_GROUP = 500;
/**
 * Groups of one merchant in flight at once: the next prepares while the last commits. More made
 * smaller groups and cost more per payment (payments bench, 64 connections: 718/s at 2,
 * 599/s at 4, 387/s at 8).
 */
const IN_FLIGHT = 2;
/**
 * A group that failed because the database went away is not retried item by item: its COMMIT
 * may have landed, so the answer is 503 and the client reads the payment (or retries with a key).
 */
const GROUPS = { maxGroup: MAX_GROUP, inFlight: IN_FLIGHT, retryAlone: (err: unknown) => !isDatabaseDown(err) };

const readPayment = rowReader(payments);
const readCustomer = rowReader(customers);

/**
 * Wallet confirmations sent without an Idempotency-Key to a PostgreSQL server commit in
 * transactions of their own, grouped (see confirmWallets), not in the request's unit of work:
 * the payment's status machine already gives a confirmation one effect (a second one finds the
 * payment succeeded or failed and is refused), and a unit of work would only add round trips.
 * With a key, the unit of work keeps the key's record and its effect in one transaction.
 */
export function confirmCommitsItself(deps: Deps, idempotencyKey: string | undefined, body: unknown): boolean {
  const data = (body as { payment_method_data?: { type?: unknown } } | null)?.payment_method_data;
  return deps.database.driver === "postgres" && deps.database.pool !== undefined && idempotencyKey === undefined && data?.type === "wallet";
}

/**
 * Payments created without an Idempotency-Key on a PostgreSQL server, without a purpose (a
 * top-up, tax or order payment has checks of its own) and without confirm: true, are inserted by groups in one
 * statement, outside a unit of work: a create without a key is a new payment each time anyway.
 */
export function createCommitsItself(deps: Deps, idempotencyKey: string | undefined, body: unknown): boolean {
  return (
    deps.database.driver === "postgres" &&
    idempotencyKey === undefined &&
    body !== null &&
    typeof body === "object" &&
    (body as { purpose?: unknown }).purpose === undefined &&
    // Created and confirmed in one request: one unit of work for both.
    (body as { confirm?: unknown }).confirm !== true
  );
}

const writePayment = rowWriter(payments);
/**
 * The INSERT names every column rather than trusting positions; the database's clock stamps the
 * rows, as a payment created alone gets from the columns' default.
 */
const PAYMENT_COLUMNS = Object.values(getTableColumns(payments)).map((c) => c.name);
const INSERT_COLUMNS = sql.raw(PAYMENT_COLUMNS.map((n) => `"${n}"`).join(", "));
const SELECT_COLUMNS = sql.raw(PAYMENT_COLUMNS.map((n) => (n === "created_at" || n === "updated_at" ? "now()" : `r."${n}"`)).join(", "));

/** A lone UTF-16 surrogate (with the u flag a well-formed pair is one code point and does not match). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * Whether every string in `value` can travel in a group's statement. One that cannot would fail
 * the whole group (every neighbour's work rolled back and retried); such a request is decided
 * alone, in a transaction of its own, where it is answered as it always was.
 */
function isStorable(value: unknown): boolean {
  // U+0000 PostgreSQL refuses; a lone surrogate the driver would replace (alone) or JSON would carry as an escape PostgreSQL refuses.
  if (typeof value === "string") return !value.includes("\u0000") && !LONE_SURROGATE.test(value);
  if (Array.isArray(value)) return value.every(isStorable);
  if (value !== null && typeof value === "object") return Object.values(value).every(isStorable);
  return true;
}

/** A request decided the way a unit of work would: one transaction of its own. */
async function alone<R>(v: Vars, work: (v: Vars) => Promise<R>): Promise<R> {
  const out = await v.deps.database.db.transaction((tx) => work({ ...v, db: tx }));
  v.deps.committed.notify();
  return out;
}
/** One group commit per running API (its Deps), made on first use. */
function perApi<T, R>(make: (deps: Deps) => GroupCommit<T, R>): (deps: Deps) => GroupCommit<T, R> {
  const made = new WeakMap<Deps, GroupCommit<T, R>>();
  return (deps) => {
    let group = made.get(deps);
    if (!group) {
      group = make(deps);
      made.set(deps, group);
    }
    return group;
  };
}

const creates = perApi((deps) => new GroupCommit<PaymentRow, Date | null>((rows) => insertPayments(deps.database, rows), GROUPS));

/** POST /v1/payments: grouped when it commits itself, otherwise in the request's unit of work. */
export async function createPaymentRequest(v: Vars, input: CreatePaymentInput, idempotencyKey: string | undefined): Promise<PaymentRow> {
  if (!createCommitsItself(v.deps, idempotencyKey, input)) return createPayment(v, input);
  if (!isStorable(input)) return alone(v, (tv) => createPayment(tv, input));
  const p = creatingMerchant(v);
  const row = newPaymentRow(v, p, input, null, null);
  const created = await creates(v.deps).submit(`${p.merchantId}:${p.livemode}`, row);
  if (!created) throw notFound("customer", input.customer as string, "customer");
  return { ...row, createdAt: created, updatedAt: created };
}

/**
 * One statement, its own transaction: the rows go as one JSON parameter; a payment naming a
 * customer the merchant does not have is not inserted (null: the caller answers 404); the others
 * get the instant the database stamped them with.
 */
async function insertPayments(database: Database, rows: readonly PaymentRow[]): Promise<(Date | null)[]> {
  const inserted = await database.rows<{ id: string; created_at: string | Date }>(
    sql`INSERT INTO payments (${INSERT_COLUMNS})
        SELECT ${SELECT_COLUMNS} FROM json_populate_recordset(NULL::payments, ${JSON.stringify(rows.map(writePayment))}::json) r
        WHERE r.customer_id IS NULL
           OR EXISTS (SELECT 1 FROM customers c WHERE c.id = r.customer_id AND c.merchant_id = r.merchant_id AND c.livemode = r.livemode)
        RETURNING id, created_at`,
  );
  const stamped = new Map(inserted.map((r) => [r.id, new Date(r.created_at)]));
  return rows.map((r) => stamped.get(r.id) ?? null);
}

const confirmations = perApi(
  (deps) => new GroupCommit<Confirmation, Decision>((items) => confirmWallets(deps.database.pool as pg.Pool, items), GROUPS),
);

/** POST /v1/payments/:id/confirm: grouped when it commits itself, otherwise in the request's unit of work. */
export async function confirmPaymentRequest(v: Vars, id: string, body: ConfirmBody, idempotencyKey: string | undefined): Promise<Outcome> {
  // confirmCommitsItself holds only with a pool (a PostgreSQL server).
  if (!confirmCommitsItself(v.deps, idempotencyKey, body)) return confirmPayment(v, id, body);
  if (!isStorable([id, body])) return alone(v, (tv) => confirmPayment(tv, id, body));
  const p = merchantOf(v);
  const decision = await confirmations(v.deps).submit(`${p.merchantId}:${p.livemode}`, { v, id, body });
  if ("error" in decision) throw decision.error;
  if ("later" in decision) return alone(v, (tv) => confirmPayment(tv, id, body));
  v.deps.committed.notify();
  return decision.outcome;
}

/**
 * Wallet confirmations of one merchant decided together in one transaction, two round trips:
 *
 * 1. BEGIN and three reads in one message: the payments (locked, in id order), their customers,
 *    and the customers' wallets (locked, in id order, so groups never deadlock on each other);
 * 2. the decisions in memory, in arrival order — the same checks, state machine and ledger rules
 *    as a confirmation on its own (a wallet pays for what it still holds after the confirmations
 *    before it) — then every write and the COMMIT in one message: the payments' new states, their
 *    events, and the ledger's one statement.
 *
 * Each confirmation gets its own answer: a decline (402) or an error does not touch the others.
 */
async function confirmWallets(pool: pg.Pool, items: readonly Confirmation[]): Promise<Decision[]> {
  const first = items[0] as Confirmation;
  const p = merchantOf(first.v) as MerchantPrincipal;
  return inlineTransaction(pool, "generic", async (tx) => {
    const ids = [...new Set(items.map((i) => i.id))];
    const named = [...new Set(items.map((i) => i.body.payment_method_data.customer).filter((c): c is string => typeof c === "string"))];
    // The customers a group can involve: named in a confirmation, or the payments' own. Looked up
    // by primary key only: on a generic plan, `merchant_id = $n` in the same WHERE made the
    // planner walk the merchant's index through all of its customers (2,000 on the bench);
    // `IS NOT DISTINCT FROM` keeps the tenant filter but is no index condition.
    const theirCustomers = sql`SELECT c.id, c.wallet_currency FROM customers c
        WHERE c.id = ANY(ARRAY(SELECT customer_id FROM payments WHERE id = ANY(${pgArray(ids)}::text[]) AND customer_id IS NOT NULL)
                         || ${pgArray(named)}::text[])
          AND (c.merchant_id, c.livemode) IS NOT DISTINCT FROM (${p.merchantId}::text, ${p.livemode}::boolean)`;
    const [paymentRows, customerRows, walletRows] = await tx.reads([
      sql`SELECT * FROM payments WHERE id = ANY(${pgArray(ids)}::text[]) AND merchant_id = ${p.merchantId} AND livemode = ${p.livemode}
          ORDER BY id FOR UPDATE`,
      sql`SELECT * FROM customers WHERE id = ANY(ARRAY(SELECT k.id FROM (${theirCustomers}) k))`,
      // The wallet's account id as walletAccount() names it.
      sql`SELECT id, balance FROM ledger_accounts
          WHERE id = ANY(ARRAY(SELECT 'customer:' || k.id || ':wallet:' || k.wallet_currency FROM (${theirCustomers}) k))
          ORDER BY id FOR UPDATE`,
    ]);
    const byId = new Map((paymentRows ?? []).map((r) => [r.id as string, readPayment(r)]));
    const customerById = new Map((customerRows ?? []).map((r) => [r.id as string, readCustomer(r)]));
    const wallets = new Map((walletRows ?? []).map((r) => [r.id as string, Number(r.balance)]));

    const decisions: Decision[] = [];
    const planned: {
      index: number;
      before: PaymentRow;
      plan: ReturnType<typeof planWalletConfirm>;
      entry: LedgerEntry;
      fee: Awaited<ReturnType<typeof ledgerEntries>>["fee"];
    }[] = [];
    const seen = new Set<string>();
    for (const [index, item] of items.entries()) {
      try {
        // The same payment twice in one group: the second goes after the group and finds it decided.
        if (seen.has(item.id)) {
          decisions.push({ later: true });
          continue;
        }
        seen.add(item.id);
        const r = byId.get(item.id);
        if (!r) throw notFound("payment", item.id);
        checkClientSecret(merchantOf(item.v), r, item.body.client_secret);
        checkConfirmable(r, "wallet");
        if (r.orderId) {
          decisions.push({ later: true });
          continue;
        }
        const customerId = payingCustomer(merchantOf(item.v) as MerchantPrincipal, r, item.body.payment_method_data);
        const customer = customerById.get(customerId);
        if (!customer) throw notFound("customer", customerId, "payment_method_data.customer");
        const plan = planWalletConfirm(r, customer);
        // Fees priced on the group's own connection: a tariff read from the main pool while this
        // transaction holds its connection could wait for a connection other groups hold.
        const { entries, fee } = await ledgerEntries({ ...item.v, db: tx.db }, plan.withMethod, plan.t.effects);
        // A confirmation is one ledger entry (a capture, or a hold); anything else is decided alone,
        // where its entries are all or nothing.
        if (entries.length !== 1) {
          decisions.push({ later: true });
          continue;
        }
        planned.push({ index, before: r, plan, entry: entries[0] as LedgerEntry, fee });
        decisions.push({ later: true }); // replaced below, once the ledger has decided
      } catch (error) {
        // A refusal of this request only; anything else (a database error) fails the group.
        if (!(error instanceof ApiError)) throw error;
        decisions.push({ error });
      }
    }
    // One decision for all entries, in order, against the locked wallets (see LedgerStore.prepare).
    const prepared = await first.v.deps.ledger.prepare(
      tx.db,
      planned.map((x) => x.entry),
      wallets,
    );
    const now = new Date();
    const rows: PaymentRow[] = [];
    const events: EventDraft[] = [];
    for (const [i, x] of planned.entries()) {
      const accepted = prepared.results[i]?.ok === true;
      const item = items[x.index] as Confirmation;
      const s = accepted ? x.plan.t.state : applyOrThrow(x.before, { type: "confirm", outcome: "declined" }).state;
      const after: PaymentRow = {
        ...x.before,
        ...x.plan.patch,
        status: s.status,
        amountCapturable: s.amount_capturable,
        amountCaptured: s.amount_captured,
        updatedAt: now,
        ...(accepted
          ? x.fee && { fee: x.fee.fee, feeTariff: x.fee.tariff }
          : { lastError: { ...WALLET_DECLINE }, nextAction: null, challengeHash: null }),
      };
      rows.push(after);
      const event = statusEvent(item.v, x.before, after);
      if (event) events.push(event);
      decisions[x.index] = { outcome: accepted ? { payment: after } : { payment: after, declined: { ...WALLET_DECLINE } } };
    }
    const writes = [savePayments(rows), ...(events.length > 0 ? [eventsStatement(events).statement] : [])];
    const ledgerWrite = prepared.statement();
    // The ledger last: the hot rows it credits stay locked for one statement and the COMMIT.
    if (ledgerWrite) writes.push(ledgerWrite);
    // With nothing to write, inlineTransaction ends the transaction.
    if (rows.length > 0) await tx.commit(writes);
    return decisions;
  });
}

/** The confirmed payments' new states, one statement. */
function savePayments(rows: readonly PaymentRow[]) {
  const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
  return sql`UPDATE payments p SET status = u.status, method = u.method, payment_method_details = u.details, customer_id = u.customer_id,
               amount_capturable = u.capturable, amount_captured = u.captured, fee = u.fee, fee_tariff = u.fee_tariff,
               last_error = u.last_error, next_action = u.next_action, challenge_hash = u.challenge_hash, updated_at = u.updated_at
             FROM unnest(${pgArray(rows.map((r) => r.id))}::text[], ${pgArray(rows.map((r) => r.status))}::text[],
                         ${pgArray(rows.map((r) => r.method))}::text[], ${pgArray(rows.map((r) => json(r.paymentMethodDetails)))}::jsonb[],
                         ${pgArray(rows.map((r) => r.customerId))}::text[], ${pgArray(rows.map((r) => r.amountCapturable))}::bigint[],
                         ${pgArray(rows.map((r) => r.amountCaptured))}::bigint[], ${pgArray(rows.map((r) => r.fee))}::bigint[],
                         ${pgArray(rows.map((r) => json(r.feeTariff)))}::jsonb[], ${pgArray(rows.map((r) => json(r.lastError)))}::jsonb[],
                         ${pgArray(rows.map((r) => json(r.nextAction)))}::jsonb[], ${pgArray(rows.map((r) => r.challengeHash))}::text[],
                         ${pgArray(rows.map((r) => r.updatedAt.toISOString()))}::timestamptz[])
               AS u(id, status, method, details, customer_id, capturable, captured, fee, fee_tariff, last_error, next_action, challenge_hash, updated_at)
             WHERE p.id = u.id AND p.id = ANY(${pgArray(rows.map((r) => r.id))}::text[])`;
}
