import { createRoute, z } from "@hono/zod-openapi";
import { pickupPoints } from "../../db/schema/index.js";
import { type CsvColumn, csvListResponse, FormatParam, listResponse } from "../../lib/csv-export.js";
import {
  Amount,
  bearer,
  body,
  Currency,
  CurrencyCode,
  CustomerId,
  errors,
  IdParam,
  json,
  ListQuery,
  Livemode,
  listOf,
  Metadata,
  STORABLE_TIME,
  storableTime,
  Timestamp,
} from "../../lib/openapi.js";
import { listOwned } from "../../lib/pagination.js";
import { createRouter } from "../../lib/router.js";
import { allow, merchantOf } from "../../middleware/auth.js";
import {
  createOrder,
  createPickupPoint,
  failOrder,
  findOrder,
  handover,
  listOrders,
  orderHistory,
  pickupPointObject,
  returnItems,
} from "../../services/orders.js";
import { BuyerIdentifiers } from "../buyers/index.js";
import { Payment } from "../payments/payments.schemas.js";

const Sku = z.string().min(1).max(100);
const Quantity = z.number().int().positive().max(10_000);

const PaymentTiming = z
  .enum(["prepaid", "on_pickup"])
  .openapi({ description: "prepaid: held in escrow once paid; on_pickup: nothing held, paid at the point at handover" });

const OrderStatus = z.enum(["requires_payment", "awaiting_pickup", "held", "delivered", "refunded", "expired", "canceled"]);

const Order = z
  .object({
    id: z.string(),
    object: z.literal("order"),
    created: Timestamp,
    livemode: Livemode,
    status: OrderStatus,
    payment_timing: PaymentTiming,
    currency: CurrencyCode,
    amount: z.number().int(),
    amount_captured: z.number().int(),
    amount_refunded: z.number().int(),
    no_show_fee: z.number().int(),
    return_window_days: z.number().int(),
    items: z.array(
      z.object({
        sku: z.string(),
        name: z.string(),
        amount: z.number().int(),
        quantity: z.number().int(),
        accepted: z.number().int(),
        returned: z.number().int(),
      }),
    ),
    delivery: z.object({ type: z.enum(["pickup_point", "courier"]), point: z.string().nullable(), collect_by: Timestamp }),
    delivered_at: Timestamp.nullable(),
    return_window_ends_at: Timestamp.nullable(),
    settled: z.boolean(),
    handover_code: z
      .object({ code: z.string(), payload: z.string() })
      .nullable()
      .openapi({ description: "While held: what the buyer shows and the point's scanner reads" }),
    payment: z.union([Payment, z.string()]),
    metadata: z.record(z.string(), z.string()),
  })
  .openapi("Order");

const CreateOrder = z
  .strictObject({
    currency: Currency,
    items: z
      .array(
        z.strictObject({
          sku: Sku,
          name: z.string().min(1).max(200),
          amount: Amount.openapi({ description: "Unit price in minor units" }),
          quantity: Quantity,
        }),
      )
      .min(1)
      .max(100),
    delivery: z.strictObject({
      type: z.enum(["pickup_point", "courier"]),
      point: z.string().max(64).optional(),
      collect_by: z.iso.datetime({ offset: true }).refine(storableTime, STORABLE_TIME).openapi({
        description:
          "The last moment the buyer can collect. After it the order's payment can no longer be paid (400 order_expired); an order not paid by then is canceled, a paid one not collected expires (refund minus no_show_fee)",
      }),
    }),
    no_show_fee: z.number().int().min(0).max(999_999_999_999).optional(),
    return_window_days: z.number().int().min(0).max(90).optional(),
    customer: CustomerId.optional(),
    description: z.string().max(1000).optional(),
    metadata: Metadata.optional(),
    buyer: BuyerIdentifiers.optional().openapi({
      description: "Who buys: their platform-wide reliability record is kept under keyed hashes of these, never in clear",
    }),
    payment_timing: PaymentTiming.optional().openapi({ description: "Default prepaid" }),
  })
  .openapi("CreateOrder");

const Lines = z.array(z.strictObject({ sku: Sku, quantity: Quantity })).max(100);
const Handover = z.strictObject({ accepted: Lines, handover_code: z.string().max(32).optional() }).openapi("OrderHandover");
const Return = z.strictObject({ items: Lines.min(1), reason: z.string().max(500).optional() }).openapi("OrderReturn");
const Fail = z.strictObject({ reason: z.string().min(1).max(500) }).openapi("OrderFail");

const PickupPoint = z
  .object({
    id: z.string(),
    object: z.literal("pickup_point"),
    created: Timestamp,
    livemode: Livemode,
    name: z.string(),
    address: z.string(),
    metadata: z.record(z.string(), z.string()),
  })
  .openapi("PickupPoint");
const CreatePickupPoint = z
  .strictObject({ name: z.string().trim().min(1).max(200), address: z.string().trim().min(1).max(500), metadata: Metadata.optional() })
  .openapi("CreatePickupPoint");

const OrderEvent = z.object({
  id: z.string(),
  object: z.literal("order_event"),
  type: z.string(),
  created: Timestamp,
  livemode: Livemode,
  data: z.record(z.string(), z.unknown()),
});

