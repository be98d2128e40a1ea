import { type SQL, sql } from "drizzle-orm";
import type { AppEnv, Deps, MerchantPrincipal } from "../context.js";
import { isConflict, isDatabaseDown, isKeyTaken } from "../db/errors.js";
import { rowReader } from "../db/rows.js";
import { customers, payments } from "../db/schema/index.js";
import { scheduleJobStatement } from "../jobs/runner.js";
import { ApiError, keptRefusal, notFound } from "../lib/errors.js";
import { pgArray } from "../lib/pg-array.js";
import { merchantOf } from "../middleware/auth.js";
import { merchantDebtIds, walletAccountIdSql } from "../store/accounts.js";
import { closingWrites, FeeVolumes } from "../store/fee-volumes.js";
import { GroupCommit } from "../store/group-commit.js";
import type { ClaimOutcome, IdempotencyClaim, StoredResponse } from "../store/idempotency.js";
import type { LedgerEntry } from "../store/ledger-store.js";
import { insertPayments, lockPaymentOrders, lockPayments, payingCustomers, savePayments } from "../store/payments.js";
import {
  aloneTransaction,
  claimReads,
  claimsFound,
  commitAlone,
  groupTransaction,
  inTransaction,
  sealWrites,
  type WriteTx,
} from "../store/writer.js";
import { type EventDraft, eventsStatement } from "./events.js";
import {
  applyOrThrow,
  type CreatePaymentInput,
  checkClientSecret,
  checkConfirmable,
  checkOrderPayable,
  checkPriceable,
  confirmPayment,
  createPayment,
  creatingMerchant,
  ledgerEntries,
  newPaymentRow,
  type Outcome,
  type PaymentRow,
  payingCustomer,
  planWalletConfirm,
  releaseJob,
  statusEvent,
  WALLET_DECLINE,
} from "./payments.js";

type Vars = AppEnv["Variables"];
export type ConfirmBody = { payment_method_data: Record<string, unknown>; client_secret?: string | undefined };

/** Turns a write's outcome into the response its route sends; a keyed write seals exactly that beside its effect. */
export type Render = (outcome: Outcome) => StoredResponse;

/**
 * One write of a payment, as a route asks for it: a new payment (create), a confirmation of one
 * (confirm), or both in one request (create with confirm: true).
 */
export interface PaymentWrite {
  v: Vars;
  create?: PaymentRow;
  confirm?: { id: string; body: ConfirmBody };
  render: Render;
  /** Look the keys up before deciding (a write alone always does; a group only on its second try: see grouped). */
  lookUp?: boolean;
}
/**
 * What the route sends: the write's outcome (with the response already rendered when the write had
 * a key: the route sends those very bytes), or the response stored under its key.
 */
export type Written = { outcome: Outcome; response?: StoredResponse } | { replay: StoredResponse };
/** `alone`: this write needs a transaction of its own (a payment of an order: its order moves with it). */
type Decision = Written | { error: unknown } | { alone: true };

/**
 * Groups of one merchant in flight at once: the next prepares while the last commits. More made
 * smaller groups and cost more per payment (payments bench, 64 connections: 718/s at 2,
 * 599/s at 4, 387/s at 8). Beside a group in flight, the next waits for 16 writes (or for that
 * group's COMMIT): without that, 46 % of the groups on path (c) held 4 writes or fewer, and the
 * same bench ran 9–22 % slower (BENCHMARKS.md, issue 18, session 17).
 *
 * At most 32 writes a group (about 2.7 KB of statements each on path (c): about 90 KB for 32), so
 * that a group's message fits the buffer each connection keeps for its messages (256 KiB, see
 * db/client.ts); at 64 connections, two groups in flight hold every request anyway.
 * A group that failed because the database went away is not retried write by write: its COMMIT
 * may have landed, so the answer is 503 and the client retries with its key. A group that a
 * deadlock ended is: the statement failed before its COMMIT, which then rolled back whole, and
 * the group's other writes had no part in the conflict. A group whose seal met a stored key is
 * not either: each of its writes goes again in a group that looks its keys up (see grouped).
 */
