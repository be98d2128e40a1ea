import {
  type LedgerEntry,
  orderPendingShare,
  type PaymentEffect,
  type PaymentRef,
  type PaymentState,
  paymentPostings,
  paymentRefunded,
  paymentSource,
  type ShardBalance,
  shareBucket,
  transitionPayment,
} from "@softrack/core";
import { and, eq, gte, lte, sql } from "drizzle-orm";
import { connectorFor } from "../connectors/index.js";
import type { AppEnv, Deps, MerchantPrincipal, Principal } from "../context.js";
import { payments, refunds } from "../db/schema/index.js";
import type { JobHandler } from "../jobs/registry.js";
import { jobVars, type NewJob, scheduleJob } from "../jobs/runner.js";
import { type SecretBox, safeEqual, sha256Hex } from "../lib/crypto.js";
import { ApiError, invalid, notFound } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { type ListParams, listOwned } from "../lib/pagination.js";
import { merchantOf } from "../middleware/auth.js";
import { closingWrites, FeeVolumes, type VolumePeriod, volumePeriod } from "../store/fee-volumes.js";
import type { PreparedPosting } from "../store/ledger-store.js";
import { insertPayments, lockPaymentOrders } from "../store/payments.js";
import { findCustomer } from "./customers.js";
import { type EventDraft, type EventType, emitEvent } from "./events.js";
import { merchantForFees } from "./merchants.js";
import { feeTariffOf, priceFee, WALLET_TOPUP_TARIFF } from "./tariffs.js";
import { validateTaxPurpose } from "./tax.js";

type Vars = AppEnv["Variables"];
export type PaymentRow = typeof payments.$inferSelect;
export const METHODS = ["card", "sms", "qr", "wallet"] as const;

/** The API object. `client_secret` is shown to the merchant's keys, never put into events. */
export function paymentObject(v: Pick<Vars, "deps">, r: PaymentRow, opts: { secret: boolean } = { secret: true }) {
  return {
    id: r.id,
    object: "payment" as const,
    created: r.createdAt.toISOString(),
    livemode: r.livemode,
    amount: r.amount,
    currency: r.currency,
    status: r.status,
    capture_method: r.captureMethod,
    method: r.method,
    payment_method_details: r.paymentMethodDetails ?? null,
    amount_capturable: r.amountCapturable,
    amount_captured: r.amountCaptured,
    amount_refunded: r.amountRefunded,
    fee: r.fee,
    fee_tariff: r.feeTariff ?? null,
    customer: r.customerId,
    description: r.description,
    purpose: r.purpose ?? null,
    order: r.orderId,
    next_action: r.nextAction ?? null,
    last_payment_error: r.lastError ?? null,
    retry_of: r.retryOf ?? null,
    canceled_at: r.canceledAt ? r.canceledAt.toISOString() : null,
    metadata: r.metadata,
    ...(opts.secret ? { client_secret: clientSecretOf(v.deps.box, r) } : {}),
  };
}

/** A payment's client secret: derived from its id, or (made before secrets were derived) sealed in its row. */
export function clientSecretOf(box: SecretBox, r: Pick<PaymentRow, "id" | "clientSecretSealed">): string {
  return r.clientSecretSealed === null ? `${r.id}_secret_${box.derive("client_secret", r.id)}` : box.open(r.clientSecretSealed);
}

/**
 * A rendered payment's one secret, for its stored answer to leave out and make again
 * (StoredResponse.derived); none for a payment whose secret is sealed in its row.
 */
export function derivedSecret(box: SecretBox, r: Pick<PaymentRow, "id" | "clientSecretSealed">) {
  return r.clientSecretSealed === null
    ? { derived: { purpose: "client_secret", name: r.id, secret: box.derive("client_secret", r.id) } }
    : {};
}

/** A read-only support member reads payments but never holds what lets a browser pay them. */
export function seesClientSecrets(p: Principal): boolean {
  return !(p.kind === "secret" && p.session?.role === "support");
}

/**
 * The payment as the caller may see it. A publishable key (a browser holding the client_secret)
 * gets what the checkout draws, without the merchant's own bookkeeping: the fee, metadata, the
 * purpose (a top-up's customer, a tax payer's TIN) and the order. A support member gets no client_secret.
 */
export function paymentFor(v: Pick<Vars, "deps" | "principal">, r: PaymentRow) {
  const full = paymentObject(v, r, { secret: seesClientSecrets(v.principal) });
  if (v.principal.kind !== "publishable") return full;
  const { fee: _fee, fee_tariff: _tariff, metadata: _metadata, purpose: _purpose, order: _order, ...browser } = full;
  return browser;
}

