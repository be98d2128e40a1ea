import { createRoute, z } from "@hono/zod-openapi";
import { bearer, CurrencyCode, errors, json, Livemode, TimeZone } from "../../lib/openapi.js";
import { createRouter } from "../../lib/router.js";
import { allow } from "../../middleware/auth.js";
import { analyticsOverview } from "../../services/analytics.js";

const OverviewQuery = z.strictObject({
  days: z.coerce
    .number()
    .int()
    .min(1)
    .max(90)
    .default(30)
    .openapi({ param: { name: "days", in: "query" }, description: "How many calendar days, today included (default 30)", example: 30 }),
  // A zone name, never a bare offset: PostgreSQL reads "+06:00" as POSIX, the other way round.
  timezone: TimeZone.refine((tz) => /^[A-Za-z]/.test(tz), "timezone must be an IANA time zone name")
    .default("UTC")
    .openapi({
      param: { name: "timezone", in: "query" },
      description: "The IANA time zone whose calendar days and hours the figures follow (default UTC)",
      example: "Asia/Bishkek",
    }),
});

/** A sum of amounts: 0 on a day without any, and above one payment's largest amount on a busy one. */
const Sum = z.number().int().min(0);

const Day = z
  .object({
    date: z.string().openapi({ description: "The local calendar day, YYYY-MM-DD", example: "2026-12-01" }),
    currency: CurrencyCode,
    count: z.number().int().openapi({ description: "Payments created that day that succeeded", example: 412 }),
    amount: Sum.openapi({ description: "What those payments captured, in minor units", example: 61_800_000 }),
    refund_count: z.number().int().openapi({ description: "Refunds made that day", example: 3 }),
    refund_amount: Sum.openapi({ description: "What those refunds returned", example: 450_000 }),
    fee_amount: Sum.openapi({ description: "The fees on that day's succeeded payments", example: 1_545_000 }),
  })
  .openapi("AnalyticsDay");

const Totals = Day.omit({ date: true }).openapi("AnalyticsTotals");

const MethodRate = z
  .object({
    method: z.enum(["card", "sms", "qr", "wallet"]),
    attempts: z.number().int().openapi({ description: "Payments that reached an outcome: succeeded + failed", example: 1000 }),
    succeeded: z.number().int().openapi({ example: 962 }),
    failed: z.number().int().openapi({ example: 38 }),
    success_rate: z
      .number()
      .min(0)
      .max(1)
      .nullable()
      .openapi({ description: "succeeded ÷ attempts, 4 decimals (null without attempts)", example: 0.962 }),
  })
  .openapi("AnalyticsPaymentMethod");

const Transit = z
  .object({
    rides: z.number().int().openapi({ description: "Accepted taps in the window", example: 5120 }),
    rides_by_hour: z
      .array(z.object({ hour: z.number().int().min(0).max(23), rides: z.number().int() }))
      .openapi({ description: "All 24 local hours of the day, 0 first", example: [{ hour: 8, rides: 930 }] }),
    rides_by_route: z.array(z.object({ route: z.string(), currency: CurrencyCode, rides: z.number().int(), amount: Sum })).openapi({
      description: "Busiest first; amount is the fares paid",
      example: [{ route: "7", currency: "KGS", rides: 2210, amount: 4_420_000 }],
    }),
  })
  .openapi("AnalyticsTransit");

const Overview = z
  .object({
    object: z.literal("analytics_overview"),
    livemode: Livemode,
    days: z.number().int(),
    timezone: z.string().openapi({ example: "Asia/Bishkek" }),
    start_date: z.string().openapi({ description: "The first day, YYYY-MM-DD", example: "2026-11-02" }),
    end_date: z.string().openapi({ description: "Today in `timezone`, YYYY-MM-DD", example: "2026-12-01" }),
    by_day: z.array(Day).openapi({ description: "Oldest first, every day in every currency the merchant took money in" }),
    totals: z.array(Totals).openapi({ description: "The window's sums, one per currency" }),
    payment_methods: z.array(MethodRate).openapi({ description: "Each method with at least one outcome in the window" }),
    transit: Transit.nullable().openapi({ description: "Rides, for a merchant with transit terminals in this mode; else null" }),
  })
  .openapi("AnalyticsOverview");

const r = {
  overview: createRoute({
    method: "get",
    path: "/v1/analytics/overview",
    tags: ["Analytics"],
    summary: "Your last N days: volume and count by day, refunds, fees, success rate by method, and rides by hour and route",
    description:
      "Succeeded payments count on the day they were created (in `timezone`), refunds on the day they were made. " +
      "Answered from indexes that hold every summed column, so it stays fast with millions of payments.",
    security: bearer,
    middleware: allow("secret"),
    request: { query: OverviewQuery },
    responses: { 200: json(Overview), ...errors },
  }),
};

export const analyticsRoutes = createRouter().openapi(r.overview, async (c) =>
  c.json(await analyticsOverview(c.var, c.req.valid("query")), 200),
);