export const retryGroupAlone = (err: unknown) => !isKeyTaken(err) && (isConflict(err) || !isDatabaseDown(err));
const GROUPS = { maxGroup: 32, minGroup: 16, inFlight: 2, retryAlone: retryGroupAlone };
const groups = new WeakMap<Deps, GroupCommit<PaymentWrite, Decision>>();

const isWallet = (body: ConfirmBody | undefined) => body?.payment_method_data.type === "wallet";

/** POST /v1/payments (and with confirm: true). */
export function createPaymentRequest(v: Vars, input: CreatePaymentInput, confirm: ConfirmBody | undefined, render: Render) {
  // A top-up, tax or order payment has checks of its own; a card, SMS or QR confirmation reaches a provider.
  if (input.purpose !== undefined || (confirm && !isWallet(confirm))) {
    return serviceWrite(v, render, async (tv) => {
      const row = await createPayment(tv, input);
      return confirm ? confirmIn(tv, row.id, confirm) : { payment: row };
    });
  }
  const row = newPaymentRow(v, creatingMerchant(v), input, null, null);
  return write({ v, create: row, ...(confirm && { confirm: { id: row.id, body: confirm } }), render }, !isStorable(input));
}

/** POST /v1/payments/:id/confirm. */
export function confirmPaymentRequest(v: Vars, id: string, body: ConfirmBody, render: Render) {
  if (!isWallet(body)) return serviceWrite(v, render, (tv) => confirmPayment(tv, id, body));
  return write({ v, confirm: { id, body }, render }, !isStorable([id, body]));
}

/** A confirmation inside a transaction a service already holds (`v.db`), its key claimed by that service. */
async function confirmIn(v: Vars, id: string, body: ConfirmBody): Promise<Outcome> {
  if (!isWallet(body)) return confirmPayment(v, id, body);
  const w: PaymentWrite = { v: { ...v, claim: undefined }, confirm: { id, body }, render: () => ({ status: 200, body: "" }) };
  const [decision] = await decidePayments(inTransaction(v.deps.database, v.db), [w], true);
  if (decision && "error" in decision) throw decision.error;
  return (decision as { outcome: Outcome }).outcome;
}

/**
 * A write of the writer's: grouped on a PostgreSQL server, alone on the embedded database (and
 * when `mustBeAlone`: a string that cannot be stored must fail its own request, not a group).
 */
async function write(w: PaymentWrite, mustBeAlone: boolean): Promise<Written> {
  const deps = w.v.deps;
  const decideAlone = () => aloneTransaction(deps.database, async (tx) => (await decidePayments(tx, [w], true))[0] as Decision);
  let decision = deps.database.pool && !mustBeAlone ? await grouped(w) : await decideAlone();
  if ("alone" in decision) decision = await decideAlone();
  if ("error" in decision) throw decision.error;
  if ("alone" in decision) throw new Error("payment write: a write alone was deferred");
  if ("outcome" in decision) deps.committed.notify();
  return decision;
}

/**
 * A write in its merchant's group. A group takes its keys' locks but does not look them up: one
 * statement less in every group, for a retry that is rare. A retry whose write succeeds again fails
 * the group's seal on the key stored before, and the group rolls back whole with nothing done; a
 * retry whose write is refused (a payment already confirmed) seals nothing. Either way the write
 * is decided again in a group that looks its keys up, where a retry finds its answer (or its 422).
 */
async function grouped(w: PaymentWrite): Promise<Decision> {
  const group = groupOf(w.v.deps);
  const again = () => group.submit(groupKey(w.v), { ...w, lookUp: true });
  let decision: Decision;
  try {
    decision = await group.submit(groupKey(w.v), w);
  } catch (err) {
    if (!isKeyTaken(err)) throw err;
    return again();
  }
  return "error" in decision && w.v.claim && !w.lookUp ? again() : decision;
}

