import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import type { Context } from "hono";
import type { AppEnv } from "../../context.js";
import { refunds } from "../../db/schema/index.js";
import { type CsvColumn, csvListResponse, FormatParam, listResponse } from "../../lib/csv-export.js";
import { notFound } from "../../lib/errors.js";
import {
  bearer,
  body,
  errors,
  IdParam,
  json,
  ListQuery,
  listOf,
  optionalBody,
  paymentErrors,
  STORABLE_TIME,
  storableTime,
} from "../../lib/openapi.js";
import { listOwned } from "../../lib/pagination.js";
import { createRouter } from "../../lib/router.js";
import { allow, merchantOf } from "../../middleware/auth.js";
import { noParameters } from "../../middleware/no-parameters.js";
import { replayed } from "../../middleware/unit-of-work.js";
import { getMerchant } from "../../services/merchants.js";
import { confirmPaymentRequest, createPaymentRequest, type Written } from "../../services/payment-writes.js";
import {
  cancelPayment,
  capturePayment,
  completeQr,
  derivedSecret,
  findPayment,
  listPayments,
  type Outcome,
  paymentFor,
  refundObject,
  refundPayment,
  retryPayment,
  verifyPayment,
} from "../../services/payments.js";
import { paidAt, receiptOf, receiptPdf } from "../../services/receipts.js";
import {
  CapturePayment,
  ConfirmPayment,
  CreatePayment,
  CreateRefund,
  Payment,
  PaymentStatus,
  Receipt,
  Refund,
  RetryPayment,
  VerifyPayment,
} from "./payments.schemas.js";

const tags = ["Payments"];
const id = IdParam("pay");

