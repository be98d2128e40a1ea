import { describe, expect, it } from "vitest";
import { z } from "zod";
import { FareRulesSchema, FeeRulesSchema, MAX_TARIFF_AMOUNT, toTariffIssues, validateTariffRules } from "../../src/tariffs/index.js";

type Schema = {
  type?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: unknown;
  items?: Schema;
  propertyNames?: Schema;
  minimum?: number;
  maximum?: number;
  description?: string;
};
const jsonSchema = (s: z.ZodType) => z.toJSONSchema(s, { io: "input" }) as Schema;
const optional = (s: Schema | undefined) => s as Schema;

describe("tariff rule schemas (the source of the validator and of the OpenAPI document)", () => {
  it("state the fee rules' shapes, closed to unknown keys", () => {
    const fee = jsonSchema(FeeRulesSchema);
    expect(fee.additionalProperties).toBe(false);
    expect(Object.keys(fee.properties ?? {})).toEqual(["rounding", "tier_period", "methods", "default", "dispute_fee"]);
    const methods = optional(fee.properties?.methods);
    expect(methods.additionalProperties).toBe(false);
    expect(Object.keys(methods.properties ?? {})).toEqual(["card", "sms", "qr", "wallet"]);
    const card = optional(methods.properties?.card);
    expect(card.additionalProperties).toBe(false);
    expect(card.properties?.percent_bps).toMatchObject({ type: "integer", minimum: 0, maximum: 10_000 });
    expect(card.properties?.fixed).toMatchObject({ type: "integer", minimum: 0, maximum: MAX_TARIFF_AMOUNT });
    // The cross-field rules are said in words.
    expect(card.description).toMatch(/Either percent_bps or tiers, not both/);
    expect(fee.description).toMatch(/Price at least one method/);
  });

  it("state the fare rules' shapes, with the key rules of their maps", () => {
    const fare = jsonSchema(FareRulesSchema);
    expect(fare.additionalProperties).toBe(false);
    expect(optional(fare.properties?.routes).propertyNames).toEqual({ type: "string", minLength: 1, maxLength: 64 });
    expect(optional(fare.properties?.categories).propertyNames).toEqual({ type: "string", pattern: "^[a-z][a-z0-9_]{0,31}$" });
    const period = optional(optional(fare.properties?.periods).items);
    expect(period.additionalProperties).toBe(false);
    expect(period.properties?.adjust_bps).toMatchObject({ minimum: -10_000, maximum: 30_000 });
    expect(optional(fare.properties?.transfer).properties?.window_minutes).toMatchObject({ minimum: 1, maximum: 1440 });
  });

  it("refuse what the validator refuses, including the cross-field rules", () => {
    expect(FeeRulesSchema.safeParse({ methods: { card: { min: 5, max: 1 } } }).success).toBe(false);
    expect(FeeRulesSchema.safeParse({ methods: { card: { percent_bps: 1, tiers: [{ from: 0, percent_bps: 1 }] } } }).success).toBe(false);
    expect(FareRulesSchema.safeParse({ routes: { "7": 100 }, categories: { Student: {} } }).success).toBe(false);
    expect(FareRulesSchema.safeParse({ routes: { "7": 100 }, categories: { student: { discount_bps: 5000 } } }).success).toBe(true);
  });
});

describe("toTariffIssues", () => {
  it("names each unknown key on its own, and a field's first problem once", () => {
    const parsed = FareRulesSchema.safeParse({
      default_fare: 1,
      surge: true,
      colour: "red",
      periods: [{ name: "p", start: "", end: "08:00", fare: 1 }],
    });
    expect(parsed.success).toBe(false);
    if (parsed.success) return;
    expect(toTariffIssues(parsed.error.issues, "rules")).toEqual([
      { path: "rules.periods[0].start", message: "must be a non-empty string" },
      { path: "rules.surge", message: "is not a known field" },
      { path: "rules.colour", message: "is not a known field" },
    ]);
  });

  it("reports the cross-field problems beside the field problems", () => {
    expect(
      validateTariffRules("fare", {
        caps: { daily: 5000, weekly: 4000 },
        periods: [{ name: "p", start: "07:00", end: "08:00", adjust_bps: -1 }],
      }),
    ).toEqual({
      ok: false,
      issues: [
        { path: "rules.caps.weekly", message: "must not be less than the daily cap (5000)" },
        { path: "rules.default_fare", message: "set default_fare, routes or zones so that a ride has a fare" },
      ],
    });
  });
});
