import { and, desc, eq, isNull } from "drizzle-orm";
import type { AppEnv, MerchantPrincipal } from "../context.js";
import { apiKeys } from "../db/schema/index.js";
import { invalid, notFound } from "../lib/errors.js";
import { forgetCachedKeys } from "../middleware/auth.js";
import { audit } from "./auth.js";
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

export async function listKeys(v: V, p: MerchantPrincipal) {
  const rows = await v.db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.merchantId, p.merchantId), eq(apiKeys.livemode, p.livemode)))
    .orderBy(desc(apiKeys.id))
    .limit(100);
  return rows.map((r) => apiKeyObject(r));
}

export async function createKey(v: V, p: MerchantPrincipal, kind: "secret" | "publishable", ip: string) {
  const { id, key } = await issueKey(v.db, p.merchantId, kind, p.livemode);
  await audit(v, {
    type: "api_key.created",
    merchantId: p.merchantId,
    identityId: p.kind === "secret" ? (p.session?.identityId ?? null) : null,
    ip,
    livemode: p.livemode,
    detail: { key: id, kind, livemode: p.livemode },
  });
  return apiKeyObject(await keyOf(v, p, id), key);
}

/** A new key replaces this one; the old keeps working for `grace` seconds (0: stops now). */
export async function rollKey(v: V, p: MerchantPrincipal, id: string, graceSeconds: number, ip: string) {
  const old = await keyOf(v, p, id);
  if (old.revokedAt || (old.expiresAt && old.expiresAt.getTime() <= Date.now()))
    throw invalid("api_key_inactive", "This key is revoked or expired; create a new one instead.", "id");
  const { id: newKeyId, key } = await issueKey(v.db, p.merchantId, old.kind, p.livemode);
  const expiresAt = new Date(Date.now() + graceSeconds * 1000);
  if (!old.expiresAt || old.expiresAt > expiresAt)
    await v.db
      .update(apiKeys)
      .set({ expiresAt })
      .where(and(eq(apiKeys.id, id), eq(apiKeys.livemode, p.livemode)));
  forgetAfterCommit(v);
  await audit(v, {
    type: "api_key.rolled",
    merchantId: p.merchantId,
    identityId: p.kind === "secret" ? (p.session?.identityId ?? null) : null,
    ip,
    livemode: p.livemode,
    detail: { key: id, replaced_by: newKeyId, grace_seconds: graceSeconds, livemode: p.livemode },
  });
  return { rolled: apiKeyObject(await keyOf(v, p, id)), key: apiKeyObject(await keyOf(v, p, newKeyId), key) };
}

export async function revokeKey(v: V, p: MerchantPrincipal, id: string, ip: string) {
  await keyOf(v, p, id);
  if (p.keyId === id) throw invalid("api_key_in_use", "A key cannot revoke itself; use another key or the console.", "id");
  await v.db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, id), eq(apiKeys.livemode, p.livemode), isNull(apiKeys.revokedAt)));
  forgetAfterCommit(v);
  await audit(v, {
    type: "api_key.revoked",
    merchantId: p.merchantId,
    identityId: p.kind === "secret" ? (p.session?.identityId ?? null) : null,
    ip,
    livemode: p.livemode,
    detail: { key: id, livemode: p.livemode },
  });
  return apiKeyObject(await keyOf(v, p, id));
}
