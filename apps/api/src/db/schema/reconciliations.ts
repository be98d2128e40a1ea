import { sql } from "drizzle-orm";
import { date, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { objectColumns } from "./common.js";

/** What a reconciliation found for one line of the file (or one movement the file left out). */
export type ReconciliationLineStatus =
  | "matched"
  | "missing_in_ledger"
  | "missing_in_file"
  | "amount_mismatch"
  | "fee_mismatch"
  | "already_reconciled";

export interface ReconciliationLine {
  /** The line in the file (1 is the header); null for a movement the file left out. */
  line: number | null;
  reference: string;
  type: "capture" | "refund";
  status: ReconciliationLineStatus;
  /** As the file says (null: missing_in_file). */
  amount: number | null;
  fee: number | null;
  currency: string;
  /** As the ledger says (null: missing_in_ledger). */
  ledger_amount: number | null;
  ledger_currency: string | null;
  /** The acquirer's fee by its own schedule (null: the provider publishes none). */
  expected_fee: number | null;
  /** already_reconciled: the reconciliation that matched this movement first. */
  reconciliation?: string;
}

/**
 * A provider's settlement file checked against the ledger (platform admin). One per file
 * content: the hash is unique per mode, provider and day, so the same file again answers the
 * same reconciliation. The file itself is not kept, only what was found.
 */
export const reconciliations = pgTable(
  "reconciliations",
  {
    ...objectColumns(),
    provider: text("provider").notNull(),
    settlementDate: date("settlement_date", { mode: "string" }).notNull(),
    /** SHA-256 of the file's content as uploaded. */
    contentHash: text("content_hash").notNull(),
    lineCount: integer("line_count").notNull(),
    counts: jsonb("counts").$type<Record<ReconciliationLineStatus, number>>().notNull(),
    /** The findings: every line that did not match, and each movement the file left out (matched lines are only counted). */
    lines: jsonb("lines").$type<ReconciliationLine[]>().notNull().default(sql`'[]'::jsonb`),
  },
  (t) => [uniqueIndex("reconciliations_content_idx").on(t.livemode, t.provider, t.settlementDate, t.contentHash)],
);

/**
 * Every provider movement a reconciliation has accounted for (matched, or found with a
 * different amount or fee): a movement is claimed once, so a second file that lists it again
 * does not count it twice.
 */
export const reconciledMovements = pgTable(
  "reconciled_movements",
  {
    livemode: objectColumns().livemode,
    provider: text("provider").notNull(),
    /** capture | refund */
    type: text("type").notNull(),
    /** The payment (capture) or refund id the provider settled. */
    reference: text("reference").notNull(),
    reconciliationId: text("reconciliation_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.livemode, t.provider, t.type, t.reference] })],
);