const stateOf = (r: PaymentRow): PaymentState => ({
  status: r.status as PaymentState["status"],
  amount: r.amount,
  capture_method: r.captureMethod as PaymentState["capture_method"],
  amount_capturable: r.amountCapturable,
  amount_captured: r.amountCaptured,
  amount_refunded: r.amountRefunded,
});

export interface CreatePaymentInput {
  amount: number;
  currency: string;
  method?: string | undefined;
  capture_method?: "automatic" | "manual" | undefined;
  customer?: string | undefined;
  description?: string | undefined;
  purpose?: Record<string, string> | undefined;
  metadata?: Record<string, string> | undefined;
}

/** Payments are created with a secret key only (the browser confirms them). */
export function creatingMerchant(v: Vars): MerchantPrincipal {
  const p = merchantOf(v);
  if (p.kind !== "secret") throw new ApiError(403, "permission_error", "secret_key_required", "Payments are created with a secret key.");
  return p as MerchantPrincipal;
}

const LONE_SURROGATES = /[\uD800-\uDFFF]/gu;
/**
 * A lone UTF-16 surrogate becomes U+FFFD, as the database driver always sent it: a payment's rows
 * travel as JSON, where PostgreSQL would refuse its escape.
 */
function wellFormed(s: string): string {
  LONE_SURROGATES.lastIndex = 0;
  return LONE_SURROGATES.test(s) ? s.replace(LONE_SURROGATES, "\uFFFD") : s;
}

/** A new payment's row, in full (the client secret sealed, only its hash to compare). */
export function newPaymentRow(
  v: Vars,
  p: MerchantPrincipal,
  input: CreatePaymentInput,
  purpose: Record<string, string> | null,
  orderId: string | null,
): PaymentRow {
  // A method no provider takes in this mode is refused at once, not at a confirmation that could never succeed.
  if (input.method !== undefined && input.method !== "wallet" && !connectorFor(v.deps.liveConnectors, input.method, p.livemode))
    throw invalid("method_unavailable", `${input.method} payments are not available in ${p.livemode ? "live" : "test"} mode.`, "method");
  const id = newId("payment");
  const clientSecret = clientSecretOf(v.deps.box, { id, clientSecretSealed: null });
  const now = new Date();
  return {
    id,
    merchantId: p.merchantId,
    livemode: p.livemode,
    createdAt: now,
    updatedAt: now,
    amount: input.amount,
    currency: input.currency,
    status: "requires_payment_method",
    captureMethod: input.capture_method ?? "automatic",
    method: (input.method ?? null) as PaymentRow["method"],
    paymentMethodDetails: null,
    amountCapturable: 0,
    amountCaptured: 0,
    amountRefunded: 0,
    fee: null,
    feeTariff: null,
    customerId: input.customer ?? null,
    description: input.description === undefined ? null : wellFormed(input.description),
    purpose,
    clientSecretHash: sha256Hex(clientSecret),
    clientSecretSealed: null,
    nextAction: null,
    challengeHash: null,
    challengeAttempts: 0,
    lastError: null,
    orderId,
    retryOf: null,
    metadata: input.metadata ? Object.fromEntries(Object.entries(input.metadata).map(([k, x]) => [wellFormed(k), wellFormed(x)])) : {},
    canceledAt: null,
  };
}

export async function createPayment(v: Vars, input: CreatePaymentInput, extra: { orderId?: string } = {}) {
  const p = creatingMerchant(v);
  let purpose: Record<string, string> | null = null;
  if (input.customer !== undefined) await findCustomer(v.db, p, input.customer);
  if (input.purpose) {
    const type = input.purpose.type;
    if (type === "wallet_topup") {
      const id = input.purpose.customer ?? input.customer;
      if (!id) throw invalid("parameter_missing", "A wallet top-up names the customer whose wallet it fills.", "purpose.customer");
      const customer = await findCustomer(v.db, p, id, "purpose.customer");
      if (customer.walletCurrency !== input.currency) {
        throw invalid("currency_mismatch", `The wallet holds ${customer.walletCurrency}; the top-up must be in it.`, "currency");
      }
      if (input.method === "wallet") throw invalid("parameter_invalid", "A wallet cannot be topped up from a wallet.", "method");
      purpose = { type, customer: customer.id };
    } else if (type === "tax") {
      purpose = { type, ...validateTaxPurpose(input.purpose) };
    } else if (type === "order") {
      purpose = { ...input.purpose };
    } else {
      throw invalid("parameter_invalid", "purpose.type must be wallet_topup or tax.", "purpose.type");
    }
  }
  return storeNewPayment(v, newPaymentRow(v, p, input, purpose, extra.orderId ?? null));
}

