import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BAD_HALF_LIFE_DAYS,
  type BuyerEvent,
  type BuyerOutcome,
  buyerCounts,
  buyerScore,
  COLLECTED_HALF_LIFE_DAYS,
  decayWeight,
  decidePolicy,
  orderNoShowFee,
} from "../src/index.js";

const NOW = "2026-12-01T00:00:00.000Z";
const DAY = 86_400_000;
const daysAgo = (d: number) => new Date(Date.parse(NOW) - d * DAY).toISOString();

const outcome = fc.constantFrom<BuyerOutcome>("collected", "not_collected", "failed", "returned");
const event = fc.record({ outcome, at: fc.integer({ min: 0, max: 730 }).map(daysAgo) });
const history = fc.array(event, { maxLength: 60 });
const age = fc.integer({ min: 0, max: 730 });

describe("buyer score", () => {
  it("a newcomer reads 90, one fresh no-show 82, two 75", () => {
    expect(buyerScore([], NOW)).toBe(90);
    expect(buyerScore([{ outcome: "not_collected", at: NOW }], NOW)).toBe(82);
    expect(
      buyerScore(
        [
          { outcome: "not_collected", at: NOW },
          { outcome: "not_collected", at: NOW },
        ],
        NOW,
      ),
    ).toBe(75);
  });

  it("an outcome weighs half after one half-life", () => {
    expect(decayWeight(NOW, NOW, COLLECTED_HALF_LIFE_DAYS)).toBe(1);
    expect(decayWeight(daysAgo(COLLECTED_HALF_LIFE_DAYS), NOW, COLLECTED_HALF_LIFE_DAYS)).toBeCloseTo(0.5, 12);
    expect(decayWeight(daysAgo(BAD_HALF_LIFE_DAYS), NOW, BAD_HALF_LIFE_DAYS)).toBeCloseTo(0.5, 12);
  });

  it("a long clean record from last season does not hide a fresh no-show", () => {
    const lastSeason: BuyerEvent[] = Array.from({ length: 10 }, () => ({ outcome: "collected", at: daysAgo(150) }));
    // Ten parcels collected five months ago weigh a third of one today: the fresh no-show reads
    // as a newcomer's would (82), not softened to 84 as with one shared 60-day half-life.
    expect(buyerScore([...lastSeason, { outcome: "not_collected", at: NOW }], NOW)).toBe(82);
  });

  it("is an integer from 0 to 100, and deterministic", () => {
    fc.assert(
      fc.property(history, (h) => {
        const s = buyerScore(h, NOW);
        expect(Number.isInteger(s)).toBe(true);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(100);
        expect(buyerScore([...h].reverse(), NOW)).toBe(s);
      }),
    );
  });

  it("one more collected order never lowers it", () => {
    fc.assert(
      fc.property(history, age, (h, d) => {
        expect(buyerScore([...h, { outcome: "collected", at: daysAgo(d) }], NOW)).toBeGreaterThanOrEqual(buyerScore(h, NOW));
      }),
    );
  });

  it("one more no-show, failure or return never raises it", () => {
    fc.assert(
      fc.property(history, age, fc.constantFrom<BuyerOutcome>("not_collected", "failed", "returned"), (h, d, o) => {
        expect(buyerScore([...h, { outcome: o, at: daysAgo(d) }], NOW)).toBeLessThanOrEqual(buyerScore(h, NOW));
      }),
    );
  });

  it("a fresh no-show lowers a clean record", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), (n) => {
        const clean: BuyerEvent[] = Array.from({ length: n }, () => ({ outcome: "collected", at: daysAgo(10) }));
        expect(buyerScore([...clean, { outcome: "not_collected", at: NOW }], NOW)).toBeLessThan(buyerScore(clean, NOW));
      }),
    );
  });

  it("an old no-show weighs less than a recent one", () => {
    fc.assert(
      fc.property(history, age, age, (h, a, b) => {
        const [recent, old] = a <= b ? [a, b] : [b, a];
        const withOld = buyerScore([...h, { outcome: "not_collected", at: daysAgo(old) }], NOW);
        const withRecent = buyerScore([...h, { outcome: "not_collected", at: daysAgo(recent) }], NOW);
        expect(withOld).toBeGreaterThanOrEqual(withRecent);
      }),
    );
  });

  it("an old collected parcel helps less than a recent one", () => {
    fc.assert(
      fc.property(history, age, age, (h, a, b) => {
        const [recent, old] = a <= b ? [a, b] : [b, a];
        const withOld = buyerScore([...h, { outcome: "collected", at: daysAgo(old) }], NOW);
        const withRecent = buyerScore([...h, { outcome: "collected", at: daysAgo(recent) }], NOW);
        expect(withRecent).toBeGreaterThanOrEqual(withOld);
      }),
    );
  });

  it("a no-show fades more slowly than a collected parcel", () => {
    fc.assert(
      fc.property(age, (d) => {
        expect(decayWeight(daysAgo(d), NOW, BAD_HALF_LIFE_DAYS)).toBeGreaterThanOrEqual(
          decayWeight(daysAgo(d), NOW, COLLECTED_HALF_LIFE_DAYS),
        );
      }),
    );
  });

  it("counts each outcome", () => {
    const h: BuyerEvent[] = [
      { outcome: "collected", at: NOW },
      { outcome: "collected", at: NOW },
      { outcome: "not_collected", at: NOW },
      { outcome: "returned", at: NOW },
    ];
    expect(buyerCounts(h, 5)).toEqual({ orders: 5, collected: 2, not_collected: 1, failed: 0, returned: 1 });
  });
});

