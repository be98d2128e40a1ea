import {
  DEFAULT_FEE_TARIFF,
  defaultFeeTariff,
  type FeeTariff,
  isCurrency,
  quoteFee,
  selectTariffVersion,
  type TariffDocument,
  type TariffValidationIssue,
  validateTariff,
} from "@softrack/core";
import { and, desc, eq, or, type SQL, sql } from "drizzle-orm";
import type { AppEnv, Principal } from "../context.js";
import type { Db } from "../db/client.js";
import { tariffs } from "../db/schema/index.js";
import { ApiError, forbidden, invalid, notFound } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { readVolumeStatement, volumePeriod } from "../store/fee-volumes.js";

type Vars = AppEnv["Variables"];
export type TariffRow = typeof tariffs.$inferSelect;
export const PLATFORM = "platform";

/** What prices a wallet top-up: no fee, a plan of its own that no PUT stores. */
export const WALLET_TOPUP_TARIFF = { code: "wallet_topup", version: 1 } as const;

/**
 * The built-in plans, which payments cite (default@1, wallet_topup@1) and no row holds: default@1
 * in its KGS form (other currencies keep its percentages without the KGS minimums, see
 * quoteDocument) and wallet_topup@1 (no fee). A version published under one of their codes would
 * give the version a payment was priced by other rules than priced it, so they are not published over.
 */
const BUILT_IN = new Map<string, FeeTariff>([
  [DEFAULT_FEE_TARIFF.code, DEFAULT_FEE_TARIFF],
  [
    WALLET_TOPUP_TARIFF.code,
    { ...DEFAULT_FEE_TARIFF, ...WALLET_TOPUP_TARIFF, rules: { rounding: "half_up", default: { percent_bps: 0 } } },
  ],
]);

/** A built-in plan as the one version a caller reads under its code, so a payment's `fee_tariff` can always be looked up. */
function builtInRows(code: string): TariffRow[] {
  const doc = BUILT_IN.get(code);
  if (!doc) return [];
  const from = new Date(doc.effective_from);
  return [
    {
      id: `trf_builtin_${doc.code}_v${doc.version}`, // the contract's prefix for a tariff
      livemode: false,
      createdAt: from,
      owner: PLATFORM,
      code: doc.code,
      version: doc.version,
      kind: doc.kind,
      currency: doc.currency,
      timezone: doc.timezone,
      effectiveFrom: from,
      rules: doc.rules as unknown as Record<string, unknown>,
    },
  ];
}

/**
 * The document a quote prices with: a built-in plan in the quote's currency, as payments in that
 * currency are priced (default@1 keeps its percentages without the KGS minimums). A currency the
 * API does not take keeps the KGS plan, which refuses it.
 */
export function quoteDocument(doc: TariffDocument, currency: unknown): TariffDocument {
  if (doc.kind !== "fee" || BUILT_IN.get(doc.code)?.version !== doc.version || !isCurrency(currency)) return doc;
  return doc.code === DEFAULT_FEE_TARIFF.code ? defaultFeeTariff(currency) : { ...doc, currency };
}

/**
 * Who owns tariffs written with this key, in which mode: the platform (admin key; its plans
 * price both modes, stored as livemode false) or the merchant in the key's mode.
 */
const ownerOf = (p: Principal) =>
  p.kind === "admin" ? { owner: PLATFORM, livemode: false } : { owner: p.merchantId, livemode: p.livemode };

/**
 * The tariff rows this caller may read: the platform's, and for a merchant its own of the
 * caller's mode only — a test key never sees or prices with a live fare, and the reverse.
 * (Taps read fare tariffs by the same rule in SQL: transit/load.ts.)
 */
function visibleTariffs(p: Principal): SQL {
  const platform = eq(tariffs.owner, PLATFORM);
  if (p.kind === "admin") return platform;
  return or(platform, and(eq(tariffs.owner, p.merchantId), eq(tariffs.livemode, p.livemode))) as SQL;
}

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

