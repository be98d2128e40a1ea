import { and, eq, gt, isNull, ne, sql } from "drizzle-orm";
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import type { AppEnv, Deps, Principal } from "../context.js";
import type { Db } from "../db/client.js";
import { identities, sessions } from "../db/schema/index.js";
import { randomToken, sha256Hex } from "../lib/crypto.js";
import { forbidden, notFound, unauthenticated } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { type ListParams, listIn } from "../lib/pagination.js";

export const SESSION_COOKIE = "softrack_session";
export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;
export const TOKEN_PREFIX = "sst_";

/** Routes anyone may call: they start and finish a sign-in. */
export const PUBLIC_AUTH_PATHS = new Set(["/v1/auth/email/start", "/v1/auth/phone/start", "/v1/auth/verify", "/v1/auth/second_factor"]);

/** Time-sortable ids for this feature's objects, with prefixes of their own. */
export const accountId = (prefix: "idn" | "chl" | "ses" | "sev" | "rc" | "mem") => `${prefix}_${newId("request").slice(4)}`;

export type SessionRow = typeof sessions.$inferSelect;

/** How long an owner's switch to live mode lasts; then the session is test mode again. */
export const LIVE_MODE_TTL_MS = 15 * 60 * 1000;

/**
 * How recent the sign-in behind a session must be to change how that person signs in
 * (password, authenticator, recovery codes): a stolen older session cannot enrol the
 * thief's own factors, and so cannot reach live mode with them.
 */
export const RECENT_SIGN_IN_MS = 10 * 60 * 1000;

/** 403 reauthentication_required unless this session was signed in within RECENT_SIGN_IN_MS. */
export async function requireRecentSignIn(db: Db, deps: Deps, sessionId: string): Promise<void> {
  const [row] = await db.select({ createdAt: sessions.createdAt }).from(sessions).where(eq(sessions.id, sessionId));
  if (!row || deps.now().getTime() - row.createdAt.getTime() > RECENT_SIGN_IN_MS)
    throw forbidden(
      "Changing how you sign in needs a recent sign-in: sign in again, then make the change within 10 minutes.",
      "reauthentication_required",
    );
}

/** A session is live only while its grant runs (the grant needs a second factor checked at the switch). */
export function sessionIsLive(s: { livemode: boolean; liveModeExpiresAt: Date | null }, now: Date): boolean {
  return s.livemode && s.liveModeExpiresAt !== null && s.liveModeExpiresAt.getTime() > now.getTime();
}

export function sessionObject(s: SessionRow, currentId?: string, now: Date = new Date()) {
  const live = sessionIsLive(s, now);
  return {
    id: s.id,
    object: "session" as const,
    created: s.createdAt.toISOString(),
    livemode: live,
    live_mode_expires_at: live ? (s.liveModeExpiresAt as Date).toISOString() : null,
    client: s.client,
    ip: s.ip,
    user_agent: s.userAgent,
    last_used: (s.lastUsedAt ?? s.createdAt).toISOString(),
    expires_at: s.expiresAt.toISOString(),
    current: s.id === currentId,
  };
}

export async function createSession(
  db: Db,
  deps: Deps,
  input: { identityId: string; merchantId: string; client: "browser" | "app"; ip: string; userAgent: string | undefined },
) {
  const token = TOKEN_PREFIX + randomToken(32);
  const now = deps.now();
  const [row] = await db
    .insert(sessions)
    .values({
      id: accountId("ses"),
      identityId: input.identityId,
      merchantId: input.merchantId,
      tokenHash: sha256Hex(token),
      client: input.client,
      ip: input.ip,
      userAgent: input.userAgent?.slice(0, 300) ?? null,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: new Date(now.getTime() + SESSION_TTL_MS),
    })
    .returning();
  return { token, session: row as SessionRow };
}

type Role = "owner" | "developer" | "support";
const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * What a member's role may do with the merchant's API. support: read everything, refund,
 * and look after its own sign-in; developer: also payments, keys, webhooks and the rest;
 * owner: also the team (members), and where money goes out (bank accounts, payouts, the
 * payout schedule) and the buyer policy: those routes say so with ownerSessions()
 * (middleware/auth.ts), which a secret API key passes.
 */
export function roleAllows(role: Role, method: string, path: string): boolean {
  if (role === "owner") return true;
  if (path.startsWith("/v1/members") || /^\/v1\/merchants\/[^/]+\/members/.test(path)) return READS.has(method) && role === "developer";
  if (role === "developer") return true;
  if (READS.has(method)) return !path.startsWith("/v1/api_keys");
  return path === "/v1/refunds" || path.startsWith("/v1/auth/");
}

/**
 * A session as the caller: `Authorization: Bearer sst_…` (apps) or the httpOnly cookie
 * (the console, same origin). Returns null when the request carries neither, so API keys
 * are tried next. Cookie writes must come from our own origin (CSRF), besides SameSite=Strict.
 */
