import { randomBytes } from "node:crypto";
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import type { AppEnv } from "../../context.js";
import { events, webhookAttempts, webhookEndpoints } from "../../db/schema/index.js";
import { notFound } from "../../lib/errors.js";
import { newId } from "../../lib/ids.js";
import { bearer, body, errors, IdParam, json, ListQuery, Livemode, listOf, Timestamp } from "../../lib/openapi.js";
import { listIn, listOwned } from "../../lib/pagination.js";
import { createRouter } from "../../lib/router.js";
import { allow, merchantOf } from "../../middleware/auth.js";
import { EVENT_TYPES, eventObject, listEvents } from "../../services/events.js";
import { checkWebhookUrl } from "../../services/webhook-url.js";

const EventType = z.enum([...EVENT_TYPES, "*"] as [string, ...string[]]);

const Endpoint = z
  .object({
    id: z.string(),
    object: z.literal("webhook_endpoint"),
    created: Timestamp,
    livemode: Livemode,
    url: z.string(),
    events: z.array(z.string()),
    status: z.enum(["enabled", "disabled"]),
    description: z.string().nullable(),
    disabled_reason: z.string().nullable(),
    secret: z.string().optional().openapi({ description: "whsec_…: shown once, at creation" }),
  })
  .openapi("WebhookEndpoint");

// checkWebhookUrl (services/webhook-url.ts) is the rule, with its url_invalid answers; this states it.
const WebhookUrl = z.string().max(2048).openapi({
  format: "uri",
  pattern: "^[Hh][Tt][Tt][Pp][Ss]?://",
  description:
    "An absolute http(s) URL without credentials. Live mode: https only, to a public address (test mode, outside production: any address).",
  example: "https://shop.example.kg/softrack/webhooks",
});

const CreateEndpoint = z
  .strictObject({ url: WebhookUrl, events: z.array(EventType).min(1).max(20), description: z.string().max(500).optional() })
  .openapi("CreateWebhookEndpoint");
const UpdateEndpoint = z
  .strictObject({
    url: WebhookUrl.optional(),
    events: z.array(EventType).min(1).max(20).optional(),
    status: z.enum(["enabled", "disabled"]).optional(),
    description: z.string().max(500).optional(),
  })
  .openapi("UpdateWebhookEndpoint");

const Attempt = z
  .object({
    id: z.string(),
    object: z.literal("webhook_attempt"),
    created: Timestamp,
    livemode: Livemode,
    event: z.string(),
    attempt: z.number().int(),
    response_status: z.number().int().nullable(),
    error: z.string().nullable(),
    duration_ms: z.number().int(),
    succeeded: z.boolean(),
  })
  .openapi("WebhookAttempt");

const Event = z
  .object({
    id: z.string(),
    object: z.literal("event"),
    type: z.string(),
    created: Timestamp,
    livemode: Livemode,
    data: z.object({ object: z.record(z.string(), z.unknown()) }),
  })
  .openapi("Event");

const tags = ["Webhooks"];
const guard = allow("secret");
const r = {
  create: createRoute({
    method: "post",
    path: "/v1/webhook_endpoints",
    tags,
    summary: "Create a webhook endpoint; its signing secret is shown once",
    security: bearer,
    middleware: guard,
    request: body(CreateEndpoint, {
      url: "https://shop.example.kg/softrack/webhooks",
      events: ["payment.succeeded", "refund.succeeded"],
      description: "Order fulfilment",
    }),
    responses: { 200: json(Endpoint), ...errors },
  }),
  list: createRoute({
    method: "get",
    path: "/v1/webhook_endpoints",
    tags,
    summary: "List webhook endpoints",
    security: bearer,
    middleware: guard,
    request: { query: ListQuery },
    responses: { 200: json(listOf(Endpoint, "WebhookEndpointList")), ...errors },
  }),
  retrieve: createRoute({
    method: "get",
    path: "/v1/webhook_endpoints/{id}",
    tags,
    summary: "Retrieve a webhook endpoint",
    security: bearer,
    middleware: guard,
    request: { params: IdParam("we") },
    responses: { 200: json(Endpoint), ...errors },
  }),
  update: createRoute({
    method: "post",
    path: "/v1/webhook_endpoints/{id}",
    tags,
    summary: "Update a webhook endpoint (url, events, enable or disable)",
    security: bearer,
    middleware: guard,
    request: { params: IdParam("we"), ...body(UpdateEndpoint, { events: ["payment.succeeded", "payment.failed"] }) },
    responses: { 200: json(Endpoint), ...errors },
  }),
  remove: createRoute({
    method: "delete",
    path: "/v1/webhook_endpoints/{id}",
    tags,
    summary: "Delete a webhook endpoint",
    security: bearer,
    middleware: guard,
    request: { params: IdParam("we") },
    responses: { 200: json(z.object({ id: z.string(), object: z.literal("webhook_endpoint"), deleted: z.literal(true) })), ...errors },
  }),
  attempts: createRoute({
    method: "get",
    path: "/v1/webhook_endpoints/{id}/attempts",
    tags,
    summary: "Delivery attempts to this endpoint, newest first (kept WEBHOOK_RETENTION_DAYS, 30 days by default)",
    security: bearer,
    middleware: guard,
    request: { params: IdParam("we"), query: ListQuery },
    responses: { 200: json(listOf(Attempt, "WebhookAttemptList")), ...errors },
  }),
  events: createRoute({
    method: "get",
    path: "/v1/events",
    tags: ["Events"],
    summary: "List events, newest first",
    security: bearer,
    middleware: guard,
    request: { query: ListQuery.extend({ type: z.string().max(64).optional() }) },
    responses: { 200: json(listOf(Event, "EventList")), ...errors },
  }),
  event: createRoute({
    method: "get",
    path: "/v1/events/{id}",
    tags: ["Events"],
    summary: "Retrieve an event",
    security: bearer,
    middleware: guard,
    request: { params: IdParam("evt") },
    responses: { 200: json(Event), ...errors },
  }),
};