const tags = ["Orders"];
const sk = allow("secret");
const id = IdParam("ord");
const r = {
  create: createRoute({
    method: "post",
    path: "/v1/orders",
    tags,
    summary: "Create an order with its payment (manual capture, held in escrow once paid)",
    security: bearer,
    middleware: sk,
    request: body(CreateOrder, {
      currency: "KGS",
      items: [{ sku: "sneakers-42", name: "Sneakers, size 42", amount: 15000, quantity: 1 }],
      delivery: { type: "courier", collect_by: "2030-12-31T18:00:00+06:00" },
      description: "Order A-1001",
    }),
    responses: { 200: json(Order), ...errors },
  }),
  list: createRoute({
    method: "get",
    path: "/v1/orders",
    reads: "replica",
    tags,
    summary: "List orders, newest first",
    security: bearer,
    middleware: sk,
    request: { query: ListQuery.extend({ status: OrderStatus.optional(), ...FormatParam }) },
    responses: { 200: listResponse(listOf(Order, "OrderList")), ...errors },
  }),
  retrieve: createRoute({
    method: "get",
    path: "/v1/orders/{id}",
    tags,
    summary: "Retrieve an order",
    security: bearer,
    middleware: sk,
    request: { params: id },
    responses: { 200: json(Order), ...errors },
  }),
  handover: createRoute({
    method: "post",
    path: "/v1/orders/{id}/handover",
    tags,
    summary: "The buyer takes some or all items: accepted items are captured, the rest refunded",
    security: bearer,
    middleware: sk,
    request: { params: id, ...body(Handover, { accepted: [{ sku: "sneakers-42", quantity: 1 }] }) },
    responses: { 200: json(Order), ...errors },
  }),
  returns: createRoute({
    method: "post",
    path: "/v1/orders/{id}/returns",
    tags,
    summary: "Return kept items inside the return window (refund)",
    security: bearer,
    middleware: sk,
    request: { params: id, ...body(Return, { items: [{ sku: "sneakers-42", quantity: 1 }], reason: "Wrong size" }) },
    responses: { 200: json(Order), ...errors },
  }),
  fail: createRoute({
    method: "post",
    path: "/v1/orders/{id}/fail",
    tags,
    summary: "The delivery failed: full refund (the guarantee)",
    security: bearer,
    middleware: sk,
    request: { params: id, ...body(Fail, { reason: "The courier could not reach the buyer" }) },
    responses: { 200: json(Order), ...errors },
  }),
  events: createRoute({
    method: "get",
    path: "/v1/orders/{id}/events",
    tags,
    summary: "The order's full history, newest first",
    description:
      "Newest first, as every list: `starting_after` gives earlier entries, `ending_before` later ones. 100 entries a page unless `limit` says otherwise.",
    security: bearer,
    middleware: sk,
    request: { params: id, query: ListQuery.extend({ limit: ListQuery.shape.limit.unwrap().default(100).openapi({ example: 100 }) }) },
    responses: { 200: json(listOf(OrderEvent, "OrderEventList")), ...errors },
  }),
  createPoint: createRoute({
    method: "post",
    path: "/v1/pickup_points",
    tags,
    summary: "Create a pickup point",
    security: bearer,
    middleware: sk,
    request: body(CreatePickupPoint, { name: "Asia Mall pickup point", address: "Bishkek, Chui Avenue 155" }),
    responses: { 200: json(PickupPoint), ...errors },
  }),
  listPoints: createRoute({
    method: "get",
    path: "/v1/pickup_points",
    tags,
    summary: "List pickup points",
    security: bearer,
    middleware: sk,
    request: { query: ListQuery },
    responses: { 200: json(listOf(PickupPoint, "PickupPointList")), ...errors },
  }),
};

type OrderObject = Awaited<ReturnType<typeof listOrders>>["data"][number];
/** The orders export: amounts and states, never the handover code (it collects the goods). */
const ORDER_CSV: CsvColumn<OrderObject>[] = [
  ["id", (o) => o.id],
  ["created", (o) => o.created],
  ["status", (o) => o.status],
  ["payment_timing", (o) => o.payment_timing],
  ["amount", (o) => o.amount],
  ["currency", (o) => o.currency],
  ["amount_captured", (o) => o.amount_captured],
  ["amount_refunded", (o) => o.amount_refunded],
  ["no_show_fee", (o) => o.no_show_fee],
  ["return_window_days", (o) => o.return_window_days],
];

export const orderRoutes = createRouter()
  .openapi(r.create, async (c) => c.json(await createOrder(c.var, c.req.valid("json")), 200))
  .openapi(r.list, async (c) => {
    const { format, ...q } = c.req.valid("query");
    if (format === "csv") return csvListResponse(c, "orders", q, (page) => listOrders(c.var, page), ORDER_CSV) as never;
    return c.json(await listOrders(c.var, q), 200);
  })
  .openapi(r.retrieve, async (c) => c.json(await findOrder(c.var, c.req.valid("param").id), 200))
  .openapi(r.handover, async (c) => c.json(await handover(c.var, c.req.valid("param").id, c.req.valid("json")), 200))
  .openapi(r.returns, async (c) => c.json(await returnItems(c.var, c.req.valid("param").id, c.req.valid("json")), 200))
  .openapi(r.fail, async (c) => c.json(await failOrder(c.var, c.req.valid("param").id, c.req.valid("json")), 200))
  .openapi(r.events, async (c) => c.json(await orderHistory(c.var, c.req.valid("param").id, c.req.valid("query")), 200))
  .openapi(r.createPoint, async (c) => c.json(await createPickupPoint(c.var, c.req.valid("json")), 200))
  .openapi(r.listPoints, async (c) => {
    const l = await listOwned(c.get("db"), merchantOf(c.var), pickupPoints, c.req.valid("query"), "/v1/pickup_points");
    return c.json({ ...l, data: l.data.map(pickupPointObject) }, 200);
  });