/** Inserts a new payment and stamps it with the database's clock (the writer's groups use the same statement). */
async function storeNewPayment(v: Vars, row: ReturnType<typeof newPaymentRow>): Promise<PaymentRow> {
  const [stamped] = await v.deps.database.rows<{ created_at: string | Date }>(insertPayments([row]), v.db);
  // The insert stores nothing when its customer is not the merchant's: never answer such a payment as created.
  if (!stamped) throw notFound("customer", row.customerId ?? "", "customer");
  const at = new Date(stamped.created_at);
  return { ...row, createdAt: at, updatedAt: at };
}

/**
 * A failed payment's next attempt, so the checkout can offer another card or method without the
 * merchant's server. The contract ends a declined payment in `failed` for good, so the next
 * attempt is a new payment with the same amount, currency, capture method, customer, description,
 * purpose and metadata, linked by `retry_of`. One per failed payment: asking again (a double
 * click, a lost answer) answers the same attempt. An order's declined payment is retried the same
 * way until its collect_by, and the attempt becomes the payment its order names.
 */
export async function retryPayment(v: Vars, id: string, clientSecret: string | undefined): Promise<PaymentRow> {
  const r = await findPayment(v, id, { lock: true, clientSecret });
  if (r.status !== "failed") {
    throw new ApiError(
      400,
      "invalid_request_error",
      "payment_unexpected_state",
      `cannot retry a payment whose status is ${r.status}; only a failed payment has a next attempt`,
      undefined,
      { payment_status: r.status },
    );
  }
  const [next] = await v.db.select().from(payments).where(eq(payments.retryOf, r.id));
  if (next) return next;
  await checkOrderPayable(v, r);
  const input: CreatePaymentInput = { amount: r.amount, currency: r.currency, capture_method: r.captureMethod, metadata: r.metadata };
  if (r.customerId !== null) input.customer = r.customerId;
  if (r.description !== null) input.description = r.description;
  const attempt = await storeNewPayment(v, {
    ...newPaymentRow(v, merchantOf(v) as MerchantPrincipal, input, r.purpose ?? null, r.orderId),
    retryOf: r.id,
  });
  // An order's next attempt becomes the payment its order names, or is refused with it (see
  // services/orders.ts onOrderPaymentChanged), in this transaction.
  if (r.orderId) await v.deps.paymentStatusChanged(v, attempt);
  return attempt;
}

/** Loads a payment of the calling merchant; a publishable key must also prove the client secret. */
export async function findPayment(v: Vars, id: string, opts: { lock?: boolean; clientSecret?: string | undefined; param?: string } = {}) {
  const p = merchantOf(v);
  const where = and(eq(payments.id, id), eq(payments.merchantId, p.merchantId), eq(payments.livemode, p.livemode));
  const q = v.db.select().from(payments).where(where);
  // An order's payment is locked after its order (see lockPaymentOrders).
  if (opts.lock) await v.deps.database.rows(lockPaymentOrders([id], p.merchantId, p.livemode), v.db);
  const [row] = opts.lock ? await q.for("update") : await q;
  if (!row) throw notFound("payment", id, opts.param);
  checkClientSecret(p, row, opts.clientSecret);
  return row;
}

/** A publishable key proves the payment's client secret (compared by hash, in constant time). */
export function checkClientSecret(p: { kind: string }, row: PaymentRow, clientSecret: string | undefined): void {
  if (p.kind !== "publishable") return;
  if (!clientSecret) throw invalid("parameter_missing", "A publishable key must send the payment's client_secret.", "client_secret");
  if (!safeEqual(sha256Hex(clientSecret), row.clientSecretHash)) {
    throw invalid("client_secret_mismatch", "The client_secret does not match this payment.", "client_secret");
  }
}

/** The posting plan's view of a payment (see packages/core/src/ledger/postings.ts). */
export function paymentRef(r: PaymentRow): PaymentRef {
  return {
    id: r.id,
    merchantId: r.merchantId,
    livemode: r.livemode,
    currency: r.currency,
    method: r.method,
    walletCustomer: (r.paymentMethodDetails as { wallet?: { customer: string } } | null)?.wallet?.customer ?? null,
    topUpCustomer: r.purpose?.type === "wallet_topup" ? (r.purpose.customer ?? null) : null,
    orderId: r.orderId,
  };
}

/** The core's entries for a transition's effects, given the capture's fee (0 without one). */
export function paymentEntries(
  r: PaymentRow,
  effects: PaymentEffect[],
  fee: number,
  captureBucket?: "available" | "pending",
  shardKey?: string,
): LedgerEntry[] {
  return paymentPostings(paymentRef(r), effects, { fee, bucket: captureBucket, shardKey });
}

