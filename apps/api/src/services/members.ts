import { and, eq, isNotNull, isNull, ne } from "drizzle-orm";
import type { AppEnv, Deps } from "../context.js";
import { identities, merchants } from "../db/schema/index.js";
import { forbidden, invalid, notFound } from "../lib/errors.js";
import { type ListParams, listIn } from "../lib/pagination.js";
import { actorOf, audit, normalizeEmail } from "./auth.js";
import { accountId, revokeSessions } from "./sessions.js";

type V = AppEnv["Variables"];
export type Role = "owner" | "developer" | "support";
type IdentityRow = typeof identities.$inferSelect;

export function memberObject(i: IdentityRow) {
  return {
    id: i.id,
    object: "member" as const,
    created: i.createdAt.toISOString(),
    livemode: false,
    merchant: i.merchantId,
    email: i.email,
    phone: i.phone,
    role: i.role ?? "support",
    /** invited: until the person proves the address by signing in with the emailed code or link. */
    status: i.acceptedAt ? ("active" as const) : ("invited" as const),
    second_factor: i.passwordHash !== null || i.totpSealed !== null,
  };
}

/**
 * Invites a person to this merchant's team; they join by signing in with a code sent to
 * this email (no password to set). Memberships are per merchant: the answer never depends
 * on whether the address belongs to anyone elsewhere on the platform, and an invitation
 * here neither blocks nor claims the address for any other merchant.
 */
export async function inviteMember(v: V, merchantId: string, input: { email: string; role: Role; phone?: string | undefined }, ip: string) {
  if (input.role === "owner") await requireLiveCredentialForOwners(v, merchantId);
  const email = normalizeEmail(input.email);
  // A conflict can only be with this merchant's own team (the unique index is per merchant).
  const [row] = await v.db
    .insert(identities)
    .values({
      id: accountId("idn"),
      kind: "member",
      merchantId,
      role: input.role,
      email,
      phone: input.phone ?? null,
      createdAt: v.deps.now(),
    })
    .onConflictDoNothing()
    .returning();
  if (!row) throw invalid("member_exists", "This email is already on your team.", "email");
  // The event's identity is the person invited; `actor` names who invited them.
  await audit(v, {
    type: "member.invited",
    merchantId,
    identityId: row?.id,
    ip,
    detail: { role: input.role, actor: actorOf(v.principal).actor },
  });
  return memberObject(row as IdentityRow);
}

export async function listMembers(v: V, merchantId: string, q: ListParams) {
  const team = and(eq(identities.kind, "member"), eq(identities.merchantId, merchantId), isNull(identities.removedAt));
  const l = await listIn(v.db, identities, team, q, "/v1/members");
  return { ...l, data: l.data.map(memberObject) };
}

/**
 * Owners reach live money (an owner may switch a session to live mode). Once the merchant's
 * live mode is activated, making or unmaking an owner takes a live credential: an owner's
 * session switched to live mode (or the platform admin), never a test-mode session that a
 * stolen cookie would give.
 */
async function requireLiveCredentialForOwners(v: V, merchantId: string) {
  const p = v.principal;
  if (p.kind === "admin" || (p.kind === "secret" && p.livemode)) return;
  const [m] = await v.db.select({ liveActivatedAt: merchants.liveActivatedAt }).from(merchants).where(eq(merchants.id, merchantId));
  if (m?.liveActivatedAt)
    throw forbidden(
      "This merchant has live mode: adding or removing an owner needs a live-mode session (POST /v1/auth/sessions/live_mode) first.",
      "live_mode_required",
    );
}

/**
 * A merchant always keeps an active owner (members are the merchant's, in both modes): else
 * nobody could manage the team or the payouts again without the platform admin. The
 * merchant's row is locked first, so two owners removing each other at once cannot both win.
 */
async function requireAnotherActiveOwner(v: V, merchantId: string, leaving: string) {
  await v.db.select({ id: merchants.id }).from(merchants).where(eq(merchants.id, merchantId)).for("update");
  const [other] = await v.db
    .select({ id: identities.id })
    .from(identities)
    .where(
      and(
        eq(identities.kind, "member"),
        eq(identities.merchantId, merchantId),
        eq(identities.role, "owner"),
        isNull(identities.removedAt),
        isNotNull(identities.acceptedAt),
        ne(identities.id, leaving),
      ),
    )
    .limit(1);
  if (!other)
    throw invalid(
      "last_owner",
      "This is the team's only active owner: invite another owner and let them sign in before removing this one.",
      "id",
    );
}

export async function removeMember(v: V, merchantId: string, id: string, ip: string) {
  const [target] = await v.db
    .select({ role: identities.role, acceptedAt: identities.acceptedAt })
    .from(identities)
    .where(and(eq(identities.id, id), eq(identities.kind, "member"), eq(identities.merchantId, merchantId), isNull(identities.removedAt)));
  if (!target) throw notFound("member", id);
  if (target.role === "owner") await requireLiveCredentialForOwners(v, merchantId);
  if (target.role === "owner" && target.acceptedAt) await requireAnotherActiveOwner(v, merchantId, id);
  const [row] = await v.db
    .update(identities)
    .set({ removedAt: v.deps.now() })
    .where(and(eq(identities.id, id), eq(identities.kind, "member"), eq(identities.merchantId, merchantId), isNull(identities.removedAt)))
    .returning();
  if (!row) throw notFound("member", id);
  await revokeSessions(v.db, v.deps, id);
  // The event's identity is the person removed; `actor` names who removed them.
  await audit(v, {
    type: "member.removed",
    merchantId,
    identityId: id,
    ip,
    detail: { role: row.role ?? "support", actor: actorOf(v.principal).actor },
  });
  return { ...memberObject(row), deleted: true };
}

export const DEMO_OWNER_EMAIL = "owner@demo.softrack.test";

/**
 * Outside production: the demo merchant's owner, who signs in to the console by email code
 * (read from the dev outbox). A production demo (DEMO=1) has no people: nobody may own it.
 */
export async function ensureDemoOwner(deps: Deps, merchantId: string): Promise<void> {
  if (deps.env.NODE_ENV === "production") return;
  await deps.database.db
    .insert(identities)
    .values({ id: accountId("idn"), kind: "member", merchantId, role: "owner", email: DEMO_OWNER_EMAIL, acceptedAt: new Date() })
    .onConflictDoNothing();
}
