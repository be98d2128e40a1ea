import {
  type BuyerEvent,
  type BuyerOutcome,
  type BuyerPolicy,
  buyerCounts,
  buyerScore,
  decidePolicy,
  lastWeeks,
  noShowLoss,
  type PolicyDecision,
} from "@softrack/core";
import { and, desc, eq, inArray, or, sql } from "drizzle-orm";
import { parsePhoneNumberFromString } from "libphonenumber-js";
import type { AppEnv } from "../context.js";
import type { Db } from "../db/client.js";
import { buyerEvents, buyerPolicies, merchants, orders } from "../db/schema/index.js";
import { hmacSha256Base64 } from "../lib/crypto.js";
import { ApiError, invalid } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { merchantOf } from "../middleware/auth.js";

type Vars = AppEnv["Variables"];

/** How a buyer is named in a request: a phone, an email, or both (each is its own key). */
export interface BuyerIdentifiers {
  phone?: string | undefined;
  email?: string | undefined;
}

/**
 * The phone in E.164 (`+996555123456`), whatever spaces, dashes or brackets it came with. Only
 * international numbers: a local one ("0555 123 456") names a different person in each country.
 */
function phoneE164(raw: string, param: string): string {
  const parsed = parsePhoneNumberFromString(raw.trim());
  // The message never repeats the number: it is personal data.
  if (!parsed?.isValid())
    throw invalid("parameter_invalid", "The phone must be a valid number in international format, e.g. +996555123456.", param);
  return parsed.number;
}

/**
 * The keyed hashes a buyer is stored under: HMAC-SHA256 with the platform's BUYER_HASH_KEY of the
 * normalised identifier (phone → E.164, email → trimmed, lowercased). Without the key a leaked
 * table cannot be matched against a list of phone numbers; the identifier itself is never kept.
 */
export function buyerKeys(v: Pick<Vars, "deps">, buyer: BuyerIdentifiers, paramPrefix = ""): string[] {
  const keys: string[] = [];
  const secret = v.deps.env.BUYER_HASH_KEY;
  if (buyer.phone !== undefined) keys.push(hmacSha256Base64(secret, `phone:${phoneE164(buyer.phone, `${paramPrefix}phone`)}`));
  if (buyer.email !== undefined) keys.push(hmacSha256Base64(secret, `email:${buyer.email.trim().toLowerCase()}`));
  return keys;
}

/** Writes one line of a buyer's history for each key the order carries (none for an anonymous order). */
export async function recordBuyerEvent(
  db: Db,
  order: { id: string; merchantId: string; livemode: boolean; buyerKeys: string[] },
  kind: "ordered" | BuyerOutcome,
  at: Date,
) {
  if (order.buyerKeys.length === 0) return;
  await db.insert(buyerEvents).values(
    order.buyerKeys.map((buyerKey) => ({
      id: newId("buyerEvent"),
      livemode: order.livemode,
      buyerKey,
      merchantId: order.merchantId,
      orderId: order.id,
      kind,
      at,
    })),
  );
}

/**
 * A buyer's score and counts from the whole platform's history in this mode. Lines under several
 * keys of one order (phone and email) count once.
 */
async function assess(db: Db, livemode: boolean, keys: string[], now: Date) {
  const rows = keys.length
    ? await db
        .select({ orderId: buyerEvents.orderId, kind: buyerEvents.kind, at: buyerEvents.at })
        .from(buyerEvents)
        .where(and(inArray(buyerEvents.buyerKey, keys), eq(buyerEvents.livemode, livemode)))
    : [];
  return scoreOf(rows, now);
}

type HistoryLine = { orderId: string; kind: "ordered" | BuyerOutcome; at: Date };

/** Score and counts from a buyer's history lines, read under any of the buyer's keys. */
function scoreOf(rows: readonly HistoryLine[], now: Date) {
  const seen = new Set<string>();
  const history: BuyerEvent[] = [];
  const placed = new Set<string>();
  for (const r of rows) {
    if (r.kind === "ordered") {
      placed.add(r.orderId);
      continue;
    }
    const once = `${r.orderId}:${r.kind}`;
    if (seen.has(once)) continue;
    seen.add(once);
    history.push({ outcome: r.kind, at: r.at.toISOString() });
  }
  return { score: buyerScore(history, now.toISOString()), ...buyerCounts(history, placed.size) };
}