/** A capture's fee, with the period volume it adds to (none for a top-up, which is no sale). */
type PricedFee = { fee: number; tariff: { code: string; version: number }; volume?: { period: VolumePeriod; amount: number } };

/**
 * A transition's ledger entries: the fee is looked up here (I/O), the postings are the core's.
 * `volumes` is the transaction's book of captured volumes: a capture is priced by what its period
 * captured before it, and counted for the captures after it (see store/fee-volumes.ts).
 */
export async function ledgerEntries(
  v: Vars,
  r: PaymentRow,
  effects: PaymentEffect[],
  volumes: FeeVolumes,
  captureBucket?: "available" | "pending",
  /** A batch's shard for the capture's credits (core paymentPostings); the payment's own without one. */
  shardKey?: string,
): Promise<{ entries: LedgerEntry[]; fee?: PricedFee }> {
  const capture = effects.find((e) => e.type === "capture_hold");
  const priced = capture && (await captureFee(v, r, capture.amount, volumes));
  const entries = paymentEntries(r, effects, priced?.fee ?? 0, captureBucket, shardKey);
  return priced ? { entries, fee: priced } : { entries };
}

/** The book of captured volumes of a transaction held as `v.db`. */
export function volumesIn(v: Pick<Vars, "deps" | "db">): FeeVolumes {
  return new FeeVolumes((q) => v.deps.database.rows(q, v.db));
}

/** Fees are priced at capture, by the merchant's tariff in force, with its period's volume so far. */
async function captureFee(v: Vars, r: PaymentRow, amount: number, volumes: FeeVolumes): Promise<PricedFee> {
  // A top-up becomes the customer's money in full; the platform takes no fee on it.
  if (r.purpose?.type === "wallet_topup") return { fee: 0, tariff: { ...WALLET_TOPUP_TARIFF } };
  const at = v.deps.now();
  const tariff = await feeTariffOf(v.db, await merchantForFees(v.db, r.merchantId), r.currency, at);
  const period = volumePeriod(tariff, r, at);
  const priced = await priceFee(tariff, {
    amount,
    currency: r.currency,
    method: r.method ?? "card",
    periodVolume: () => volumes.before(period),
  });
  volumes.add(period, amount);
  return { ...priced, volume: { period, amount } };
}

/**
 * The one place that decides which movements of a payment's money reach its provider: a
 * capture (automatic, right after the authorisation or a passed challenge, or manual), the
 * release of a held authorisation, and a refund. Only money that came through a connector
 * (card, sms, qr) has a provider; a wallet is Softrack's own ledger and calls none. Called in
 * the request's transaction after the ledger has accepted the movement and before anything
 * is written, so a provider's failure (502 provider_error) leaves payment and ledger as they were.
 */
async function reachProvider(v: Vars, r: PaymentRow, effects: PaymentEffect[], refundId?: string): Promise<void> {
  const moves = effects.filter((e) => e.type === "capture_hold" || e.type === "void_hold" || e.type === "refund");
  if (moves.length === 0 || !r.method || r.method === "wallet") return;
  const connector = connectorFor(v.deps.liveConnectors, r.method, r.livemode);
  // The provider that took the money is no longer configured: the ledger must not move without it.
  if (!connector)
    throw invalid("method_unavailable", `${r.method} payments are not available in ${r.livemode ? "live" : "test"} mode.`, undefined);
  for (const e of moves) {
    if (e.type === "capture_hold") await connector.capture(r.id, e.amount);
    else if (e.type === "void_hold") await connector.void(r.id);
    // refundPayment passes the refund's id with its refund effect: the provider's idempotency key.
    else if (e.type === "refund") await connector.refund(r.id, e.amount, refundId as string);
  }
}

/** Decides the entries against locked balances; the write happens last (see LedgerStore). */
async function prepare(v: Vars, entries: LedgerEntry[], locked?: ReadonlyMap<string, number>): Promise<PreparedPosting> {
  const prepared = await v.deps.ledger.prepare(v.db, entries, locked);
  const failed = prepared.results.find((r) => !r.ok);
  if (failed && !failed.ok) {
    if (failed.rejection.code === "insufficient_funds") {
      throw invalid("balance_insufficient", "The balance that would pay for this is too low.", undefined);
    }
    throw new Error(`ledger rejected a payment movement: ${failed.rejection.message}`);
  }
  return prepared;
}

const EVENT_FOR: Partial<Record<string, EventType>> = {
  succeeded: "payment.succeeded",
  failed: "payment.failed",
  requires_capture: "payment.requires_capture",
  canceled: "payment.canceled",
};

