import { describe, expect, it } from "vitest";
import { type FareQuoteContext, quote, quoteFare, type RideRecord, TariffError, toRideRecord } from "../../src/tariffs/index.js";
import { bishkek, CITY, fareTariff, ride, sum } from "./fixtures.js";

// 2024-05-06 is a Monday; 11:00–16:00 is outside every period.
const MON = (time: string) => bishkek(`2024-05-06 ${time}`);
const SAT = (time: string) => bishkek(`2024-05-11 ${time}`);

function fare(context: FareQuoteContext) {
  const q = quoteFare(CITY, context);
  // Every quote explains itself: the breakdown adds up to the amount.
  expect(sum(q.breakdown.map((l) => l.amount))).toBe(q.amount);
  return q;
}

describe("base fare", () => {
  it.each([
    ["a route's own fare", { route: "102" }, 2500],
    ["default fare for an unlisted route", { route: "55" }, 2000],
    ["zone pair", { route: "7", zone_from: "A", zone_to: "B" }, 3000],
    ["zone pair the other way", { route: "7", zone_from: "B", zone_to: "A" }, 3000],
    ["unpriced zone pair falls back to the route", { route: "102", zone_from: "A", zone_to: "C" }, 2500],
  ])("%s", (_, where, amount) => {
    const q = fare({ ...where, tapped_at: MON("12:00") });
    expect(q.amount).toBe(amount);
    expect(q.base_fare).toBe(amount);
    expect(q.breakdown).toEqual([expect.objectContaining({ type: "base", amount })]);
  });

  it("refuses a route with no fare when there is no default", () => {
    const t = fareTariff({ routes: { "7": 2000 } });
    expect(() => quoteFare(t, { route: "8", tapped_at: MON("12:00") })).toThrow(
      expect.objectContaining({ code: "no_fare", path: "route" }),
    );
  });
});

describe("time-of-day periods in Asia/Bishkek", () => {
  it.each([
    ["peak start is inclusive", MON("07:00"), "peak", 2500],
    ["inside peak", MON("09:59"), "peak", 2500],
    ["peak end is exclusive", MON("10:00"), null, 2000],
    ["no peak on Saturday", SAT("08:00"), null, 2000],
    ["night fare replaces the base", MON("22:00"), "night", 3000],
    ["night runs to midnight", MON("23:59"), "night", 3000],
    ["midnight starts a new day, off night", bishkek("2024-05-07 00:00"), null, 2000],
    // 02:00Z is 08:00 in Bishkek: the period follows the tariff's clock, not UTC's.
    ["UTC instant in Bishkek peak", "2024-05-06T02:00:00Z", "peak", 2500],
    ["UTC 08:00 is 14:00 in Bishkek", "2024-05-06T08:00:00Z", null, 2000],
  ])("%s", (_, tapped_at, period, amount) => {
    const q = fare({ route: "7", tapped_at });
    expect(q.period).toBe(period);
    expect(q.amount).toBe(amount);
  });

  it("rounds a period's percent by the tariff's rounding", () => {
    const rules = {
      routes: { "1": 1001 },
      periods: [{ name: "peak", start: "07:00", end: "10:00", adjust_bps: 2500 }],
    };
    // 1001 × 1.25 = 1251.25
    const at = MON("08:00");
    expect(quoteFare(fareTariff({ ...rules, rounding: "half_up" }), { route: "1", tapped_at: at }).amount).toBe(1251);
    expect(quoteFare(fareTariff({ ...rules, rounding: "up" }), { route: "1", tapped_at: at }).amount).toBe(1252);
    expect(quoteFare(fareTariff({ ...rules, rounding: "down" }), { route: "1", tapped_at: at }).amount).toBe(1251);
  });

  it("follows the tariff's own time zone", () => {
    const almaty = fareTariff(
      {
        routes: { "1": 1000 },
        periods: [{ name: "peak", start: "07:00", end: "10:00", adjust_bps: 10000 }],
      },
      { timezone: "Europe/Moscow" },
    );
    // 05:00Z is 08:00 in Moscow (UTC+3) but 11:00 in Bishkek.
    expect(quoteFare(almaty, { route: "1", tapped_at: "2024-05-06T05:00:00Z" }).period).toBe("peak");
    expect(quoteFare(almaty, { route: "1", tapped_at: "2024-05-06T08:00:00Z" }).period).toBeNull();
  });
});