/** The runtime's payment groups, made on first use; one queue per merchant and mode. */
function groupOf(deps: Deps): GroupCommit<PaymentWrite, Decision> {
  let group = groups.get(deps);
  if (!group) {
    group = new GroupCommit((items) => groupTransaction(deps.database, (tx) => decidePayments(tx, items, false)), GROUPS);
    groups.set(deps, group);
  }
  return group;
}

function groupKey(v: Vars): string {
  const p = merchantOf(v);
  return `${p.merchantId}:${p.livemode}`;
}

/** A payment write of the services' (a purpose, a provider): the unit of work's claim and seal, around `work`. */
async function serviceWrite(v: Vars, render: Render, work: (v: Vars) => Promise<Outcome>): Promise<Written> {
  let outcome: Outcome | undefined;
  let response: StoredResponse | undefined;
  let refusal: { error: unknown; response: StoredResponse } | undefined;
  const out = await commitAlone(
    v.deps,
    v.claim,
    async (db) => {
      try {
        outcome = await work({ ...v, db });
        return true;
      } catch (error) {
        const kept = keptRefusal(error, v.requestId);
        if (!kept) throw error;
        refusal = { error, response: kept };
        return "refused";
      }
    },
    async () => {
      response = refusal ? refusal.response : render(outcome as Outcome);
      return response;
    },
  );
  if (refusal) throw refusal.error;
  if ("replay" in out) return out;
  return response ? { outcome: outcome as Outcome, response } : { outcome: outcome as Outcome };
}

/** A lone UTF-16 surrogate (with the u flag a well-formed pair is one code point and does not match). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * Whether every string in `value` can travel in a group's statements. One that cannot would fail
 * the whole group (every neighbour's work rolled back and retried); such a request goes alone,
 * where it is answered as it always was (400).
 */
function isStorable(value: unknown): boolean {
  // U+0000 PostgreSQL refuses; a lone surrogate the driver would replace (alone) or JSON would carry as an escape PostgreSQL refuses.
  if (typeof value === "string") return !value.includes("\u0000") && !LONE_SURROGATE.test(value);
  if (Array.isArray(value)) return value.every(isStorable);
  if (value !== null && typeof value === "object") return Object.values(value).every(isStorable);
  return true;
}

const readPayment = rowReader(payments);
const readCustomer = rowReader(customers);
type Customer = ReturnType<typeof readCustomer>;

/** What a group's writes read, in one round trip with the BEGIN. */
interface Loaded {
  claims: ClaimOutcome[];
  now: Date;
  payments: Map<string, PaymentRow>;
  customers: Map<string, Customer>;
  wallets: Map<string, number>;
  /** The merchant's debts that are not zero (unlocked reads; see LedgerStore.prepare). */
  debts: Map<string, number>;
}

/**
 * Payment writes of one merchant decided together in one transaction, two round trips:
 *
 * 1. BEGIN and the reads in one message: the keys' locks (and their stored answers, alone or on a
 *    group's second try: see grouped), the payments to confirm (locked, in
 *    id order), the customers the writes name, and the wallets that pay (locked, in id order, so
 *    groups never deadlock on each other);
 * 2. the decisions in memory, in arrival order — a wallet pays for what it still holds after the
 *    writes before it — then every write and the COMMIT in one message: the new payments, the
 *    confirmed ones' new states, their events, the keyed writes' sealed responses, and the
 *    ledger's one statement.
 *
 * Each write gets its own answer: a decline (402) or an error does not touch the others. Alone
 * (`alone`: a group of one in drizzle's transaction), a write may also move its order.
 */
