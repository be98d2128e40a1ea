import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import type { MerchantPrincipal } from "../../context.js";
import { securityEvents } from "../../db/schema/index.js";
import { bearer, errors, json, ListQuery, Livemode, listOf, Timestamp } from "../../lib/openapi.js";
import { listIn } from "../../lib/pagination.js";
import { createRouter } from "../../lib/router.js";
import { allow } from "../../middleware/auth.js";
import { securityEventObject } from "../../services/auth.js";

const SecurityEvent = z
  .object({
    id: z.string(),
    object: z.literal("security_event"),
    created: Timestamp,
    livemode: Livemode,
    type: z.string().openapi({ example: "sign_in.failed" }),
    identity: z.string().nullable(),
    ip: z.string().nullable(),
    detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  })
  .openapi("SecurityEvent");

const list = createRoute({
  method: "get",
  path: "/v1/security_events",
  tags: ["Sign-in"],
  summary: "Audit log: sign-ins, failures, lockouts, factor, session and key changes (a merchant's; a customer sees their own)",
  security: bearer,
  middleware: allow("secret", "customer"),
  request: { query: ListQuery.extend({ type: z.string().max(64).optional() }) },
  responses: { 200: json(listOf(SecurityEvent, "SecurityEventList")), ...errors },
});

export const securityEventRoutes = createRouter().openapi(list, async (c) => {
  const p = c.get("principal");
  const q = c.req.valid("query");
  const m = p as MerchantPrincipal;
  // The caller's mode only: a test credential never reads live keys' or live riders' events.
  const scope = and(
    p.kind === "customer" ? eq(securityEvents.identityId, p.session.identityId) : eq(securityEvents.merchantId, m.merchantId),
    eq(securityEvents.livemode, m.livemode),
  );
  const l = await listIn(
    c.get("db"),
    securityEvents,
    scope,
    q,
    "/v1/security_events",
    q.type ? eq(securityEvents.type, q.type) : undefined,
  );
  return c.json({ ...l, data: l.data.map(securityEventObject) }, 200);
});