describe("rider categories", () => {
  it.each([
    ["adult pays full", "adult", "7", 2000, 2000],
    ["student half fare", "student", "7", 1000, 1000],
    ["student half of 2500", "student", "102", 1250, 1250],
    ["pensioner rides free", "pensioner", "7", 0, 0],
    ["child 1500 off", "child", "102", 1000, 1000],
    ["child discount never goes below zero", "child", "low", 0, 0],
  ])("%s", (_, category, route, amount, fullFare) => {
    const t = fareTariff({ ...CITY.rules, routes: { ...CITY.rules.routes, low: 1000 } });
    const q = quoteFare(t, { route, category, tapped_at: MON("12:00") });
    expect(q.amount).toBe(amount);
    expect(q.full_fare).toBe(fullFare);
    expect(q.category).toBe(category);
  });

  it("applies the category after the period", () => {
    const q = fare({ route: "7", category: "student", tapped_at: MON("08:00") });
    expect(q.breakdown.map((l) => [l.type, l.amount])).toEqual([
      ["base", 2000],
      ["period", 500],
      ["category", -1250],
    ]);
    expect(q.amount).toBe(1250);
  });

  it("refuses a category the tariff does not know", () => {
    expect(() => fare({ route: "7", category: "veteran", tapped_at: MON("12:00") })).toThrow(
      expect.objectContaining({ code: "unknown_category", path: "category" }),
    );
  });

  it("uses a category's own caps instead of the tariff's", () => {
    const t = fareTariff({ ...CITY.rules, categories: { student: { discount_bps: 5000, caps: { daily: 1500 } } } });
    const [first, second] = ride(t, [
      { route: "7", category: "student", tapped_at: MON("11:00") },
      { route: "7", category: "student", tapped_at: MON("13:00") },
    ]);
    expect(first?.amount).toBe(1000);
    expect(second?.amount).toBe(500);
    expect(second?.capped).toBe(true);
  });
});

