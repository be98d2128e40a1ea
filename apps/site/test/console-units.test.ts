// The console's pure parts, in Node: money on screen (the sign of a negative amount), the tone
// of a status badge, and the route table that the app and the layout test both read.
import { describe, expect, it } from "vitest";
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
