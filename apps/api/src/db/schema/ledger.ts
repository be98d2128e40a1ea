import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, pgTable, text } from "drizzle-orm/pg-core";
import { money, ts } from "./common.js";

/**
 * Ledger accounts. The id names the account in the payments vocabulary
 * (`merchant:mer_…:test:available:KGS`, `customer:cus_…:wallet:KGS`, `platform:test:revenue:KGS`),
 * so the store derives it instead of looking it up. The CHECK is the database's own guard
 * of the core's rule; the store checks first.
 */
export const ledgerAccounts = pgTable(
  "ledger_accounts",
  {
    id: text("id").primaryKey(),
    merchantId: text("merchant_id"),
    kind: text("kind").notNull(),
    currency: text("currency").notNull(),
    livemode: boolean("livemode").notNull().default(false),
    allowNegative: boolean("allow_negative").notNull().default(false),
    balance: money("balance").notNull().default(0),
    createdAt: ts("created_at").notNull().defaultNow(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    index("ledger_accounts_merchant_idx").on(t.merchantId),
    check("ledger_accounts_non_negative", sql`${t.allowNegative} OR ${t.balance} >= 0`),
  ],
);

/** Immutable once written: nothing updates or deletes these rows. */
export const ledgerTransactions = pgTable(
  "ledger_transactions",
  {
    id: text("id").primaryKey(),
    merchantId: text("merchant_id"),
    livemode: boolean("livemode").notNull().default(false),
    type: text("type").notNull(),
    description: text("description"),
    sourceId: text("source_id"),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [index("ledger_transactions_merchant_idx").on(t.merchantId, t.id), index("ledger_transactions_source_idx").on(t.sourceId)],
);

export const ledgerPostings = pgTable(
  "ledger_postings",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    transactionId: text("transaction_id").notNull(),
    accountId: text("account_id").notNull(),
    amount: money("amount").notNull(),
    currency: text("currency").notNull(),
  },
  (t) => [index("ledger_postings_account_idx").on(t.accountId), index("ledger_postings_transaction_idx").on(t.transactionId)],
);
