import { boolean, index, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { merchantRef, money, objectColumns, ts } from "./common.js";

/**
 * Where a merchant's payouts go. The account number is sealed with the server's secret box
 * (lib/crypto.ts SecretBox, as webhook secrets are): the table holds ciphertext and the last 4
 * characters, which are all the API ever shows again.
 */
export const bankAccounts = pgTable(
  "bank_accounts",
  {
    ...objectColumns(),
    merchantId: merchantRef(),
    country: text("country").notNull(),
    currency: text("currency").notNull(),
    holderName: text("holder_name").notNull(),
    bankCode: text("bank_code").notNull(),
    accountNumberSealed: text("account_number_sealed").notNull(),
    last4: text("last4").notNull(),
    /** The payouts' destination when a payout names none (the merchant's first account, per currency). */
    defaultForCurrency: boolean("default_for_currency").notNull().default(false),
    deletedAt: ts("deleted_at"),
  },
  (t) => [index("bank_accounts_merchant_idx").on(t.merchantId, t.livemode, t.id)],
);

export type PayoutStatus = "pending" | "in_transit" | "paid" | "failed" | "canceled";

export const payouts = pgTable(
  "payouts",
  {
    ...objectColumns(),
    merchantId: merchantRef(),
    amount: money("amount").notNull(),
    currency: text("currency").notNull(),
    bankAccountId: text("bank_account_id").notNull(),
    status: text("status").$type<PayoutStatus>().notNull().default("pending"),
    /** Made by the payout schedule (true) or asked for (false). */
    automatic: boolean("automatic").notNull().default(false),
    arrivalDate: ts("arrival_date").notNull(),
    failureCode: text("failure_code"),
    failureMessage: text("failure_message"),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [index("payouts_merchant_idx").on(t.merchantId, t.livemode, t.id)],
);

/**
 * A payout's settlement report: the part of each balance movement (ledger transaction) the
 * payout carries. Items of a failed or canceled payout are released (kept for its report,
 * free for the next payout).
 */
export const payoutItems = pgTable(
  "payout_items",
  {
    payoutId: text("payout_id").notNull(),
    line: integer("line").notNull(),
    merchantId: merchantRef(),
    livemode: boolean("livemode").notNull(),
    currency: text("currency").notNull(),
    transactionId: text("transaction_id").notNull(),
    amount: money("amount").notNull(),
    released: boolean("released").notNull().default(false),
  },
  (t) => [
    primaryKey({ columns: [t.payoutId, t.line] }),
    index("payout_items_movement_idx").on(t.merchantId, t.livemode, t.currency, t.transactionId),
  ],
);

/**
 * Per merchant, mode and currency: every balance movement up to `settled_through` (a ledger
 * transaction id) is wholly settled by a live payout, so the next payout reads only the
 * movements after it (less a look-back, see services/payouts.ts), not the whole history.
 */
export const payoutCursors = pgTable(
  "payout_cursors",
  {
    merchantId: merchantRef(),
    livemode: boolean("livemode").notNull(),
    currency: text("currency").notNull(),
    settledThrough: text("settled_through").notNull(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.livemode, t.currency] })],
);

export const payoutSchedules = pgTable(
  "payout_schedules",
  {
    merchantId: merchantRef(),
    livemode: boolean("livemode").notNull(),
    interval: text("interval").$type<"manual" | "daily" | "weekly">().notNull(),
    weeklyAnchor: text("weekly_anchor"),
    minimum: money("minimum").notNull().default(0),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.livemode] })],
);
