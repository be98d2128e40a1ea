import type { AccountId, Posting, TransactionDraft } from "./ledger.js";

/**
 * Two-phase holds (authorise, then post or void), as ledger transactions.
 *
 * A hold moves money from the payer's account into a holding account at once, so the
 * money is reserved by a real posting and no later debit can spend it; posting the hold
 * moves some or all of it onward, voiding (or the remainder of a partial post) moves it back.
 * This is TigerBeetle's pending transfer expressed with ordinary postings, which keeps
 * "balance = sum of postings" true at every step.
 */
export type HoldStatus = "pending" | "posted" | "voided";

export interface Hold {
  readonly source: AccountId;
  readonly holding: AccountId;
  readonly amount: number;
  readonly currency: string;
  readonly status: HoldStatus;
  /** How much of the hold went onward when it was posted. */
  readonly posted: number;
}

export class HoldError extends Error {
  override name = "HoldError";
  constructor(
    readonly code: "hold_not_pending" | "amount_exceeds_hold" | "invalid_amount" | "unbalanced_destinations",
    message: string,
  ) {
    super(message);
  }
}

export function openHold(source: AccountId, holding: AccountId, amount: number, currency: string): { hold: Hold; draft: TransactionDraft } {
  if (!Number.isSafeInteger(amount) || amount <= 0) throw new HoldError("invalid_amount", "a hold needs a positive integer amount");
  return {
    hold: { source, holding, amount, currency, status: "pending", posted: 0 },
    draft: {
      postings: [
        { account: source, amount: -amount, currency },
        { account: holding, amount, currency },
      ],
    },
  };
}

/**
 * Posts `amount` (≤ the hold) to the destinations (which must add up to `amount`) and
 * releases the remainder back to the source, in one transaction.
 */
export function postHold(
  hold: Hold,
  destinations: readonly { account: AccountId; amount: number }[],
): { hold: Hold; draft: TransactionDraft } {
  if (hold.status !== "pending") throw new HoldError("hold_not_pending", `hold is ${hold.status}`);
  const amount = destinations.reduce((s, d) => s + d.amount, 0);
  if (destinations.some((d) => !Number.isSafeInteger(d.amount) || d.amount < 0) || amount <= 0) {
    throw new HoldError("invalid_amount", "destination amounts must be non-negative integers summing to more than zero");
  }
  if (amount > hold.amount) throw new HoldError("amount_exceeds_hold", `cannot post ${amount} of a ${hold.amount} hold`);
  const postings: Posting[] = [{ account: hold.holding, amount: -hold.amount, currency: hold.currency }];
  for (const d of destinations) if (d.amount > 0) postings.push({ account: d.account, amount: d.amount, currency: hold.currency });
  const released = hold.amount - amount;
  if (released > 0) postings.push({ account: hold.source, amount: released, currency: hold.currency });
  return { hold: { ...hold, status: "posted", posted: amount }, draft: { postings } };
}

export function voidHold(hold: Hold): { hold: Hold; draft: TransactionDraft } {
  if (hold.status !== "pending") throw new HoldError("hold_not_pending", `hold is ${hold.status}`);
  return {
    hold: { ...hold, status: "voided" },
    draft: {
      postings: [
        { account: hold.holding, amount: -hold.amount, currency: hold.currency },
        { account: hold.source, amount: hold.amount, currency: hold.currency },
      ],
    },
  };
}
