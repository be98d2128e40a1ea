import { sql } from "drizzle-orm";
import type { Context, MiddlewareHandler, Next } from "hono";
import type { AppEnv, CallerKind, Deps, Principal } from "../context.js";
import { safeEqual, sha256Hex } from "../lib/crypto.js";
import { forbidden, unauthenticated } from "../lib/errors.js";
import { PUBLIC_AUTH_PATHS, sessionAuth, TOKEN_PREFIX } from "../services/sessions.js";
import { clientIp } from "./rate-limit.js";

const CACHE_MS = 5_000;
/** Every process-local key cache, so a revoked key is refused at once here (other processes: within CACHE_MS). */
const caches = new Set<Map<string, unknown>>();
export function forgetCachedKeys(): void {
  for (const cache of caches) cache.clear();
}

/**
 * Bearer authentication. Keys are looked up by their SHA-256 (the table never holds a
 * key); a short cache keeps the hot path to zero queries, and revocation is seen within
 * CACHE_MS.
 */
export function authenticate(deps: Deps): MiddlewareHandler<AppEnv> {
  const cache = new Map<string, { principal: Principal | null; until: number }>();
  caches.add(cache);

  const admit = (c: Context<AppEnv>, next: Next, principal: Principal | null) => {
    if (!principal) throw unauthenticated();
    c.set("principal", principal);
    return next();
  };

  const lookUp = async (hash: string, now: number) => {
    const rows = await deps.database.rows<{
      id: string;
      merchant_id: string;
      kind: "secret" | "publishable";
      livemode: boolean;
      expires_at: Date | string | null;
    }>(
      sql`SELECT id, merchant_id, kind, livemode, expires_at FROM api_keys
          WHERE hash = ${hash} AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
    );
    const row = rows[0];
    const hit = {
      principal: row ? ({ kind: row.kind, keyId: row.id, merchantId: row.merchant_id, livemode: row.livemode } as Principal) : null,
      // A rolled key's grace period ends on time, not up to CACHE_MS later.
      until: Math.min(now + CACHE_MS, row?.expires_at ? new Date(row.expires_at).getTime() : Number.POSITIVE_INFINITY),
    };
    if (cache.size > 10_000) cache.clear();
    cache.set(hash, hit);
    return hit;
  };

  // Not async: a key the cache holds (every request of a busy caller) goes on without a promise of its own.
  const withKey = (c: Context<AppEnv>, next: Next, key: string) => {
    const hash = sha256Hex(key);
    if (safeEqual(hash, deps.adminKeyHash)) {
      c.set("principal", { kind: "admin", keyId: "admin" });
      return next();
    }
    const now = Date.now();
    const hit = cache.get(hash);
    if (hit && hit.until >= now) return admit(c, next, hit.principal);
    return lookUp(hash, now).then((found) => admit(c, next, found.principal));
  };

  // Sessions (sst_… bearer tokens for apps, the httpOnly cookie for the console) are looked up every time: revocation is immediate.
  const withSession = async (c: Context<AppEnv>, next: Next, header: string | undefined, match: RegExpMatchArray | null | undefined) => {
    const session = await sessionAuth(deps, c, match?.[1]);
    if (session) {
      c.set("principal", session);
      return next();
    }
    // Something sent that is not a key of ours is an invalid key; only no credentials at all is a missing one.
    if (!match) {
      if (header?.trim()) throw unauthenticated("Invalid API key: send it as 'Authorization: Bearer <key>'.");
      throw unauthenticated("Missing API key: send it as 'Authorization: Bearer <key>'.", "missing_api_key");
    }
    return withKey(c, next, match[1] as string);
  };

  return function authenticate(c, next) {
    // The sign-in routes are public; the caller is nobody until a session exists.
    if (PUBLIC_AUTH_PATHS.has(c.req.path)) {
      c.set("principal", { kind: "anonymous", keyId: `anon:${clientIp(c)}`, merchantId: "", livemode: false });
      return next();
    }
    const header = c.req.header("Authorization");
    // The scheme is case-insensitive (RFC 9110 §11.1): "bearer sk_…" is the same credential.
    const match = header?.match(/^Bearer\s+(\S{8,200})$/i);
    const bearer = match?.[1];
    if (bearer === undefined || bearer.startsWith(TOKEN_PREFIX)) return withSession(c, next, header, match);
    return withKey(c, next, bearer);
  };
}

/** Route guards: which kinds of key may call a route (never a job: it is not an HTTP caller). */
export function allow(...kinds: CallerKind[]): MiddlewareHandler<AppEnv> {
  return function allowKinds(c, next) {
    const p = c.get("principal");
    if (!(kinds as Principal["kind"][]).includes(p.kind)) {
      throw forbidden(
        p.kind === "publishable"
          ? "A publishable key may only create or confirm a payment through its client_secret and read that payment."
          : p.kind === "admin"
            ? "This route needs a merchant's secret key, not the platform admin key."
            : "This route needs the platform admin key.",
      );
    }
    return next();
  };
}

/**
 * Where the merchant's money goes out (bank accounts, payouts, the payout schedule) and its
 * business policy: a member's session must be an owner's (else 403 `role_not_allowed`). A
 * secret API key passes, as at Stripe: it is the merchant's own server.
 */
export function ownerSessions(): MiddlewareHandler<AppEnv> {
  return function ownerSessionsOnly(c, next) {
    const p = c.get("principal");
    if (p.kind === "secret" && p.session && p.session.role !== "owner")
      throw forbidden(`A member with role '${p.session.role ?? "support"}' may not do this: only an owner may.`, "role_not_allowed");
    return next();
  };
}

/** The calling merchant; `vars` is `c.var`. */
export function merchantOf(vars: { principal: Principal }) {
  const p = vars.principal;
  if (p.kind === "admin" || p.kind === "anonymous" || p.kind === "customer") throw forbidden("This route needs a merchant's key.");
  return p;
}
