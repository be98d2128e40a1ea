import { randomInt } from "node:crypto";
import {
  merchantAccount,
  newOrder,
  type OrderAction,
  type OrderItem,
  type OrderState,
  orderAmount,
  orderNoShowFee,
  orderSettled,
  type PaymentTiming,
  returnWindowEnds,
  transitionOrder,
} from "@softrack/core";
import { and, asc, desc, eq, gt, lt, sql } from "drizzle-orm";
import type { AppEnv, Deps } from "../context.js";
import type { Db } from "../db/client.js";
import { orderEvents, orders, payments, pickupPoints } from "../db/schema/index.js";
import type { JobHandler } from "../jobs/registry.js";
import { jobVars, scheduleJob } from "../jobs/runner.js";
import { safeEqual, sha256Hex } from "../lib/crypto.js";
import { ApiError, invalid, notFound } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { checkCursorIn, type ListParams, listOwned } from "../lib/pagination.js";
import { merchantOf } from "../middleware/auth.js";
import { type BuyerIdentifiers, buyerDecision, buyerKeys, prepaymentRequired, recordBuyerEvent } from "./buyers.js";
import { emitEvent } from "./events.js";
import {
  cancelPayment,
  capturePayment,
  createPayment,
  type PaymentRow,
  paymentObject,
  refundPayment,
  seesClientSecrets,
} from "./payments.js";

type Vars = AppEnv["Variables"];
export type OrderRow = typeof orders.$inferSelect;

const DAY_MS = 86_400_000;

export function orderObject(
  v: Pick<Vars, "deps" | "principal">,
  o: OrderRow,
  payment?: PaymentRow | null,
  opts: { secrets: boolean } = { secrets: true },
) {
  const state = stateOf(o);
  // The handover code collects the goods, like a client_secret pays: read-only support members never see either.
  const secrets = opts.secrets && seesClientSecrets(v.principal);
  const collectable = o.status === "held" || o.status === "awaiting_pickup";
  const code = o.handoverCodeSealed && secrets && collectable ? v.deps.box.open(o.handoverCodeSealed) : null;
  return {
    id: o.id,
    object: "order" as const,
    created: o.createdAt.toISOString(),
    livemode: o.livemode,
    status: o.status,
    payment_timing: o.paymentTiming,
    currency: o.currency,
    amount: o.amount,
    amount_captured: o.amountCaptured,
    amount_refunded: o.amountRefunded,
    no_show_fee: o.noShowFee,
    return_window_days: o.returnWindowDays,
    items: o.lines.map((l) => ({
      sku: l.sku,
      name: l.name,
      amount: l.amount,
      quantity: l.quantity,
      accepted: l.accepted,
      returned: l.returned,
    })),
    delivery: o.delivery,
    delivered_at: o.deliveredAt ? o.deliveredAt.toISOString() : null,
    return_window_ends_at: returnWindowEnds(state),
    settled: o.settled,
    handover_code: code ? { code, payload: `softrack://handover/${o.id}?code=${code}` } : null,
    payment: payment ? paymentObject(v, payment, { secret: secrets }) : o.paymentId,
    metadata: o.metadata,
  };
}

function stateOf(o: OrderRow): OrderState {
  return {
    status: o.status,
    payment_timing: o.paymentTiming,
    lines: o.lines,
    no_show_fee: o.noShowFee,
    collect_by: o.collectBy.toISOString(),
    return_window_days: o.returnWindowDays,
    delivered_at: o.deliveredAt ? o.deliveredAt.toISOString() : null,
    amount_captured: o.amountCaptured,
    amount_refunded: o.amountRefunded,
    settled: o.settled,
  };
}

async function history(db: Db, orderId: string, type: string, data: Record<string, unknown>) {
  await db.insert(orderEvents).values({ id: newId("orderEvent"), orderId, type, data });
}