describe("transfers", () => {
  const first: RideRecord = { tapped_at: MON("12:00"), route: "7", fare: 2000 };

  it.each([
    ["just after the first ride", MON("12:01"), "102", true, 0],
    ["exactly at the window edge (60 min)", MON("13:00"), "102", true, 0],
    ["one second past the window", `${MON("13:00").slice(0, 17)}01+06:00`, "102", false, 2500],
    ["same route is not a transfer", MON("12:30"), "7", false, 2000],
  ])("%s", (_, tapped_at, route, isTransfer, amount) => {
    const q = fare({ route, tapped_at, history: [first] });
    expect(q.is_transfer).toBe(isTransfer);
    expect(q.amount).toBe(amount);
    expect(q.full_fare).toBe(route === "7" ? 2000 : 2500);
  });

  it("allows one transfer per journey, then a new journey starts", () => {
    const quotes = ride(CITY, [
      { route: "7", tapped_at: MON("12:00") },
      { route: "102", tapped_at: MON("12:20") },
      { route: "7", tapped_at: MON("12:40") },
      { route: "102", tapped_at: MON("12:50") },
    ]);
    expect(quotes.map((q) => [q.is_transfer, q.amount])).toEqual([
      [false, 2000],
      [true, 0],
      [false, 2000],
      [true, 0],
    ]);
  });

  it("measures the window from the journey's first ride, not the last transfer", () => {
    const t = fareTariff({ ...CITY.rules, transfer: { window_minutes: 60, max_transfers: 2 } });
    const quotes = ride(t, [
      { route: "7", tapped_at: MON("12:00") },
      { route: "102", tapped_at: MON("12:50") },
      { route: "7", tapped_at: MON("13:00") },
      { route: "102", tapped_at: MON("13:01") },
    ]);
    expect(quotes.map((q) => q.is_transfer)).toEqual([false, true, true, false]);
  });

  it.each([
    ["discount_bps 5000 halves it", { window_minutes: 30, discount_bps: 5000 }, 1250],
    ["a fixed transfer fare", { window_minutes: 30, fare: 500 }, 500],
    ["a fixed transfer fare never raises the fare", { window_minutes: 30, fare: 5000 }, 2500],
  ])("%s", (_, transfer, amount) => {
    const t = fareTariff({ ...CITY.rules, transfer });
    const q = quoteFare(t, { route: "102", tapped_at: MON("12:10"), history: [first] });
    expect(q.is_transfer).toBe(true);
    expect(q.amount).toBe(amount);
  });

  it("may allow the same route when require_route_change is false", () => {
    const t = fareTariff({ ...CITY.rules, transfer: { window_minutes: 60, require_route_change: false } });
    expect(quoteFare(t, { route: "7", tapped_at: MON("12:30"), history: [first] }).is_transfer).toBe(true);
  });

  it("crosses midnight: the window is minutes, not a calendar day", () => {
    const late: RideRecord = { tapped_at: MON("23:40"), route: "7", fare: 3000 };
    const q = fare({ route: "102", tapped_at: bishkek("2024-05-07 00:20"), history: [late] });
    expect(q.is_transfer).toBe(true);
    expect(q.amount).toBe(0);
  });

  it("prices a late tap as the transfer of the journey the next recorded ride started", () => {
    // An offline ride uploaded after the rider's next one was charged as a journey's start:
    // the journey pays one full fare, whatever order its taps arrived in.
    const later: RideRecord = { tapped_at: MON("12:30"), route: "7", fare: 2000 };
    const q = fare({ route: "102", tapped_at: MON("12:10"), history: [later] });
    expect(q.is_transfer).toBe(true);
    expect(q.amount).toBe(0);
  });

  it("does not join a later journey beyond the window, on the same route, or one whose transfers are taken", () => {
    const later: RideRecord = { tapped_at: MON("12:30"), route: "7", fare: 2000 };
    expect(fare({ route: "102", tapped_at: MON("11:29"), history: [later] }).is_transfer).toBe(false);
    expect(fare({ route: "7", tapped_at: MON("12:10"), history: [later] }).is_transfer).toBe(false);
    const taken: RideRecord = { tapped_at: MON("12:40"), route: "102", fare: 0, transfer: true };
    expect(fare({ route: "55", tapped_at: MON("12:10"), history: [later, taken] }).is_transfer).toBe(false);
    // Nor continue a journey whose one transfer a ride recorded after the tap already took.
    expect(fare({ route: "55", tapped_at: MON("12:35"), history: [later, taken] }).is_transfer).toBe(false);
  });

  it("gives no transfer when the tariff has none", () => {
    const t = fareTariff({ routes: { "7": 2000, "102": 2500 } });
    expect(quoteFare(t, { route: "102", tapped_at: MON("12:10"), history: [first] }).is_transfer).toBe(false);
  });
});

