import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CURRENCY_CODES, lastWeeks, NO_SHOW_DELIVERY_COST, noShowLoss, weekStart } from "../src/index.js";

describe("no-show delivery cost", () => {
  it("is the issue's 700 RUB per parcel, and has an estimate for every currency", () => {
    expect(NO_SHOW_DELIVERY_COST.RUB).toBe(70_000);
    for (const c of CURRENCY_CODES) expect(Number.isInteger(NO_SHOW_DELIVERY_COST[c]) && NO_SHOW_DELIVERY_COST[c] > 0, c).toBe(true);
    expect(noShowLoss(3, "RUB")).toBe(210_000);
    expect(noShowLoss(2, "KGS")).toBe(150_000);
    expect(noShowLoss(0, "RUB")).toBe(0);
    expect(noShowLoss(5, "XXX")).toBe(0);
  });
});

describe("weeks", () => {
  it("start on Monday 00:00 UTC", () => {
    expect(weekStart(new Date("2026-12-02T04:55:00Z")).toISOString()).toBe("2026-11-30T00:00:00.000Z"); // a Wednesday
    expect(weekStart(new Date("2026-11-30T00:00:00Z")).toISOString()).toBe("2026-11-30T00:00:00.000Z"); // Monday itself
    expect(weekStart(new Date("2026-12-06T23:59:59Z")).toISOString()).toBe("2026-11-30T00:00:00.000Z"); // Sunday night
    expect(weekStart(new Date("2027-01-01T12:00:00Z")).toISOString()).toBe("2026-12-28T00:00:00.000Z"); // across a year
  });
  it("contain their moment, for any moment", () => {
    fc.assert(
      fc.property(fc.date({ min: new Date("2000-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }), (at) => {
        const start = weekStart(at);
        expect(start.getUTCDay()).toBe(1);
        expect(at.getTime() - start.getTime()).toBeGreaterThanOrEqual(0);
        expect(at.getTime() - start.getTime()).toBeLessThan(7 * 86_400_000);
      }),
    );
  });
  it("lastWeeks lists consecutive weeks, oldest first, ending with the current one", () => {
    const w = lastWeeks(new Date("2026-12-02T04:55:00Z"), 3).map((d) => d.toISOString().slice(0, 10));
    expect(w).toEqual(["2026-11-16", "2026-11-23", "2026-11-30"]);
    expect(lastWeeks(new Date("2026-12-02T04:55:00Z"), 1)).toHaveLength(1);
  });
});