export interface CreateOrderInput {
  currency: string;
  items: { sku: string; name: string; amount: number; quantity: number }[];
  delivery: { type: "pickup_point" | "courier"; point?: string | undefined; collect_by: string };
  no_show_fee?: number | undefined;
  return_window_days?: number | undefined;
  customer?: string | undefined;
  description?: string | undefined;
  metadata?: Record<string, string> | undefined;
  buyer?: BuyerIdentifiers | undefined;
  payment_timing?: PaymentTiming | undefined;
}

/** A fresh handover code: its sealed form (shown to the buyer) and its hash (the scan finds and checks it). */
function handoverCode(v: Vars, orderId: string) {
  const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
  return { handoverCodeSealed: v.deps.box.seal(code), handoverCodeHash: sha256Hex(`${orderId}:${code}`) };
}

export async function createOrder(v: Vars, input: CreateOrderInput) {
  const p = merchantOf(v);
  const items: OrderItem[] = input.items.map((i) => ({ sku: i.sku, name: i.name, amount: i.amount, quantity: i.quantity }));
  const skus = new Set(items.map((i) => i.sku));
  if (skus.size !== items.length) throw invalid("parameter_invalid", "Each sku may appear once; use quantity for several.", "items");
  const amount = orderAmount(items);
  if (!Number.isSafeInteger(amount) || amount > 999_999_999_999)
    throw invalid("amount_too_large", "The order's total is too large.", "items");
  if ((input.no_show_fee ?? 0) > amount) throw invalid("parameter_invalid", "no_show_fee cannot exceed the order's total.", "no_show_fee");
  const timing = input.payment_timing ?? "prepaid";
  const keys = input.buyer ? buyerKeys(v, input.buyer, "buyer.") : [];
  // The merchant's buyer policy decides who may pay on pickup and the no-show fee by score.
  const { score, decision, policy } = await buyerDecision(v, keys);
  if (timing === "on_pickup" && policy) {
    if (keys.length === 0)
      throw invalid("parameter_missing", "With a buyer policy set, an on_pickup order names its buyer (phone or email).", "buyer");
    if (decision.requirement === "prepay") throw prepaymentRequired(score, policy.min_score_on_pickup);
  }
  // The score's fee band prices a prepaid no-show: an on_pickup order holds nothing to take it from.
  const fee = timing === "on_pickup" ? (input.no_show_fee ?? 0) : orderNoShowFee(input.no_show_fee ?? 0, decision, amount);
  const collectBy = new Date(input.delivery.collect_by);
  if (collectBy.getTime() <= v.deps.now().getTime())
    throw invalid("parameter_invalid", "delivery.collect_by must be in the future.", "delivery.collect_by");
  if (input.delivery.type === "pickup_point") {
    if (!input.delivery.point) throw invalid("parameter_missing", "A pickup-point delivery names its point.", "delivery.point");
    const [pp] = await v.db
      .select({ id: pickupPoints.id })
      .from(pickupPoints)
      .where(
        and(eq(pickupPoints.id, input.delivery.point), eq(pickupPoints.merchantId, p.merchantId), eq(pickupPoints.livemode, p.livemode)),
      );
    if (!pp) throw notFound("pickup point", input.delivery.point, "delivery.point");
  }
  const id = newId("order");
  const payment = await createPayment(
    v,
    {
      amount,
      currency: input.currency,
      capture_method: "manual",
      customer: input.customer,
      description: input.description ?? `Order ${id}`,
      purpose: { type: "order", order: id },
    },
    { orderId: id },
  );
  const state = newOrder({
    items,
    no_show_fee: fee,
    collect_by: collectBy.toISOString(),
    return_window_days: input.return_window_days ?? 14,
    payment_timing: timing,
  });
  const [row] = await v.db
    .insert(orders)
    .values({
      id,
      merchantId: p.merchantId,
      livemode: p.livemode,
      status: state.status,
      currency: input.currency,
      amount,
      lines: [...state.lines],
      delivery: { type: input.delivery.type, point: input.delivery.point ?? null, collect_by: collectBy.toISOString() },
      collectBy,
      noShowFee: fee,
      returnWindowDays: state.return_window_days,
      paymentId: payment.id,
      paymentTiming: timing,
      buyerKeys: keys,
      // Nothing is held for an on_pickup order: the point scans its code to take the payment.
      ...(timing === "on_pickup" ? handoverCode(v, id) : {}),
      metadata: input.metadata ?? {},
    })
    .returning();
  await history(v.db, id, "order.created", { amount, items: items.length, payment_timing: timing });
  await recordBuyerEvent(v.db, row as OrderRow, "ordered", v.deps.now());
  await scheduleJob(v.deps.database, v.db, {
    kind: "order.expire",
    dedupeKey: `order.expire:${id}`,
    runAt: collectBy,
    payload: { order: id, merchant_id: p.merchantId },
    livemode: p.livemode,
  });
  return orderObject(v, row as OrderRow, payment);
}

