/**
 * One month at a marketplace whose buyers may pay on pickup, simulated on the core's own score
 * and policy (`buyerScore`, `decidePolicy` from @softrack/core). Pure and seeded: the same seed
 * and options give the same figures, with or without a policy, because each buyer draws from a
 * random stream of their own in a fixed order whatever the policy decides.
 *
 * The population (nobody picks a buyer's behaviour; it is drawn from these distributions):
 * - 85 % "reliable": collection probability ~ Beta(40, 1.2) (mean 0.97);
 * - 12 % "occasional": ~ Beta(6, 2) (mean 0.75);
 * - 3 % "chronic" no-shows: ~ Beta(2, 5) (mean 0.29), ordering twice as often.
 * Orders per month ~ exponential (mean 2, chronic 4), Poisson arrivals, over 90 days of history
 * before the month and the month itself. Drift inside the month, on a random day: 6 % of the
 * reliable turn unreliable (~ Beta(2, 3)), 25 % of the chronic reform (~ Beta(20, 2)), 10 % of
 * the occasional go either way. 8 % of collected orders come back as returns.
 * A buyer asked to prepay abandons the order with probability ABANDON; one who prepaid comes
 * for half of the parcels they would otherwise have left (PREPAID_COMMITMENT), and a prepaid
 * no-show leaves the policy's no-show fee to the marketplace. Every parcel not collected costs
 * DELIVERY_COST. "Reliable" in the results means: true collection probability ≥ 0.9 when ordering.
 */
import { type BuyerEvent, type BuyerPolicy, buyerScore, decidePolicy } from "@softrack/core";

export const DELIVERY_COST = 70_000; // 700 RUB in kopecks
export const ORDER_AMOUNT = 300_000; // 3,000 RUB, for the fee cap
export const ABANDON = 0.3;
export const PREPAID_COMMITMENT = 0.5;
export const RETURN_RATE = 0.08;

const DAY = 86_400_000;
const MONTH_START = Date.parse("2026-11-01T00:00:00Z");
const MONTH_DAYS = 30;
const HISTORY_DAYS = 90;

