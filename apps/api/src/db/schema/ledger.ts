import { sql } from "drizzle-orm";
import { boolean, check, index, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
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

/**
 * A transaction's postings are its lines 0, 1, …: keyed by (transaction_id, line), which is also
 * how they are read back, so a posting costs one index entry and no sequence call — transit
 * writes two postings per fare. There is no index by account: nothing reads postings by account
 * (balances live on the account row; statements go by transaction), and one would take a write
 * at a random leaf per rider's posting, a page whose first change after each checkpoint logs
 * all 8 KB (migration 0016, BENCHMARKS.md "30 days of history").
 */
export const ledgerPostings = pgTable(
  "ledger_postings",
  {
    transactionId: text("transaction_id").notNull(),
    line: integer("line").notNull(),
    accountId: text("account_id").notNull(),
    amount: money("amount").notNull(),
    currency: text("currency").notNull(),
  },
  (t) => [primaryKey({ columns: [t.transactionId, t.line] })],
);
