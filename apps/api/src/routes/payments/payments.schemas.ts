import { z } from "@hono/zod-openapi";
import { Amount, Currency, CurrencyCode, CustomerId, Livemode, Metadata, Timestamp } from "../../lib/openapi.js";
import { TAX_SERVICE_CODES, TIN } from "../../services/tax.js";

export const PaymentStatus = z.enum([
  "requires_payment_method",
  "requires_action",
  "processing",
  "requires_capture",
  "succeeded",
  "canceled",
  "failed",
]);
export const Method = z.enum(["card", "sms", "qr", "wallet"]);

export const Payment = z
  .object({
    id: z.string().openapi({ example: "pay_01J…" }),
    object: z.literal("payment"),
    created: Timestamp,
    livemode: Livemode,
    amount: z.number().int(),
    currency: CurrencyCode,
    status: PaymentStatus,
    capture_method: z.enum(["automatic", "manual"]),
    method: Method.nullable(),
    payment_method_details: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: "Brand, last4 and expiry for cards; never the number or CVC" }),
    amount_capturable: z.number().int(),
    amount_captured: z.number().int(),
    amount_refunded: z.number().int(),
    fee: z
      .number()
      .int()
      .nullable()
      .optional()
      .openapi({ description: "From the merchant's fee tariff, known once captured. Not shown to publishable keys" }),
    fee_tariff: z
      .object({ code: z.string(), version: z.number().int() })
      .nullable()
      .optional()
      .openapi({ description: "Not shown to publishable keys" }),
    customer: z.string().nullable(),
    description: z.string().nullable(),
    purpose: z.record(z.string(), z.string()).nullable().optional().openapi({ description: "Not shown to publishable keys" }),
    order: z.string().nullable().optional().openapi({ description: "Not shown to publishable keys" }),
    next_action: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ example: { type: "sms_code" } }),
    last_payment_error: z.object({ code: z.string(), message: z.string() }).nullable(),
    retry_of: z
      .string()
      .nullable()
      .optional()
      .openapi({ description: "The failed payment this one is the next attempt of (POST /v1/payments/{id}/retry)", example: null }),
    canceled_at: Timestamp.nullable(),
    metadata: z.record(z.string(), z.string()).optional().openapi({ description: "Not shown to publishable keys" }),
    client_secret: z.string().optional().openapi({
      description: "For the browser: lets a publishable key confirm and read this payment. Not shown to read-only support members",
    }),
  })
  .openapi("Payment");

const Purpose = z
  .discriminatedUnion("type", [
    z.strictObject({ type: z.literal("wallet_topup"), customer: CustomerId }),
    z.strictObject({
      type: z.literal("tax"),
      // Checked by services/tax.ts (invalid_tin, unknown_service_code); the document states the same rules from its constants.
      payer_tin: z
        .string()
        .max(32)
        .openapi({ pattern: TIN.source, description: "Taxpayer number: 14 digits (KG, INN), 12 (KZ, IIN/BIN) or 9 (UZ, STIR)." }),
      service_code: z.string().max(64).openapi({
        enum: TAX_SERVICE_CODES,
        description: "One of the operator's tax service codes (TAX_SERVICES_FILE, else the bundled list).",
      }),
    }),
  ])
  .openapi("PaymentPurpose");

const Card = z.strictObject({
  number: z.string().max(32),
  exp_month: z.number().int(),
  exp_year: z.number().int(),
  cvc: z.string().max(8),
});

export const PaymentMethodData = z
  .discriminatedUnion("type", [
    z.strictObject({ type: z.literal("card"), card: Card }),
    z.strictObject({ type: z.literal("sms"), phone: z.string().max(32) }),
    z.strictObject({ type: z.literal("qr") }),
    z.strictObject({ type: z.literal("wallet"), customer: CustomerId.optional() }),
  ])
  .openapi("PaymentMethodData");

export const CreatePayment = z
  .strictObject({
    amount: Amount,
    currency: Currency,
    method: Method.optional(),
    capture_method: z.enum(["automatic", "manual"]).default("automatic"),
    customer: CustomerId.optional(),
    description: z.string().max(1000).optional(),
    purpose: Purpose.optional(),
    metadata: Metadata.optional(),
    confirm: z
      .boolean()
      .optional()
      .openapi({ description: "true: create and confirm in one request; the answer is the payment after confirmation (secret key)" }),
    payment_method_data: PaymentMethodData.optional().openapi({
      description: "With confirm: true, how the payment is paid (as in confirm)",
    }),
  })
  .superRefine((input, ctx) => {
    if (input.confirm === true && !input.payment_method_data)
      ctx.addIssue({ code: "custom", path: ["payment_method_data"], message: "payment_method_data is required with confirm: true" });
    if (input.payment_method_data && input.confirm !== true)
      ctx.addIssue({ code: "custom", path: ["confirm"], message: "payment_method_data is sent with confirm: true" });
  })
  .openapi("CreatePayment");

export const ConfirmPayment = z
  .strictObject({ payment_method_data: PaymentMethodData, client_secret: z.string().max(200).optional() })
  .openapi("ConfirmPayment");

export const VerifyPayment = z
  .strictObject({ code: z.string().min(1).max(12), client_secret: z.string().max(200).optional() })
  .openapi("VerifyPayment");

export const RetryPayment = z.strictObject({ client_secret: z.string().max(200).optional() }).openapi("RetryPayment");

export const CapturePayment = z.strictObject({ amount: Amount.optional() }).openapi("CapturePayment");

export const Refund = z
  .object({
    id: z.string(),
    object: z.literal("refund"),
    created: Timestamp,
    livemode: Livemode,
    payment: z.string(),
    amount: z.number().int(),
    currency: CurrencyCode,
    status: z.string(),
    reason: z.string().nullable(),
    metadata: z.record(z.string(), z.string()),
  })
  .openapi("Refund");

export const CreateRefund = z
  .strictObject({
    payment: z.string().max(64),
    amount: Amount.optional(),
    reason: z.enum(["requested_by_customer", "duplicate", "fraudulent", "delivery_failed", "returned"]).optional(),
    metadata: Metadata.optional(),
  })
  .openapi("CreateRefund");

export const Receipt = z
  .object({
    id: z.string().openapi({ description: "The receipt's id: `rcpt_` and its payment's id without `pay_`" }),
    object: z.literal("receipt"),
    created: Timestamp.openapi({ description: "When the payment was first captured, as `paid_at`" }),
    number: z.string(),
    payment: z.string(),
    livemode: Livemode,
    merchant: z.object({ id: z.string(), name: z.string(), country: z.string() }),
    amount: z.number().int(),
    amount_refunded: z.number().int(),
    currency: CurrencyCode,
    paid_at: Timestamp,
    method: z.string().nullable(),
    payment_method_details: z.record(z.string(), z.unknown()).nullable(),
    description: z.string().nullable(),
    tax: z.object({ payer_tin: z.string(), service_code: z.string(), service_name: z.string().nullable() }).nullable(),
  })
  .openapi("Receipt");
