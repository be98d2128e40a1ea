import { index, pgTable, text } from "drizzle-orm/pg-core";
import { merchantRef, metadata, money, objectColumns, ts } from "./common.js";

/** The contract's dispute statuses: needs_response → under_review → won | lost. */
export const DISPUTE_STATUSES = ["needs_response", "under_review", "won", "lost"] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

/**
 * A payment's disputes (chargebacks). The money moves in the ledger (core disputeOpened,
 * disputeWon, disputeLost, sourced by the dispute's id); this row is the dispute's state.
 */
export const disputes = pgTable(
  "disputes",
  {
    ...objectColumns(),
    merchantId: merchantRef(),
    paymentId: text("payment_id").notNull(),
    amount: money("amount").notNull(),
    currency: text("currency").notNull(),
    /** The dispute fee the merchant paid when it opened (from its fee tariff's dispute_fee); never returned. */
    fee: money("fee").notNull(),
    reason: text("reason").notNull(),
    status: text("status").$type<DisputeStatus>().notNull(),
    evidenceText: text("evidence_text"),
    evidenceSubmittedAt: ts("evidence_submitted_at"),
    closedAt: ts("closed_at"),
    metadata: metadata(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [index("disputes_merchant_idx").on(t.merchantId, t.id), index("disputes_payment_idx").on(t.paymentId)],
);