async function decidePayments(tx: WriteTx, items: readonly PaymentWrite[], alone: boolean): Promise<Decision[]> {
  const lead = first(items).v;
  const loaded = await load(tx, lead.deps, items, alone);
  const decisions: Decision[] = [];
  const planned: Planned[] = [];
  const refusals: { claim: IdempotencyClaim | undefined; response: StoredResponse }[] = [];
  const seen = new Set<string>();
  const volumes = new FeeVolumes(async (q) => (await tx.reads([q]))[0] ?? []);
  // The group's captures credit one shard of the merchant's balance and of the revenue, picked by
  // its first payment, so two groups in flight rarely wait on each other's rows (a group of one:
  // its payment's own shard, as alone).
  const shardKey = first(items).create?.id ?? first(items).confirm?.id;
  for (const [index, item] of items.entries()) {
    const claim = loaded.claims[index] as ClaimOutcome;
    if ("refused" in claim) decisions.push({ error: claim.refused });
    else if ("replay" in claim) decisions.push({ replay: claim.replay });
    else {
      try {
        const plan = await planWrite(tx, item, loaded, seen, alone, volumes, shardKey);
        if ("alone" in plan) decisions.push(plan);
        else {
          planned.push({ ...plan, index });
          decisions.push({ alone: true }); // replaced below, once the ledger has decided
        }
      } catch (error) {
        // A refusal of this write only; anything else (a database error) fails the group.
        if (!(error instanceof ApiError)) throw error;
        decisions.push({ error });
        // Kept under its key, once the key was looked up: a write decided without (a group's
        // first try) is decided again with it when refused (see grouped).
        const kept = item.v.claim && (alone || item.lookUp) ? keptRefusal(error, item.v.requestId) : undefined;
        if (kept) refusals.push({ claim: item.v.claim, response: kept });
      }
    }
  }
  if (planned.length === 0) {
    if (refusals.length > 0) await tx.commit(sealWrites(lead.deps, refusals));
    return decisions;
  }
  const { confirmed, writes } = await settle(tx, items, planned, loaded, decisions, volumes, refusals);
  await tx.commit(writes);
  // Alone, a payment's change of status is announced in its transaction (an order's payment moves
  // its order); a group holds no order's payment (planWrite sends those alone).
  if (alone) for (const after of confirmed) await lead.deps.paymentStatusChanged({ ...lead, db: tx.db }, after);
  return decisions;
}

async function load(tx: WriteTx, deps: Deps, items: readonly PaymentWrite[], alone: boolean): Promise<Loaded> {
  const p = merchantOf(first(items).v) as MerchantPrincipal;
  const ids = [...new Set(items.flatMap((i) => (i.confirm && !i.create ? [i.confirm.id] : [])))];
  // Customers that pay (named in a confirmation, or the new payments' own) and customers a new payment names.
  const payers = [
    ...new Set(
      items.flatMap((i) => {
        const named = i.confirm?.body.payment_method_data.customer;
        return [
          ...(typeof named === "string" ? [named] : []),
          ...(i.confirm && i.create && i.create.customerId !== null ? [i.create.customerId] : []),
        ];
      }),
    ),
  ];
  const named = [...new Set(items.flatMap((i) => (i.create && i.create.customerId !== null ? [i.create.customerId] : [])))];
  // Looked up by primary key only: on a generic plan, `merchant_id = $n` in the same WHERE made the
  // planner walk the merchant's index through all of its customers; `IS NOT DISTINCT FROM` keeps
  // the tenant filter but is no index condition.
  const tenant = sql`(c.merchant_id, c.livemode) IS NOT DISTINCT FROM (${p.merchantId}::text, ${p.livemode}::boolean)`;
  const paying = payingCustomers(ids, payers, p.merchantId, p.livemode);
  const claims = items.map((i) => i.v.claim);
  const keyReads = claimReads(claims, { lookUp: alone || items.some((i) => i.lookUp) });
  const rows = await tx.reads([
    ...keyReads,
    sql`SELECT now() AS now`,
    lockPaymentOrders(ids, p.merchantId, p.livemode),
    lockPayments(ids, p.merchantId, p.livemode),
    sql`SELECT * FROM customers c WHERE (c.id = ANY(ARRAY(SELECT k.id FROM (${paying}) k)) OR c.id = ANY(${pgArray(named)}::text[])) AND ${tenant}`,
    sql`SELECT id, balance FROM ledger_accounts
        WHERE id = ANY(ARRAY(SELECT ${walletAccountIdSql(sql`k.id`, sql`k.wallet_currency`)} FROM (${paying}) k))
        ORDER BY id FOR UPDATE`,
    // The merchant's debts, unlocked (primary-key reads): the ledger locks one only when it is not zero.
    sql`SELECT id, balance FROM ledger_accounts WHERE id = ANY(${pgArray(merchantDebtIds(p.merchantId, p.livemode))}::text[]) AND balance <> 0`,
  ]);
  const [nowRows, , paymentRows, customerRows, walletRows, debtRows] = rows.slice(keyReads.length);
  return {
    claims: claimsFound(deps, claims, rows.slice(0, keyReads.length)),
    now: instant(nowRows?.[0]?.now),
    payments: new Map((paymentRows ?? []).map((r) => [r.id as string, readPayment(r)])),
    customers: new Map((customerRows ?? []).map((r) => [r.id as string, readCustomer(r)])),
    wallets: new Map((walletRows ?? []).map((r) => [r.id as string, Number(r.balance)])),
    debts: new Map((debtRows ?? []).map((r) => [r.id as string, Number(r.balance)])),
  };
}

