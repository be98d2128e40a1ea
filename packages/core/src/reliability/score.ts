/**
 * Buyer reliability: how likely a buyer is to collect what they order, as a score from 0 to 100.
 *
 * How the score is made (one page, on purpose):
 *
 * 1. A buyer's history is a list of outcomes, each with its date: `collected` (took the parcel),
 *    `not_collected` (never came; the order expired), `failed` (the delivery failed), and
 *    `returned` (took it, then sent items back, or refused it at the door). Orders still on their
 *    way count for nothing yet.
 * 2. Each outcome weighs less as it ages, halving every half-life: COLLECTED_HALF_LIFE_DAYS (30)
 *    for a collected parcel, BAD_HALF_LIFE_DAYS (90) for the rest. Trust is slow to earn and
 *    quick to lose: a no-show is remembered three times longer than a collection, so a long
 *    clean record from last season does not hide this month's missed parcels, while a no-show
 *    from spring weighs a quarter by autumn.
 * 3. Good weight `G` is the sum over collected outcomes. Bad weight `B` is the sum over the rest,
 *    each times its weight: NOT_COLLECTED_WEIGHT (2) for a no-show, the behaviour the score
 *    exists to catch; RETURN_WEIGHT for a return (a return is the buyer's right, but it costs a
 *    trip); FAILED_WEIGHT for a failed delivery (usually the carrier's fault, so it costs the
 *    buyer little).
 * 4. A newcomer starts from a prior of PRIOR_COLLECTED collected and PRIOR_NOT_COLLECTED not
 *    collected orders (a Beta prior), so one missed parcel does not brand them, and a first order
 *    is not refused. The score is the expected share of collected parcels, in percent:
 *
 *        score = round(100 × (PRIOR_COLLECTED + G) / (PRIOR_COLLECTED + G + NOT_COLLECTED_WEIGHT × PRIOR_NOT_COLLECTED + B))
 *
 * A newcomer scores 90 (18 / 20). One no-show today takes them to 82, two to 75; each collected
 * parcel pulls the score back toward 100. The constants were chosen on the simulation's
 * calibration seed (bench/buyer-reliability.ts), never on the month it reports. The score is
 * pure: the same history and the same `now` give the same score. Adding a collected order never
 * lowers it, adding any other outcome never raises it, an outcome weighs less the older it is,
 * and a no-show fades more slowly than a collection (test/reliability.test.ts checks these).
 */
export type BuyerOutcome = "collected" | "not_collected" | "failed" | "returned";

export interface BuyerEvent {
  readonly outcome: BuyerOutcome;
  /** When it happened, ISO 8601. */
  readonly at: string;
}

export const COLLECTED_HALF_LIFE_DAYS = 30;
export const BAD_HALF_LIFE_DAYS = 90;
export const PRIOR_COLLECTED = 18;
export const PRIOR_NOT_COLLECTED = 1;
export const NOT_COLLECTED_WEIGHT = 2;
export const RETURN_WEIGHT = 0.25;
export const FAILED_WEIGHT = 0.1;

const DAY_MS = 86_400_000;

/** The weight of something that happened at `at`, seen at `now`: 1 today, halving every `halfLifeDays`. Future dates weigh 1. */
export function decayWeight(at: string, now: string, halfLifeDays: number): number {
  const ageDays = Math.max(0, (Date.parse(now) - Date.parse(at)) / DAY_MS);
  return 0.5 ** (ageDays / halfLifeDays);
}

const BAD: Record<Exclude<BuyerOutcome, "collected">, number> = {
  not_collected: NOT_COLLECTED_WEIGHT,
  failed: FAILED_WEIGHT,
  returned: RETURN_WEIGHT,
};

/** The score from 0 to 100 (an integer) of a buyer with this history, seen at `now`. */
export function buyerScore(history: readonly BuyerEvent[], now: string): number {
  let good = 0;
  let bad = 0;
  for (const e of history) {
    if (e.outcome === "collected") good += decayWeight(e.at, now, COLLECTED_HALF_LIFE_DAYS);
    else bad += decayWeight(e.at, now, BAD_HALF_LIFE_DAYS) * BAD[e.outcome];
  }
  const prior = PRIOR_COLLECTED + NOT_COLLECTED_WEIGHT * PRIOR_NOT_COLLECTED;
  const score = (100 * (PRIOR_COLLECTED + good)) / (prior + good + bad);
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