const routes = {
  create: createRoute({
    method: "post",
    path: "/v1/payments",
    commit: "self",
    tags,
    summary: "Create a payment; with confirm: true, create and confirm it in one request",
    security: bearer,
    middleware: [allow("secret")] as const,
    request: body(CreatePayment, {
      amount: 15000,
      currency: "KGS",
      description: "Order A-1001",
      metadata: { order_ref: "A-1001" },
      confirm: true,
      payment_method_data: { type: "card", card: { number: "4242424242424242", exp_month: 12, exp_year: 2030, cvc: "123" } },
    }),
    responses: { 200: json(Payment), ...paymentErrors },
  }),
  list: createRoute({
    method: "get",
    path: "/v1/payments",
    reads: "replica",
    tags,
    summary: "List payments, newest first, with filters",
    security: bearer,
    middleware: [allow("secret")] as const,
    request: {
      query: ListQuery.extend({
        status: PaymentStatus.optional(),
        customer: z.string().max(64).optional(),
        "created[gte]": z.iso.datetime({ offset: true }).refine(storableTime, STORABLE_TIME).optional(),
        "created[lte]": z.iso.datetime({ offset: true }).refine(storableTime, STORABLE_TIME).optional(),
        ...FormatParam,
      }),
    },
    responses: { 200: listResponse(listOf(Payment, "PaymentList")), ...errors },
  }),
  retrieve: createRoute({
    method: "get",
    path: "/v1/payments/{id}",
    tags,
    summary: "Retrieve a payment (publishable key: with ?client_secret=)",
    security: bearer,
    middleware: [allow("secret", "publishable")] as const,
    request: { params: id, query: z.object({ client_secret: z.string().max(200).optional() }) },
    responses: { 200: json(Payment), ...errors },
  }),
  confirm: createRoute({
    method: "post",
    path: "/v1/payments/{id}/confirm",
    commit: "self",
    tags,
    summary: "Confirm with payment method data (publishable key: with client_secret in the body)",
    description:
      "A payment the merchant's fee tariff cannot price (its currency or method) is refused before any hold or challenge: 400 `fee_unpriceable`, and the payment stays as it was.",
    security: bearer,
    middleware: [allow("secret", "publishable")] as const,
    request: {
      params: id,
      ...body(ConfirmPayment, {
        payment_method_data: { type: "card", card: { number: "4242424242424242", exp_month: 12, exp_year: 2030, cvc: "123" } },
      }),
    },
    responses: { 200: json(Payment), ...paymentErrors },
  }),
  verify: createRoute({
    method: "post",
    path: "/v1/payments/{id}/verify",
    tags,
    summary: "Answer an SMS or 3-D Secure challenge with its one-time code",
    security: bearer,
    middleware: [allow("secret", "publishable")] as const,
    request: { params: id, ...body(VerifyPayment, { code: "000000" }) },
    responses: { 200: json(Payment), ...paymentErrors },
  }),
  retry: createRoute({
    method: "post",
    path: "/v1/payments/{id}/retry",
    tags,
    summary:
      "A failed payment's next attempt: a new payment with the same amount, linked by retry_of, one per failed payment (publishable key: with client_secret in the body)",
    description:
      "An order's declined payment has one too, until the order's collect_by: the attempt becomes the payment the order names, and the order waits for it (a decline no longer ends the order; an order never paid by collect_by is canceled).",
    security: bearer,
    middleware: [allow("secret", "publishable")] as const,
    request: { params: id, ...optionalBody(RetryPayment, {}) },
    responses: { 200: json(Payment), ...errors },
  }),
  capture: createRoute({
    method: "post",
    path: "/v1/payments/{id}/capture",
    tags,
    summary: "Capture a manual payment, fully or partly (the rest is released)",
    description:
      "An authorisation not captured within 7 days is released, as card networks do: the payment is canceled (`payment.canceled`) and a wallet gets its money back. An order's payment follows its order's `collect_by` instead.",
    security: bearer,
    middleware: [allow("secret")] as const,
    request: { params: id, ...optionalBody(CapturePayment, { amount: 15000 }) },
    responses: { 200: json(Payment), ...errors },
  }),
  cancel: createRoute({
    method: "post",
    path: "/v1/payments/{id}/cancel",
    tags,
    summary: "Cancel a payment that is not yet captured (a hold is released)",
    security: bearer,
    middleware: [allow("secret"), noParameters] as const,
    request: { params: id },
    responses: { 200: json(Payment), ...errors },
  }),
  completeQr: createRoute({
    method: "post",
    path: "/v1/test_helpers/payments/{id}/complete_qr",
    tags: ["Test helpers"],
    summary: "Test mode: act as the payer's app and complete a QR payment",
    security: bearer,
    middleware: [allow("secret"), noParameters] as const,
    request: { params: id },
    responses: { 200: json(Payment), ...errors },
  }),
  receipt: createRoute({
    method: "get",
    path: "/v1/payments/{id}/receipt",
    tags,
    summary: "Receipt of a succeeded payment (tax payments: payer TIN and service); ?format=pdf for a printable PDF",
    security: bearer,
    middleware: [allow("secret")] as const,
    request: { params: id, query: z.object({ format: z.enum(["json", "pdf"]).default("json") }) },
    responses: {
      200: {
        content: { "application/json": { schema: Receipt }, "application/pdf": { schema: z.string().openapi({ format: "binary" }) } },
        description: "The receipt",
      },
      ...errors,
    },
  }),
  createRefund: createRoute({
    method: "post",
    path: "/v1/refunds",
    tags: ["Refunds"],
    summary: "Refund a captured payment, fully or partly",
    security: bearer,
    middleware: [allow("secret")] as const,
    request: body(CreateRefund, { payment: "pay_01J…", amount: 5000, reason: "requested_by_customer" }),
    responses: { 200: json(Refund), ...errors },
  }),
  retrieveRefund: createRoute({
    method: "get",
    path: "/v1/refunds/{id}",
    tags: ["Refunds"],
    summary: "Retrieve a refund",
    security: bearer,
    middleware: [allow("secret")] as const,
    request: { params: IdParam("re") },
    responses: { 200: json(Refund), ...errors },
  }),
  listRefunds: createRoute({
    method: "get",
    path: "/v1/refunds",
    reads: "replica",
    tags: ["Refunds"],
    summary: "List refunds, newest first",
    security: bearer,
    middleware: [allow("secret")] as const,
    request: { query: ListQuery.extend({ payment: z.string().max(64).optional() }) },
    responses: { 200: json(listOf(Refund, "RefundList")), ...errors },
  }),
};

/** A decline is an answer, not a crash: 402 with the failed payment, and the failure is kept. */
function render(c: Context<AppEnv>, out: Outcome) {
  const payment = paymentFor({ deps: c.get("deps"), principal: c.get("principal") }, out.payment);
  // Its client secret is the body's only secret: stored without it, made again on replay.
  const secret = derivedSecret(c.get("deps").box, out.payment);
  if (out.declined) {
    const error = {
      type: "payment_error",
      code: out.declined.code,
      message: out.declined.message,
      payment,
      request_id: c.get("requestId"),
    };
    return { status: 402, body: JSON.stringify({ error }), ...secret };
  }
  return { status: 200, body: JSON.stringify(payment), ...secret };
}

function respond(c: Context<AppEnv>, out: Outcome) {
  return respondWith(c, render(c, out));
}

function respondWith(c: Context<AppEnv>, r: { status: number; body: string }) {
  return c.body(r.body, r.status as 200, { "Content-Type": "application/json" });
}

