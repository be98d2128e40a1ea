import { boolean, index, integer, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { merchantRef, metadata, money, objectColumns, ts } from "./common.js";

/** Bus validators and metro turnstiles of a transit operator (a merchant), each bound to a route and a fare tariff. */
export const terminals = pgTable(
  "terminals",
  {
    ...objectColumns(),
    merchantId: merchantRef(),
    kind: text("kind").$type<"bus_validator" | "turnstile">().notNull(),
    route: text("route").notNull(),
    /** Code of the fare tariff; the version in effect at each tap prices it. */
    fareTariff: text("fare_tariff").notNull(),
    metadata: metadata(),
  },
  (t) => [index("terminals_merchant_idx").on(t.merchantId, t.id)],
);

/**
 * Every tap a terminal reported, accepted or declined, immutable once written.
 * (terminal_id, client_tap_id) is unique: a terminal re-uploading an offline batch gets the
 * stored result back instead of a second charge; `content_hash` tells a replay from a reused id.
 */
export const taps = pgTable(
  "taps",
  {
    ...objectColumns(),
    merchantId: merchantRef(),
    terminalId: text("terminal_id").notNull(),
    clientTapId: text("client_tap_id").notNull(),
    contentHash: text("content_hash").notNull(),
    /** The rider as the terminal sent it: may name no customer (declined unknown_rider). */
    customerId: text("customer_id").notNull(),
    route: text("route").notNull(),
    tappedAt: ts("tapped_at").notNull(),
    decision: text("decision").$type<"accepted" | "declined">().notNull(),
    reason: text("reason"),
    /** What the rider paid (0 when declined). Counts towards caps. */
    fare: money("fare").notNull(),
    /** The fare before transfer and caps. */
    fullFare: money("full_fare").notNull(),
    isTransfer: boolean("is_transfer").notNull().default(false),
    currency: text("currency").notNull(),
    tariffCode: text("tariff_code"),
    tariffVersion: integer("tariff_version"),
    walletBalance: money("wallet_balance").notNull(),
    breakdown: jsonb("breakdown").$type<{ type: string; amount: number; description: string }[]>().notNull().default([]),
  },
  (t) => [
    uniqueIndex("taps_terminal_client_idx").on(t.terminalId, t.clientTapId),
    // GET /v1/transit/taps: an operator's taps newest first (ids sort by time), as every list reads.
    index("taps_merchant_idx").on(t.merchantId, t.livemode, t.id),
    // A rider's rides of the day (transfers, caps) are read on every tap.
    index("taps_customer_tapped_idx").on(t.customerId, t.tappedAt),
    // An operator's taps in a time window.
    index("taps_merchant_tapped_idx").on(t.merchantId, t.livemode, t.tappedAt),
  ],
);
