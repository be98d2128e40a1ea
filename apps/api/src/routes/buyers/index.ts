import { createRoute, z } from "@hono/zod-openapi";
import { Amount, bearer, body, CurrencyCode, errors, json, Livemode, Timestamp } from "../../lib/openapi.js";
import { createRouter } from "../../lib/router.js";
import { allow, ownerSessions } from "../../middleware/auth.js";
import { buyerReliability, buyerReliabilitySummary, eraseBuyer, findBuyerPolicy, putBuyerPolicy } from "../../services/buyers.js";

const Phone = z
  .string()
  .trim()
  .min(3)
  .max(32)
  .openapi({ description: "International format; normalised to E.164", example: "+996555123456" });
const Email = z
  .string()
  .trim()
  .max(254)
  .regex(z.regexes.email, "must be an email address")
  .openapi({ description: "Compared trimmed and lowercased", example: "aigul@example.kg" });

/** A buyer named by phone, email or both (orders.create's `buyer`). */
export const BuyerIdentifiers = z.strictObject({ phone: Phone.optional(), email: Email.optional() }).openapi("BuyerIdentifiers");

/** Exactly one of phone or email, in the query string. */
const BuyerQuery = z.strictObject({
  phone: Phone.optional().openapi({ param: { name: "phone", in: "query" } }),
  email: Email.optional().openapi({ param: { name: "email", in: "query" } }),
});

const Score = z.number().int().min(0).max(100);

const BuyerReliability = z
  .object({
    object: z.literal("buyer_reliability"),
    livemode: Livemode,
    score: Score.openapi({ description: "0–100: the expected share of parcels this buyer collects, recent behaviour weighing more" }),
    orders: z.number().int(),
    collected: z.number().int(),
    not_collected: z.number().int(),
    failed: z.number().int(),
    returned: z.number().int(),
    requirement: z.enum(["none", "prepay"]).openapi({ description: "What the calling merchant's buyer policy asks of this buyer" }),
  })
  .openapi("BuyerReliability");

const ErasedBuyer = z
  .object({
    object: z.literal("buyer_reliability"),
    livemode: Livemode,
    deleted: z.literal(true),
    events_erased: z.number().int(),
  })
  .openapi("ErasedBuyerReliability");

const FeeBands = z
  .array(
    z.strictObject({
      below: z.number().int().min(1).max(101).openapi({ description: "Applies to scores under this" }),
      fee: Amount.openapi({ description: "No-show fee in minor units of the order's currency" }),
    }),
  )
  .max(20);

/** A policy's minimum: a score, or 101, under which every score falls (everyone prepays). */
const MinScore = z.number().int().min(0).max(101).openapi({ description: "Buyers under it must prepay (101: everyone)" });

const BuyerPolicy = z
  .object({
    id: z.string(),
    object: z.literal("buyer_policy"),
    created: Timestamp,
    livemode: Livemode,
    version: z.number().int(),
    min_score_on_pickup: MinScore,
    no_show_fee_by_score: FeeBands,
  })
  .openapi("BuyerPolicy");

const PutBuyerPolicy = z
  .strictObject({
    min_score_on_pickup: MinScore,
    no_show_fee_by_score: FeeBands.optional().openapi({ description: "The highest fee among the bands a score falls under applies" }),
  })
  .openapi("PutBuyerPolicy");

const SummaryQuery = z.strictObject({
  weeks: z.coerce
    .number()
    .int()
    .min(1)
    .max(52)
    .default(8)
    .openapi({ param: { name: "weeks", in: "query" }, description: "How many ISO weeks, up to this one (default 8)", example: 8 }),
});

// A week's sum in minor units: 0 in a week without no-shows, which Amount (> 0) would not describe.
const WeekSum = z.number().int().min(0);

const NoShowWeek = z
  .object({
    week_start: z
      .string()
      .openapi({ description: "The week's Monday (UTC), YYYY-MM-DD; orders count in the week they were created", example: "2026-11-30" }),
    orders: z.number().int(),
    not_collected: z.number().int().openapi({ description: "Orders of that week that expired uncollected" }),
    lost_amount: WeekSum.openapi({ description: "Delivery cost lost: not_collected × delivery_cost of the currency" }),
    no_show_fees: WeekSum.openapi({ description: "No-show fees kept on those orders" }),
    currency: CurrencyCode,
  })
  .openapi("NoShowWeek");