describe("buyer policy", () => {
  const policy = {
    min_score_on_pickup: 70,
    no_show_fee_by_score: [
      { below: 85, fee: 10_000 },
      { below: 60, fee: 30_000 },
    ],
  };

  it("asks prepayment under the minimum and the higher fee for the lower score", () => {
    expect(decidePolicy(90, policy)).toEqual({ requirement: "none", no_show_fee: 0 });
    expect(decidePolicy(80, policy)).toEqual({ requirement: "none", no_show_fee: 10_000 });
    expect(decidePolicy(69, policy)).toEqual({ requirement: "prepay", no_show_fee: 10_000 });
    expect(decidePolicy(40, policy)).toEqual({ requirement: "prepay", no_show_fee: 30_000 });
    expect(decidePolicy(10, null)).toEqual({ requirement: "none", no_show_fee: 0 });
  });

  it("a lower score never gets a lower fee or a milder requirement", () => {
    const bands = fc.array(fc.record({ below: fc.integer({ min: 0, max: 101 }), fee: fc.integer({ min: 0, max: 1_000_000 }) }), {
      maxLength: 6,
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 101 }),
        bands,
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        (min, b, x, y) => {
          const p = { min_score_on_pickup: min, no_show_fee_by_score: b };
          const [lo, hi] = x <= y ? [x, y] : [y, x];
          expect(decidePolicy(lo, p).no_show_fee).toBeGreaterThanOrEqual(decidePolicy(hi, p).no_show_fee);
          if (decidePolicy(hi, p).requirement === "prepay") expect(decidePolicy(lo, p).requirement).toBe("prepay");
        },
      ),
    );
  });

  it("the order's fee is the higher of its own and the policy's, never above the total", () => {
    expect(orderNoShowFee(5_000, { requirement: "none", no_show_fee: 10_000 }, 50_000)).toBe(10_000);
    expect(orderNoShowFee(20_000, { requirement: "none", no_show_fee: 10_000 }, 50_000)).toBe(20_000);
    expect(orderNoShowFee(0, { requirement: "none", no_show_fee: 90_000 }, 50_000)).toBe(50_000);
  });
});
