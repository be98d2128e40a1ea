import {
  disputeFee,
  disputeFromWallet,
  disputeLost,
  disputeOpened,
  disputeWon,
  merchantAccount,
  paymentSource,
  walletAccount,
} from "@softrack/core";
import { and, eq, sql } from "drizzle-orm";
import type { AppEnv } from "../context.js";
import { type DisputeStatus, disputes } from "../db/schema/index.js";
import { ApiError, forbidden, invalid, notFound } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { type ListParams, listOwned } from "../lib/pagination.js";
import { merchantOf } from "../middleware/auth.js";
import type { LedgerEntry } from "../store/ledger-store.js";
import { emitEvent } from "./events.js";
import { merchantForFees } from "./merchants.js";
import { findPayment, paymentRef } from "./payments.js";
import { feeTariffOf } from "./tariffs.js";

type Vars = AppEnv["Variables"];
export type DisputeRow = typeof disputes.$inferSelect;

/** Reasons a card network gives for a dispute (Stripe's list). */
export const DISPUTE_REASONS = [
  "duplicate",
  "fraudulent",
  "subscription_canceled",
  "product_unacceptable",
  "product_not_received",
  "unrecognized",
  "credit_not_processed",
  "general",
] as const;

/** Statuses in which a dispute still awaits its outcome (its amount sits in the reserve). */
const OPEN: DisputeStatus[] = ["needs_response", "under_review"];

export function disputeObject(r: DisputeRow) {
  return {
    id: r.id,
    object: "dispute" as const,
    created: r.createdAt.toISOString(),
    livemode: r.livemode,
    payment: r.paymentId,
    amount: r.amount,
    currency: r.currency,
    fee: r.fee,
    reason: r.reason,
    status: r.status,
    evidence: { text: r.evidenceText, submitted: r.evidenceSubmittedAt?.toISOString() ?? null },
    closed: r.closedAt?.toISOString() ?? null,
    metadata: r.metadata,
  };
}

/** Test helpers act on test-mode objects only; a live object is found first (another mode's id stays a 404). */
function testModeOnly(v: Vars) {
  if (merchantOf(v).livemode) throw forbidden("Test helpers work with test keys only.", "test_mode_only");
}

/**
 * POST /v1/test_helpers/payments/:id/dispute: the card network's notice of a dispute. The amount
 * and the merchant's dispute fee leave its available balance at once, what that cannot cover as
 * its debt (core disputeOpened), in the request's transaction.
 */
export async function openDispute(v: Vars, paymentId: string, input: { reason: string; amount?: number | undefined }) {
  const r = await findPayment(v, paymentId, { lock: true });
  testModeOnly(v);
  // Paid from a Softrack wallet: no card network or operator stands behind it to dispute it.
  if (r.method === "wallet") throw invalid("payment_not_disputable", "A wallet payment cannot be disputed: refund it instead.", "payment");
  if (r.amountCaptured === 0) {
    throw new ApiError(400, "invalid_request_error", "payment_unexpected_state", "Only a captured payment can be disputed.", "payment", {
      payment_status: r.status,
    });
  }
  const [existing] = await v.db.select({ id: disputes.id }).from(disputes).where(eq(disputes.paymentId, r.id)).limit(1);
  // One dispute per payment, as a card network opens one per charge.
  if (existing) throw invalid("payment_already_disputed", `Payment ${r.id} is already disputed (${existing.id}).`, "payment");
  const disputable = r.amountCaptured - r.amountRefunded;
  const amount = input.amount ?? disputable;
  if (amount > disputable || amount <= 0) {
    throw invalid(
      "amount_too_large",
      `At most ${disputable} of this payment can be disputed: what was captured (${r.amountCaptured}) less refunds (${r.amountRefunded}).`,
      "amount",
    );
  }
  const now = v.deps.now();
  const tariff = await feeTariffOf(v.db, await merchantForFees(v.db, r.merchantId), r.currency, now);
  const fee = disputeFee(tariff, r.currency);
  const id = newId("dispute");
  const ref = paymentRef(r);
  const wallet = toppedUp(ref);
  const avail = await v.deps.ledger.lockAvailable(v.db, ref, [
    merchantAccount(r.merchantId, r.livemode, "disputed", r.currency),
    ...(wallet ? [wallet] : []),
  ]);
  const fromWallet = disputeFromWallet(ref, amount, wallet ? (avail.locked.get(wallet.id) ?? 0) : 0);
  await post(v, [disputeOpened(ref, { disputeId: id, amount, fee, fromWallet }, avail.shards)], avail.locked);
  const [row] = await v.db
    .insert(disputes)
    .values({
      id,
      merchantId: r.merchantId,
      livemode: r.livemode,
      paymentId: r.id,
      amount,
      currency: r.currency,
      fee,
      reason: input.reason,
      status: "needs_response",
    })
    .returning();
  const obj = disputeObject(row as DisputeRow);
  await emitEvent(v.deps.database, v.db, { merchantId: r.merchantId, livemode: r.livemode, type: "dispute.created", object: obj });
  return obj;
}