/** The event announcing a payment's change of status, if the new status is one announced. */
export function statusEvent(v: Pick<Vars, "deps">, before: PaymentRow, after: PaymentRow): EventDraft | undefined {
  const type = after.status !== before.status ? EVENT_FOR[after.status] : undefined;
  return type && { merchantId: after.merchantId, livemode: after.livemode, type, object: paymentObject(v, after, { secret: false }) };
}

/** Persists a payment's new state and announces a status change in the same transaction. */
async function save(v: Vars, before: PaymentRow, patch: Partial<PaymentRow>): Promise<PaymentRow> {
  const [row] = await v.db
    .update(payments)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(payments.id, before.id))
    .returning();
  const after = row as PaymentRow;
  const event = statusEvent(v, before, after);
  if (event) await emitEvent(v.deps.database, v.db, event);
  if (after.status !== before.status) await v.deps.paymentStatusChanged(v, after);
  return after;
}

export type Outcome = { payment: PaymentRow; declined?: { code: string; message: string } };

export function applyOrThrow(r: PaymentRow, action: Parameters<typeof transitionPayment>[1]) {
  const t = transitionPayment(stateOf(r), action);
  if (!t.ok) {
    if (t.code === "payment_unexpected_state") {
      throw new ApiError(400, "invalid_request_error", "payment_unexpected_state", t.message, undefined, { payment_status: r.status });
    }
    throw invalid(t.code, t.message, "amount");
  }
  return t;
}

async function transition(
  v: Vars,
  r: PaymentRow,
  action: Parameters<typeof transitionPayment>[1],
  patch: Partial<PaymentRow> = {},
  bucket?: "available" | "pending",
): Promise<PaymentRow> {
  const t = applyOrThrow(r, action);
  const withMethod = { ...r, ...patch };
  const volumes = volumesIn(v);
  const { entries, fee } = await ledgerEntries(v, withMethod, t.effects, volumes, bucket);
  const prepared = await prepare(v, entries);
  await reachProvider(v, withMethod, t.effects);
  if (t.state.status === "requires_capture" && r.status !== "requires_capture" && !r.orderId)
    await scheduleJob(v.deps.database, v.db, releaseJob(r, v.deps.now()));
  return saveAndWrite(v, r, prepared, volumes, {
    ...patch,
    status: t.state.status,
    amountCapturable: t.state.amount_capturable,
    amountCaptured: t.state.amount_captured,
    amountRefunded: t.state.amount_refunded,
    ...(fee ? { fee: fee.fee, feeTariff: fee.tariff } : {}),
    ...(t.state.status !== "requires_action" ? { nextAction: null, challengeHash: null } : {}),
    ...(t.state.status === "canceled" ? { canceledAt: new Date() } : {}),
  });
}

/**
 * How long an authorisation holds the payer's money uncaptured: then it is released, as card
 * networks and Stripe do, so no buyer's money is held for good. An order's payment follows
 * its order's clock (collect_by) instead.
 */
export const AUTHORIZATION_DAYS = 7;

/** The release of a hold that has just been placed, due when its authorisation lapses. */
export function releaseJob(r: Pick<PaymentRow, "id" | "merchantId" | "livemode">, now: Date): NewJob {
  return {
    kind: "payment.release",
    dedupeKey: `payment.release:${r.id}`,
    runAt: new Date(now.getTime() + AUTHORIZATION_DAYS * 86_400_000),
    payload: { payment: r.id, merchant_id: r.merchantId, livemode: r.livemode },
    livemode: r.livemode,
  };
}

const releaseHold: JobHandler<Deps> = async (run) => {
  const v = jobVars(run, run.payload.merchant_id as string, run.payload.livemode === true);
  const r = await findPayment(v, run.payload.payment as string, { lock: true });
  if (r.status !== "requires_capture") return `skipped: ${r.status}`;
  await transition(v, r, { type: "cancel" });
  return `released: not captured within ${AUTHORIZATION_DAYS} days`;
};

/** The payment service's background jobs, for the runtime's registry (server.ts). */
export const paymentJobs: Readonly<Record<string, JobHandler<Deps>>> = { "payment.release": releaseHold };

/** Saves the payment (and its event) first, then the closing writes: hot rows stay locked only until COMMIT. */
async function saveAndWrite(
  v: Vars,
  before: PaymentRow,
  prepared: PreparedPosting,
  volumes: FeeVolumes,
  patch: Partial<PaymentRow>,
): Promise<PaymentRow> {
  const after = await save(v, before, patch);
  for (const w of closingWrites(prepared.statement(), volumes)) await v.deps.database.rows(w, v.db);
  return after;
}

