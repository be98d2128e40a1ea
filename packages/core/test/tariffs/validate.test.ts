import { describe, expect, it } from "vitest";
import { validateTariff, validateTariffRules } from "../../src/tariffs/index.js";
import { CITY } from "./fixtures.js";

const fee = (rules: unknown) => ({
  code: "plan",
  version: 1,
  kind: "fee",
  currency: "KGS",
  effective_from: "2024-01-01T00:00:00Z",
  rules,
});
const fare = (rules: unknown) => ({ ...fee(rules), kind: "fare" });

function issues(input: unknown) {
  const result = validateTariff(input);
  return result.ok ? [] : result.issues;
}

describe("validateTariff: document", () => {
  it("accepts a valid document and fills the time zone", () => {
    const result = validateTariff(fee({ methods: { card: { percent_bps: 250 } } }));
    expect(result).toEqual({
      ok: true,
      value: {
        code: "plan",
        version: 1,
        kind: "fee",
        currency: "KGS",
        timezone: "Asia/Bishkek",
        effective_from: "2024-01-01T00:00:00.000Z",
        rules: { methods: { card: { percent_bps: 250 } } },
      },
    });
  });

  it("normalises effective_from to UTC", () => {
    const result = validateTariff({ ...fee({ default: {} }), effective_from: "2024-05-01T00:00:00+06:00" });
    expect(result.ok && result.value.effective_from).toBe("2024-04-30T18:00:00.000Z");
  });

  it.each([
    ["not an object", [], ""],
    ["a bad code", { ...fee({ default: {} }), code: "has space" }, "code"],
    ["version 0", { ...fee({ default: {} }), version: 0 }, "version"],
    ["a fractional version", { ...fee({ default: {} }), version: 1.5 }, "version"],
    ["an unknown kind", { ...fee({ default: {} }), kind: "tax" }, "kind"],
    ["a lower-case currency", { ...fee({ default: {} }), currency: "kgs" }, "currency"],
    ["an unknown time zone", { ...fee({ default: {} }), timezone: "Asia/Atlantis" }, "timezone"],
    ["a local effective_from", { ...fee({ default: {} }), effective_from: "2024-01-01T00:00:00" }, "effective_from"],
    ["no rules", { ...fee(undefined) }, "rules"],
    ["an unknown top-level key", { ...fee({ default: {} }), owner: "me" }, "owner"],
  ])("refuses %s", (_, input, path) => {
    expect(issues(input).map((i) => i.path)).toContain(path);
  });
});

describe("validateTariff: fee rules", () => {
  it.each([
    ["a fractional percent", { methods: { card: { percent_bps: 2.5 } } }, "rules.methods.card.percent_bps"],
    ["more than 100%", { methods: { card: { percent_bps: 10001 } } }, "rules.methods.card.percent_bps"],
    ["a negative fixed amount", { methods: { sms: { fixed: -1 } } }, "rules.methods.sms.fixed"],
    ["a fractional min", { methods: { sms: { min: 0.5 } } }, "rules.methods.sms.min"],
    ["min above max", { methods: { qr: { min: 500, max: 100 } } }, "rules.methods.qr.min"],
    ["an unknown method", { methods: { cash: { percent_bps: 1 } } }, "rules.methods.cash"],
    ["an unknown pricing key", { methods: { card: { percent: 2 } } }, "rules.methods.card.percent"],
    [
      "percent and tiers together",
      { methods: { card: { percent_bps: 1, tiers: [{ from: 0, percent_bps: 1 }] } } },
      "rules.methods.card.tiers",
    ],
    ["tiers not starting at 0", { methods: { card: { tiers: [{ from: 10, percent_bps: 1 }] } } }, "rules.methods.card.tiers[0].from"],
    [
      "unsorted tiers",
      {
        methods: {
          card: {
            tiers: [
              { from: 0, percent_bps: 3 },
              { from: 500, percent_bps: 2 },
              { from: 100, percent_bps: 1 },
            ],
          },
        },
      },
      "rules.methods.card.tiers[2].from",
    ],
    [
      "overlapping tiers",
      {
        methods: {
          card: {
            tiers: [
              { from: 0, percent_bps: 3 },
              { from: 0, percent_bps: 2 },
            ],
          },
        },
      },
      "rules.methods.card.tiers[1].from",
    ],
    ["empty tiers", { methods: { card: { tiers: [] } } }, "rules.methods.card.tiers"],
    ["an unknown tier period", { tier_period: "year", default: {} }, "rules.tier_period"],
    ["an unknown rounding", { rounding: "bankers", default: {} }, "rules.rounding"],
    ["nothing priced", { methods: {} }, "rules.methods"],
    ["an amount past 10^15", { methods: { card: { max: 2e15 } } }, "rules.methods.card.max"],
  ])("refuses %s", (_, rules, path) => {
    expect(issues(fee(rules))).toContainEqual(expect.objectContaining({ path }));
  });

  it("reports every issue at once", () => {
    const found = issues(fee({ methods: { card: { percent_bps: -1, fixed: 1.5 }, sms: { min: 9, max: 1 } } }));
    expect(found.map((i) => i.path)).toEqual(["rules.methods.card.percent_bps", "rules.methods.card.fixed", "rules.methods.sms.min"]);
    expect(found[0]?.message).toBe("must not be negative");
  });
});

