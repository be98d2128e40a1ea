import { createRoute, z } from "@hono/zod-openapi";
import { DISPUTE_STATUSES } from "../../db/schema/index.js";
import {
  Amount,
  bearer,
  body,
  CurrencyCode,
  errors,
  IdParam,
  json,
  ListQuery,
  Livemode,
  listOf,
  Metadata,
  Timestamp,
} from "../../lib/openapi.js";
import { createRouter } from "../../lib/router.js";
import { allow } from "../../middleware/auth.js";
import {
  closeDispute,
  DISPUTE_REASONS,
  disputeObject,
  findDispute,
  listDisputes,
  openDispute,
  submitEvidence,
} from "../../services/disputes.js";

const tags = ["Disputes"];

export const Dispute = z
  .object({
    id: z.string().openapi({ example: "dp_01J…" }),
    object: z.literal("dispute"),
    created: Timestamp,
    livemode: Livemode,
    payment: z.string(),
    amount: z.number().int().openapi({ description: "The disputed amount: it left available when the dispute opened" }),
    currency: CurrencyCode,
    fee: z.number().int().openapi({ description: "The dispute fee (the fee tariff's dispute_fee); not returned if the dispute is won" }),
    reason: z.string(),
    status: z.enum(DISPUTE_STATUSES),
    evidence: z.object({ text: z.string().nullable(), submitted: Timestamp.nullable() }),
    closed: Timestamp.nullable(),
    metadata: Metadata,
  })
  .openapi("Dispute");

const OpenDispute = z
  .strictObject({
    reason: z.enum(DISPUTE_REASONS),
    amount: Amount.optional().openapi({ description: "Default: what was captured less refunds; never more" }),
  })
  .openapi("OpenDispute");
const SubmitEvidence = z.strictObject({ text: z.string().min(1).max(20_000) }).openapi("SubmitEvidence");
const CloseDispute = z.strictObject({ outcome: z.enum(["won", "lost"]) }).openapi("CloseDispute");

const routes = {
  list: createRoute({
    method: "get",
    path: "/v1/disputes",
    reads: "replica",
    tags,
    summary: "List disputes, newest first",
    security: bearer,
    middleware: [allow("secret")] as const,
    request: { query: ListQuery.extend({ payment: z.string().max(64).optional() }) },
    responses: { 200: json(listOf(Dispute, "DisputeList")), ...errors },
  }),
  retrieve: createRoute({
    method: "get",
    path: "/v1/disputes/{id}",
    tags,
    summary: "Retrieve a dispute",
    security: bearer,
    middleware: [allow("secret")] as const,
    request: { params: IdParam("dp") },
    responses: { 200: json(Dispute), ...errors },
  }),
  evidence: createRoute({
    method: "post",
    path: "/v1/disputes/{id}/evidence",
    tags,
    summary: "Answer a dispute with evidence (text); it goes under review",
    security: bearer,
    middleware: [allow("secret")] as const,
    request: {
      params: IdParam("dp"),
      ...body(SubmitEvidence, { text: "Delivered on 2026-11-24, signed for by the buyer; courier receipt attached to the order." }),
    },
    responses: { 200: json(Dispute), ...errors },
  }),
  open: createRoute({
    method: "post",
    path: "/v1/test_helpers/payments/{id}/dispute",
    tags: ["Test helpers"],
    summary: "Test mode: the card network disputes a captured payment; the amount and the dispute fee leave available at once",
    description:
      "A wallet top-up's disputed amount comes back from the wallet it filled, as far as the wallet still holds it; only the rest and the fee leave available (won, each part goes back where it came from). A wallet payment has no network behind it: 400 `payment_not_disputable` (refund it instead).",
    security: bearer,
    middleware: [allow("secret")] as const,
    request: { params: IdParam("pay"), ...body(OpenDispute, { reason: "product_not_received" }) },
    responses: { 200: json(Dispute), ...errors },
  }),
  close: createRoute({
    method: "post",
    path: "/v1/test_helpers/disputes/{id}/close",
    tags: ["Test helpers"],
    summary: "Test mode: the card network decides a dispute; won returns the amount (not the fee)",
    security: bearer,
    middleware: [allow("secret")] as const,
    request: { params: IdParam("dp"), ...body(CloseDispute, { outcome: "won" }) },
    responses: { 200: json(Dispute), ...errors },
  }),
};

export const disputeRoutes = createRouter()
  .openapi(routes.list, async (c) => c.json(await listDisputes(c.var, c.req.valid("query")), 200))
  .openapi(routes.retrieve, async (c) => c.json(disputeObject(await findDispute(c.var, c.req.valid("param").id)), 200))
  .openapi(routes.evidence, async (c) => c.json(await submitEvidence(c.var, c.req.valid("param").id, c.req.valid("json")), 200))
  .openapi(routes.open, async (c) => c.json(await openDispute(c.var, c.req.valid("param").id, c.req.valid("json")), 200))
  .openapi(routes.close, async (c) => c.json(await closeDispute(c.var, c.req.valid("param").id, c.req.valid("json")), 200));
