import { createRoute, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../context.js";
import { forbidden } from "../../lib/errors.js";
import { bearer, body, Email, errors, IdParam, json, ListQuery, Livemode, listOf, Timestamp } from "../../lib/openapi.js";
import { createRouter } from "../../lib/router.js";
import { allow, merchantOf } from "../../middleware/auth.js";
import { clientIp } from "../../middleware/rate-limit.js";
import { inviteMember, listMembers, removeMember } from "../../services/members.js";
import { getMerchant } from "../../services/merchants.js";

const Role = z.enum(["owner", "developer", "support"]).openapi({
  description:
    "owner: everything, and alone (of the roles) the team, bank accounts, payouts, the payout schedule, the buyer policy and erasing a buyer's history; " +
    "developer: payments, keys, webhooks, and reading the rest; support: read and refund. A secret API key is the merchant's server: it may do what an owner may, except manage the team",
});
const Member = z
  .object({
    id: z.string(),
    object: z.literal("member"),
    created: Timestamp,
    livemode: Livemode,
    merchant: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    role: Role,
    status: z
      .enum(["invited", "active"])
      .openapi({ description: "invited until the person signs in with the code or link emailed to this address" }),
    second_factor: z.boolean(),
    deleted: z.boolean().optional(),
  })
  .openapi("Member");
const Invite = z
  .strictObject({
    email: Email,
    role: Role,
    phone: z
      .string()
      .regex(/^\+\d{10,14}$/)
      .optional(),
  })
  .openapi("InviteMember");
const tags = ["Members"];

const r = {
  invite: createRoute({
    method: "post",
    path: "/v1/merchants/{id}/members",
    tags,
    summary:
      "Invite a member to a merchant's team (platform admin key, or an owner's session). The answer is the same whether or not the address belongs to anyone elsewhere; the invitation is pending until the person signs in with the emailed code or link",
    description:
      "Once the merchant's live mode is activated, inviting an owner needs the platform admin or an owner's session switched to live mode: else 403 `live_mode_required`. " +
      "Recorded as `member.invited`, with `detail.actor` naming who invited (an identity id, or `platform_admin`).",
    security: bearer,
    middleware: allow("admin", "secret"),
    request: { params: IdParam("mer"), ...body(Invite, { email: "aida@example.kg", role: "developer" }) },
    responses: { 200: json(Member), ...errors },
  }),
  list: createRoute({
    method: "get",
    path: "/v1/members",
    tags,
    summary: "The merchant's team",
    security: bearer,
    middleware: allow("secret"),
    request: { query: ListQuery },
    responses: { 200: json(listOf(Member, "MemberList")), ...errors },
  }),
  remove: createRoute({
    method: "delete",
    path: "/v1/members/{id}",
    tags,
    summary: "Remove a member (an owner's session); their sessions end",
    description:
      "Once the merchant's live mode is activated, removing an owner needs an owner's session switched to live mode: else 403 `live_mode_required`. " +
      "The team always keeps an active owner: removing the only one (oneself included) answers 400 `last_owner`. Recorded as `member.removed`, with `detail.actor` naming who removed them.",
    security: bearer,
    middleware: allow("secret"),
    request: { params: IdParam("idn") },
    responses: { 200: json(Member), ...errors },
  }),
};

/** Team changes need a person who is an owner (roleAllows) — an API key alone may not add people. */
function ownerSession(c: { get: <K extends keyof AppEnv["Variables"]>(key: K) => AppEnv["Variables"][K] }) {
  const p = c.get("principal");
  if (p.kind !== "secret" || p.session?.role !== "owner")
    throw forbidden("Only an owner (signed in) or the platform admin manages members.", "role_not_allowed");
  return p;
}

export const memberRoutes = createRouter()
  .openapi(r.invite, async (c) => {
    const { id } = c.req.valid("param");
    if (c.get("principal").kind !== "admin" && ownerSession(c).merchantId !== id)
      throw forbidden("Only an owner of this merchant may add members.", "role_not_allowed");
    await getMerchant(c.get("db"), id);
    return c.json(await inviteMember(c.var, id, c.req.valid("json"), clientIp(c)), 200);
  })
  .openapi(r.list, async (c) => {
    const p = merchantOf(c.var);
    return c.json(await listMembers(c.var, p.merchantId, c.req.valid("query")), 200);
  })
  .openapi(r.remove, async (c) => {
    const p = ownerSession(c);
    return c.json(await removeMember(c.var, p.merchantId, c.req.valid("param").id, clientIp(c)), 200);
  });