export async function confirmPayment(
  v: Vars,
  id: string,
  body: { payment_method_data: Record<string, unknown>; client_secret?: string | undefined },
): Promise<Outcome> {
  const r = await findPayment(v, id, { lock: true, clientSecret: body.client_secret });
  const data = body.payment_method_data;
  const method = data.type as string;
  checkConfirmable(r, method);
  await checkOrderPayable(v, r);
  await checkPriceable(v, r, method);
  // A wallet has no connector: its confirmations are the payment writer's (services/payment-writes.ts).
  const connector = connectorFor(v.deps.liveConnectors, method, r.livemode);
  if (!connector)
    throw invalid(
      "method_unavailable",
      `${method} payments are not available in ${r.livemode ? "live" : "test"} mode.`,
      "payment_method_data.type",
    );
  const result = await connector.authorize({
    paymentId: r.id,
    amount: r.amount,
    currency: r.currency,
    livemode: r.livemode,
    data,
    now: v.deps.now(),
  });
  const patch: Partial<PaymentRow> = { method: method as PaymentRow["method"], paymentMethodDetails: result.details ?? null };
  if (result.outcome === "declined") {
    const lastError = { code: result.code, message: result.message };
    const payment = await transition(v, r, { type: "confirm", outcome: "declined" }, { ...patch, lastError });
    return { payment, declined: lastError };
  }
  if (result.outcome === "requires_action") {
    return {
      payment: await transition(
        v,
        r,
        { type: "confirm", outcome: "requires_action" },
        { ...patch, nextAction: result.nextAction, challengeHash: result.challengeHash ?? null },
      ),
    };
  }
  return { payment: await transition(v, r, { type: "confirm", outcome: "authorized" }, patch) };
}

/**
 * An order's payment is paid only while its order can still be collected: past `collect_by`
 * the parcel is gone back, and a payment then would be held for nothing, or lose its no-show
 * fee to an expiry due at once. Asked before any provider is touched.
 */
export async function checkOrderPayable(v: Vars, r: PaymentRow): Promise<void> {
  if (!r.orderId) return;
  const [o] = await v.deps.database.rows<{ collect_by: Date | string }>(sql`SELECT collect_by FROM orders WHERE id = ${r.orderId}`, v.db);
  if (o && new Date(o.collect_by).getTime() <= v.deps.now().getTime())
    throw invalid(
      "order_expired",
      `This payment's order ${r.orderId} was to be collected by ${new Date(o.collect_by).toISOString()}; it can no longer be paid. Create a new order.`,
      "id",
    );
}

/**
 * A payment is confirmed only if the merchant's fee tariff can price it at capture. Otherwise a
 * hold, or a challenge the payer has passed, would wait for a capture that must always fail
 * (400 fee_unpriceable). Asked before any provider or wallet is touched.
 */
export async function checkPriceable(v: Vars, r: PaymentRow, method: string): Promise<void> {
  // A top-up becomes the customer's money in full: no fee (see captureFee).
  if (r.purpose?.type === "wallet_topup") return;
  const tariff = await feeTariffOf(v.db, await merchantForFees(v.db, r.merchantId), r.currency, v.deps.now());
  await priceFee(tariff, { amount: r.amount, currency: r.currency, method, periodVolume: async () => 0 });
}

/** Whether a payment can be confirmed with this method: state first, before touching a provider. */
export function checkConfirmable(r: PaymentRow, method: string): void {
  applyOrThrow(r, { type: "confirm", outcome: "authorized" });
  if (r.method && r.method !== method)
    throw invalid("payment_method_mismatch", `This payment takes ${r.method}, not ${method}.`, "payment_method_data.type");
}

/**
 * The customer whose wallet pays: always the payment's own. Whoever confirms cannot pick
 * another wallet (a publishable key is in a browser). A payment created without a customer
 * takes one at confirmation only from a secret key, the merchant's server.
 */
export function payingCustomer(p: MerchantPrincipal, r: PaymentRow, data: Record<string, unknown>): string {
  const named = typeof data.customer === "string" ? data.customer : undefined;
  if (r.customerId) {
    if (named !== undefined && named !== r.customerId)
      throw invalid("customer_mismatch", "A wallet payment is paid only from the payment's own customer.", "payment_method_data.customer");
    return r.customerId;
  }
  if (named === undefined)
    throw invalid("parameter_missing", "A wallet payment names the customer whose wallet pays.", "payment_method_data.customer");
  if (p.kind !== "secret")
    throw invalid(
      "customer_mismatch",
      "Only a secret key names the paying customer of a payment created without one.",
      "payment_method_data.customer",
    );
  return named;
}