/** A tariff the core's validator refused: the first issue names the field, `issues` lists them all. */
export function tariffInvalid(issues: readonly TariffValidationIssue[]): ApiError {
  const first = issues[0];
  return invalid("tariff_invalid", `Invalid tariff: ${first?.path}: ${first?.message}`, first?.path, { issues });
}

/** Fee plans are the platform's to set (admin key); fare tariffs the transit operator's. */
export function mayPutTariff(p: Principal, kind: unknown): void {
  if (kind === "fee" && ownerOf(p).owner !== PLATFORM) throw forbidden("Fee tariffs are set by the platform (admin key).");
}

/** PUT /v1/tariffs/:code — a new immutable version; fee plans are the platform's to set. */
export async function putTariff(v: Vars, code: string, input: Record<string, unknown>) {
  const { owner, livemode } = ownerOf(v.principal);
  mayPutTariff(v.principal, input.kind);
  if (BUILT_IN.has(code))
    throw invalid(
      "tariff_code_reserved",
      `'${code}' is the code of a built-in plan that payments cite as ${code}@1; publish the tariff under another code.`,
      "code",
    );
  // Versions are numbered per (owner, mode, code) under a lock on it, so two writers never take one number.
  await v.deps.database.rows(sql`SELECT pg_advisory_xact_lock(hashtext(${`tariff:${owner}:${livemode}:${code}`}))`, v.db);
  const [last] = await v.db
    .select({ version: tariffs.version })
    .from(tariffs)
    .where(and(eq(tariffs.owner, owner), eq(tariffs.livemode, livemode), eq(tariffs.code, code)))
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
  if (!checked.ok) throw tariffInvalid(checked.issues);
  const doc = checked.value;
  const [row] = await v.db
    .insert(tariffs)
    .values({
      id: newId("tariff"),
      owner,
      livemode,
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

/** The versions this caller can see under a code: its own (of its mode) first, then the platform's. */
export async function tariffVersions(db: Db, p: Principal, code: string): Promise<TariffRow[]> {
  const rows = await db
    .select()
    .from(tariffs)
    .where(and(visibleTariffs(p), eq(tariffs.code, code)))
    .orderBy(desc(tariffs.version));
  const own = rows.filter((r) => r.owner !== PLATFORM);
  return own.length > 0 ? own : rows.length > 0 ? rows : builtInRows(code);
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
/** The merchant's fee tariff in force at `at` (the default plan for `currency` without one). */
export async function feeTariffOf(db: Db, merchant: { feeTariff: string | null }, currency: string, at: Date): Promise<FeeTariff> {
  if (!merchant.feeTariff) return defaultFeeTariff(currency);
  const rows = await db
    .select()
    .from(tariffs)
    // Fee plans are the platform's and price both modes alike (see ownerOf).
    .where(and(eq(tariffs.owner, PLATFORM), eq(tariffs.code, merchant.feeTariff), eq(tariffs.kind, "fee")));
  const chosen = selectTariffVersion(
    rows.map((r) => toDocument(r)),
    at,
  );
  return (chosen as FeeTariff | undefined) ?? defaultFeeTariff(currency);
}

export async function priceFee(
  tariff: FeeTariff,
  q: { amount: number; currency: string; method: string; periodVolume: () => Promise<number> },
): Promise<{ fee: number; tariff: { code: string; version: number } }> {
  const pricing = tariff.rules.methods?.[q.method as "card"] ?? tariff.rules.default;
  // Only a tiered price reads (and locks) the period's volume.
  const periodVolume = pricing?.tiers ? await q.periodVolume() : 0;
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

/** A merchant's captured volume in the tier period of `tariff` containing `at`, as committed (no lock: a quote). */
export async function periodVolume(
  v: Pick<Vars, "deps" | "db">,
  tariff: FeeTariff,
  of: { merchantId: string; livemode: boolean; currency: string },
  at: Date,
): Promise<number> {
  const [row] = await v.deps.database.rows<{ volume: unknown }>(readVolumeStatement(volumePeriod(tariff, of, at)), v.db);
  return Number(row?.volume ?? 0);
}
