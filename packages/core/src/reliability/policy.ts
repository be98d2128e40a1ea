/**
 * A merchant's buyer policy, decided purely from the buyer's score: whether the buyer may pay on
 * pickup, and the no-show fee a prepaid order of theirs carries.
 *
 * - `min_score_on_pickup`: a buyer scoring below it must prepay (requirement "prepay").
 * - `no_show_fee_by_score`: bands `{below, fee}`; every band whose `below` is above the score
 *   applies, and the highest fee of those wins, so the fee only rises as the score falls.
 * No policy at all: everyone may pay on pickup, no fee beyond the order's own.
 */
export interface BuyerPolicy {
  readonly min_score_on_pickup: number;
  readonly no_show_fee_by_score?: readonly { readonly below: number; readonly fee: number }[];
}

export type PaymentRequirement = "none" | "prepay";

export interface PolicyDecision {
  requirement: PaymentRequirement;
  /** The no-show fee the policy asks for this buyer, in minor units (0 if none). */
  no_show_fee: number;
}

export function decidePolicy(score: number, policy: BuyerPolicy | null | undefined): PolicyDecision {
  if (!policy) return { requirement: "none", no_show_fee: 0 };
  let fee = 0;
  for (const band of policy.no_show_fee_by_score ?? []) if (score < band.below && band.fee > fee) fee = band.fee;
  return { requirement: score < policy.min_score_on_pickup ? "prepay" : "none", no_show_fee: fee };
}

/** The no-show fee an order carries: the merchant's own figure or the policy's, whichever is higher, never above the order's total. */
export function orderNoShowFee(requested: number, decision: PolicyDecision, amount: number): number {
  return Math.min(amount, Math.max(requested, decision.no_show_fee));
}