/** A wallet confirmation's checks and its state change, decided before the wallet's balance is. */
export function planWalletConfirm(r: PaymentRow, customer: { id: string; walletCurrency: string }) {
  if (customer.walletCurrency !== r.currency)
    throw invalid(
      "currency_mismatch",
      `The wallet holds ${customer.walletCurrency}, the payment is in ${r.currency}.`,
      "payment_method_data.customer",
    );
  if (r.purpose?.type === "wallet_topup")
    throw invalid("parameter_invalid", "A wallet cannot be topped up from a wallet.", "payment_method_data.type");
  const patch: Partial<PaymentRow> = {
    method: "wallet",
    paymentMethodDetails: { type: "wallet", wallet: { customer: customer.id } },
    customerId: r.customerId ?? customer.id,
  };
  return { patch, withMethod: { ...r, ...patch } as PaymentRow, t: applyOrThrow(r, { type: "confirm", outcome: "authorized" }) };
}

/** The wallet's balance is too low: a decline, recorded on the payment, not an error. */
export const WALLET_DECLINE = { code: "insufficient_funds", message: "The wallet's balance is too low for this payment." };

/** SMS and 3-D Secure: the one-time code is compared by hash, in constant time. */
export async function verifyPayment(v: Vars, id: string, body: { code: string; client_secret?: string | undefined }): Promise<Outcome> {
  const r = await findPayment(v, id, { lock: true, clientSecret: body.client_secret });
  if (r.status !== "requires_action" || !r.challengeHash) {
    throw new ApiError(
      400,
      "invalid_request_error",
      "payment_unexpected_state",
      `cannot verify a payment whose status is ${r.status}${r.status === "requires_action" ? " and that waits for a QR scan" : ""}`,
      undefined,
      { payment_status: r.status },
    );
  }
  if (safeEqual(sha256Hex(body.code), r.challengeHash)) {
    return { payment: await transition(v, r, { type: "challenge_passed" }, { challengeAttempts: r.challengeAttempts + 1 }) };
  }
  const lastError = { code: "authentication_failed", message: "The confirmation code is incorrect; the payment failed." };
  return {
    payment: await transition(v, r, { type: "challenge_failed" }, { challengeAttempts: r.challengeAttempts + 1, lastError }),
    declined: lastError,
  };
}

export async function completeQr(v: Vars, id: string): Promise<PaymentRow> {
  const r = await findPayment(v, id, { lock: true });
  if (r.livemode) throw new ApiError(403, "permission_error", "test_mode_only", "Test helpers work with test keys only.");
  if (r.status !== "requires_action" || r.method !== "qr") {
    throw new ApiError(
      400,
      "invalid_request_error",
      "payment_unexpected_state",
      `only a QR payment waiting for its scan can be completed; this one is ${r.status}`,
      undefined,
      { payment_status: r.status },
    );
  }
  return transition(v, r, { type: "provider_settled", outcome: "authorized" });
}

/** Who moves an order's payment: its order (the order's id), never a call on the payment alone. */
type Mover = { order?: string };

/**
 * An order's payment moves with its order (handover, fail, returns, expiry) until the order
 * settles. Captured, released or refunded on its own, the order would still say `held` while its
 * money went elsewhere, and its next step (and the merchant's due jobs with it) would fail on the
 * payment's state. A settled order's payment is refunded like any other (refundPayment).
 */
function movedByItsOrder(r: { orderId: string | null }, by: Mover, param: string) {
  if (r.orderId && r.orderId !== by.order) {
    throw invalid(
      "payment_owned_by_order",
      `This payment belongs to order ${r.orderId}: until the order settles, it is captured, released and refunded through the order.`,
      param,
    );
  }
}

export async function capturePayment(v: Vars, id: string, amount?: number, opts: { bucket?: "available" | "pending" } & Mover = {}) {
  const r = await findPayment(v, id, { lock: true });
  movedByItsOrder(r, opts, "id");
  return transition(v, r, amount === undefined ? { type: "capture" } : { type: "capture", amount }, {}, opts.bucket);
}

export async function cancelPayment(v: Vars, id: string, by: Mover = {}) {
  const r = await findPayment(v, id, { lock: true });
  movedByItsOrder(r, by, "id");
  return transition(v, r, { type: "cancel" });
}

/**
 * Refunds send money back the way it came; the merchant's fee is not returned (as at
 * Stripe), so the refund is taken from the merchant's balance in full.
 */
