import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import type { MerchantPrincipal } from "../../context.js";
import { securityEvents } from "../../db/schema/index.js";
import { bearer, errors, json, ListQuery, Livemode, listOf, Timestamp } from "../../lib/openapi.js";
import { checkCursor, pageWhere, toList } from "../../lib/pagination.js";
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
  const db = c.get("db");
  await checkCursor(
    q,
    "security event",
    async (id) =>
      (
        await db
          .select({ id: securityEvents.id })
          .from(securityEvents)
          .where(and(eq(securityEvents.id, id), scope))
      ).length > 0,
  );
  const page = pageWhere(securityEvents.id, q);
  const rows = await db
    .select()
    .from(securityEvents)
    .where(and(scope, page.where, q.type ? eq(securityEvents.type, q.type) : undefined))
    .orderBy(page.order)
    .limit(q.limit + 1);
  return c.json(toList(rows.map(securityEventObject), q, "/v1/security_events"), 200);
});