async function lockOrder(db: Db, merchantId: string, livemode: boolean, id: string) {
  const [row] = await db
    .select()
    .from(orders)
    .where(and(eq(orders.id, id), eq(orders.merchantId, merchantId), eq(orders.livemode, livemode)))
    .for("update");
  if (!row) throw notFound("order", id);
  return row;
}

export async function findOrder(v: Vars, id: string) {
  const p = merchantOf(v);
  const [row] = await v.db
    .select()
    .from(orders)
    .where(and(eq(orders.id, id), eq(orders.merchantId, p.merchantId), eq(orders.livemode, p.livemode)));
  if (!row) throw notFound("order", id);
  const [payment] = await v.db.select().from(payments).where(eq(payments.id, row.paymentId));
  return orderObject(v, row, payment);
}

function apply(o: OrderRow, action: OrderAction) {
  const t = transitionOrder(stateOf(o), action);
  if (!t.ok) {
    if (t.code === "order_unexpected_state")
      throw new ApiError(400, "invalid_request_error", "order_unexpected_state", t.message, undefined, { order_status: o.status });
    throw invalid(t.code, t.message, t.param);
  }
  return t;
}

async function save(v: Vars, before: OrderRow, s: OrderState, extra: Partial<OrderRow> = {}) {
  const [row] = await v.db
    .update(orders)
    .set({
      status: s.status,
      lines: [...s.lines],
      deliveredAt: s.delivered_at ? new Date(s.delivered_at) : null,
      amountCaptured: s.amount_captured,
      amountRefunded: s.amount_refunded,
      settled: s.settled,
      updatedAt: new Date(),
      ...extra,
    })
    .where(eq(orders.id, before.id))
    .returning();
  const after = row as OrderRow;
  const type =
    after.status !== before.status
      ? ({ held: "order.held", delivered: "order.delivered", refunded: "order.refunded", expired: "order.expired" } as const)[
          after.status as "held"
        ]
      : undefined;
  if (type)
    await emitEvent(v.deps.database, v.db, {
      merchantId: after.merchantId,
      livemode: after.livemode,
      type,
      object: orderObject(v, after, null, { secrets: false }),
    });
  return after;
}

/**
 * The runtime's deps.paymentStatusChanged: the payment service announces every change of a
 * payment's status (same transaction), and an order payment's next attempt; an order's payment
 * holds or cancels its order, and a declined one is replaced by its next attempt.
 */