export async function refundPayment(
  v: Vars,
  input: { payment: string; amount?: number | undefined; reason?: string | undefined; metadata?: Record<string, string> | undefined },
  by: Mover = {},
) {
  const r = await findPayment(v, input.payment, { lock: true, param: "payment" });
  // Once its order settled (the return window closed), the payment is the merchant's to refund.
  const settled = r.orderId !== null && (await orderSettled(v, r.orderId));
  if (!settled) movedByItsOrder(r, by, "payment");
  // Money under a dispute (open, or lost: it went back to the payer) cannot be refunded as well.
  const [disputed] = await v.deps.database.rows<{ amount: number }>(
    sql`SELECT COALESCE(sum(amount), 0)::bigint AS amount FROM disputes WHERE payment_id = ${r.id} AND status <> 'won'`,
    v.db,
  );
  const held = Number(disputed?.amount ?? 0);
  const amount = input.amount ?? r.amountCaptured - r.amountRefunded - held;
  if (held > 0 && amount > r.amountCaptured - r.amountRefunded - held) {
    throw invalid("amount_too_large", `${held} of this payment is disputed and cannot be refunded.`, "amount");
  }
  const t = transitionPayment(stateOf(r), { type: "refund", amount });
  if (!t.ok) {
    if (t.code === "payment_unexpected_state") {
      throw new ApiError(400, "invalid_request_error", "payment_unexpected_state", t.message, "payment", { payment_status: r.status });
    }
    throw invalid(
      t.code === "amount_too_large" ? "amount_too_large" : t.code,
      amount === 0 ? "This payment has nothing left to refund." : t.message,
      "amount",
    );
  }
  const id = newId("refund");
  const bucket = shareBucket(r, settled);
  const ref = paymentRef(r);
  // What an unsettled order still has in pending; a refund beyond it (the kept fee) comes from available.
  const pending = bucket === "pending" ? orderPendingShare({ captured: r.amountCaptured, fee: r.fee ?? 0, refunded: r.amountRefunded }) : 0;
  // From available, the refund takes what the merchant's balance holds (locked with the payer's
  // wallet, in id order), the rest as its debt.
  const fromAvailable = !ref.topUpCustomer && (bucket === "available" || amount > pending);
  const avail = fromAvailable ? await v.deps.ledger.lockAvailable(v.db, ref, [paymentSource(ref)]) : undefined;
  const prepared = await prepare(v, [refundEntry(r, amount, id, bucket, avail?.shards, pending)], avail?.locked);
  await reachProvider(v, r, t.effects, id);
  const [refund] = await v.db
    .insert(refunds)
    .values({
      id,
      merchantId: r.merchantId,
      livemode: r.livemode,
      paymentId: r.id,
      amount,
      currency: r.currency,
      status: "succeeded",
      reason: input.reason ?? null,
      metadata: input.metadata ?? {},
    })
    .returning();
  await save(v, r, { amountRefunded: t.state.amount_refunded });
  const obj = refundObject(refund as typeof refunds.$inferSelect);
  await emitEvent(v.deps.database, v.db, { merchantId: r.merchantId, livemode: r.livemode, type: "refund.succeeded", object: obj });
  await prepared.write();
  return obj;
}

async function orderSettled(v: Vars, orderId: string): Promise<boolean> {
  const [row] = await v.deps.database.rows<{ settled: boolean }>(sql`SELECT settled FROM orders WHERE id = ${orderId}`, v.db);
  return row?.settled ?? false;
}

export function refundEntry(
  r: PaymentRow,
  amount: number,
  refundId: string,
  bucket: "available" | "pending",
  available?: readonly ShardBalance[],
  pending?: number,
): LedgerEntry {
  return paymentRefunded(paymentRef(r), {
    refundId,
    amount,
    bucket,
    ...(available && { available }),
    ...(pending !== undefined && { pending }),
  });
}

export function refundObject(r: typeof refunds.$inferSelect) {
  return {
    id: r.id,
    object: "refund" as const,
    created: r.createdAt.toISOString(),
    livemode: r.livemode,
    payment: r.paymentId,
    amount: r.amount,
    currency: r.currency,
    status: r.status,
    reason: r.reason,
    metadata: r.metadata,
  };
}

export async function listPayments(
  v: Vars,
  q: ListParams & {
    status?: string | undefined;
    customer?: string | undefined;
    "created[gte]"?: string | undefined;
    "created[lte]"?: string | undefined;
  },
) {
  const list = await listOwned(
    v.db,
    merchantOf(v),
    payments,
    q,
    "/v1/payments",
    q.status ? eq(payments.status, q.status as PaymentRow["status"]) : undefined,
    q.customer ? eq(payments.customerId, q.customer) : undefined,
    q["created[gte]"] ? gte(payments.createdAt, new Date(q["created[gte]"])) : undefined,
    q["created[lte]"] ? lte(payments.createdAt, new Date(q["created[lte]"])) : undefined,
  );
  return { ...list, data: list.data.map((r) => paymentFor(v, r)) };
}