describe("validateTariff: fare rules", () => {
  const base = { default_fare: 2000 };
  it.each([
    ["no fare at all", {}, "rules.default_fare"],
    ["a negative route fare", { routes: { "7": -5 } }, "rules.routes.7"],
    ["a fractional zone fare", { zones: [{ from: "A", to: "B", fare: 10.5 }] }, "rules.zones[0].fare"],
    [
      "the same zone pair twice, reversed",
      {
        zones: [
          { from: "A", to: "B", fare: 1 },
          { from: "B", to: "A", fare: 2 },
        ],
      },
      "rules.zones[1]",
    ],
    [
      "a period ending before it starts",
      { ...base, periods: [{ name: "p", start: "10:00", end: "07:00", fare: 1 }] },
      "rules.periods[0].end",
    ],
    ["a period at 25:00", { ...base, periods: [{ name: "p", start: "07:00", end: "25:00", fare: 1 }] }, "rules.periods[0].end"],
    [
      "a period with fare and adjust_bps",
      { ...base, periods: [{ name: "p", start: "07:00", end: "08:00", fare: 1, adjust_bps: 1 }] },
      "rules.periods[0]",
    ],
    ["a period with neither", { ...base, periods: [{ name: "p", start: "07:00", end: "08:00" }] }, "rules.periods[0]"],
    [
      "a period below -100%",
      { ...base, periods: [{ name: "p", start: "07:00", end: "08:00", adjust_bps: -10001 }] },
      "rules.periods[0].adjust_bps",
    ],
    [
      "an unknown weekday",
      { ...base, periods: [{ name: "p", start: "07:00", end: "08:00", fare: 1, days: ["monday"] }] },
      "rules.periods[0].days[0]",
    ],
    [
      "overlapping periods on a shared day",
      {
        ...base,
        periods: [
          { name: "peak", start: "07:00", end: "10:00", fare: 1, days: ["mon", "tue"] },
          { name: "morning", start: "09:00", end: "11:00", fare: 2, days: ["tue"] },
        ],
      },
      "rules.periods[1]",
    ],
    ["a category with two discounts", { ...base, categories: { student: { free: true, discount_bps: 5000 } } }, "rules.categories.student"],
    [
      "a category discount above 100%",
      { ...base, categories: { student: { discount_bps: 20000 } } },
      "rules.categories.student.discount_bps",
    ],
    ["a category with an odd name", { ...base, categories: { "Senior Citizen": { free: true } } }, "rules.categories.Senior Citizen"],
    ["free that is not a boolean", { ...base, categories: { pensioner: { free: "yes" } } }, "rules.categories.pensioner.free"],
    ["a zero transfer window", { ...base, transfer: { window_minutes: 0 } }, "rules.transfer.window_minutes"],
    ["a transfer without a window", { ...base, transfer: { discount_bps: 100 } }, "rules.transfer.window_minutes"],
    ["a transfer fare and discount together", { ...base, transfer: { window_minutes: 30, fare: 1, discount_bps: 1 } }, "rules.transfer"],
    ["a weekly cap under the daily cap", { ...base, caps: { daily: 5000, weekly: 4000 } }, "rules.caps.weekly"],
    ["a zero cap", { ...base, caps: { daily: 0 } }, "rules.caps.daily"],
    ["an unknown cap", { ...base, caps: { monthly: 100 } }, "rules.caps.monthly"],
    ["an unknown rule", { ...base, surge: true }, "rules.surge"],
  ])("refuses %s", (_, rules, path) => {
    expect(issues(fare(rules))).toContainEqual(expect.objectContaining({ path }));
  });

  it("accepts adjacent periods and the same hours on different days", () => {
    const rules = {
      ...base,
      periods: [
        { name: "peak", start: "07:00", end: "10:00", adjust_bps: 2500, days: ["mon"] },
        { name: "day", start: "10:00", end: "24:00", adjust_bps: 0, days: ["mon"] },
        { name: "weekend", start: "07:00", end: "10:00", adjust_bps: -2000, days: ["sat", "sun"] },
      ],
    };
    expect(issues(fare(rules))).toEqual([]);
  });

  it("accepts the documented example", () => {
    const { code, version, kind, currency, timezone, effective_from, rules } = CITY;
    expect(validateTariff({ code, version, kind, currency, timezone, effective_from, rules })).toEqual({
      ok: true,
      value: CITY,
    });
  });
});

describe("validateTariffRules", () => {
  it("checks rules alone, with paths from rules", () => {
    expect(validateTariffRules("fee", { methods: { card: { percent_bps: 250 } } })).toEqual({
      ok: true,
      value: { methods: { card: { percent_bps: 250 } } },
    });
    expect(validateTariffRules("fare", { routes: { "7": -1 } })).toEqual({
      ok: false,
      issues: [{ path: "rules.routes.7", message: "must not be negative" }],
    });
    expect(validateTariffRules("tax", {})).toMatchObject({ ok: false, issues: [{ path: "kind" }] });
  });
});
