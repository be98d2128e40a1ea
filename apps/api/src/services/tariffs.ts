import { defaultFeeTariff, type FeeTariff, quoteFee, selectTariffVersion, type TariffDocument, validateTariff } from "@softrack/core";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { AppEnv, Principal } from "../context.js";
import type { Db } from "../db/client.js";
import { tariffs } from "../db/schema/index.js";
import { ApiError, forbidden, invalid, notFound } from "../lib/errors.js";
import { newId } from "../lib/ids.js";

type Vars = AppEnv["Variables"];
export type TariffRow = typeof tariffs.$inferSelect;
export const PLATFORM = "platform";

/** Who owns tariffs written with this key: the platform (admin key) or the merchant. */
const ownerOf = (p: Principal) => (p.kind === "admin" ? PLATFORM : p.merchantId);

export function toDocument(r: TariffRow): TariffDocument {
  return {
    code: r.code,
    version: r.version,
    kind: r.kind,
    currency: r.currency,
    timezone: r.timezone,
    effective_from: r.effectiveFrom.toISOString(),
    rules: r.rules,
  } as unknown as TariffDocument;
}

export function tariffObject(r: TariffRow) {
  return {
    id: r.id,
    object: "tariff" as const,
    created: r.createdAt.toISOString(),
    livemode: r.livemode,
    owner: r.owner === PLATFORM ? "platform" : "merchant",
    ...toDocument(r),
  };
}

/** PUT /v1/tariffs/:code — a new immutable version; fee plans are the platform's to set. */
export async function putTariff(v: Vars, code: string, input: Record<string, unknown>) {
  const owner = ownerOf(v.principal);
  if (input.kind === "fee" && owner !== PLATFORM) throw forbidden("Fee tariffs are set by the platform (admin key).");
  // Versions are numbered under a lock on the code, so two writers never take one number.
  await v.deps.database.rows(sql`SELECT pg_advisory_xact_lock(hashtext(${`tariff:${owner}:${code}`}))`, v.db);
  const [last] = await v.db
    .select({ version: tariffs.version })
    .from(tariffs)
    .where(and(eq(tariffs.owner, owner), eq(tariffs.code, code)))
    .orderBy(desc(tariffs.version))
    .limit(1);
  const version = (last?.version ?? 0) + 1;
  const checked = validateTariff({
    code,
    version,
    kind: input.kind,
    currency: input.currency ?? "KGS",
    timezone: input.timezone ?? "Asia/Bishkek",
    effective_from: input.effective_from ?? v.deps.now().toISOString(),
    rules: input.rules,
  });
  if (!checked.ok) {
    const first = checked.issues[0];
    throw invalid("tariff_invalid", `Invalid tariff: ${first?.path}: ${first?.message}`, first?.path, { issues: checked.issues });
  }
  const doc = checked.value;
  const [row] = await v.db
    .insert(tariffs)
    .values({
      id: newId("tariff"),
      owner,
      livemode: v.principal.kind === "admin" ? false : v.principal.livemode,
      code,
      version,
      kind: doc.kind,
      currency: doc.currency,
      timezone: doc.timezone,
      effectiveFrom: new Date(doc.effective_from),
      rules: doc.rules as unknown as Record<string, unknown>,
    })
    .returning();
  return row as TariffRow;
}

/** The versions this caller can see under a code: its own first, then the platform's. */
export async function tariffVersions(db: Db, p: Principal, code: string): Promise<TariffRow[]> {
  const owners = p.kind === "admin" ? [PLATFORM] : [p.merchantId, PLATFORM];
  const rows = await db
    .select()
    .from(tariffs)
    .where(and(inArray(tariffs.owner, owners), eq(tariffs.code, code)))
    .orderBy(desc(tariffs.version));
  const own = rows.filter((r) => r.owner !== PLATFORM);
  return own.length > 0 ? own : rows;
}

export async function getTariff(db: Db, p: Principal, code: string, at: Date, version?: number): Promise<TariffRow> {
  const rows = await tariffVersions(db, p, code);
  if (version !== undefined) {
    const hit = rows.find((r) => r.version === version);
    if (!hit) throw notFound("tariff version", `${code}@${version}`, "version");
    return hit;
  }
  if (rows.length === 0) throw notFound("tariff", code, "code");
  const chosen = selectTariffVersion(
    rows.map((r) => ({ ...toDocument(r), row: r })),
    at,
  );
  // Nothing in effect yet: show the earliest version rather than nothing.
  return chosen?.row ?? (rows[rows.length - 1] as TariffRow);
}

/**
 * The fee of a captured amount, from the merchant's fee tariff (or the default plan in
 * packages/core when it has none). Returns the tariff version so the payment keeps
 * pointing at what priced it.
 */
export async function priceFee(
  db: Db,
  merchant: { id: string; feeTariff: string | null },
  q: { amount: number; currency: string; method: string; at: Date; periodVolume?: () => Promise<number> },
): Promise<{ fee: number; tariff: { code: string; version: number } }> {
  let tariff: FeeTariff = defaultFeeTariff(q.currency);
  if (merchant.feeTariff) {
    const rows = await db
      .select()
      .from(tariffs)
      .where(and(eq(tariffs.owner, PLATFORM), eq(tariffs.code, merchant.feeTariff), eq(tariffs.kind, "fee")));
    const chosen = selectTariffVersion(
      rows.map((r) => toDocument(r)),
      q.at,
    );
    if (chosen) tariff = chosen as FeeTariff;
  }
  const pricing = tariff.rules.methods?.[q.method as "card"] ?? tariff.rules.default;
  const periodVolume = pricing?.tiers && q.periodVolume ? await q.periodVolume() : 0;
  try {
    const quote = quoteFee(tariff, { amount: q.amount, currency: q.currency, method: q.method, period_volume: periodVolume });
    return { fee: quote.amount, tariff: { code: tariff.code, version: tariff.version } };
  } catch (err) {
    throw new ApiError(
      400,
      "invalid_request_error",
      "fee_unpriceable",
      `The merchant's fee tariff cannot price this payment: ${(err as Error).message}`,
    );
  }
}
