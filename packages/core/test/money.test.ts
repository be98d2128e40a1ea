import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  allocate,
  applyBasisPoints,
  cardBrand,
  cardExpired,
  isPositiveAmount,
  luhnValid,
  MAX_AMOUNT,
  majorUnits,
  money,
} from "../src/index.js";

describe("money", () => {
  it.each([
    [15000, true],
    [1, true],
    [0, false],
    [-1, false],
    [1.5, false],
    [MAX_AMOUNT + 1, false],
    [Number.NaN, false],
    ["100", false],
  ])("isPositiveAmount(%s) = %s", (v, ok) => expect(isPositiveAmount(v)).toBe(ok));

  it("rejects floats and unknown currencies", () => {
    expect(() => money(1.25, "KGS")).toThrow(/integer/);
    expect(() => money(100, "XYZ")).toThrow(/currency/);
  });

  it.each([
    [10_000, 250, "half_up", 250],
    [199, 250, "half_up", 5],
    [199, 250, "down", 4],
    [1, 1, "up", 1],
    [1, 1, "half_up", 0],
    [20, 2_500, "half_up", 5],
  ] as const)("applyBasisPoints(%i, %i, %s) = %i", (amount, bps, rounding, expected) => {
    expect(applyBasisPoints(amount, bps, rounding)).toBe(expected);
  });

  it("allocate never loses or invents a minor unit", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_AMOUNT }),
        fc.array(fc.integer({ min: 0, max: 1_000 }), { minLength: 1, maxLength: 8 }).filter((w) => w.some((x) => x > 0)),
        (amount, weights) => {
          const parts = allocate(amount, weights);
          expect(parts.reduce((s, p) => s + p, 0)).toBe(amount);
          parts.forEach((p, i) => {
            expect(p === 0 || (weights[i] ?? 0) > 0).toBe(true);
          });
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe("cards", () => {
  it("checks Luhn and detects brands", () => {
    expect(luhnValid("4242424242424242")).toBe(true);
    expect(luhnValid("4242424242424241")).toBe(false);
    expect(cardBrand("4242424242424242")).toBe("visa");
    expect(cardBrand("5555555555554444")).toBe("mastercard");
    expect(cardBrand("2200000000000004")).toBe("mir");
    // The region's national schemes, as the widget shows them while typing.
    expect(cardBrand("9860000000000001")).toBe("humo");
    expect(cardBrand("8600000000000001")).toBe("uzcard");
    expect(cardBrand("9417000000000001")).toBe("elcart");
    expect(cardBrand("9999000000000001")).toBe("unknown");
  });
  it("a card expires after the last day of its month", () => {
    expect(cardExpired(11, 2026, new Date("2026-11-30T23:59:59Z"))).toBe(false);
    expect(cardExpired(11, 2026, new Date("2026-12-01T00:00:00Z"))).toBe(true);
  });
});

describe("majorUnits", () => {
  it("writes minor units in major units with the currency's digits", () => {
    expect(majorUnits(15000, "KGS")).toBe("150.00");
    expect(majorUnits(-15005, "KZT")).toBe("-150.05");
    expect(majorUnits(7, "UZS")).toBe("0.07");
    expect(majorUnits(0, "USD")).toBe("0.00");
  });
  it("reads back exactly (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: -MAX_AMOUNT, max: MAX_AMOUNT }), (n) => {
        expect(Math.round(Number(majorUnits(n, "KGS")) * 100)).toBe(n);
      }),
    );
  });
});
