/**
 * Buyer reliability: how likely a buyer is to collect what they order, as a score from 0 to 100.
 *
 * How the score is made (one page, on purpose):
 *
 * 1. A buyer's history is a list of outcomes, each with its date: `collected` (took the parcel),
 *    `not_collected` (never came; the order expired), `failed` (the delivery failed), and
 *    `returned` (took it, then sent items back). Orders still on their way count for nothing yet.
 * 2. Each outcome weighs `0.5 ^ (age / HALF_LIFE_DAYS)`: today's weighs 1, one from 60 days ago
 *    weighs 0.5, one from 120 days ago 0.25. People change; recent behaviour says more.
 * 3. Good weight `G` is the sum over collected outcomes. Bad weight `B` is the sum over not
 *    collected outcomes, plus RETURN_WEIGHT of a returned one (a return is the buyer's right, but
 *    it costs a trip) and FAILED_WEIGHT of a failed delivery (usually the carrier's fault, so it
 *    costs the buyer little).
 * 4. A newcomer starts from a prior of PRIOR_COLLECTED collected and PRIOR_NOT_COLLECTED not
 *    collected orders (a Beta prior), so one missed parcel does not brand them, and a first order
 *    is not refused. The score is the expected share of collected parcels, in percent:
 *
 *        score = round(100 × (PRIOR_COLLECTED + G) / (PRIOR_COLLECTED + PRIOR_NOT_COLLECTED + G + B))
 *
 * A newcomer scores 90. Each no-show today takes a fresh buyer down about 7 points; each collected
 * parcel pulls the score back toward 100. The score is pure: the same history and the same `now`
 * give the same score. Adding a collected order never lowers it, adding any other outcome never
 * raises it, and a no-show weighs less the older it is (test/reliability.test.ts checks these).
 */
export type BuyerOutcome = "collected" | "not_collected" | "failed" | "returned";

export interface BuyerEvent {
  readonly outcome: BuyerOutcome;
  /** When it happened, ISO 8601. */
  readonly at: string;
}

export const HALF_LIFE_DAYS = 60;
export const PRIOR_COLLECTED = 9;
export const PRIOR_NOT_COLLECTED = 1;
export const RETURN_WEIGHT = 0.25;
export const FAILED_WEIGHT = 0.1;

const DAY_MS = 86_400_000;

/** The weight of something that happened at `at`, seen at `now`: 1 today, halving every HALF_LIFE_DAYS. Future dates weigh 1. */
export function decayWeight(at: string, now: string): number {
  const ageDays = Math.max(0, (Date.parse(now) - Date.parse(at)) / DAY_MS);
  return 0.5 ** (ageDays / HALF_LIFE_DAYS);
}

const BAD: Record<BuyerOutcome, number> = { collected: 0, not_collected: 1, failed: FAILED_WEIGHT, returned: RETURN_WEIGHT };

/** The score from 0 to 100 (an integer) of a buyer with this history, seen at `now`. */
export function buyerScore(history: readonly BuyerEvent[], now: string): number {
  let good = 0;
  let bad = 0;
  for (const e of history) {
    const w = decayWeight(e.at, now);
    if (e.outcome === "collected") good += w;
    else bad += w * BAD[e.outcome];
  }
  const score = (100 * (PRIOR_COLLECTED + good)) / (PRIOR_COLLECTED + PRIOR_NOT_COLLECTED + good + bad);
  return Math.min(100, Math.max(0, Math.round(score)));
}

export interface BuyerCounts {
  orders: number;
  collected: number;
  not_collected: number;
  failed: number;
  returned: number;
}

/** The plain counts a merchant sees beside the score. `orders` counts orders placed, outcomes or not. */
export function buyerCounts(history: readonly BuyerEvent[], ordersPlaced: number): BuyerCounts {
  const count = (o: BuyerOutcome) => history.filter((e) => e.outcome === o).length;
  return {
    orders: ordersPlaced,
    collected: count("collected"),
    not_collected: count("not_collected"),
    failed: count("failed"),
    returned: count("returned"),
  };
}
