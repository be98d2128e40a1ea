import type { PaymentStatus } from "@softrack/core";
import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { merchantRef, metadata, money, objectColumns, ts } from "./common.js";

export const customers = pgTable(
  "customers",
  {
    ...objectColumns(),
    merchantId: merchantRef(),
    name: text("name"),
    email: text("email"),
    phone: text("phone"),
    /** Transit rider category (adult, student, pensioner). */
    category: text("category").notNull().default("adult"),
    walletCurrency: text("wallet_currency").notNull(),
    metadata: metadata(),
  },
  (t) => [index("customers_merchant_idx").on(t.merchantId, t.id)],
);

/** What the API may show of how a payment was paid: never a full card number or CVC. */
export type PaymentMethodDetails =
  | { type: "card"; card: { brand: string; last4: string; exp_month: number; exp_year: number } }
  | { type: "sms"; sms: { phone_last4: string } }
  | { type: "qr"; qr: Record<string, never> }
  | { type: "wallet"; wallet: { customer: string } };

export const payments = pgTable(
  "payments",
  {
    ...objectColumns(),
    merchantId: merchantRef(),
    amount: money("amount").notNull(),
    currency: text("currency").notNull(),
    status: text("status").$type<PaymentStatus>().notNull(),
    captureMethod: text("capture_method").$type<"automatic" | "manual">().notNull(),
    method: text("method").$type<"card" | "sms" | "qr" | "wallet">(),
    paymentMethodDetails: jsonb("payment_method_details").$type<PaymentMethodDetails>(),
    amountCapturable: money("amount_capturable").notNull().default(0),
    amountCaptured: money("amount_captured").notNull().default(0),
    amountRefunded: money("amount_refunded").notNull().default(0),
    fee: money("fee"),
    feeTariff: jsonb("fee_tariff").$type<{ code: string; version: number }>(),
    customerId: text("customer_id"),
    description: text("description"),
    purpose: jsonb("purpose").$type<Record<string, string>>(),
    clientSecretHash: text("client_secret_hash").notNull(),
    /**
     * Sealed client secrets of payments made before they were derived (SecretBox.derive): NULL
     * for every newer payment, whose secret is made again from its id and never stored.
     */
    clientSecretSealed: text("client_secret_sealed"),
    nextAction: jsonb("next_action").$type<Record<string, unknown>>(),
    /** SHA-256 of the one-time challenge code (SMS / 3-D Secure); never the code. */
    challengeHash: text("challenge_hash"),
    challengeAttempts: integer("challenge_attempts").notNull().default(0),
    lastError: jsonb("last_error").$type<{ code: string; message: string }>(),
    orderId: text("order_id"),
    /** The failed payment this one is the next attempt of (POST /v1/payments/:id/retry); one each. */
    retryOf: text("retry_of"),
    metadata: metadata(),
    canceledAt: ts("canceled_at"),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    index("payments_merchant_idx").on(t.merchantId, t.id),
    index("payments_merchant_status_idx").on(t.merchantId, t.status),
    index("payments_customer_idx").on(t.customerId),
    // Partial: a first attempt (almost every payment) adds no entry to it on the hot insert path.
    uniqueIndex("payments_retry_of_idx").on(t.retryOf).where(sql`retry_of IS NOT NULL`),
  ],
);

export const refunds = pgTable(
  "refunds",
  {
    ...objectColumns(),
    merchantId: merchantRef(),
    paymentId: text("payment_id").notNull(),
    amount: money("amount").notNull(),
    currency: text("currency").notNull(),
    status: text("status").notNull(),
    reason: text("reason"),
    metadata: metadata(),
  },
  (t) => [index("refunds_merchant_idx").on(t.merchantId, t.id), index("refunds_payment_idx").on(t.paymentId)],
);