export function policyOf(row: typeof buyerPolicies.$inferSelect | undefined): BuyerPolicy | null {
  return row ? { min_score_on_pickup: row.minScoreOnPickup, no_show_fee_by_score: row.noShowFeeByScore } : null;
}

async function latestPolicy(db: Db, merchantId: string, livemode: boolean) {
  const [row] = await db
    .select()
    .from(buyerPolicies)
    .where(and(eq(buyerPolicies.merchantId, merchantId), eq(buyerPolicies.livemode, livemode)))
    .orderBy(desc(buyerPolicies.version))
    .limit(1);
  return row;
}

/**
 * What the calling merchant's policy says of this buyer: used by order creation. Without a
 * policy everyone may pay on pickup; with one, an on_pickup order must name its buyer.
 */
export async function buyerDecision(
  v: Vars,
  keys: string[],
): Promise<{ score: number; decision: PolicyDecision; policy: BuyerPolicy | null }> {
  const p = merchantOf(v);
  const policy = policyOf(await latestPolicy(v.db, p.merchantId, p.livemode));
  const { score } = await assess(v.db, p.livemode, keys, v.deps.now());
  return { score, decision: decidePolicy(score, policy), policy };
}

/** The refusal an on_pickup order gets under the merchant's minimum: the shop asks for prepayment instead. */
export const prepaymentRequired = (score: number, min: number) =>
  new ApiError(
    400,
    "invalid_request_error",
    "prepayment_required",
    `This buyer's reliability score (${score}) is under the minimum for paying on pickup (${min}): ask for prepayment.`,
    "payment_timing",
    { score, min_score_on_pickup: min },
  );

function oneIdentifier(q: BuyerIdentifiers): BuyerIdentifiers {
  if ((q.phone === undefined) === (q.email === undefined))
    throw invalid("parameter_invalid", "Name the buyer by exactly one of phone or email.", q.phone === undefined ? "phone" : "email");
  return q;
}

/** GET /v1/buyer_reliability: the score and counts, never the orders or merchants behind them. */
export async function buyerReliability(v: Vars, q: BuyerIdentifiers) {
  const p = merchantOf(v);
  const keys = buyerKeys(v, oneIdentifier(q));
  const r = await assess(v.db, p.livemode, keys, v.deps.now());
  const policy = policyOf(await latestPolicy(v.db, p.merchantId, p.livemode));
  return {
    object: "buyer_reliability" as const,
    livemode: p.livemode,
    score: r.score,
    orders: r.orders,
    collected: r.collected,
    not_collected: r.not_collected,
    failed: r.failed,
    returned: r.returned,
    requirement: decidePolicy(r.score, policy).requirement,
  };
}

/**
 * DELETE /v1/buyer_reliability: the right to be forgotten. Every line of the buyer's history in
 * this mode goes, from every merchant, and every order forgets the key, so nothing links them.
 */
export async function eraseBuyer(v: Vars, q: BuyerIdentifiers) {
  const p = merchantOf(v);
  const keys = buyerKeys(v, oneIdentifier(q));
  // The orders this buyer is named on, and every identifier those orders carry: an order that
  // named a phone and an email named one person, so the record under its email goes too.
  const linked = new Set<string>();
  for (const key of keys) {
    const named = await v.db
      .select({ id: orders.id })
      .from(orders)
      .where(and(eq(orders.livemode, p.livemode), sql`${orders.buyerKeys} @> jsonb_build_array(${key}::text)`));
    for (const o of named) linked.add(o.id);
  }
  const own = await v.db
    .select({ orderId: buyerEvents.orderId })
    .from(buyerEvents)
    .where(and(inArray(buyerEvents.buyerKey, keys), eq(buyerEvents.livemode, p.livemode)));
  for (const e of own) linked.add(e.orderId);
  // Unlinked: their later outcomes are recorded under no one.
  if (linked.size > 0)
    await v.db
      .update(orders)
      .set({ buyerKeys: sql`'[]'::jsonb` })
      .where(inArray(orders.id, [...linked]));
  const erased = await v.db
    .delete(buyerEvents)
    .where(
      and(
        eq(buyerEvents.livemode, p.livemode),
        or(inArray(buyerEvents.buyerKey, keys), linked.size > 0 ? inArray(buyerEvents.orderId, [...linked]) : undefined),
      ),
    )
    .returning({ id: buyerEvents.id });
  return { object: "buyer_reliability" as const, livemode: p.livemode, deleted: true as const, events_erased: erased.length };
}

