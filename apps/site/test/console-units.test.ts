// The console's pure parts, in Node: money on screen (the sign of a negative amount), the tone
// of a status badge, the route table that the app and the layout test both read, the charts'
// geometry and a list's CSV address.
import { describe, expect, it } from "vitest";
import { BOX, columnLayout, peak, scaleTop, tickIndexes } from "../src/console/charts";
import { csvHref } from "../src/console/export";
import { formatMoney, MINUS } from "../src/console/money";
import { parseRoute, ROUTES, type RouteName, routeHash } from "../src/console/routes";
import { statusTone } from "../src/console/status";

const clean = (s: string) => s.replace(/[\u00a0\u202f]/g, " ");

describe("formatMoney", () => {
  it("writes a negative amount as the positive one with a minus sign first, in each console language", () => {
    expect(clean(formatMoney(15_000, "KGS", "en-GB"))).toBe("KGS 150.00");
    expect(clean(formatMoney(-15_000, "KGS", "en-GB"))).toBe(`${MINUS}KGS 150.00`);
    expect(clean(formatMoney(-15_000, "KGS", "ru-RU"))).toBe(`${MINUS}${clean(formatMoney(15_000, "KGS", "ru-RU"))}`);
    expect(formatMoney(-15_000, "KGS", "en-GB")).not.toMatch(/^-/);
    // exact digits of a large negative amount (no float on the way)
    expect(clean(formatMoney(-900_719_925_474_099, "KGS", "en-GB"))).toBe(`${MINUS}KGS 9,007,199,254,740.99`);
    expect(clean(formatMoney(0, "KGS", "en-GB"))).toBe("KGS 0.00");
  });
});

describe("statusTone", () => {
  it("colours finished-well statuses green, failed or waiting-on-you red, the rest neutral", () => {
    expect(["succeeded", "paid", "won", "delivered", "held"].map(statusTone)).toEqual(Array(5).fill("good"));
    expect(["failed", "lost", "needs_response", "expired"].map(statusTone)).toEqual(Array(4).fill("bad"));
    expect(["requires_payment_method", "processing", "canceled", "pending", "refunded", "something_new"].map(statusTone)).toEqual(
      Array(6).fill("neutral"),
    );
  });
});

describe("console routes", () => {
  it("reads every route back from its own address", () => {
    for (const name of Object.keys(ROUTES) as RouteName[]) {
      const route = ROUTES[name].id === "required" ? { name, id: "x_1" } : { name };
      expect(parseRoute(routeHash(route))).toEqual(route);
    }
    expect(parseRoute(routeHash({ name: "webhooks", id: "we_1" }))).toEqual({ name: "webhooks", id: "we_1" });
  });

  it("parses the addresses people have bookmarked, and sends anything else to the overview", () => {
    expect(parseRoute("#/payments/pay_1")).toEqual({ name: "payment", id: "pay_1" });
    expect(parseRoute("#/payments")).toEqual({ name: "payments" });
    expect(parseRoute("#/orders/ord%201")).toEqual({ name: "order", id: "ord 1" });
    expect(parseRoute("#/noShows/extra")).toEqual({ name: "noShows" });
    expect(parseRoute("#/keys")).toEqual({ name: "keys" });
    expect(parseRoute("")).toEqual({ name: "overview" });
    expect(parseRoute("#/nowhere/1")).toEqual({ name: "overview" });
  });
});

describe("chart geometry", () => {
  it("draws bars in proportion to the highest value, on the axis, with the tallest filling the plot", () => {
    const [bars = []] = columnLayout([[0, 50, 100, 25]]);
    const plot = BOX.height - BOX.top - BOX.bottom;
    const base = BOX.height - BOX.bottom;
    expect(bars.map((b) => b.height)).toEqual([0, plot / 2, plot, plot / 4]);
    for (const b of bars) expect(b.y + b.height).toBeCloseTo(base);
    // left to right, inside the box, none overlapping the next
    for (const [i, b] of bars.entries()) {
      expect(b.x).toBeGreaterThanOrEqual(BOX.side);
      expect(b.x + b.width).toBeLessThanOrEqual(BOX.width - BOX.side);
      if (i > 0) expect(b.x).toBeGreaterThanOrEqual((bars[i - 1]?.x ?? 0) + (bars[i - 1]?.width ?? 0));
    }
  });

  it("puts a slot's bars side by side on one scale (refunds beside fees)", () => {
    const [refunds = [], fees = []] = columnLayout([
      [10, 0],
      [40, 20],
    ]);
    const plot = BOX.height - BOX.top - BOX.bottom;
    expect(refunds.map((b) => b.height)).toEqual([plot / 4, 0]);
    expect(fees.map((b) => b.height)).toEqual([plot, plot / 2]);
    expect(fees[0]?.x).toBeCloseTo((refunds[0]?.x ?? 0) + (refunds[0]?.width ?? 0));
  });

  it("draws an empty merchant's days as zero bars, not as NaN", () => {
    const [bars = []] = columnLayout([Array(30).fill(0)]);
    expect(bars).toHaveLength(30);
    for (const b of bars) {
      expect(b.height).toBe(0);
      expect(Number.isFinite(b.x) && Number.isFinite(b.y)).toBe(true);
    }
    expect(scaleTop([0, 0])).toEqual({ most: 0, top: 1 });
    expect(peak([0, 0, 0])).toBe(-1);
  });

  it("finds the best day (the first on a tie) and labels the first, the last and a few slots between", () => {
    expect(peak([3, 9, 9, 1])).toBe(1);
    expect(peak([0, 0, 4])).toBe(2);
    expect(tickIndexes(4, 6)).toEqual([0, 1, 2, 3]);
    const ticks = tickIndexes(30, 6);
    expect(ticks[0]).toBe(0);
    expect(ticks.at(-1)).toBe(29);
    expect(ticks.length).toBeLessThanOrEqual(6);
    expect(tickIndexes(24, 6)).toEqual([0, 5, 10, 15, 23]);
    // what the Overview labels: 30 days, 24 hours
    expect(tickIndexes(30, 5)).toEqual([0, 8, 16, 29]);
    expect(tickIndexes(24, 5)).toEqual([0, 6, 12, 18, 23]);
    expect(tickIndexes(10, 4)).toEqual([0, 3, 6, 9]);
    expect(tickIndexes(11, 4)).toEqual([0, 4, 10]);
  });
});

describe("csvHref", () => {
  it("is the list's API path with format=csv and its filters, never its cursor or page size", () => {
    expect(csvHref("/v1/payments", {})).toBe("/v1/payments?format=csv");
    expect(csvHref("/v1/payments", { status: "succeeded", limit: 20, starting_after: "pay_1", ending_before: "pay_2" })).toBe(
      "/v1/payments?format=csv&status=succeeded",
    );
    expect(csvHref("/v1/transit/taps", { route: "M 1&2", terminal: undefined, decision: "" })).toBe(
      "/v1/transit/taps?format=csv&route=M+1%262",
    );
    const u = new URL(csvHref("/v1/payments", { "created[gte]": "2026-12-01T00:00:00+06:00" }), "http://x");
    expect(u.searchParams.get("created[gte]")).toBe("2026-12-01T00:00:00+06:00");
  });
});