/** A write of the payment writer's (as sealed, when it had a key), or the response stored under its key. */
function sendWritten(c: Context<AppEnv>, w: Written) {
  if ("replay" in w) return replayed(c, w.replay);
  return respondWith(c, w.response ?? render(c, w.outcome));
}

type PaymentObject = Awaited<ReturnType<typeof listPayments>>["data"][number];
/** The payments export's columns: what a bookkeeper reconciles by, never a secret. */
const PAYMENT_CSV: CsvColumn<PaymentObject>[] = [
  ["id", (p) => p.id],
  ["created", (p) => p.created],
  ["status", (p) => p.status],
  ["amount", (p) => p.amount],
  ["currency", (p) => p.currency],
  ["amount_captured", (p) => p.amount_captured],
  ["amount_refunded", (p) => p.amount_refunded],
  ["fee", (p) => ("fee" in p ? (p.fee as number | null) : null)],
  ["method", (p) => p.method],
  ["customer", (p) => p.customer],
  ["description", (p) => p.description],
];

export const paymentRoutes = createRouter()
  .openapi(routes.create, async (c) => {
    const { confirm, payment_method_data, ...input } = c.req.valid("json");
    const confirmation = confirm && payment_method_data ? { payment_method_data } : undefined;
    return sendWritten(c, await createPaymentRequest(c.var, input, confirmation, (o) => render(c, o))) as never;
  })
  .openapi(routes.list, async (c) => {
    const { format, ...q } = c.req.valid("query");
    if (format === "csv") return csvListResponse(c, "payments", q, (page) => listPayments(c.var, page), PAYMENT_CSV) as never;
    return c.json(await listPayments(c.var, q), 200);
  })
  .openapi(routes.retrieve, async (c) => {
    const row = await findPayment(c.var, c.req.valid("param").id, { clientSecret: c.req.valid("query").client_secret });
    return c.json(paymentFor(c.var, row), 200);
  })
  .openapi(
    routes.confirm,
    async (c) =>
      sendWritten(c, await confirmPaymentRequest(c.var, c.req.valid("param").id, c.req.valid("json"), (o) => render(c, o))) as never,
  )
  .openapi(routes.verify, async (c) => respond(c, await verifyPayment(c.var, c.req.valid("param").id, c.req.valid("json"))) as never)
  .openapi(routes.retry, async (c) => {
    const input = (c.req.valid("json") ?? {}) as { client_secret?: string };
    return c.json(paymentFor(c.var, await retryPayment(c.var, c.req.valid("param").id, input.client_secret)), 200);
  })
  .openapi(routes.capture, async (c) => {
    const input = (c.req.valid("json") ?? {}) as { amount?: number };
    return c.json(paymentFor(c.var, await capturePayment(c.var, c.req.valid("param").id, input.amount)), 200);
  })
  .openapi(routes.cancel, async (c) => c.json(paymentFor(c.var, await cancelPayment(c.var, c.req.valid("param").id)), 200))
  .openapi(routes.completeQr, async (c) => c.json(paymentFor(c.var, await completeQr(c.var, c.req.valid("param").id)), 200))
  .openapi(routes.receipt, async (c) => {
    const payment = await findPayment(c.var, c.req.valid("param").id);
    const receipt = receiptOf(payment, await getMerchant(c.get("db"), payment.merchantId), await paidAt(c.var, payment));
    if (c.req.valid("query").format === "pdf") {
      const pdf = await receiptPdf(receipt);
      return c.body(pdf as unknown as ArrayBuffer, 200, {
        "Content-Type": "application/pdf",
        "Content-Disposition": `inline; filename="receipt-${receipt.number}.pdf"`,
      }) as never;
    }
    return c.json(receipt, 200);
  })
  .openapi(routes.createRefund, async (c) => c.json(await refundPayment(c.var, c.req.valid("json")), 200))
  .openapi(routes.retrieveRefund, async (c) => {
    const p = merchantOf(c.var);
    const refundId = c.req.valid("param").id;
    const [row] = await c
      .get("db")
      .select()
      .from(refunds)
      .where(and(eq(refunds.id, refundId), eq(refunds.merchantId, p.merchantId), eq(refunds.livemode, p.livemode)));
    if (!row) throw notFound("refund", refundId);
    return c.json(refundObject(row), 200);
  })
  .openapi(routes.listRefunds, async (c) => {
    const q = c.req.valid("query");
    const list = await listOwned(
      c.get("db"),
      merchantOf(c.var),
      refunds,
      q,
      "/v1/refunds",
      q.payment ? eq(refunds.paymentId, q.payment) : undefined,
    );
    return c.json({ ...list, data: list.data.map(refundObject) }, 200);
  });
