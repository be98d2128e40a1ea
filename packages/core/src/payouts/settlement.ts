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
 * Every open debit whole (a refund, a dispute: it lowered the balance the payout draws on, so the
 * payout's report shows it), and the credits that then reach `amount`, oldest first, the last one
 * split. A payout therefore never leaves a debit behind for a later report to explain, and covers
 * any amount up to the sum of the open movements.
 */
export function assignToPayout(open: readonly OpenMovement[], amount: number): SettlementAssignment {
  if (!Number.isSafeInteger(amount) || amount <= 0) throw new RangeError(`payout amount must be a positive integer, not ${amount}`);
  const debits = open.reduce((t, m) => t + Math.min(0, m.remaining), 0);
  let credit = amount - debits; // what the credits must carry
  const items: SettlementItem[] = [];
  let settledThrough: string | null = null;
  let leading = true;
  for (const m of open) {
    const take = m.remaining < 0 ? m.remaining : Math.min(m.remaining, credit);
    if (m.remaining > 0) credit -= take;
    if (take !== 0) items.push({ transactionId: m.transactionId, amount: take });
    if (take !== m.remaining) leading = false;
    else if (leading) settledThrough = m.transactionId;
  }
  return { items, covered: credit === 0, settledThrough };
}
