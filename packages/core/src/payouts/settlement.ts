/**
 * Which balance movements a payout settles (its settlement report). Every movement of a
 * merchant's available balance (a payment net of its fee, a refund, a dispute, a debt
 * repayment) is settled by exactly one payout, or by none yet: a payout takes the oldest
 * unsettled movements first, whole, and the part of the last one it needs (a split), so the
 * report of every payout sums exactly to its amount. What a failed or canceled payout took is
 * free again for the next one.
 */
export interface OpenMovement {
  /** The ledger transaction (txn_…); movements come oldest first. */
  transactionId: string;
  /** What of its amount on the available balance no live payout has taken yet (negative for a debit). */
  remaining: number;
}

export interface SettlementItem {
  transactionId: string;
  amount: number;
}

export interface SettlementAssignment {
  items: SettlementItem[];
  /** False when the open movements do not add up to the amount (the caller looks further back). */
  covered: boolean;
  /**
   * The last movement of the leading run that is now wholly settled (null: the first is not):
   * the merchant's cursor moves there, and the next payout starts after it.
   */
  settledThrough: string | null;
}

/**
 * Oldest first: each movement whole while the running sum stays under `amount`, then the part
 * of the movement that reaches it. Debits are always taken whole (they lower what the payout
 * carries), so only a credit is ever split.
 */
export function assignToPayout(open: readonly OpenMovement[], amount: number): SettlementAssignment {
  if (!Number.isSafeInteger(amount) || amount <= 0) throw new RangeError(`payout amount must be a positive integer, not ${amount}`);
  const items: SettlementItem[] = [];
  let sum = 0;
  let settledThrough: string | null = null;
  let leading = true;
  let covered = false;
  for (const m of open) {
    if (covered) break;
    if (m.remaining === 0) {
      if (leading) settledThrough = m.transactionId;
      continue;
    }
    const take = sum + m.remaining >= amount ? amount - sum : m.remaining;
    items.push({ transactionId: m.transactionId, amount: take });
    sum += take;
    if (take !== m.remaining) leading = false;
    else if (leading) settledThrough = m.transactionId;
    if (sum === amount) covered = true;
  }
  return { items, covered, settledThrough };
}