export async function onOrderPaymentChanged(v: Vars, payment: PaymentRow) {
  if (!payment.orderId) return;
  const o = await lockOrder(v.db, payment.merchantId, payment.livemode, payment.orderId);
  if (payment.status === "requires_capture" && (o.status === "requires_payment" || o.status === "awaiting_pickup")) {
    const t = apply(o, { type: "payment_authorized" });
    await history(v.db, o.id, "order.held", { amount: o.amount });
    // An on_pickup order paid at the point keeps the code the buyer already holds.
    await save(v, o, t.state, o.status === "awaiting_pickup" ? {} : handoverCode(v, o.id));
  } else if (payment.status === "canceled" && o.status === "requires_payment") {
    await cancelUnpaid(v.db, o, payment.status);
  } else if (payment.status === "failed" && o.status === "requires_payment" && o.paymentId === payment.id) {
    // A decline leaves the order waiting for its payment: the buyer may try another card or
    // method (POST /v1/payments/:id/retry) until collect_by, when an unpaid order is canceled.
    await history(v.db, o.id, "order.payment_failed", { payment: payment.id });
  } else if (payment.status === "requires_payment_method" && payment.retryOf !== null) {
    // The next attempt of the order's declined payment becomes the payment the order names: one
    // declined online, or at the point for an order paid on pickup.
    if ((o.status !== "requires_payment" && o.status !== "awaiting_pickup") || o.paymentId !== payment.retryOf)
      throw new ApiError(
        400,
        "invalid_request_error",
        "order_unexpected_state",
        `Order ${o.id} does not wait for payment ${payment.retryOf}: it is ${o.status}.`,
        undefined,
        { order_status: o.status },
      );
    await v.db.update(orders).set({ paymentId: payment.id, updatedAt: new Date() }).where(eq(orders.id, o.id));
    await history(v.db, o.id, "order.payment_retried", { payment: payment.id, retry_of: payment.retryOf });
  }
}

/** An order that was never paid ends: its payment canceled, or declined and not tried again by collect_by. */
async function cancelUnpaid(db: Db, o: OrderRow, paymentStatus: string) {
  await history(db, o.id, "order.canceled", { payment_status: paymentStatus });
  await db.update(orders).set({ status: "canceled", updatedAt: new Date() }).where(eq(orders.id, o.id));
}

/** Scans pass the code: it must be this order's. */
function checkCode(o: OrderRow, code: string | undefined) {
  if (code === undefined) return;
  if (!o.handoverCodeHash || !safeEqual(sha256Hex(`${o.id}:${code}`), o.handoverCodeHash)) {
    throw invalid("handover_code_invalid", "The handover code does not match this order.", "handover_code");
  }
}

export async function handover(
  v: Vars,
  id: string,
  input: { accepted: { sku: string; quantity: number }[]; handover_code?: string | undefined },
) {
  const p = merchantOf(v);
  const o = await lockOrder(v.db, p.merchantId, p.livemode, id);
  checkCode(o, input.handover_code);
  const now = v.deps.now();
  const t = apply(o, { type: "handover", accepted: input.accepted, at: now.toISOString() });
  const effect = t.effects[0];
  if (effect?.type === "capture") await capturePayment(v, o.paymentId, effect.amount, { order: o.id });
  else await releasePayment(v, o);
  await history(v.db, o.id, "order.handover", {
    accepted: input.accepted,
    captured: t.state.amount_captured,
    released: o.amount - t.state.amount_captured,
  });
  const after = await save(v, o, t.state);
  // Took something: collected. Came and took nothing: a return at the door, the trip was wasted all the same.
  await recordBuyerEvent(v.db, o, after.status === "delivered" ? "collected" : "returned", now);
  if (after.status === "delivered") {
    const ends = new Date(now.getTime() + after.returnWindowDays * DAY_MS);
    await scheduleJob(v.deps.database, v.db, {
      kind: "order.settle",
      dedupeKey: `order.settle:${o.id}`,
      runAt: ends,
      payload: { order: o.id, merchant_id: p.merchantId },
      livemode: p.livemode,
    });
  }
  return findOrder(v, id);
}

export async function returnItems(v: Vars, id: string, input: { items: { sku: string; quantity: number }[]; reason?: string | undefined }) {
  const p = merchantOf(v);
  const o = await lockOrder(v.db, p.merchantId, p.livemode, id);
  const t = apply(o, { type: "return", items: input.items, now: v.deps.now().toISOString() });
  const effect = t.effects[0];
  if (effect?.type === "refund")
    await refundPayment(v, { payment: o.paymentId, amount: effect.amount, reason: "returned" }, { order: o.id });
  await history(v.db, o.id, "order.return", {
    items: input.items,
    refunded: effect?.type === "refund" ? effect.amount : 0,
    reason: input.reason ?? null,
  });
  await save(v, o, t.state);
  // One return per order in the buyer's record, however many parcels of it come back.
  if (o.lines.every((l) => l.returned === 0)) await recordBuyerEvent(v.db, o, "returned", v.deps.now());
  return findOrder(v, id);
}