describe("caps", () => {
  it("the ride that reaches the daily cap pays only the remainder, later rides 0", () => {
    const quotes = ride(
      CITY,
      ["11:00", "12:30", "14:00", "15:30", "17:00"].map((time) => ({ route: "102", tapped_at: MON(time) })),
    );
    expect(quotes.map((q) => q.amount)).toEqual([2500, 2500, 2500, 500, 0]);
    expect(quotes.map((q) => q.capped)).toEqual([false, false, false, true, true]);
    expect(quotes.map((q) => q.cap_remaining.daily)).toEqual([5500, 3000, 500, 0, 0]);
    expect(quotes[3]?.breakdown.at(-1)).toMatchObject({ type: "cap", amount: -2000 });
    expect(quotes[3]?.full_fare).toBe(2500);
  });

  it("counts the rides recorded after a late tap: it pays at most what the cap has left", () => {
    // Four rides reached the daily cap (8,000); a ride from that morning uploaded afterwards rides free.
    const day: RideRecord[] = ["11:00", "12:30", "14:00", "15:30"].map((t) => ({ tapped_at: MON(t), route: "7", fare: 2000 }));
    const late = fare({ route: "7", tapped_at: MON("10:30"), history: day });
    expect(late.amount).toBe(0);
    expect(late.capped).toBe(true);
    // Three rides left 2,000 of it: the late ride (2,500 on route 102) pays those.
    const part = fare({ route: "102", tapped_at: MON("10:30"), history: day.slice(1) });
    expect(part.amount).toBe(2000);
    expect(part.cap_remaining.daily).toBe(0);
  });

  it("a ride landing exactly on the cap is not capped; the next is", () => {
    const quotes = ride(
      CITY,
      ["11:00", "12:30", "14:00", "15:30", "17:00"].map((time) => ({ route: "7", tapped_at: MON(time) })),
    );
    expect(quotes.map((q) => [q.amount, q.capped])).toEqual([
      [2000, false],
      [2000, false],
      [2000, false],
      [2000, false],
      [0, true],
    ]);
  });

  it("the day ends at midnight in Bishkek, not in UTC", () => {
    // 23:50 Monday and 00:10 Tuesday in Bishkek are both Monday in UTC (17:50Z, 18:10Z).
    const monday: RideRecord[] = ["11:00", "12:30", "14:00", "15:30"].map((t) => ({
      tapped_at: MON(t),
      route: "7",
      fare: 2000,
    }));
    expect(fare({ route: "7", tapped_at: MON("21:50"), history: monday }).amount).toBe(0);
    const tuesday = fare({ route: "7", tapped_at: bishkek("2024-05-07 00:10"), history: monday });
    expect(tuesday.amount).toBe(2000);
    expect(tuesday.capped).toBe(false);
  });

  it("a UTC date change inside a Bishkek day does not reset the cap", () => {
    // 05:30 and 06:30 in Bishkek are 23:30Z and 00:30Z: two UTC days, one Bishkek day.
    const early: RideRecord[] = [
      { tapped_at: "2024-05-06T23:00:00Z", route: "102", fare: 2500 },
      { tapped_at: "2024-05-06T23:30:00Z", route: "7", fare: 3000 },
      { tapped_at: "2024-05-06T23:45:00Z", route: "102", fare: 2500 },
    ];
    // Route 102 again, so it is not a transfer from the 23:45Z ride.
    const q = fare({ route: "102", tapped_at: "2024-05-07T00:30:00Z", history: early });
    expect(q.is_transfer).toBe(false);
    expect(q.amount).toBe(0);
    expect(q.capped).toBe(true);
  });

  it("the weekly cap runs Monday to Sunday in Bishkek", () => {
    const t = fareTariff({ routes: { "7": 2000 }, caps: { weekly: 5000 } });
    const week: RideRecord[] = [
      { tapped_at: bishkek("2024-05-06 12:00"), route: "7", fare: 2000 },
      { tapped_at: bishkek("2024-05-08 12:00"), route: "7", fare: 2000 },
    ];
    expect(quoteFare(t, { route: "7", tapped_at: bishkek("2024-05-12 23:59"), history: week }).amount).toBe(1000);
    // Monday 00:00 in Bishkek is Sunday 18:00Z: a new week already.
    const monday = quoteFare(t, { route: "7", tapped_at: "2024-05-12T18:00:00Z", history: week });
    expect(monday.amount).toBe(2000);
    expect(monday.cap_remaining).toEqual({ daily: null, weekly: 3000 });
  });

  it("the weekly cap binds before the daily one when less is left of it", () => {
    const t = fareTariff({ routes: { "7": 2000 }, caps: { daily: 6000, weekly: 9000 } });
    const history: RideRecord[] = [1, 2, 3, 4].map((d) => ({
      tapped_at: bishkek(`2024-05-0${5 + d} 12:00`),
      route: "7",
      fare: 2000,
    }));
    const q = quoteFare(t, { route: "7", tapped_at: bishkek("2024-05-10 14:00"), history });
    expect(q.amount).toBe(1000);
    expect(q.breakdown.at(-1)?.description).toContain("weekly cap");
    expect(q.cap_remaining).toEqual({ daily: 5000, weekly: 0 });
  });
});