/** mulberry32: a small, fast, well-mixed 32-bit PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A buyer's own stream: the seed and the buyer's number, mixed (splitmix32's finaliser). */
function streamOf(seed: number, buyer: number) {
  let h = (seed ^ Math.imul(buyer + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return prng((h ^ (h >>> 16)) >>> 0);
}

function normal(r: () => number) {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** Marsaglia–Tsang gamma(k, 1). */
function gamma(r: () => number, k: number): number {
  if (k < 1) return gamma(r, k + 1) * r() ** (1 / k);
  const d = k - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normal(r);
    const v = (1 + c * x) ** 3;
    if (v > 0 && Math.log(1 - r()) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

const beta = (r: () => number, a: number, b: number) => {
  const x = gamma(r, a);
  return x / (x + gamma(r, b));
};

function poisson(r: () => number, mean: number): number {
  const limit = Math.exp(-mean);
  let n = 0;
  for (let p = r(); p > limit; p *= r()) n++;
  return n;
}

type Kind = "reliable" | "occasional" | "chronic";

interface Buyer {
  kind: Kind;
  p: number;
  /** From this time on the buyer collects with probability `drifted`. */
  driftAt: number;
  drifted: number;
  orderTimes: number[];
}

function drawBuyer(r: () => number): Buyer {
  const u = r();
  const kind: Kind = u < 0.85 ? "reliable" : u < 0.97 ? "occasional" : "chronic";
  const p = kind === "reliable" ? beta(r, 40, 1.2) : kind === "occasional" ? beta(r, 6, 2) : beta(r, 2, 5);
  const rate = -Math.log(1 - r()) * (kind === "chronic" ? 4 : 2); // orders a month
  const driftDay = r() * MONTH_DAYS;
  const d = r();
  let drifted = p;
  if (kind === "reliable" && d < 0.06) drifted = beta(r, 2, 3);
  else if (kind === "chronic" && d < 0.25) drifted = beta(r, 20, 2);
  else if (kind === "occasional" && d < 0.1) drifted = r() < 0.5 ? beta(r, 2, 3) : beta(r, 30, 1.5);
  else beta(r, 1, 1); // keep the stream's length independent of the branch
  const span = HISTORY_DAYS + MONTH_DAYS;
  const n = poisson(r, (rate * span) / 30);
  const orderTimes = Array.from({ length: n }, () => MONTH_START - HISTORY_DAYS * DAY + r() * span * DAY).sort((a, b) => a - b);
  return { kind, p, driftAt: MONTH_START + driftDay * DAY, drifted, orderTimes };
}

export interface MonthFigures {
  /** Orders placed in the month (prepaid or on pickup; abandoned ones are not placed). */
  orders: number;
  notCollected: number;
  /** DELIVERY_COST for each parcel not collected, in kopecks. */
  deliveryCostLost: number;
  /** No-show fees kept on prepaid no-shows, in kopecks. */
  feesKept: number;
  /** Delivery cost lost less fees kept. */
  netLoss: number;
  askedToPrepay: number;
  abandoned: number;
  reliableBuyers: number;
  reliableAskedToPrepay: number;
  /** reliableAskedToPrepay / reliableBuyers. */
  reliableAskedShare: number;
}

export interface SimOptions {
  seed: number;
  buyers?: number;
  /** null: every order on pickup, nobody asked to prepay. */
  policy: BuyerPolicy | null;
}

export function simulateMonth(o: SimOptions): MonthFigures {
  const f: MonthFigures = {
    orders: 0,
    notCollected: 0,
    deliveryCostLost: 0,
    feesKept: 0,
    netLoss: 0,
    askedToPrepay: 0,
    abandoned: 0,
    reliableBuyers: 0,
    reliableAskedToPrepay: 0,
    reliableAskedShare: 0,
  };
  const n = o.buyers ?? 50_000;
  for (let b = 0; b < n; b++) {
    const r = streamOf(o.seed, b);
    const buyer = drawBuyer(r);
    // The buyer's record as numbers; turned into the core's events only when a policy asks for a score.
    const outcomes: BuyerEvent["outcome"][] = [];
    const times: number[] = [];
    let reliable = false;
    let reliableAsked = false;
    for (const t of buyer.orderTimes) {
      // Fixed draws per order, whatever the branch, so both runs see the same world.
      const uCollect = r();
      const uAbandon = r();
      const uCommit = r();
      const uReturn = r();
      const pickupDays = 1 + r() * 2;
      const inMonth = t >= MONTH_START;
      const p = t >= buyer.driftAt ? buyer.drifted : buyer.p;
      // Only what happened before the order is known; the score is needed only when a policy asks.
      const policy = inMonth ? o.policy : null;
      let score = 100;
      if (policy) {
        const known: BuyerEvent[] = [];
        for (let i = 0; i < times.length; i++)
          if ((times[i] as number) <= t)
            known.push({ outcome: outcomes[i] as BuyerEvent["outcome"], at: new Date(times[i] as number).toISOString() });
        score = buyerScore(known, new Date(t).toISOString());
      }
      const decision = decidePolicy(score, policy);
      const prepay = decision.requirement === "prepay";
      if (inMonth && p >= 0.9) {
        reliable = true;
        if (prepay) reliableAsked = true;
      }
      if (prepay) {
        f.askedToPrepay++;
        if (uAbandon < ABANDON) {
          f.abandoned++;
          continue;
        }
      }
      const collected = uCollect < p || (prepay && uCommit < PREPAID_COMMITMENT);
      if (inMonth) {
        f.orders++;
        if (!collected) {
          f.notCollected++;
          f.deliveryCostLost += DELIVERY_COST;
          if (prepay) f.feesKept += Math.min(ORDER_AMOUNT, decision.no_show_fee);
        }
      }
      outcomes.push(collected ? "collected" : "not_collected");
      times.push(t + (collected ? pickupDays : 3) * DAY);
      if (collected && uReturn < RETURN_RATE) {
        outcomes.push("returned");
        times.push(t + 10 * DAY);
      }
    }
    if (reliable) f.reliableBuyers++;
    if (reliableAsked) f.reliableAskedToPrepay++;
  }
  f.netLoss = f.deliveryCostLost - f.feesKept;
  f.reliableAskedShare = f.reliableBuyers ? f.reliableAskedToPrepay / f.reliableBuyers : 0;
  return f;
}

/**
 * The policy the bench proposes at a threshold: prepay under it, and a 700 RUB no-show fee on those
 * prepaid orders. The fee stays at the delivery cost on purpose: above it the fee is a penalty, not
 * a recovered cost (Russian consumer law lets a distance seller keep its delivery costs when the
 * buyer refuses, not more), and the model does not say how buyers would answer a penalty, so a
 * larger "cut" from a larger fee would come from an assumption, not from the score.
 */
export const policyAt = (min: number): BuyerPolicy => ({
  min_score_on_pickup: min,
  no_show_fee_by_score: [{ below: min, fee: DELIVERY_COST }],
});