export function buyerPolicyObject(r: typeof buyerPolicies.$inferSelect) {
  return {
    id: r.id,
    object: "buyer_policy" as const,
    created: r.createdAt.toISOString(),
    livemode: r.livemode,
    version: r.version,
    min_score_on_pickup: r.minScoreOnPickup,
    no_show_fee_by_score: r.noShowFeeByScore,
  };
}

/** GET /v1/buyer_policy: the version in force. */
export async function findBuyerPolicy(v: Vars) {
  const p = merchantOf(v);
  const row = await latestPolicy(v.db, p.merchantId, p.livemode);
  if (!row)
    throw new ApiError(404, "invalid_request_error", "resource_missing", "No buyer policy is set yet: PUT /v1/buyer_policy sets one.");
  return buyerPolicyObject(row);
}

/** PUT /v1/buyer_policy: a new immutable version, like a tariff's; the previous ones stay. */
export async function putBuyerPolicy(
  v: Vars,
  input: { min_score_on_pickup: number; no_show_fee_by_score?: { below: number; fee: number }[] | undefined },
) {
  const p = merchantOf(v);
  const bands = [...(input.no_show_fee_by_score ?? [])].sort((a, b) => b.below - a.below);
  if (new Set(bands.map((b) => b.below)).size !== bands.length)
    throw invalid("parameter_invalid", "Each band of no_show_fee_by_score names a different 'below'.", "no_show_fee_by_score");
  // Versions are numbered per merchant and mode: two PUTs at once take turns, as tariffs do.
  await v.deps.database.rows(sql`SELECT pg_advisory_xact_lock(hashtext(${`buyer_policy:${p.merchantId}:${p.livemode}`}))`, v.db);
  const previous = await latestPolicy(v.db, p.merchantId, p.livemode);
  const [row] = await v.db
    .insert(buyerPolicies)
    .values({
      id: newId("buyerPolicy"),
      merchantId: p.merchantId,
      livemode: p.livemode,
      version: (previous?.version ?? 0) + 1,
      minScoreOnPickup: input.min_score_on_pickup,
      noShowFeeByScore: bands,
    })
    .returning();
  return buyerPolicyObject(row as typeof buyerPolicies.$inferSelect);
}

/** At most this many buyers under the threshold are listed, lowest score first. */
const SUMMARY_BUYERS = 100;

/**
 * GET /v1/buyer_reliability/summary: the calling merchant's no-shows by ISO week (Monday 00:00
 * UTC) of the order's creation, in this mode, and the buyers it served in those weeks whose
 * platform-wide score is under its policy's minimum. An order not collected is one that expired;
 * its loss is the delivery cost estimate per parcel (core NO_SHOW_DELIVERY_COST, ~700 RUB), the
 * fees kept are what the expiry captured. Buyers appear by a prefix of their keyed hash only.
 */