export async function failOrder(v: Vars, id: string, input: { reason: string }) {
  const p = merchantOf(v);
  const o = await lockOrder(v.db, p.merchantId, p.livemode, id);
  const t = apply(o, { type: "fail" });
  await releasePayment(v, o);
  await history(v.db, o.id, "order.failed", { reason: input.reason, refunded: o.status === "held" ? o.amount : 0 });
  await save(v, o, t.state);
  await recordBuyerEvent(v.db, o, "failed", v.deps.now());
  return findOrder(v, id);
}

/**
 * An order's payment let go: canceled while it can be. One declined at the point (an on_pickup
 * order's, `failed`) holds nothing and stays as it is: cancel would refuse it, and the order's
 * fail or expiry must not.
 */
async function releasePayment(v: Vars, o: OrderRow) {
  const [pay] = await v.db.select({ status: payments.status }).from(payments).where(eq(payments.id, o.paymentId));
  if (pay?.status === "failed" || pay?.status === "canceled") return;
  await cancelPayment(v, o.paymentId, { order: o.id });
}

/**
 * At collect_by, an order not collected expires: the no-show fee is captured, the rest released.
 * One never paid is canceled with its payment, which can then no longer be paid.
 */
const expireOrder: JobHandler<Deps> = async (run) => {
  const { tx, now, payload } = run;
  const [o] = await tx
    .select()
    .from(orders)
    .where(eq(orders.id, payload.order as string))
    .for("update");
  if (o?.status === "requires_payment") {
    const [pay] = await tx.select({ status: payments.status }).from(payments).where(eq(payments.id, o.paymentId));
    // A declined payment nobody tried again ends its order here; any other is canceled, and its
    // cancel cancels the order (onOrderPaymentChanged).
    if (pay?.status === "failed") await cancelUnpaid(tx, o, pay.status);
    else await releasePayment(jobVars(run, o.merchantId, o.livemode), o);
    return "canceled: not paid by collect_by";
  }
  if (o?.status !== "held" && o?.status !== "awaiting_pickup") return `skipped: ${o?.status ?? "missing"}`;
  const v = jobVars(run, o.merchantId, o.livemode);
  const t = transitionOrder(stateOf(o), { type: "expire", now: now.toISOString() });
  if (!t.ok) return `skipped: ${t.code}`;
  const effect = t.effects[0];
  // The no-show fee is the merchant's at once: there is nothing left to return.
  if (effect?.type === "capture") await capturePayment(v, o.paymentId, effect.amount, { bucket: "available", order: o.id });
  else await releasePayment(v, o);
  await history(tx, o.id, "order.expired", { no_show_fee: t.state.amount_captured, refunded: t.state.amount_refunded });
  await save(v, o, t.state);
  await recordBuyerEvent(tx, o, "not_collected", now);
  return "expired";
};

/** When the return window closes, what the order left in pending becomes available. */
const settleOrder: JobHandler<Deps> = async (run) => {
  const { deps, tx, now, payload } = run;
  const [o] = await tx
    .select()
    .from(orders)
    .where(eq(orders.id, payload.order as string))
    .for("update");
  if (o?.status !== "delivered" || o.settled) return `skipped: ${o?.status ?? "missing"}`;
  const v = jobVars(run, o.merchantId, o.livemode);
  const t = transitionOrder(stateOf(o), { type: "settle", now: now.toISOString() });
  if (!t.ok) return `skipped: ${t.code}`;
  const owner = { merchantId: o.merchantId, livemode: o.livemode, currency: o.currency };
  const pending = await pendingOf(deps, tx, { ...owner, paymentId: o.paymentId });
  // Below zero only for an order returned before refunds took the kept fee from available.
  const avail = pending < 0 ? await deps.ledger.lockAvailable(tx, owner) : undefined;
  const entry = orderSettled({ orderId: o.id, paymentId: o.paymentId, ...owner }, pending, avail?.shards);
  if (entry) {
    const results = await deps.ledger.post(tx, [entry], avail?.locked);
    if (!results[0]?.ok) throw new Error("settlement rejected by the ledger");
  }
  await history(tx, o.id, "order.settled", { amount: pending });
  await save(v, o, t.state);
  return "settled";
};

