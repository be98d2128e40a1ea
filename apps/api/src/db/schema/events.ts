import { boolean, index, integer, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { merchantRef, objectColumns, ts } from "./common.js";

/** The outbox: written in the same database transaction as the change it announces. */
export const events = pgTable(
  "events",
  {
    ...objectColumns(),
    merchantId: merchantRef(),
    type: text("type").notNull(),
    data: jsonb("data").$type<{ object: Record<string, unknown> }>().notNull(),
  },
  (t) => [index("events_merchant_idx").on(t.merchantId, t.id)],
);

export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    ...objectColumns(),
    merchantId: merchantRef(),
    url: text("url").notNull(),
    events: jsonb("events").$type<string[]>().notNull(),
    status: text("status").$type<"enabled" | "disabled">().notNull().default("enabled"),
    /** Sealed with the server's secret box: the server must sign with it. */
    secretSealed: text("secret_sealed").notNull(),
    description: text("description"),
    disabledReason: text("disabled_reason"),
  },
  (t) => [index("webhook_endpoints_merchant_idx").on(t.merchantId, t.id)],
);

/** One row per (event, endpoint): the dispatcher's queue and the record of every attempt. */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    merchantId: merchantRef(),
    eventId: text("event_id").notNull(),
    endpointId: text("endpoint_id").notNull(),
    status: text("status").$type<"pending" | "delivered" | "failed">().notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: ts("next_attempt_at").notNull().defaultNow(),
    createdAt: ts("created_at").notNull().defaultNow(),
    deliveredAt: ts("delivered_at"),
  },
  (t) => [
    index("webhook_deliveries_due_idx").on(t.status, t.nextAttemptAt),
    index("webhook_deliveries_endpoint_idx").on(t.endpointId, t.id),
  ],
);

export const webhookAttempts = pgTable(
  "webhook_attempts",
  {
    id: text("id").primaryKey(),
    deliveryId: text("delivery_id").notNull(),
    endpointId: text("endpoint_id").notNull(),
    eventId: text("event_id").notNull(),
    attempt: integer("attempt").notNull(),
    responseStatus: integer("response_status"),
    error: text("error"),
    durationMs: integer("duration_ms").notNull(),
    succeeded: boolean("succeeded").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [index("webhook_attempts_endpoint_idx").on(t.endpointId, t.id)],
);
