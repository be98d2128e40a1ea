import { describe, expect, it } from "vitest";
import { localPeriodRange, selectTariffVersion } from "../../src/tariffs/index.js";

describe("selectTariffVersion", () => {
  const versions = [
    { version: 1, effective_from: "2024-01-01T00:00:00.000Z" },
    { version: 2, effective_from: "2024-06-01T00:00:00.000Z" },
    { version: 3, effective_from: "2024-06-01T00:00:00.000Z" },
    { version: 4, effective_from: "2025-01-01T00:00:00.000Z" },
  ];
  it.each([
    ["before any version", "2023-12-31T23:59:59Z", undefined],
    ["exactly at the first", "2024-01-01T00:00:00Z", 1],
    ["between versions", "2024-05-31T23:59:59Z", 1],
    ["a tie goes to the higher version", "2024-06-01T00:00:00Z", 3],
    ["a future version is not yet in effect", "2024-12-31T23:59:59Z", 3],
    ["the latest", "2030-01-01T00:00:00Z", 4],
  ])("%s", (_, at, version) => {
    expect(selectTariffVersion(versions, new Date(at))?.version).toBe(version);
  });

  it("does not depend on the order of the list", () => {
    const at = new Date("2024-07-01T00:00:00Z");
    expect(selectTariffVersion([...versions].reverse(), at)?.version).toBe(3);
  });
});

describe("localPeriodRange", () => {
  it.each([
    ["a Bishkek day", "Asia/Bishkek", "day", "2024-05-06T17:59:59Z", "2024-05-05T18:00:00.000Z", "2024-05-06T18:00:00.000Z"],
    [
      "the next Bishkek day from its midnight",
      "Asia/Bishkek",
      "day",
      "2024-05-06T18:00:00Z",
      "2024-05-06T18:00:00.000Z",
      "2024-05-07T18:00:00.000Z",
    ],
    ["a week from Monday", "Asia/Bishkek", "week", "2024-05-12T17:00:00Z", "2024-05-05T18:00:00.000Z", "2024-05-12T18:00:00.000Z"],
    ["December to January", "Asia/Bishkek", "month", "2024-12-31T19:00:00Z", "2024-12-31T18:00:00.000Z", "2025-01-31T18:00:00.000Z"],
    // A zone with DST proves no offset is hard-coded: the day of the change has 23 hours.
    ["a 23-hour Berlin day", "Europe/Berlin", "day", "2024-03-31T12:00:00Z", "2024-03-30T23:00:00.000Z", "2024-03-31T22:00:00.000Z"],
    ["a 25-hour Berlin day", "Europe/Berlin", "day", "2024-10-27T12:00:00Z", "2024-10-26T22:00:00.000Z", "2024-10-27T23:00:00.000Z"],
  ] as const)("%s", (_, zone, period, at, start, end) => {
    const range = localPeriodRange(zone, period, new Date(at));
    expect([range.start.toISOString(), range.end.toISOString()]).toEqual([start, end]);
  });
});