/** POST /v1/disputes/:id/evidence: the merchant's answer; the dispute goes under review (evidence may be replaced until it closes). */
export async function submitEvidence(v: Vars, id: string, input: { text: string }) {
  const d = await findDispute(v, id, true);
  if (!OPEN.includes(d.status)) throw closedAlready(d);
  const [row] = await v.db
    .update(disputes)
    .set({ evidenceText: input.text, evidenceSubmittedAt: new Date(), status: "under_review", updatedAt: new Date() })
    .where(eq(disputes.id, d.id))
    .returning();
  return disputeObject(row as DisputeRow);
}

/**
 * POST /v1/test_helpers/disputes/:id/close: the network's decision. Won, the amount comes back to
 * available (repaying any debt first; the fee is not returned); lost, it goes to the payer.
 */
export async function closeDispute(v: Vars, id: string, input: { outcome: "won" | "lost" }) {
  const d = await findDispute(v, id, true);
  testModeOnly(v);
  if (!OPEN.includes(d.status)) throw closedAlready(d);
  const r = await findPayment(v, d.paymentId);
  const ref = paymentRef(r);
  const wallet = toppedUp(ref);
  const money = { disputeId: d.id, amount: d.amount, fromWallet: wallet ? await takenFrom(v, d.id, wallet.id) : 0 };
  // The reserve and the payer's wallet are locked with the available rows, in id order, as every writer locks.
  const avail = await v.deps.ledger.lockAvailable(v.db, ref, [
    merchantAccount(r.merchantId, r.livemode, "disputed", r.currency),
    paymentSource(ref),
    ...(wallet ? [wallet] : []),
  ]);
  await post(v, [input.outcome === "won" ? disputeWon(ref, money) : disputeLost(ref, money)], avail.locked);
  const now = new Date();
  const [row] = await v.db
    .update(disputes)
    .set({ status: input.outcome, closedAt: now, updatedAt: now })
    .where(eq(disputes.id, d.id))
    .returning();
  const obj = disputeObject(row as DisputeRow);
  await emitEvent(v.deps.database, v.db, { merchantId: r.merchantId, livemode: r.livemode, type: "dispute.closed", object: obj });
  return obj;
}

/** The wallet a top-up filled (a dispute of it takes back from there first); none for any other payment. */
function toppedUp(ref: ReturnType<typeof paymentRef>) {
  return ref.topUpCustomer ? walletAccount(ref.merchantId, ref.topUpCustomer, ref.livemode, ref.currency) : undefined;
}

/** What a dispute's opening took from `account`, as its ledger entry holds it. */
async function takenFrom(v: Vars, disputeId: string, account: string): Promise<number> {
  const [row] = await v.deps.database.rows<{ taken: number }>(
    sql`SELECT COALESCE(-sum(p.amount), 0)::bigint AS taken FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.transaction_id
        WHERE t.source_id = ${disputeId} AND t.type = 'dispute' AND p.account_id = ${account}`,
    v.db,
  );
  return Number(row?.taken ?? 0);
}

export async function findDispute(v: Vars, id: string, lock = false): Promise<DisputeRow> {
  const p = merchantOf(v);
  const q = v.db
    .select()
    .from(disputes)
    .where(and(eq(disputes.id, id), eq(disputes.merchantId, p.merchantId), eq(disputes.livemode, p.livemode)));
  const [row] = lock ? await q.for("update") : await q;
  if (!row) throw notFound("dispute", id);
  return row;
}

export async function listDisputes(v: Vars, q: ListParams & { payment?: string | undefined }) {
  const list = await listOwned(v.db, merchantOf(v), disputes, q, "/v1/disputes", q.payment ? eq(disputes.paymentId, q.payment) : undefined);
  return { ...list, data: list.data.map(disputeObject) };
}

function closedAlready(d: DisputeRow) {
  return new ApiError(400, "invalid_request_error", "dispute_unexpected_state", `Dispute ${d.id} is closed (${d.status}).`, undefined, {
    dispute_status: d.status,
  });
}

/** Writes the dispute's movement; the ledger takes every dispute whatever the balance (the shortfall is debt). */
async function post(v: Vars, entries: LedgerEntry[], locked: ReadonlyMap<string, number>) {
  const results = await v.deps.ledger.post(v.db, entries, locked);
  const failed = results.find((x) => !x.ok);
  if (failed && !failed.ok) throw new Error(`ledger rejected a dispute movement: ${failed.rejection.message}`);
}
