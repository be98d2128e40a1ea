import { describe, expect, it } from "vitest";
import {
  DEFAULT_FEE_TARIFF,
  defaultFeeTariff,
  disputeFee,
  type FeeQuoteContext,
  quote,
  quoteFee,
  TariffError,
  tierPeriodRange,
  validateTariff,
} from "../../src/tariffs/index.js";
import { feeTariff, sum } from "./fixtures.js";

const PLAN = feeTariff({
  methods: {
    card: { percent_bps: 250, fixed: 1000, min: 1500, max: 50000 },
    sms: { percent_bps: 300 },
    qr: {
      tiers: [
        { from: 0, percent_bps: 100 },
        { from: 1_000_000, percent_bps: 80 },
        { from: 5_000_000, percent_bps: 50 },
      ],
    },
    wallet: { percent_bps: 50, min: 1000 },
  },
});

const ctx = (amount: number, method: string, period_volume?: number): FeeQuoteContext => ({
  amount,
  currency: "KGS",
  method,
  ...(period_volume === undefined ? {} : { period_volume }),
});

describe("quoteFee", () => {
  it.each([
    // [case, amount, method, volume, fee, breakdown types]
    ["percent + fixed", 100_000, "card", undefined, 3500, ["percent", "fixed"]],
    ["raised to min", 10_000, "card", undefined, 1500, ["percent", "fixed", "min"]],
    ["lowered to max", 10_000_000, "card", undefined, 50000, ["percent", "fixed", "max"]],
    ["min above the payment: the whole payment, no more", 1000, "card", undefined, 1000, ["percent", "fixed", "min", "amount_limit"]],
    ["zero payment, zero fee despite min", 0, "wallet", undefined, 0, ["percent", "min", "amount_limit"]],
    ["half up rounds .35 down", 12_345, "sms", undefined, 370, ["percent"]],
    ["half up rounds .5 up", 12_350, "sms", undefined, 371, ["percent"]],
    ["tier 1 at no volume", 100_000, "qr", 0, 1000, ["percent"]],
    ["tier 1 just below tier 2", 100_000, "qr", 999_999, 1000, ["percent"]],
    ["tier 2 from its exact start", 100_000, "qr", 1_000_000, 800, ["percent"]],
    ["tier 3", 100_000, "qr", 7_000_000, 500, ["percent"]],
  ] as const)("%s", (_, amount, method, volume, fee, types) => {
    const q = quoteFee(PLAN, ctx(amount, method, volume));
    expect(q.amount).toBe(fee);
    expect(q.breakdown.map((l) => l.type)).toEqual(types);
    expect(sum(q.breakdown.map((l) => l.amount))).toBe(q.amount);
    expect(q.currency).toBe("KGS");
    expect(q.tariff).toEqual({ code: "merchant-plan", version: 1 });
  });

  it("reports the tier and percent used", () => {
    const q = quoteFee(PLAN, ctx(100_000, "qr", 1_000_000));
    expect(q).toMatchObject({ kind: "fee", method: "qr", percent_bps: 80, tier: 1 });
    expect(quoteFee(PLAN, ctx(100_000, "sms")).tier).toBeNull();
  });

  it.each([
    ["half_up", 371],
    ["down", 370],
    ["up", 371],
  ] as const)("rounding %s on 370.5", (rounding, fee) => {
    const plan = feeTariff({ rounding, methods: { sms: { percent_bps: 300 } } });
    expect(quoteFee(plan, ctx(12_350, "sms")).amount).toBe(fee);
  });

  it.each([
    ["half_up", 370],
    ["down", 370],
    ["up", 371],
  ] as const)("rounding %s on 370.35", (rounding, fee) => {
    const plan = feeTariff({ rounding, methods: { sms: { percent_bps: 300 } } });
    expect(quoteFee(plan, ctx(12_345, "sms")).amount).toBe(fee);
  });

  it("prices an unlisted method with default, and refuses it without one", () => {
    const withDefault = feeTariff({ methods: { card: { percent_bps: 250 } }, default: { percent_bps: 400 } });
    expect(quoteFee(withDefault, ctx(10_000, "qr")).amount).toBe(400);
    expect(() => quoteFee(feeTariff({ methods: { card: { percent_bps: 250 } } }), ctx(10_000, "qr"))).toThrow(
      expect.objectContaining({ code: "method_not_priced", path: "method" }),
    );
  });

  it("does not take object prototype names for methods", () => {
    expect(() => quoteFee(PLAN, ctx(10_000, "toString"))).toThrow(TariffError);
  });

  it.each([
    ["fractional amount", { amount: 100.5, currency: "KGS", method: "card" }, "invalid_context", "amount"],
    ["negative amount", { amount: -1, currency: "KGS", method: "card" }, "invalid_context", "amount"],
    ["amount as string", { amount: "100", currency: "KGS", method: "card" }, "invalid_context", "amount"],
    ["other currency", { amount: 100, currency: "USD", method: "card" }, "currency_mismatch", "currency"],
    ["no method", { amount: 100, currency: "KGS" }, "invalid_context", "method"],
    ["fractional volume", { amount: 100, currency: "KGS", method: "qr", period_volume: 0.5 }, "invalid_context", "period_volume"],
  ])("refuses a context with %s", (_, context, code, path) => {
    let error: unknown;
    try {
      quoteFee(PLAN, context as FeeQuoteContext);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TariffError);
    expect(error).toMatchObject({ code, path });
  });

  it("is what quote() gives for a fee tariff", () => {
    expect(quote(PLAN, ctx(100_000, "card"))).toEqual(quoteFee(PLAN, ctx(100_000, "card")));
  });
});

