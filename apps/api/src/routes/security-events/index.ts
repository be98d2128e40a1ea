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
  description:
    "Types include `sign_in.succeeded`, `sign_in.failed`, `sign_in.locked` (a sign-in code or second-factor step used up by wrong answers), " +
    "`sign_in.codes_paused` (too many wrong codes for an address: typed codes paused), `api_key.created|rolled|revoked`, " +
    "`member.invited|joined|removed`, `bank_account.created|deleted` and `payout_schedule.updated`. `identity` is the person " +
    "concerned (a member event's member; for a key, bank account or schedule change, the signed-in person who made it, else null). " +
    "`detail.actor` names who made a change: an identity (`idn_…`), an API key's id (`key_…`) or `platform_admin`.",
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
