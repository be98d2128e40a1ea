import type { ReconciliationLine, ReconciliationLineStatus } from "../../db/schema/reconciliations.js";
import { type MovementType, movementKey, type SettlementLine } from "./settlement-file.js";

/** A movement as the ledger has it: a card payment's capture or one of its refunds. */
export interface LedgerMovement {
  type: MovementType;
  reference: string;
  amount: number;
  currency: string;
}

export interface MatchInput {
  /** The file's lines, in file order. */
  file: readonly SettlementLine[];
  /** The ledger's movements the file names (any day), by movementKey. */
  named: ReadonlyMap<string, LedgerMovement>;
  /** The ledger's movements of the file's day, for this provider and mode. */
  day: readonly LedgerMovement[];
  /** Movements an earlier reconciliation already accounted for, by movementKey → its rec_ id. */
  claimed: ReadonlyMap<string, string>;
  /** The provider's fee schedule; undefined: fees are taken as they come. */
  expectedFee?: ((m: LedgerMovement) => number) | undefined;
}

export type ReconciliationCounts = Record<ReconciliationLineStatus, number>;

export interface MatchResult {
  /** Every line of the file in order (matched too), then the day's movements the file left out (by reference). */
  lines: ReconciliationLine[];
  counts: ReconciliationCounts;
  /** The movements this reconciliation accounts for: its matched lines'. */
  claims: { type: MovementType; reference: string }[];
}

export const emptyCounts = (): ReconciliationCounts => ({
  matched: 0,
  missing_in_ledger: 0,
  missing_in_file: 0,
  amount_mismatch: 0,
  fee_mismatch: 0,
  already_reconciled: 0,
});

/**
 * Line by line, pure:
 * - a movement an earlier reconciliation matched is `already_reconciled` (never matched twice);
 * - no such movement in the ledger: `missing_in_ledger`;
 * - a different amount or currency: `amount_mismatch` (the fee is only compared once the amounts agree);
 * - a fee other than the provider's schedule says: `fee_mismatch`;
 * - else `matched`.
 * Then each of the day's movements that the file does not name, and no earlier reconciliation
 * accounted for, is `missing_in_file`.
 */
export function matchSettlement(input: MatchInput): MatchResult {
  const counts = emptyCounts();
  const lines: ReconciliationLine[] = [];
  const claims: MatchResult["claims"] = [];
  const inFile = new Set<string>();
  for (const f of input.file) {
    const key = movementKey(f);
    inFile.add(key);
    const ledger = input.named.get(key);
    const expected = ledger && input.expectedFee ? input.expectedFee(ledger) : null;
    const earlier = input.claimed.get(key);
    let status: ReconciliationLineStatus;
    if (earlier !== undefined) status = "already_reconciled";
    else if (!ledger) status = "missing_in_ledger";
    else if (ledger.amount !== f.amount || ledger.currency !== f.currency) status = "amount_mismatch";
    else if (expected !== null && expected !== f.fee) status = "fee_mismatch";
    else status = "matched";
    counts[status]++;
    // Only a match closes a movement: one whose amount, currency or fee disagreed stays open, so a
    // corrected file can still match it and a file that disagrees again is reported again.
    if (status === "matched") claims.push({ type: f.type, reference: f.reference });
    lines.push({
      line: f.line,
      reference: f.reference,
      type: f.type,
      status,
      amount: f.amount,
      fee: f.fee,
      currency: f.currency,
      ledger_amount: ledger?.amount ?? null,
      ledger_currency: ledger?.currency ?? null,
      expected_fee: expected,
      ...(earlier !== undefined ? { reconciliation: earlier } : {}),
    });
  }
  const left = input.day
    .filter((m) => {
      const key = movementKey(m);
      return !inFile.has(key) && !input.claimed.has(key);
    })
    .sort((a, b) => (a.reference < b.reference ? -1 : a.reference > b.reference ? 1 : a.type < b.type ? -1 : 1));
  for (const m of left) {
    counts.missing_in_file++;
    lines.push({
      line: null,
      reference: m.reference,
      type: m.type,
      status: "missing_in_file",
      amount: null,
      fee: null,
      currency: m.currency,
      ledger_amount: m.amount,
      ledger_currency: m.currency,
      expected_fee: input.expectedFee ? input.expectedFee(m) : null,
    });
  }
  return { lines, counts, claims };
}