describe("DEFAULT_FEE_TARIFF", () => {
  it("is a valid tariff document", () => {
    const result = validateTariff(DEFAULT_FEE_TARIFF);
    expect(result).toEqual({ ok: true, value: DEFAULT_FEE_TARIFF });
  });

  it.each([
    ["card", 100_000, 2500],
    ["card", 15_000, 500],
    ["sms", 100_000, 3000],
    ["qr", 100_000, 1000],
    ["wallet", 100_000, 500],
  ])("prices %s %i at %i", (method, amount, fee) => {
    expect(quoteFee(DEFAULT_FEE_TARIFF, ctx(amount, method)).amount).toBe(fee);
  });

  it("cannot be changed by a caller", () => {
    expect(() => {
      (DEFAULT_FEE_TARIFF.rules.methods as Record<string, unknown>).card = { percent_bps: 0 };
    }).toThrow(TypeError);
    expect(quoteFee(DEFAULT_FEE_TARIFF, ctx(100_000, "card")).amount).toBe(2500);
  });

  it("has a per-currency twin without KGS minimums", () => {
    const usd = defaultFeeTariff("USD");
    expect(validateTariff(usd).ok).toBe(true);
    expect(quoteFee(usd, { amount: 15_000, currency: "USD", method: "card" }).amount).toBe(375);
    expect(defaultFeeTariff("KGS")).toBe(DEFAULT_FEE_TARIFF);
  });
});

describe("tierPeriodRange", () => {
  it("is the calendar month in the tariff's time zone", () => {
    const plan = feeTariff({ tier_period: "month", methods: { card: { percent_bps: 100 } } });
    // 2024-05-31T19:00Z is already 1 June 01:00 in Bishkek.
    const range = tierPeriodRange(plan, new Date("2024-05-31T19:00:00Z"));
    expect(range.start.toISOString()).toBe("2024-05-31T18:00:00.000Z");
    expect(range.end.toISOString()).toBe("2024-06-30T18:00:00.000Z");
  });

  it("defaults to the month and follows tier_period", () => {
    const at = new Date("2024-05-08T12:00:00Z");
    expect(tierPeriodRange(feeTariff({ methods: { card: {} } }), at).start.toISOString()).toBe("2024-04-30T18:00:00.000Z");
    const weekly = feeTariff({ tier_period: "week", methods: { card: {} } });
    expect(tierPeriodRange(weekly, at)).toEqual({
      start: new Date("2024-05-05T18:00:00Z"),
      end: new Date("2024-05-12T18:00:00Z"),
    });
  });
});

describe("disputeFee", () => {
  it("is the tariff's dispute_fee in its currency, 0 without one or in another currency", () => {
    const plan = feeTariff({ methods: { card: { percent_bps: 250 } }, dispute_fee: 150_000 });
    expect(disputeFee(plan, "KGS")).toBe(150_000);
    expect(disputeFee(plan, "USD")).toBe(0);
    expect(disputeFee(DEFAULT_FEE_TARIFF, "KGS")).toBe(0);
  });

  it("is validated as an amount in minor units", () => {
    const base = { code: "p", version: 1, kind: "fee", currency: "KGS", effective_from: "2024-01-01T00:00:00Z" };
    const ok = validateTariff({ ...base, rules: { default: { percent_bps: 100 }, dispute_fee: 1500 } });
    expect(ok.ok && ok.value.rules).toMatchObject({ dispute_fee: 1500 });
    for (const bad of [-1, 1.5, "15"]) {
      const r = validateTariff({ ...base, rules: { default: { percent_bps: 100 }, dispute_fee: bad } });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.issues.map((i) => i.path)).toContain("rules.dispute_fee");
    }
  });
});