const first = <T>(items: readonly T[]): T => items[0] as T;

/** A group whose tiered prices counted a capture that was declined: its writes are decided again one by one. */
class RedecideAlone extends Error {
  constructor() {
    super("a tiered fee counted a declined capture of its group");
  }
}
const instant = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));

/** A write decided up to its ledger entry: the payment before, the state after, and its entry (if any). */
interface Planned {
  index: number;
  before: PaymentRow;
  plan?: ReturnType<typeof planWalletConfirm>;
  entries: LedgerEntry[];
  fee?: Awaited<ReturnType<typeof ledgerEntries>>["fee"];
}

/** One write's checks and state change, before any wallet's balance decides it. */
async function planWrite(
  tx: WriteTx,
  item: PaymentWrite,
  loaded: Loaded,
  seen: Set<string>,
  alone: boolean,
  volumes: FeeVolumes,
  shardKey: string | undefined,
): Promise<Omit<Planned, "index"> | { alone: true }> {
  const created = item.create && { ...item.create, createdAt: loaded.now, updatedAt: loaded.now };
  if (created && created.customerId !== null && !loaded.customers.has(created.customerId))
    throw notFound("customer", created.customerId, "customer");
  if (!item.confirm) return { before: created as PaymentRow, entries: [] };
  // The same payment twice in one group: the second goes alone, after the group, and finds it decided.
  if (seen.has(item.confirm.id)) return { alone: true };
  seen.add(item.confirm.id);
  const p = merchantOf(item.v) as MerchantPrincipal;
  const r = created ?? loaded.payments.get(item.confirm.id);
  if (!r) throw notFound("payment", item.confirm.id);
  checkClientSecret(p, r, item.confirm.body.client_secret);
  checkConfirmable(r, "wallet");
  if (r.orderId && alone) await checkOrderPayable({ ...item.v, db: tx.db }, r);
  if (r.orderId && !alone) return { alone: true };
  const customerId = payingCustomer(p, r, item.confirm.body.payment_method_data);
  const customer = loaded.customers.get(customerId);
  if (!customer) throw notFound("customer", customerId, "payment_method_data.customer");
  const plan = planWalletConfirm(r, customer);
  // A hold is captured later: its fee must be priceable then (an automatic capture prices it now).
  if (!plan.t.effects.some((e) => e.type === "capture_hold")) await checkPriceable({ ...item.v, db: tx.db }, plan.withMethod, "wallet");
  // Fees priced on the transaction's own connection: a tariff read from the main pool while a
  // group holds its connection could wait for a connection other groups hold.
  const { entries, fee } = await ledgerEntries({ ...item.v, db: tx.db }, plan.withMethod, plan.t.effects, volumes, undefined, shardKey);
  // In a group a confirmation is one ledger entry (a capture, or a hold), accepted or declined as
  // one; alone, its entries are all or nothing.
  if (entries.length !== 1 && !alone) return { alone: true };
  return { before: r, plan, entries, ...(fee && { fee }) };
}

/**
 * The ledger decides every planned entry in order against the locked wallets; then each write's
 * row, event and response, and the statements that commit them.
 */
