import { type FeeTariff, quoteFee, tierPeriodRange } from "@softrack/core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApi } from "../src/testing.js";
import { fundedCustomer, type Http, http, startTestApi, TEST_CARD } from "./support.js";

// Volume tiers price a payment by what its merchant captured earlier in the tariff's own tier
// period (day, week from Monday, or month, in the tariff's time zone). The API keeps a running
// total per period (store/fee-volumes.ts); these check it against a model that sums the history.

let api: TestApi;
let admin: Http;
let clock = new Date("2030-01-01T00:00:00Z");

const TIERS = [
  { from: 0, percent_bps: 300 },
  { from: 20_000, percent_bps: 200 },
  { from: 50_000, percent_bps: 100 },
];

async function tieredMerchant(code: string, timezone: string, period: "day" | "week" | "month") {
  const put = await admin.put(`/v1/tariffs/${code}`, {
    kind: "fee",
    currency: "KGS",
    timezone,
    effective_from: "2024-01-01T00:00:00Z",
    rules: { rounding: "half_up", tier_period: period, default: { tiers: TIERS } },
  });
  expect(put.status).toBe(200);
  const m = await admin.post("/v1/merchants", { name: `Tiered ${code}`, country: "KG", default_currency: "KGS", fee_tariff: code });
  expect(m.status).toBe(200);
  return { tariff: put.body as FeeTariff, sk: http(api.url, m.body.keys.secret_key as string) };
}

/** The model: the fee quoteFee gives with the volume summed from every earlier capture of the period. */
function modelFee(tariff: FeeTariff, captures: { at: Date; amount: number }[], amount: number, at: Date) {
  const { start } = tierPeriodRange(tariff, at);
  const volume = captures.filter((c) => c.at >= start && c.at <= at).reduce((s, c) => s + c.amount, 0);
  return quoteFee(tariff, { amount, currency: "KGS", method: "card", period_volume: volume }).amount;
}

beforeAll(async () => {
  api = await startTestApi({ env: { WORKERS: "off" } });
  admin = http(api.url, api.adminKey);
  // The API's clock, moved by the tests across day, week and month boundaries.
  api.runtime.deps.now = () => clock;
});
afterAll(() => api.close());

describe("volume tiers in the tariff's own period", () => {
  it("every payment's fee is the model's, across day, week and month boundaries in Bishkek and Almaty; refunds do not lower the volume", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("Asia/Bishkek", "Asia/Almaty"),
        fc.constantFrom("day" as const, "week" as const, "month" as const),
        // Steps: a payment of `amount` after `hours`, sometimes refunded in part right after.
        fc.array(
          fc.record({ hours: fc.integer({ min: 0, max: 40 }), amount: fc.integer({ min: 100, max: 15_000 }), refund: fc.boolean() }),
          { minLength: 3, maxLength: 10 },
        ),
        async (timezone, period, steps) => {
          const { tariff, sk } = await tieredMerchant(`tiers-${n++}`, timezone, period);
          // Start two hours before a local month end (which is also a day's, and often a week's).
          clock = new Date(
            tierPeriodRange({ ...tariff, rules: { ...tariff.rules, tier_period: "month" } }, new Date("2030-03-15T00:00:00Z")).end,
          );
          clock = new Date(clock.getTime() - 2 * 3_600_000);
          const captures: { at: Date; amount: number }[] = [];
          for (const step of steps) {
            clock = new Date(clock.getTime() + step.hours * 3_600_000);
            const paid = await sk.post("/v1/payments", {
              amount: step.amount,
              currency: "KGS",
              confirm: true,
              payment_method_data: { type: "card", card: { ...TEST_CARD, exp_year: 2040 } },
            });
            expect(paid.status).toBe(200);
            expect(paid.body.status).toBe("succeeded");
            expect(paid.body.fee).toBe(modelFee(tariff, captures, step.amount, clock));
            captures.push({ at: clock, amount: step.amount });
            if (step.refund) {
              const refund = await sk.post("/v1/refunds", { payment: paid.body.id, amount: Math.ceil(step.amount / 2) });
              expect(refund.status).toBe(200);
            }
          }
        },
      ),
      { numRuns: 12 },
    );
  });

  it("a burst of wallet payments crossing a tier boundary is priced as one by one", async () => {
    const { tariff, sk } = await tieredMerchant("tiers-burst", "Asia/Bishkek", "month");
    clock = new Date("2030-06-10T06:00:00Z");
    const payer = await fundedCustomer(sk, 1_000_000);
    // 30 payments of 3,000 cross 20,000 and 50,000: the 7th and the 17th open the next tiers.
    const paid = await Promise.all(
      Array.from({ length: 30 }, () =>
        sk.post("/v1/payments", {
          amount: 3_000,
          currency: "KGS",
          customer: payer,
          confirm: true,
          payment_method_data: { type: "wallet" },
        }),
      ),
    );
    for (const p of paid) expect(p.body.status).toBe("succeeded");
    // Whatever order they were decided in, the fees are the model's for 30 payments in a row.
    const fees = paid.map((p) => p.body.fee as number).sort((a, b) => b - a);
    const model: number[] = [];
    const captures: { at: Date; amount: number }[] = [];
    for (let i = 0; i < 30; i++) {
      model.push(modelFee(tariff, captures, 3_000, clock));
      captures.push({ at: clock, amount: 3_000 });
    }
    expect(fees).toEqual(model.sort((a, b) => b - a));
    // A quote without a volume prices with the merchant's real volume so far: 90,000, the last tier.
    const quote = await sk.post("/v1/tariffs/tiers-burst/quote", { amount: 10_000, currency: "KGS", method: "card" });
    expect(quote.status).toBe(200);
    expect(quote.body.amount).toBe(100);
  });
});