/**
 * What an order holds in pending, as the ledger has it: its capture's and its refunds' postings
 * to the pending account (a shard shared with other payments, hence by source). Read rather than
 * worked out from the payment's amounts, so an order refunded under older rules settles right too.
 */
async function pendingOf(
  deps: Deps,
  db: Db,
  o: { merchantId: string; livemode: boolean; currency: string; paymentId: string },
): Promise<number> {
  const account = merchantAccount(o.merchantId, o.livemode, "pending", o.currency, o.paymentId).id;
  const [row] = await deps.database.rows<{ pending: string | number }>(
    sql`SELECT COALESCE(sum(p.amount), 0)::bigint AS pending
        FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.transaction_id
        WHERE p.account_id = ${account}
          AND (t.source_id = ${o.paymentId} OR t.source_id IN (SELECT id FROM refunds WHERE payment_id = ${o.paymentId}))`,
    db,
  );
  return Number(row?.pending ?? 0);
}

/** The order service's background jobs, for the runtime's registry (server.ts). */
export const orderJobs: Readonly<Record<string, JobHandler<Deps>>> = { "order.expire": expireOrder, "order.settle": settleOrder };

/**
 * GET /v1/orders/:id/events: the order's history, newest first as every list, so its cursors walk
 * back in time: `starting_after` to earlier entries, `ending_before` to later ones.
 */
export async function orderHistory(v: Vars, id: string, q: ListParams) {
  const order = await findOrder(v, id);
  await checkCursorIn(v.db, orderEvents, eq(orderEvents.orderId, id), q);
  const rows = await v.db
    .select()
    .from(orderEvents)
    .where(
      and(
        eq(orderEvents.orderId, id),
        q.starting_after !== undefined ? lt(orderEvents.id, q.starting_after) : undefined,
        q.ending_before !== undefined ? gt(orderEvents.id, q.ending_before) : undefined,
      ),
    )
    // Newest first, as every list of the contract's.
    .orderBy(q.ending_before !== undefined ? asc(orderEvents.id) : desc(orderEvents.id))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  if (q.ending_before !== undefined) page.reverse();
  return {
    object: "list" as const,
    url: `/v1/orders/${id}/events`,
    has_more: rows.length > q.limit,
    data: page.map((r) => ({
      id: r.id,
      object: "order_event" as const,
      type: r.type,
      created: r.createdAt.toISOString(),
      livemode: order.livemode,
      data: r.data,
    })),
  };
}

export async function listOrders(v: Vars, q: ListParams & { status?: string | undefined }) {
  const l = await listOwned(
    v.db,
    merchantOf(v),
    orders,
    q,
    "/v1/orders",
    q.status ? eq(orders.status, q.status as OrderRow["status"]) : undefined,
  );
  return { ...l, data: l.data.map((o) => orderObject(v, o)) };
}

export async function createPickupPoint(v: Vars, input: { name: string; address: string; metadata?: Record<string, string> | undefined }) {
  const p = merchantOf(v);
  const [row] = await v.db
    .insert(pickupPoints)
    .values({
      id: newId("pickupPoint"),
      merchantId: p.merchantId,
      livemode: p.livemode,
      name: input.name,
      address: input.address,
      metadata: input.metadata ?? {},
    })
    .returning();
  return pickupPointObject(row as typeof pickupPoints.$inferSelect);
}

export function pickupPointObject(r: typeof pickupPoints.$inferSelect) {
  return {
    id: r.id,
    object: "pickup_point" as const,
    created: r.createdAt.toISOString(),
    livemode: r.livemode,
    name: r.name,
    address: r.address,
    metadata: r.metadata,
  };
}
