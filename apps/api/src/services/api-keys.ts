import { and, eq, isNull } from "drizzle-orm";
import type { AppEnv, MerchantPrincipal } from "../context.js";
import { apiKeys } from "../db/schema/index.js";
import { forbidden, invalid, notFound } from "../lib/errors.js";
import { type ListParams, listIn } from "../lib/pagination.js";
import { forgetCachedKeys } from "../middleware/auth.js";
import { auditAction } from "./auth.js";
import { issueKey } from "./merchants.js";

type V = AppEnv["Variables"];
type KeyRow = typeof apiKeys.$inferSelect;
export const MAX_GRACE_SECONDS = 7 * 24 * 3600;

export function apiKeyObject(k: KeyRow, secret?: string) {
  return {
    id: k.id,
    object: "api_key" as const,
    created: k.createdAt.toISOString(),
    livemode: k.livemode,
    kind: k.kind,
    hint: k.hint,
    expires_at: k.expiresAt?.toISOString() ?? null,
    revoked_at: k.revokedAt?.toISOString() ?? null,
    ...(secret ? { secret } : {}),
  };
}

/**
 * The auth cache is cleared now and again after the next commits: a request racing the
 * revocation could otherwise cache the key as still valid for CACHE_MS.
 */
function forgetAfterCommit(v: V) {
  forgetCachedKeys();
  const until = Date.now() + 1000;
  const off = v.deps.committed.on(() => {
    forgetCachedKeys();
    if (Date.now() > until) off();
  });
  setTimeout(() => {
    forgetCachedKeys();
    off();
  }, 1000).unref();
}

/**
 * Every key query is scoped by merchant and by the caller's mode: a test credential (sk_test,
 * a test-mode session) never sees, rolls or revokes a live key; another mode's key is a 404.
 */
async function keyOf(v: V, p: MerchantPrincipal, id: string) {
  const [row] = await v.db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.id, id), eq(apiKeys.merchantId, p.merchantId), eq(apiKeys.livemode, p.livemode)));
  if (!row) throw notFound("api_key", id);
  return row;
}

/**
 * A key that was rolled (it now expires) is being replaced, maybe because it leaked: it may
 * not create, roll or revoke keys, or a thief holding it could outlive the roll. Read from
 * the table, not the auth cache, so a roll made a moment ago (by any process) counts.
 */
async function requireStandingKey(v: V, p: MerchantPrincipal) {
  if (p.kind !== "secret" || p.session) return;
  const [me] = await v.db
    .select({ expiresAt: apiKeys.expiresAt, revokedAt: apiKeys.revokedAt })
    .from(apiKeys)
    .where(eq(apiKeys.id, p.keyId));
  if (!me || me.revokedAt || me.expiresAt)
    throw forbidden(
      "This key was rolled (it expires) or revoked: it may not create, roll or revoke keys. Use its replacement or the console.",
      "api_key_rolled",
    );
}

export async function listKeys(v: V, p: MerchantPrincipal, q: ListParams) {
  const l = await listIn(v.db, apiKeys, and(eq(apiKeys.merchantId, p.merchantId), eq(apiKeys.livemode, p.livemode)), q, "/v1/api_keys");
  return { ...l, data: l.data.map((r) => apiKeyObject(r)) };
}

export async function createKey(v: V, p: MerchantPrincipal, kind: "secret" | "publishable", ip: string) {
  await requireStandingKey(v, p);
  const { id, key } = await issueKey(v.db, p.merchantId, kind, p.livemode);
  await auditAction(v, p, ip, "api_key.created", { key: id, kind, livemode: p.livemode });
  return apiKeyObject(await keyOf(v, p, id), key);
}

/**
 * A new key replaces this one; the old keeps working for `grace` seconds (0: stops now). A key
 * rolls once: a rolled key (it expires) is refused like a revoked one; to end its grace period
 * early, revoke it.
 */
export async function rollKey(v: V, p: MerchantPrincipal, id: string, graceSeconds: number, ip: string) {
  await requireStandingKey(v, p);
  const old = await keyOf(v, p, id);
  if (old.revokedAt || old.expiresAt)
    throw invalid(
      "api_key_inactive",
      "This key is revoked, expired or already rolled; create a new one, or revoke it to end its grace period now.",
      "id",
    );
  const { id: newKeyId, key } = await issueKey(v.db, p.merchantId, old.kind, p.livemode);
  const expiresAt = new Date(Date.now() + graceSeconds * 1000);
  // Conditional: of two rolls racing on one key, one wins; the other changes nothing.
  const [set] = await v.db
    .update(apiKeys)
    .set({ expiresAt })
    .where(and(eq(apiKeys.id, id), eq(apiKeys.livemode, p.livemode), isNull(apiKeys.expiresAt), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  if (!set) throw invalid("api_key_inactive", "This key is revoked, expired or already rolled; create a new one instead.", "id");
  forgetAfterCommit(v);
  await auditAction(v, p, ip, "api_key.rolled", { key: id, replaced_by: newKeyId, grace_seconds: graceSeconds, livemode: p.livemode });
  return { rolled: apiKeyObject(await keyOf(v, p, id)), key: apiKeyObject(await keyOf(v, p, newKeyId), key) };
}

export async function revokeKey(v: V, p: MerchantPrincipal, id: string, ip: string) {
  await requireStandingKey(v, p);
  await keyOf(v, p, id);
  if (p.keyId === id) throw invalid("api_key_in_use", "A key cannot revoke itself; use another key or the console.", "id");
  const revoked = await v.db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, id), eq(apiKeys.livemode, p.livemode), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  forgetAfterCommit(v);
  // Revoking a revoked key answers the key as it is and records nothing: it revoked nothing. The actor: the
  // session's person, or the acting key's id (never its secret).
  if (revoked.length) await auditAction(v, p, ip, "api_key.revoked", { key: id, livemode: p.livemode });
  return apiKeyObject(await keyOf(v, p, id));
}
