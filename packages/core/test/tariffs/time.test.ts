import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { localPeriodRange } from "../../src/tariffs/index.js";
import { localTime } from "../../src/tariffs/time.js";

/** The oracle: Intl's own reading of the wall clock, with no memoisation. */
function wallClock(timezone: string, ms: number) {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: timezone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }).formatToParts(new Date(ms));
  const f = Object.fromEntries(parts.filter((p) => p.type !== "literal").map((p) => [p.type, Number(p.value)]));
  return { year: f.year, month: f.month, day: f.day, hour: f.hour, minute: f.minute, second: f.second };
}

// Zones with and without daylight saving, half-hour and 45-minute offsets, a 30-minute DST
// shift (Lord Howe), and zones whose rules changed in the period (Bishkek, Almaty, Moscow).
const ZONES = [
  "Asia/Bishkek",
  "Asia/Almaty",
  "Asia/Tashkent",
  "Europe/Moscow",
  "Europe/Berlin",
  "America/New_York",
  "Australia/Lord_Howe",
  "Asia/Kathmandu",
  "UTC",
];

describe("localTime (memoised zone offsets)", () => {
  it("reads the same wall clock as Intl at any instant, in any zone", () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: Date.UTC(1995, 0, 1), max: Date.UTC(2045, 0, 1) }), (zone, ms) => {
        const t = localTime(zone, ms);
        expect({ year: t.year, month: t.month, day: t.day, hour: t.hour, minute: t.minute, second: t.second }).toEqual(wallClock(zone, ms));
      }),
      { numRuns: 3_000 },
    );
  });

  it("is exact in the minutes around daylight-saving transitions", () => {
    // Europe/Berlin 2024-03-31 01:00Z (clocks forward) and 2024-10-27 01:00Z (back);
    // Lord Howe moves by 30 minutes at 2024-04-06 15:00Z.
    const around = [
      ["Europe/Berlin", Date.UTC(2024, 2, 31, 1)],
      ["Europe/Berlin", Date.UTC(2024, 9, 27, 1)],
      ["America/New_York", Date.UTC(2024, 2, 10, 7)],
      ["Australia/Lord_Howe", Date.UTC(2024, 3, 6, 15)],
    ] as const;
    for (const [zone, at] of around) {
      for (let ms = at - 90 * 60_000; ms <= at + 90 * 60_000; ms += 59_000) {
        const t = localTime(zone, ms);
        expect({ year: t.year, month: t.month, day: t.day, hour: t.hour, minute: t.minute, second: t.second }).toEqual(wallClock(zone, ms));
      }
    }
  });

  it("a local day in Berlin across the spring transition is 23 hours long", () => {
    const { start, end } = localPeriodRange("Europe/Berlin", "day", new Date(Date.UTC(2024, 2, 31, 12)));
    expect(start.toISOString()).toBe("2024-03-30T23:00:00.000Z");
    expect(end.getTime() - start.getTime()).toBe(23 * 3_600_000);
  });
});
