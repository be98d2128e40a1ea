import type { OrderLine, OrderStatus, PaymentTiming } from "@softrack/core";
import { boolean, index, integer, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { merchantRef, metadata, money, objectColumns, ts } from "./common.js";

/** Courier payment guarantee: the buyer's money waits in escrow until the handover decides. */
export const orders = pgTable(
  "orders",
  {
    ...objectColumns(),
    merchantId: merchantRef(),
    status: text("status").$type<OrderStatus>().notNull(),
    currency: text("currency").notNull(),
    amount: money("amount").notNull(),
    lines: jsonb("lines").$type<OrderLine[]>().notNull(),
    delivery: jsonb("delivery").$type<{ type: "pickup_point" | "courier"; point: string | null; collect_by: string }>().notNull(),
    collectBy: ts("collect_by").notNull(),
    noShowFee: money("no_show_fee").notNull().default(0),
    returnWindowDays: integer("return_window_days").notNull().default(14),
    paymentId: text("payment_id").notNull(),
    /** `on_pickup`: nothing held until the buyer pays at the point (core/orders). */
    paymentTiming: text("payment_timing").$type<PaymentTiming>().notNull().default("prepaid"),
    /** The buyer's keyed hashes, one per identifier given (services/buyers.ts), never the phone or email; erased with the buyer. */
    buyerKeys: jsonb("buyer_keys").$type<string[]>().notNull().default([]),
    /** The handover code a pickup point scans, sealed (it is a bearer secret); its hash finds the order. */
    handoverCodeSealed: text("handover_code_sealed"),
    handoverCodeHash: text("handover_code_hash"),
    deliveredAt: ts("delivered_at"),
    amountCaptured: money("amount_captured").notNull().default(0),
    amountRefunded: money("amount_refunded").notNull().default(0),
    settled: boolean("settled").notNull().default(false),
    metadata: metadata(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    index("orders_merchant_idx").on(t.merchantId, t.id),
    index("orders_payment_idx").on(t.paymentId),
    index("orders_handover_idx").on(t.handoverCodeHash),
  ],
);

/** The order's full history, one row per thing that happened to it. */
export const orderEvents = pgTable(
  "order_events",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id").notNull(),
    type: text("type").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [index("order_events_order_idx").on(t.orderId, t.id)],
);

export const pickupPoints = pgTable(
  "pickup_points",
  {
    ...objectColumns(),
    merchantId: merchantRef(),
    name: text("name").notNull(),
    address: text("address").notNull(),
    metadata: metadata(),
  },
  (t) => [index("pickup_points_merchant_idx").on(t.merchantId, t.id)],
);
