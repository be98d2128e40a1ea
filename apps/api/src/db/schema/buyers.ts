import type { BuyerOutcome } from "@softrack/core";
import { boolean, index, integer, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { merchantRef, objectColumns, ts } from "./common.js";

/**
 * A buyer's history across the whole platform (one row per order placed and per outcome), keyed
 * by a keyed hash of the buyer's normalised phone or email (services/buyers.ts buyerKey): the
 * identifier itself is never stored. The merchant and order stay here so that nothing but the
 * score and counts leaves the table, and DELETE erases a buyer by the key alone.
 */
export const buyerEvents = pgTable(
  "buyer_events",
  {
    id: text("id").primaryKey(),
    livemode: boolean("livemode").notNull().default(false),
    buyerKey: text("buyer_key").notNull(),
    merchantId: merchantRef(),
    orderId: text("order_id").notNull(),
    /** `ordered`, or the order's outcome: collected, not_collected, failed, returned. */
    kind: text("kind").$type<"ordered" | BuyerOutcome>().notNull(),
    at: ts("at").notNull(),
  },
  (t) => [index("buyer_events_buyer_idx").on(t.buyerKey, t.livemode), index("buyer_events_order_idx").on(t.orderId)],
);

/** A merchant's buyer policy, versioned like tariffs: each PUT writes a new immutable version per mode. */
export const buyerPolicies = pgTable(
  "buyer_policies",
  {
    ...objectColumns(),
    merchantId: merchantRef(),
    version: integer("version").notNull(),
    minScoreOnPickup: integer("min_score_on_pickup").notNull(),
    noShowFeeByScore: jsonb("no_show_fee_by_score").$type<{ below: number; fee: number }[]>().notNull().default([]),
  },
  (t) => [uniqueIndex("buyer_policies_merchant_mode_version_idx").on(t.merchantId, t.livemode, t.version)],
);
