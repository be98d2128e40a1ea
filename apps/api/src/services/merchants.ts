import { and, eq, inArray, isNull } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { apiKeys, merchants, tariffs } from "../db/schema/index.js";
import { randomToken, type SecretBox, sha256Hex } from "../lib/crypto.js";
import { invalid, notFound } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { PLATFORM } from "./tariffs.js";

export type MerchantRow = typeof merchants.$inferSelect;

export function merchantObject(m: MerchantRow) {
  return {
    id: m.id,
    object: "merchant" as const,
    created: m.createdAt.toISOString(),
    livemode: m.livemode,
    name: m.name,
    country: m.country,
    default_currency: m.defaultCurrency,
    fee_tariff: m.feeTariff,
    metadata: m.metadata,
    live_activated_at: m.liveActivatedAt?.toISOString() ?? null,
  };
}

/** A new API key: prefixed, 32 random bytes, stored as its SHA-256 only. */
export async function issueKey(db: Db, merchantId: string, kind: "secret" | "publishable", livemode: boolean) {
  const prefix = `${kind === "secret" ? "sk" : "pk"}_${livemode ? "live" : "test"}_`;
  const key = prefix + randomToken(32);
  const id = newId("apiKey");
  await db.insert(apiKeys).values({
    id,
    merchantId,
    kind,
    livemode,
    hash: sha256Hex(key),
    hint: `${prefix}…${key.slice(-4)}`,
  });
  return { id, key };
}

export async function createMerchant(
  db: Db,
  input: {
    name: string;
    country: string;
    default_currency: string;
    fee_tariff?: string | undefined;
    metadata?: Record<string, string> | undefined;
  },
) {
  // A plan that does not exist would price nothing: its payments would fall back to the default
  // plan without a word. Set the plan (PUT /v1/tariffs/:code, kind fee) first.
  if (input.fee_tariff !== undefined) {
    const [plan] = await db
      .select({ id: tariffs.id })
      .from(tariffs)
      .where(and(eq(tariffs.owner, PLATFORM), eq(tariffs.code, input.fee_tariff), eq(tariffs.kind, "fee")))
      .limit(1);
    if (!plan) throw notFound("fee tariff", input.fee_tariff, "fee_tariff");
  }
  const id = newId("merchant");
  const [row] = await db
    .insert(merchants)
    .values({
      id,
      name: input.name,
      country: input.country,
      defaultCurrency: input.default_currency,
      feeTariff: input.fee_tariff ?? null,
      metadata: input.metadata ?? {},
    })
    .returning();
  const secret = await issueKey(db, id, "secret", false);
  const publishable = await issueKey(db, id, "publishable", false);
  return { ...merchantObject(row as MerchantRow), keys: { secret_key: secret.key, publishable_key: publishable.key } };
}

/**
 * Live mode for a merchant: its first live secret and publishable keys, shown in this answer.
 * Idempotent per merchant: the row is locked, and a repeated activation answers the first
 * activation's keys (kept sealed, as idempotent replays are) instead of minting more.
 */
/**
 * How long a repeated activation answers the first one's keys: the contract's 24 hours of
 * idempotent replay. The keys are shown once; a repeat inside the window is the same call
 * retried (its answer lost on the way), so it gets the same keys. After it, or once either key
 * was rolled or revoked, they are not shown again, and the retention job erases their sealed copy.
 */
export const ACTIVATION_REPLAY_MS = 24 * 3_600_000;

export async function activateMerchant(db: Db, box: SecretBox, id: string, now: Date) {
  const [row] = await db.select().from(merchants).where(eq(merchants.id, id)).for("update");
  if (!row) throw notFound("merchant", id);
  if (row.liveActivatedAt) {
    const keys = row.liveActivationSealed
      ? (JSON.parse(box.open(row.liveActivationSealed)) as { secret_key: string; publishable_key: string })
      : undefined;
    const replayable = keys && now.getTime() - row.liveActivatedAt.getTime() < ACTIVATION_REPLAY_MS && (await standing(db, keys));
    if (replayable) return { merchant: merchantObject(row), keys, replayed: true };
    throw invalid(
      "merchant_already_activated",
      `Live mode was activated at ${row.liveActivatedAt.toISOString()} and its keys were shown then. For a new live secret key, an owner rolls it in live mode (POST /v1/api_keys/{id}/roll).`,
    );
  }
  const secret = await issueKey(db, id, "secret", true);
  const publishable = await issueKey(db, id, "publishable", true);
  const keys = { secret_key: secret.key, publishable_key: publishable.key };
  const [activated] = await db
    .update(merchants)
    .set({ liveActivatedAt: now, liveActivationSealed: box.seal(JSON.stringify(keys)) })
    .where(eq(merchants.id, id))
    .returning();
  return { merchant: merchantObject(activated as MerchantRow), keys, replayed: false };
}

/** Both activation keys still as issued: neither rolled (it expires) nor revoked. */
async function standing(db: Db, keys: { secret_key: string; publishable_key: string }) {
  const rows = await db
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .where(
      and(
        inArray(apiKeys.hash, [sha256Hex(keys.secret_key), sha256Hex(keys.publishable_key)]),
        isNull(apiKeys.revokedAt),
        isNull(apiKeys.expiresAt),
      ),
    );
  return rows.length === 2;
}

export async function getMerchant(db: Db, id: string) {
  const [row] = await db.select().from(merchants).where(eq(merchants.id, id));
  if (!row) throw notFound("merchant", id);
  return row;
}

export async function activeKeyCount(db: Db, merchantId: string) {
  const rows = await db
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .where(and(eq(apiKeys.merchantId, merchantId), isNull(apiKeys.revokedAt)));
  return rows.length;
}

const feeCache = new Map<string, { row: { id: string; feeTariff: string | null }; until: number }>();

/**
 * The two merchant fields pricing needs, cached for a few seconds: every capture reads
 * them and they change rarely (a new fee plan applies within FEE_CACHE_MS).
 */
export const FEE_CACHE_MS = 5_000;
export async function merchantForFees(db: Db, id: string): Promise<{ id: string; feeTariff: string | null }> {
  const hit = feeCache.get(id);
  if (hit && hit.until > Date.now()) return hit.row;
  const m = await getMerchant(db, id);
  const row = { id: m.id, feeTariff: m.feeTariff };
  if (feeCache.size > 10_000) feeCache.clear();
  feeCache.set(id, { row, until: Date.now() + FEE_CACHE_MS });
  return row;
}