describe("category, transfer and cap together", () => {
  it("prices a student's Saturday step by step", () => {
    const t = fareTariff({
      ...CITY.rules,
      categories: { student: { discount_bps: 5000, caps: { daily: 3000 } } },
    });
    const taps = [
      ["11:00", "7"], // 1000: half of 2000
      ["11:30", "102"], // transfer: 0
      ["13:00", "102"], // 1250, 2250 spent
      ["15:00", "7"], // 1000, but only 750 left of the cap
      ["15:20", "102"], // transfer: already 0, the cap has nothing to do
      ["17:00", "7"], // cap reached: 0
    ].map(([time, route]) => ({ route: route ?? "", category: "student", tapped_at: SAT(time ?? "") }));
    const quotes = ride(t, taps);
    expect(quotes.map((q) => [q.amount, q.full_fare, q.is_transfer, q.capped])).toEqual([
      [1000, 1000, false, false],
      [0, 1250, true, false],
      [1250, 1250, false, false],
      [750, 1000, false, true],
      [0, 1250, true, false],
      [0, 1000, false, true],
    ]);
    expect(sum(quotes.map((q) => q.amount))).toBe(3000);
    expect(quotes[3]?.breakdown.map((l) => l.type)).toEqual(["base", "category", "cap"]);
    for (const q of quotes) expect(sum(q.breakdown.map((l) => l.amount))).toBe(q.amount);
  });
});

describe("context checks", () => {
  it.each([
    ["tapped_at without an offset", { route: "7", tapped_at: "2024-05-06T12:00:00" }, "tapped_at"],
    ["tapped_at that is not a date", { route: "7", tapped_at: "2024-02-30T12:00:00Z" }, "tapped_at"],
    ["no route", { tapped_at: MON("12:00") }, "route"],
    ["only one zone", { route: "7", zone_from: "A", tapped_at: MON("12:00") }, "zone_to"],
    ["history not a list", { route: "7", tapped_at: MON("12:00"), history: {} }, "history"],
    [
      "a history fare with a fraction",
      { route: "7", tapped_at: MON("12:00"), history: [{ tapped_at: MON("11:00"), route: "7", fare: 1.5 }] },
      "history[0].fare",
    ],
    ["a history ride without time", { route: "7", tapped_at: MON("12:00"), history: [{ route: "7", fare: 100 }] }, "history[0].tapped_at"],
  ])("refuses %s", (_, context, path) => {
    let error: unknown;
    try {
      quoteFare(CITY, context as FareQuoteContext);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TariffError);
    expect(error).toMatchObject({ code: "invalid_context", path });
  });

  it("is what quote() gives for a fare tariff", () => {
    const context = { route: "7", tapped_at: MON("12:00") };
    expect(quote(CITY, context)).toEqual(quoteFare(CITY, context));
    expect(quote(CITY, context).kind).toBe("fare");
  });

  it("toRideRecord keeps what later quotes need", () => {
    const context = { route: "102", tapped_at: MON("12:00") };
    expect(toRideRecord(context, quoteFare(CITY, context))).toEqual({
      tapped_at: MON("12:00"),
      route: "102",
      fare: 2500,
      full_fare: 2500,
      transfer: false,
    });
  });
});