type EndpointRow = typeof webhookEndpoints.$inferSelect;
const endpointObject = (e: EndpointRow, secret?: string) => ({
  id: e.id,
  object: "webhook_endpoint" as const,
  created: e.createdAt.toISOString(),
  livemode: e.livemode,
  url: e.url,
  events: e.events,
  status: e.status,
  description: e.description,
  disabled_reason: e.disabledReason,
  ...(secret ? { secret } : {}),
});

async function findEndpoint(v: AppEnv["Variables"], id: string) {
  const p = merchantOf(v);
  const [row] = await v.db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.merchantId, p.merchantId), eq(webhookEndpoints.livemode, p.livemode)));
  if (!row) throw notFound("webhook endpoint", id);
  return row;
}

export const webhookRoutes = createRouter()
  .openapi(r.create, async (c) => {
    const p = merchantOf(c.var);
    const input = c.req.valid("json");
    const url = await checkWebhookUrl(input.url, p.livemode, c.get("deps").env);
    const secret = `whsec_${randomBytes(24).toString("base64")}`;
    const [row] = await c
      .get("db")
      .insert(webhookEndpoints)
      .values({
        id: newId("webhookEndpoint"),
        merchantId: p.merchantId,
        livemode: p.livemode,
        url: url.toString(),
        events: [...new Set(input.events)],
        description: input.description ?? null,
        secretSealed: c.get("deps").box.seal(secret),
      })
      .returning();
    return c.json(endpointObject(row as EndpointRow, secret), 200);
  })
  .openapi(r.list, async (c) => {
    const l = await listOwned(c.get("db"), merchantOf(c.var), webhookEndpoints, c.req.valid("query"), "/v1/webhook_endpoints");
    return c.json({ ...l, data: l.data.map((e) => endpointObject(e)) }, 200);
  })
  .openapi(r.retrieve, async (c) => c.json(endpointObject(await findEndpoint(c.var, c.req.valid("param").id)), 200))
  .openapi(r.update, async (c) => {
    const row = await findEndpoint(c.var, c.req.valid("param").id);
    const input = c.req.valid("json");
    const url = input.url ? (await checkWebhookUrl(input.url, row.livemode, c.get("deps").env)).toString() : row.url;
    const [updated] = await c
      .get("db")
      .update(webhookEndpoints)
      .set({
        url,
        events: input.events ? [...new Set(input.events)] : row.events,
        status: input.status ?? row.status,
        description: input.description ?? row.description,
        disabledReason: input.status === "enabled" ? null : row.disabledReason,
      })
      .where(eq(webhookEndpoints.id, row.id))
      .returning();
    return c.json(endpointObject(updated as EndpointRow), 200);
  })
  .openapi(r.remove, async (c) => {
    const row = await findEndpoint(c.var, c.req.valid("param").id);
    await c
      .get("db")
      .update(webhookEndpoints)
      .set({ status: "disabled", disabledReason: "deleted" })
      .where(eq(webhookEndpoints.id, row.id));
    await c.get("db").delete(webhookEndpoints).where(eq(webhookEndpoints.id, row.id));
    return c.json({ id: row.id, object: "webhook_endpoint" as const, deleted: true as const }, 200);
  })
  .openapi(r.attempts, async (c) => {
    const row = await findEndpoint(c.var, c.req.valid("param").id);
    const q = c.req.valid("query");
    const l = await listIn(
      c.get("db"),
      webhookAttempts,
      eq(webhookAttempts.endpointId, row.id),
      q,
      `/v1/webhook_endpoints/${row.id}/attempts`,
    );
    return c.json(
      {
        ...l,
        data: l.data.map((a) => ({
          id: a.id,
          object: "webhook_attempt" as const,
          created: a.createdAt.toISOString(),
          livemode: row.livemode,
          event: a.eventId,
          attempt: a.attempt,
          response_status: a.responseStatus,
          error: a.error,
          duration_ms: a.durationMs,
          succeeded: a.succeeded,
        })),
      },
      200,
    );
  })
  .openapi(r.events, async (c) => {
    return c.json(await listEvents(c.var, c.req.valid("query")), 200);
  })
  .openapi(r.event, async (c) => {
    const p = merchantOf(c.var);
    const id = c.req.valid("param").id;
    const [row] = await c
      .get("db")
      .select()
      .from(events)
      .where(and(eq(events.id, id), eq(events.merchantId, p.merchantId), eq(events.livemode, p.livemode)));
    if (!row) throw notFound("event", id);
    return c.json(eventObject(row), 200);
  });