const BuyerUnderThreshold = z
  .object({
    buyer_hash_prefix: z.string().openapi({ description: "The first 8 characters of the buyer's keyed hash: never the phone or email" }),
    score: Score,
    orders: z.number().int(),
    not_collected: z.number().int(),
  })
  .openapi("BuyerUnderThreshold");

const BuyerReliabilitySummary = z
  .object({
    object: z.literal("buyer_reliability_summary"),
    livemode: Livemode,
    weeks: z.array(NoShowWeek).openapi({ description: "Oldest first, one row per week and currency" }),
    delivery_cost: z
      .array(z.object({ amount: Amount, currency: CurrencyCode }))
      .openapi({ description: "The estimated delivery cost of one uncollected parcel (about 700 RUB) used for lost_amount" }),
    min_score_on_pickup: MinScore.nullable().openapi({ description: "The policy's minimum in force; null without a policy" }),
    buyers_under_threshold: z.array(BuyerUnderThreshold).openapi({
      description: "Buyers of this merchant's orders in those weeks scoring under min_score_on_pickup, lowest first (at most 100)",
    }),
    buyers_under_threshold_total: z.number().int(),
  })
  .openapi("BuyerReliabilitySummary");

const tags = ["Buyer reliability"];
const sk = allow("secret");
const OWNER_ONLY = "A member's session needs the owner role (else 403 `role_not_allowed`); a secret API key may.";
const r = {
  get: createRoute({
    method: "get",
    path: "/v1/buyer_reliability",
    tags,
    summary: "A buyer's reliability score and counts across the platform (by phone or email)",
    security: bearer,
    middleware: sk,
    request: { query: BuyerQuery },
    responses: { 200: json(BuyerReliability), ...errors },
  }),
  erase: createRoute({
    method: "delete",
    path: "/v1/buyer_reliability",
    tags,
    summary: "Erase a buyer's history across the platform (the right to be forgotten)",
    description: OWNER_ONLY,
    security: bearer,
    middleware: [allow("secret"), ownerSessions()] as const,
    request: { query: BuyerQuery },
    responses: { 200: json(ErasedBuyer), ...errors },
  }),
  summary: createRoute({
    method: "get",
    path: "/v1/buyer_reliability/summary",
    reads: "replica",
    tags,
    summary: "Your no-shows by week (orders not collected, delivery cost lost, fees kept) and your buyers under the policy's minimum",
    security: bearer,
    middleware: sk,
    request: { query: SummaryQuery },
    responses: { 200: json(BuyerReliabilitySummary), ...errors },
  }),
  getPolicy: createRoute({
    method: "get",
    path: "/v1/buyer_policy",
    tags,
    summary: "The buyer policy in force",
    security: bearer,
    middleware: sk,
    responses: { 200: json(BuyerPolicy), ...errors },
  }),
  putPolicy: createRoute({
    method: "put",
    path: "/v1/buyer_policy",
    tags,
    summary: "Set the buyer policy: a new immutable version",
    description: OWNER_ONLY,
    security: bearer,
    middleware: [allow("secret"), ownerSessions()] as const,
    request: body(PutBuyerPolicy, {
      min_score_on_pickup: 40,
      no_show_fee_by_score: [
        { below: 40, fee: 20000 },
        { below: 70, fee: 10000 },
      ],
    }),
    responses: { 200: json(BuyerPolicy), ...errors },
  }),
};

export const buyerRoutes = createRouter()
  .openapi(r.get, async (c) => c.json(await buyerReliability(c.var, c.req.valid("query")), 200))
  .openapi(r.summary, async (c) => c.json(await buyerReliabilitySummary(c.var, c.req.valid("query")), 200))
  .openapi(r.erase, async (c) => c.json(await eraseBuyer(c.var, c.req.valid("query")), 200))
  .openapi(r.getPolicy, async (c) => c.json(await findBuyerPolicy(c.var), 200))
  .openapi(r.putPolicy, async (c) => c.json(await putBuyerPolicy(c.var, c.req.valid("json")), 200));