async function settle(
  tx: WriteTx,
  items: readonly PaymentWrite[],
  planned: readonly Planned[],
  loaded: Loaded,
  decisions: Decision[],
  volumes: FeeVolumes,
  refusals: readonly { claim: IdempotencyClaim | undefined; response: StoredResponse }[],
) {
  const deps = first(items).v.deps;
  const withEntries = planned.filter((x) => x.entries.length > 0);
  const prepared = await deps.ledger.prepare(
    tx.db,
    withEntries.flatMap((x) => x.entries),
    loaded.wallets,
    loaded.debts,
  );
  const accepted = new Map<Planned, boolean>();
  let at = 0;
  for (const x of withEntries) {
    accepted.set(
      x,
      prepared.results.slice(at, at + x.entries.length).every((r) => r.ok),
    );
    at += x.entries.length;
  }
  // A write with an entry accepted and another declined (alone only: in a group each write is one
  // entry) is declined whole, and nothing of the ledger's is written.
  let partial = false;
  at = 0;
  for (const x of withEntries) {
    partial ||= !accepted.get(x) && prepared.results.slice(at, at + x.entries.length).some((r) => r.ok);
    at += x.entries.length;
  }
  // A declined capture adds nothing to its period. If a tiered price after it in this group counted
  // it, the group is decided again write by write (GroupCommit's retry), where each sees only what
  // was captured before it.
  for (const x of withEntries) {
    const volume = x.fee?.volume;
    if (volume && (partial || !accepted.get(x)) && !volumes.withdraw(volume.period, volume.amount)) throw new RedecideAlone();
  }
  const rows: PaymentRow[] = [];
  const created: PaymentRow[] = [];
  const events: EventDraft[] = [];
  const sealed = [...refusals];
  const holds: PaymentRow[] = [];
  for (const x of planned) {
    const item = items[x.index] as PaymentWrite;
    const outcome = x.plan ? confirmation(x, accepted.get(x) === true, loaded.now) : { payment: x.before };
    const after = outcome.payment;
    if (item.create) created.push(after);
    else rows.push(after);
    const event = x.plan && statusEvent(item.v, x.before, after);
    if (event) events.push(event);
    if (after.status === "requires_capture" && x.before.status !== "requires_capture" && !after.orderId) holds.push(after);
    // Rendered once for a keyed write: sealed here, and sent as it is by the route.
    const response = item.v.claim ? item.render(outcome) : undefined;
    if (response) sealed.push({ claim: item.v.claim, response });
    decisions[x.index] = response ? { outcome, response } : { outcome };
  }
  const ledgerWrite = partial ? undefined : prepared.statement();
  const writes: SQL[] = [
    ...(created.length > 0 ? [insertPayments(created)] : []),
    ...(rows.length > 0 ? [savePayments(rows)] : []),
    ...(events.length > 0 ? [eventsStatement(events).statement] : []),
    ...holds.map((r) => scheduleJobStatement(releaseJob(r, loaded.now))),
    ...sealWrites(deps, sealed),
    // Last: the hot rows they lock stay locked for their statements and the COMMIT.
    ...closingWrites(ledgerWrite, volumes),
  ];
  return { confirmed: rows, writes };
}

/** A wallet confirmation's new state: paid (or held), or declined for the wallet's balance. */
function confirmation(x: Planned, ok: boolean, now: Date): Outcome {
  const plan = x.plan as NonNullable<Planned["plan"]>;
  const s = ok ? plan.t.state : applyOrThrow(x.before, { type: "confirm", outcome: "declined" }).state;
  const payment: PaymentRow = {
    ...x.before,
    ...plan.patch,
    status: s.status,
    amountCapturable: s.amount_capturable,
    amountCaptured: s.amount_captured,
    updatedAt: now,
    ...(ok
      ? x.fee && { fee: x.fee.fee, feeTariff: x.fee.tariff }
      : { lastError: { ...WALLET_DECLINE }, nextAction: null, challengeHash: null }),
  };
  return ok ? { payment } : { payment, declined: { ...WALLET_DECLINE } };
}