export async function sessionAuth(deps: Deps, c: Context<AppEnv>, bearer: string | undefined): Promise<Principal | null> {
  let token: string | undefined;
  if (bearer?.startsWith(TOKEN_PREFIX)) token = bearer;
  else if (!bearer) {
    token = getCookie(c, SESSION_COOKIE);
    if (!token) return null;
    if (!READS.has(c.req.method)) {
      const origin = c.req.header("Origin");
      const own = new URL(c.req.url).origin;
      const host = c.req.header("Host");
      // `Origin: null` (a sandboxed frame, a redirect) or any other unparsable origin is not ours.
      if (!origin || (origin !== own && (!host || URL.parse(origin)?.host !== host)))
        throw forbidden("Cookie-authenticated writes must come from the console's own origin.", "csrf_origin_mismatch");
    }
  } else return null;
  const rows = await deps.database.rows<{
    id: string;
    identity_id: string;
    merchant_id: string;
    kind: "member" | "customer";
    role: Role | null;
    customer_id: string | null;
    expires_at: Date | string;
    livemode: boolean;
    live_mode_expires_at: Date | string | null;
    has_totp: boolean;
    identity_livemode: boolean;
  }>(
    sql`SELECT s.id, s.identity_id, s.merchant_id, s.expires_at, s.livemode, s.live_mode_expires_at,
               i.totp_sealed IS NOT NULL AS has_totp, i.kind, i.role, i.customer_id, i.livemode AS identity_livemode
        FROM sessions s JOIN identities i ON i.id = s.identity_id
        WHERE s.token_hash = ${sha256Hex(token)} AND s.revoked_at IS NULL AND i.removed_at IS NULL`,
  );
  const row = rows[0];
  if (!row || new Date(row.expires_at).getTime() <= deps.now().getTime()) {
    throw unauthenticated("The session has ended or was revoked; sign in again.", "session_invalid");
  }
  if (row.kind === "member") {
    const role = row.role ?? "support";
    if (!roleAllows(role, c.req.method, c.req.path)) throw forbidden(`A member with role '${role}' may not do this.`, "role_not_allowed");
    // Live objects only for an owner (still with an authenticator) inside the session's live-mode grant; every other session is test mode.
    const live =
      role === "owner" &&
      row.has_totp &&
      sessionIsLive(
        { livemode: row.livemode, liveModeExpiresAt: row.live_mode_expires_at === null ? null : new Date(row.live_mode_expires_at) },
        deps.now(),
      );
    return {
      kind: "secret",
      keyId: row.id,
      merchantId: row.merchant_id,
      livemode: live,
      session: { id: row.id, identityId: row.identity_id, role },
    };
  }
  // A customer is one mode's customer: a live rider's session reads their live events (and is audited live).
  return {
    kind: "customer",
    keyId: row.id,
    merchantId: row.merchant_id,
    livemode: row.identity_livemode,
    session: { id: row.id, identityId: row.identity_id, customerId: row.customer_id ?? undefined },
  };
}

/** The person's sessions still in force, a page of them. */
export function listSessions(db: Db, deps: Deps, identityId: string, q: ListParams) {
  const live = and(eq(sessions.identityId, identityId), isNull(sessions.revokedAt), gt(sessions.expiresAt, deps.now()));
  return listIn(db, sessions, live, q, "/v1/auth/sessions");
}

export async function revokeSession(db: Db, deps: Deps, identityId: string, id: string) {
  const [row] = await db
    .update(sessions)
    .set({ revokedAt: deps.now() })
    .where(and(eq(sessions.id, id), eq(sessions.identityId, identityId), isNull(sessions.revokedAt)))
    .returning();
  if (!row) throw notFound("session", id);
  return row;
}

/** Puts a session in live mode until `until`, or (until null) back in test mode. */
export async function setSessionLiveMode(db: Db, identityId: string, id: string, until: Date | null) {
  const [row] = await db
    .update(sessions)
    .set({ livemode: until !== null, liveModeExpiresAt: until })
    .where(and(eq(sessions.id, id), eq(sessions.identityId, identityId), isNull(sessions.revokedAt)))
    .returning();
  if (!row) throw notFound("session", id);
  return row;
}

/**
 * Ends the person's sessions still in force, all of them or all but `keep`; answers the ids of
 * those it ended. Sessions past their expiry are left as they are: they already let no one in.
 */
export async function revokeSessions(db: Db, deps: Deps, identityId: string, keep?: string): Promise<string[]> {
  const now = deps.now();
  const rows = await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(
      and(
        eq(sessions.identityId, identityId),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, now),
        keep === undefined ? undefined : ne(sessions.id, keep),
      ),
    )
    .returning({ id: sessions.id });
  return rows.map((r) => r.id);
}

export async function identityOf(db: Db, id: string) {
  const [row] = await db.select().from(identities).where(eq(identities.id, id));
  if (!row) throw unauthenticated("The session has ended; sign in again.", "session_invalid");
  return row;
}