export async function buyerReliabilitySummary(v: Vars, q: { weeks: number }) {
  const p = merchantOf(v);
  const starts = lastWeeks(v.deps.now(), q.weeks);
  const since = starts[0] as Date;
  const rows = await v.deps.database.rows<{ week: string; currency: string; orders: number; not_collected: number; fees: number }>(
    sql`SELECT to_char(date_trunc('week', created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS week, currency,
          count(*)::int AS orders,
          (count(*) FILTER (WHERE status = 'expired'))::int AS not_collected,
          COALESCE(sum(amount_captured) FILTER (WHERE status = 'expired'), 0)::bigint AS fees
        FROM orders
        WHERE merchant_id = ${p.merchantId} AND livemode = ${p.livemode} AND created_at >= ${since.toISOString()}::timestamptz
        GROUP BY 1, 2`,
    v.db,
  );
  // Every week has a row in every currency the merchant sold in (its default one when none), so a chart has no gaps.
  let currencies = [...new Set(rows.map((r) => r.currency))].sort();
  if (currencies.length === 0) {
    const [m] = await v.db.select({ currency: merchants.defaultCurrency }).from(merchants).where(eq(merchants.id, p.merchantId));
    currencies = [m?.currency ?? "RUB"];
  }
  const weeks = currencies.flatMap((currency) =>
    starts.map((start) => {
      const week_start = start.toISOString().slice(0, 10);
      const r = rows.find((x) => x.week === week_start && x.currency === currency);
      const notCollected = Number(r?.not_collected ?? 0);
      return {
        week_start,
        orders: Number(r?.orders ?? 0),
        not_collected: notCollected,
        lost_amount: noShowLoss(notCollected, currency),
        no_show_fees: Number(r?.fees ?? 0),
        currency,
      };
    }),
  );

  const policy = policyOf(await latestPolicy(v.db, p.merchantId, p.livemode));
  const under = policy ? await buyersUnder(v, since, policy.min_score_on_pickup) : { total: 0, buyers: [] };
  return {
    object: "buyer_reliability_summary" as const,
    livemode: p.livemode,
    weeks,
    delivery_cost: currencies.map((currency) => ({ amount: noShowLoss(1, currency), currency })),
    min_score_on_pickup: policy?.min_score_on_pickup ?? null,
    buyers_under_threshold: under.buyers,
    buyers_under_threshold_total: under.total,
  };
}

/**
 * The buyers of the calling merchant's orders since `since` whose score is under `min`. An order
 * names its buyer by one key per identifier (phone, email): keys that meet on an order are one
 * buyer, as assess() reads them.
 */
async function buyersUnder(v: Vars, since: Date, min: number) {
  const p = merchantOf(v);
  const sets = await v.deps.database.rows<{ keys: string[] }>(
    sql`SELECT DISTINCT buyer_keys AS keys FROM orders
        WHERE merchant_id = ${p.merchantId} AND livemode = ${p.livemode} AND created_at >= ${since.toISOString()}::timestamptz
          AND jsonb_array_length(buyer_keys) > 0`,
    v.db,
  );
  // Union the key sets that share a key.
  const groupOf = new Map<string, Set<string>>();
  for (const { keys } of sets) {
    const group = new Set<string>(keys);
    for (const k of keys) for (const other of groupOf.get(k) ?? []) group.add(other);
    for (const k of group) groupOf.set(k, group);
  }
  const groups = [...new Set(groupOf.values())];
  const allKeys = [...groupOf.keys()];
  const lines = new Map<string, HistoryLine[]>();
  for (let i = 0; i < allKeys.length; i += 1000) {
    const found = await v.db
      .select({ key: buyerEvents.buyerKey, orderId: buyerEvents.orderId, kind: buyerEvents.kind, at: buyerEvents.at })
      .from(buyerEvents)
      .where(and(inArray(buyerEvents.buyerKey, allKeys.slice(i, i + 1000)), eq(buyerEvents.livemode, p.livemode)));
    for (const l of found) lines.set(l.key, [...(lines.get(l.key) ?? []), l]);
  }
  const now = v.deps.now();
  const under = groups
    .map((group) => {
      const keys = [...group].sort();
      const r = scoreOf(
        keys.flatMap((k) => lines.get(k) ?? []),
        now,
      );
      // A prefix of the keyed hash tells buyers apart on screen and names no one.
      return { buyer_hash_prefix: (keys[0] as string).slice(0, 8), score: r.score, orders: r.orders, not_collected: r.not_collected };
    })
    .filter((b) => b.score < min)
    .sort((a, b) => a.score - b.score || b.not_collected - a.not_collected || a.buyer_hash_prefix.localeCompare(b.buyer_hash_prefix));
  return { total: under.length, buyers: under.slice(0, SUMMARY_BUYERS) };
}
