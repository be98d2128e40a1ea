import { createHash } from "node:crypto";
import {
  type BreakdownLine,
  type FareQuote,
  type FareTariff,
  localPeriodRange,
  quoteFare,
  type RideRecord,
  selectTariffVersion,
  TariffError,
  tapCharged,
} from "@softrack/core";
import { and, eq, type SQL, sql } from "drizzle-orm";
import type { AppEnv, MerchantPrincipal } from "../context.js";
import { terminals } from "../db/schema/index.js";
import { ApiError, type ErrorBody, invalid, notFound } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { pgArray } from "../lib/pg-array.js";
import { merchantOf } from "../middleware/auth.js";
import { walletAccount } from "../store/accounts.js";
import type { LedgerEntry, PreparedPosting } from "../store/ledger-store.js";
import { getTariff, PLATFORM } from "./tariffs.js";

type Vars = AppEnv["Variables"];
export type TerminalRow = typeof terminals.$inferSelect;

/** How far in the future a terminal's clock may be before its tap is refused. */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;
export const MAX_BATCH = 1000;

export interface TapInput {
  terminal: string;
  customer: string;
  tapped_at: string;
  client_tap_id: string;
}

/** A tap the route could not even read: its per-tap error is already known. */
export interface TapRejected {
  error: ApiError;
  terminal?: unknown;
  client_tap_id?: unknown;
}

export type TapItem = { input: TapInput } | TapRejected;

export type TapObject = ReturnType<typeof tapObject>;
export type TapResult = { ok: true; tap: TapObject } | { ok: false; error: ApiError; terminal?: unknown; client_tap_id?: unknown };

/** A stored tap as every query here reads it: instants as epoch milliseconds. */
interface TapRecord {
  id: string;
  livemode: boolean;
  created_ms: number;
  terminal_id: string;
  client_tap_id: string;
  content_hash: string;
  customer_id: string;
  route: string;
  tapped_ms: number;
  decision: "accepted" | "declined";
  reason: string | null;
  fare: number;
  full_fare: number;
  is_transfer: boolean;
  currency: string;
  tariff_code: string | null;
  tariff_version: number | null;
  wallet_balance: number;
  breakdown: BreakdownLine[];
}

const TAP_COLUMNS = sql.raw(`id, livemode, (extract(epoch from created_at) * 1000)::bigint AS created_ms, terminal_id, client_tap_id,
  content_hash, customer_id, route, (extract(epoch from tapped_at) * 1000)::bigint AS tapped_ms, decision, reason, fare, full_fare,
  is_transfer, currency, tariff_code, tariff_version, wallet_balance, breakdown`);

export function tapObject(r: TapRecord, replayed = false) {
  return {
    id: r.id,
    object: "tap" as const,
    created: new Date(Number(r.created_ms)).toISOString(),
    livemode: r.livemode,
    terminal: r.terminal_id,
    client_tap_id: r.client_tap_id,
    customer: r.customer_id,
    route: r.route,
    tapped_at: new Date(Number(r.tapped_ms)).toISOString(),
    decision: r.decision,
    reason: r.reason,
    fare: Number(r.fare),
    currency: r.currency,
    wallet_balance: Number(r.wallet_balance),
    is_transfer: r.is_transfer,
    tariff: r.tariff_code === null ? null : { code: r.tariff_code, version: Number(r.tariff_version) },
    breakdown: r.breakdown,
    /** True when this tap was already recorded (a re-uploaded batch): nothing was charged again. */
    replayed,
  };
}

export function terminalObject(r: TerminalRow) {
  return {
    id: r.id,
    object: "terminal" as const,
    created: r.createdAt.toISOString(),
    livemode: r.livemode,
    kind: r.kind,
    route: r.route,
    fare_tariff: r.fareTariff,
    metadata: r.metadata,
  };
}

// ---------------------------------------------------------------------------------------
// Terminals

export async function createTerminal(
  v: Vars,
  input: { kind: "bus_validator" | "turnstile"; route: string; fare_tariff: string; metadata?: Record<string, string> | undefined },
) {
  const p = merchantOf(v);
  const tariff = await getTariff(v.db, p, input.fare_tariff, v.deps.now()).catch((err: unknown) => {
    if (err instanceof ApiError && err.status === 404) throw notFound("tariff", input.fare_tariff, "fare_tariff");
    throw err;
  });
  if (tariff.kind !== "fare")
    throw invalid(
      "tariff_kind_mismatch",
      `Tariff '${input.fare_tariff}' is a ${tariff.kind} tariff; a terminal needs a fare tariff.`,
      "fare_tariff",
    );
  const [row] = await v.db
    .insert(terminals)
    .values({
      id: newId("terminal"),
      merchantId: p.merchantId,
      livemode: p.livemode,
      kind: input.kind,
      route: input.route,
      fareTariff: input.fare_tariff,
      metadata: input.metadata ?? {},
    })
    .returning();
  return row as TerminalRow;
}

export async function findTerminal(v: Vars, id: string): Promise<TerminalRow> {
  const p = merchantOf(v);
  const [row] = await v.db
    .select()
    .from(terminals)
    .where(and(eq(terminals.id, id), eq(terminals.merchantId, p.merchantId), eq(terminals.livemode, p.livemode)));
  if (!row) throw notFound("terminal", id);
  return row;
}

export async function findTap(v: Vars, id: string) {
  const p = merchantOf(v);
  const [row] = await v.deps.database.rows<TapRecord>(
    sql`SELECT ${TAP_COLUMNS} FROM taps WHERE id = ${id} AND merchant_id = ${p.merchantId} AND livemode = ${p.livemode}`,
    v.db,
  );
  if (!row) throw notFound("tap", id);
  return tapObject(row);
}

// ---------------------------------------------------------------------------------------
// Taps

/** What makes two uploads of one (terminal, client_tap_id) the same tap. */
function contentHash(customer: string, tappedMs: number): string {
  return createHash("sha256").update(`${customer}\n${tappedMs}`).digest("base64url").slice(0, 22);
}

const tapError = (status: 400 | 404 | 422, code: string, message: string, param?: string) =>
  new ApiError(status, "invalid_request_error", code, message, param);

interface LoadedTerminal {
  id: string;
  route: string;
  fare_tariff: string;
}

interface Pending {
  index: number;
  input: TapInput;
  key: string;
  hash: string;
  tappedMs: number;
  terminal: LoadedTerminal;
  /** The fare tariff version in effect at the tap, if any. */
  tariff?: FareTariff | undefined;
  /** Filled once priced and decided. */
  record?: TapRecord;
  /** The rider's wallet is busy: decided in a later round, unless already on record. */
  later: boolean;
}

/** Fare tariff versions of the batch's terminals, with the owner rule of tariffVersions(): own before the platform's. */
function tariffsByCode(rows: (Omit<FareTariff, "effective_from"> & { owner: string; effective_ms: number })[]) {
  const byCode = new Map<string, FareTariff[]>();
  const own = new Set(rows.filter((r) => r.owner !== PLATFORM).map((r) => r.code));
  for (const r of rows) {
    if (own.has(r.code) && r.owner === PLATFORM) continue;
    const doc: FareTariff = {
      code: r.code,
      version: r.version,
      kind: "fare",
      currency: r.currency,
      timezone: r.timezone,
      effective_from: new Date(Number(r.effective_ms)).toISOString(),
      rules: r.rules,
    };
    const list = byCode.get(r.code) ?? [];
    list.push(doc);
    byCode.set(r.code, list);
  }
  return byCode;
}

/** The earliest instant whose rides can matter to a tap: start of its day (week, with weekly caps) or of its transfer window. */
function historyStart(t: FareTariff, tappedMs: number): number {
  const r = t.rules;
  const weekly = r.caps?.weekly !== undefined || Object.values(r.categories ?? {}).some((c) => c.caps?.weekly !== undefined);
  const period = localPeriodRange(t.timezone, weekly ? "week" : "day", new Date(tappedMs)).start.getTime();
  return Math.min(period, tappedMs - (r.transfer?.window_minutes ?? 0) * 60_000);
}

/**
 * How decideTaps reaches the database: its reads, then the writes that end the work. In a
 * request, both run on the request's transaction (its unit of work commits later); the group
 * commit sends them on its own connection with the BEGIN and the COMMIT (see InlineTransaction).
 */
export interface TapStatements {
  rows<T>(q: SQL): Promise<T[]>;
  finish(writes: readonly SQL[]): Promise<void>;
}

const inRequest = (v: Vars): TapStatements => ({
  rows: (q) => v.deps.database.rows(q, v.db),
  async finish(writes) {
    for (const w of writes) await v.deps.database.rows(w, v.db);
  },
});

/**
 * Decides a batch of taps in one database transaction, set-based: a fixed number of
 * round trips whatever the batch size (a single online tap is a batch of one).
 *
 *  1. one statement: lock the batch's terminals (advisory, in hash order), read them with their
 *     fare tariffs, then lock the riders' wallets (row locks, in id order) and read balances;
 *  2. then read what these terminals already recorded under these client ids, and the riders' rides
 *     that count for transfers and caps — after the locks, so both are current;
 *  3. price every tap in memory with the tariff engine, per rider in tap-time order, against
 *     the locked balances (a declined fare is not charged and does not count towards caps);
 *  4. insert every tap in one statement and have the ledger decide every fare (pipelined), then
 *     the ledger's one write statement, last before COMMIT.
 *
 * Exactly once: two uploads holding the same tap serialize on its terminal's lock, and the
 * later one finds it recorded and answers with the stored result (`replayed: true`). The
 * unique (terminal_id, client_tap_id) index backs this up: a double insert fails the whole
 * request instead of charging twice. Locks are taken in one global order (terminal locks by
 * hash, then ledger accounts by id, as the ledger store does), so batches cannot deadlock.
 */
export async function decideTaps(v: Vars, items: readonly TapItem[], io: TapStatements = inRequest(v)): Promise<TapResult[]> {
  return (await decideTapRound(v, items, io, false)).results as TapResult[];
}

/** What one round decided; `deferred` are the items it left for a later round (their results are unset). */
export interface TapRound {
  results: (TapResult | undefined)[];
  deferred: number[];
}

/**
 * decideTaps in one transaction of the caller's; with `skipBusyWallets`, the riders whose
 * wallets another transaction holds are left out (all their taps, so each rider's taps are
 * still decided together in tap-time order) instead of waited for. Waiting holds every lock
 * taken so far: concurrent uploads, which share riders, then queue behind each other in a
 * chain. The caller decides the left-out taps in a later transaction, waiting then.
 */
export async function decideTapRound(v: Vars, items: readonly TapItem[], io: TapStatements, skipBusyWallets: boolean): Promise<TapRound> {
  const p = merchantOf(v);
  const now = v.deps.now().getTime();
  const results: (TapResult | undefined)[] = new Array(items.length);
  const deferred: number[] = [];
  const round = (): TapRound => ({ results, deferred });

  const readable: { index: number; input: TapInput; tappedMs: number }[] = [];
  items.forEach((item, index) => {
    if ("error" in item) {
      results[index] = { ok: false, error: item.error, terminal: item.terminal, client_tap_id: item.client_tap_id };
      return;
    }
    const tappedMs = Date.parse(item.input.tapped_at);
    if (tappedMs > now + FUTURE_TOLERANCE_MS) {
      results[index] = fail(
        item.input,
        tapError(
          400,
          "tapped_at_in_future",
          `tapped_at is ${Math.round((tappedMs - now) / 1000)} s in the future; the terminal's clock may be ahead by at most ${FUTURE_TOLERANCE_MS / 60_000} minutes.`,
          "tapped_at",
        ),
      );
      return;
    }
    readable.push({ index, input: item.input, tappedMs });
  });
  if (readable.length === 0) return round();

  // 1+2. One statement: the terminal locks first (the wallets' CTE waits on them through its
  //      one-time filter), then terminals, tariffs, riders, and the riders' wallets locked with
  //      their balances (exact until commit: every writer locks them).
  const terminalIds = [...new Set(readable.map((r) => r.input.terminal))];
  const customerIds = [...new Set(readable.map((r) => r.input.customer))];
  const [head] = await io.rows<{
    terminals: LoadedTerminal[];
    tariffs: Parameters<typeof tariffsByCode>[0];
    customers: { id: string; category: string; wallet_currency: string }[];
    wallets: { id: string; balance: number }[];
    /** With skipBusyWallets: the riders whose wallets another transaction holds. */
    busy: string[] | null;
  }>(
    sql`WITH locks AS (SELECT count(pg_advisory_xact_lock(k)) AS n
                       FROM (SELECT DISTINCT hashtextextended('transit_terminal:' || id, 0) AS k FROM unnest(${pgArray(terminalIds)}::text[]) id ORDER BY 1) s),
             t AS (SELECT t.id, t.route, t.fare_tariff FROM terminals t
                   WHERE t.id = ANY(${pgArray(terminalIds)}::text[]) AND t.merchant_id = ${p.merchantId} AND t.livemode = ${p.livemode}),
             c AS (SELECT id, category, wallet_currency, 'customer:' || id || ':wallet:' || wallet_currency AS wallet FROM customers
                   WHERE id = ANY(${pgArray(customerIds)}::text[]) AND merchant_id = ${p.merchantId} AND livemode = ${p.livemode}
                     AND (SELECT n FROM locks) IS NOT NULL),
             w AS (SELECT a.id, a.balance FROM ledger_accounts a
                   WHERE a.id = ANY(ARRAY(SELECT wallet FROM c)) ORDER BY a.id FOR UPDATE${skipBusyWallets ? sql` SKIP LOCKED` : sql``})
        SELECT (SELECT n FROM locks) AS locked,
               (SELECT coalesce(json_agg(t), '[]'::json) FROM t) AS terminals,
               (SELECT coalesce(json_agg(json_build_object('owner', r.owner, 'code', r.code, 'version', r.version, 'currency', r.currency,
                         'timezone', r.timezone, 'effective_ms', (extract(epoch from r.effective_from) * 1000)::bigint, 'rules', r.rules)), '[]'::json)
                FROM tariffs r WHERE (r.owner = ${PLATFORM} OR (r.owner = ${p.merchantId} AND r.livemode = ${p.livemode})) -- visibleTariffs()
                  AND r.kind = 'fare'
                  AND r.code IN (SELECT fare_tariff FROM t)) AS tariffs,
               (SELECT coalesce(json_agg(c), '[]'::json) FROM c) AS customers,
               (SELECT coalesce(json_agg(w), '[]'::json) FROM w) AS wallets,
               ${
                 skipBusyWallets
                   ? sql`(SELECT json_agg(c.id) FROM c
                          WHERE c.wallet NOT IN (SELECT id FROM w) AND EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.id = c.wallet))`
                   : sql`NULL::json`
               } AS busy`,
  );
  const terminalById = new Map((head?.terminals ?? []).map((t) => [t.id, t]));
  const fareTariffs = tariffsByCode(head?.tariffs ?? []);
  const customerById = new Map((head?.customers ?? []).map((c) => [c.id, c]));
  const balances = new Map((head?.wallets ?? []).map((w) => [w.id, Number(w.balance)]));
  // The wallets as locked above, before this batch: the ledger decides its entries from these.
  const lockedWallets: ReadonlyMap<string, number> = new Map(balances);

  const later = laterRiders(readable, head?.busy ?? []);
  const pending: Pending[] = [];
  for (const r of readable) {
    const terminal = terminalById.get(r.input.terminal);
    if (!terminal) {
      results[r.index] = fail(r.input, tapError(404, "resource_missing", `No such terminal: '${r.input.terminal}'`, "terminal"));
      continue;
    }
    pending.push({
      index: r.index,
      input: r.input,
      key: tapKey(r.input),
      hash: contentHash(r.input.customer, r.tappedMs),
      tappedMs: r.tappedMs,
      terminal,
      later: later.has(r.input.customer),
    });
  }
  if (pending.length === 0) return round();

  // 3. What is already recorded, and the rides that count (read after the locks).
  // The earliest ride that can matter: computed from each tariff's earliest tap only (the
  // start of a tap's day or window never comes before an earlier tap's), to spare Intl calls.
  const earliest = new Map<FareTariff, number>();
  let historyTo = Number.NEGATIVE_INFINITY;
  for (const t of pending) {
    if (t.later) continue;
    t.tariff = selectTariffVersion(fareTariffs.get(t.terminal.fare_tariff) ?? [], new Date(t.tappedMs));
    if (t.tariff && customerById.has(t.input.customer)) {
      earliest.set(t.tariff, Math.min(earliest.get(t.tariff) ?? Number.POSITIVE_INFINITY, t.tappedMs));
      historyTo = Math.max(historyTo, t.tappedMs);
    }
  }
  let historyFrom = Number.POSITIVE_INFINITY;
  for (const [tariff, ms] of earliest) historyFrom = Math.min(historyFrom, historyStart(tariff, ms));
  const known = [...new Set(pending.filter((t) => !t.later).map((t) => t.input.customer))].filter((id) => customerById.has(id));
  const [recorded] = await io.rows<{
    existing: TapRecord[] | null;
    /** [customer, tapped ms, route, fare, full fare, transfer, tap id], unordered. */
    history: [string, number, string, number, number, boolean, string][] | null;
  }>(
    sql`SELECT (SELECT json_agg(e) FROM unnest(${pgArray(pending.map((t) => t.input.terminal))}::text[], ${pgArray(pending.map((t) => t.input.client_tap_id))}::text[]) AS x(t, c)
                 CROSS JOIN LATERAL (SELECT ${TAP_COLUMNS} FROM taps WHERE terminal_id = x.t AND client_tap_id = x.c LIMIT 1) e) AS existing,
               ${
                 known.length > 0 && historyFrom <= historyTo
                   ? sql`(SELECT json_agg(json_build_array(h.customer_id, (extract(epoch from h.tapped_at) * 1000)::bigint, h.route, h.fare,
                            h.full_fare, h.is_transfer, h.id))
                          FROM unnest(${pgArray(known)}::text[]) AS k(id)
                          CROSS JOIN LATERAL (SELECT customer_id, tapped_at, route, fare, full_fare, is_transfer, id FROM taps
                            WHERE customer_id = k.id AND decision = 'accepted' AND tapped_at >= ${new Date(historyFrom).toISOString()}::timestamptz
                              AND tapped_at <= ${new Date(historyTo).toISOString()}::timestamptz OFFSET 0) h)`
                   : sql`NULL::json`
               } AS history`,
  );
  const existing = new Map((recorded?.existing ?? []).map((r) => [`${r.terminal_id}\u0000${r.client_tap_id}`, r]));
  const history = new Map<string, RideRecord[]>();
  // Each rider's rides in time order (ties by tap id, which sorts by creation). Arrays without
  // an ORDER BY cost PostgreSQL half of what ordered JSON objects did; sorting here is cheap.
  const rides = recorded?.history ?? [];
  rides.sort((a, b) => a[1] - b[1] || (a[6] < b[6] ? -1 : a[6] > b[6] ? 1 : 0));
  for (const [customer, ms, route, fare, full, transfer] of rides) {
    const list = history.get(customer) ?? [];
    list.push({ tapped_at: new Date(Number(ms)).toISOString(), route, fare: Number(fare), full_fare: Number(full), transfer });
    history.set(customer, list);
  }

  // Replays of stored taps, and the same tap twice in one batch.
  const fresh: Pending[] = [];
  const firstInBatch = new Map<string, Pending>();
  const sameAs: [Pending, Pending][] = [];
  for (const t of pending) {
    const stored = existing.get(t.key);
    // A busy rider's tap waits for the next round, unless it is already on record: a re-upload never waits.
    if (t.later && !stored) {
      deferred.push(t.index);
      continue;
    }
    const earlier = firstInBatch.get(t.key);
    const priorHash = stored?.content_hash ?? earlier?.hash;
    if (priorHash !== undefined && priorHash !== t.hash) {
      results[t.index] = fail(
        t.input,
        tapError(
          422,
          "tap_id_reused",
          `Terminal ${t.input.terminal} already sent client_tap_id '${t.input.client_tap_id}' with a different customer or tapped_at.`,
          "client_tap_id",
        ),
      );
    } else if (stored) {
      results[t.index] = { ok: true, tap: tapObject(stored, true) };
    } else if (earlier) {
      sameAs.push([t, earlier]);
    } else {
      firstInBatch.set(t.key, t);
      fresh.push(t);
    }
  }

  // 4. Price and decide, per rider in tap-time order.
  fresh.sort((a, b) =>
    a.input.customer < b.input.customer ? -1 : a.input.customer > b.input.customer ? 1 : a.tappedMs - b.tappedMs || a.index - b.index,
  );
  const entries: LedgerEntry[] = [];
  const created = Date.now();
  // The operator's balance is sharded (see store/accounts.ts): one shard per batch, so
  // concurrent uploads and groups mostly credit different rows instead of queueing on one.
  const shardKey = fresh[0]?.key;
  for (const t of fresh) {
    const versions = fareTariffs.get(t.terminal.fare_tariff) ?? [];
    const tariff = t.tariff;
    const rider = customerById.get(t.input.customer);
    const record: TapRecord = {
      id: newId("tap"),
      livemode: p.livemode,
      created_ms: created,
      terminal_id: t.input.terminal,
      client_tap_id: t.input.client_tap_id,
      content_hash: t.hash,
      customer_id: t.input.customer,
      route: t.terminal.route,
      tapped_ms: t.tappedMs,
      decision: "declined",
      reason: null,
      fare: 0,
      full_fare: 0,
      is_transfer: false,
      currency: tariff?.currency ?? versions[0]?.currency ?? rider?.wallet_currency ?? "KGS",
      tariff_code: tariff ? tariff.code : null,
      tariff_version: tariff ? tariff.version : null,
      wallet_balance: 0,
      breakdown: [],
    };
    t.record = record;
    const wallet = rider ? walletAccount(p.merchantId, rider.id, p.livemode, rider.wallet_currency) : null;
    const balance = wallet ? (balances.get(wallet.id) ?? 0) : 0;
    record.wallet_balance = balance;
    if (!rider || !wallet) {
      record.reason = "unknown_rider";
      continue;
    }
    if (!tariff) {
      record.reason = "no_fare";
      continue;
    }
    if (rider.wallet_currency !== tariff.currency) {
      record.reason = "currency_mismatch";
      continue;
    }
    const rides = history.get(rider.id) ?? [];
    const tappedAt = new Date(t.tappedMs).toISOString();
    let q: FareQuote;
    try {
      q = quoteFare(tariff, { route: t.terminal.route, category: rider.category, tapped_at: tappedAt, history: rides });
    } catch (err) {
      if (!(err instanceof TariffError)) throw err;
      record.reason = err.code === "unknown_category" ? "unknown_category" : "no_fare";
      continue;
    }
    record.fare = q.amount;
    record.full_fare = q.full_fare;
    record.is_transfer = q.is_transfer;
    record.breakdown = q.breakdown;
    if (q.amount > balance) {
      record.reason = "insufficient_funds";
      continue;
    }
    record.decision = "accepted";
    record.wallet_balance = balance - q.amount;
    balances.set(wallet.id, balance - q.amount);
    // Keep the rider's rides in time order: an offline batch may land between stored rides.
    const ride: RideRecord = {
      tapped_at: tappedAt,
      route: t.terminal.route,
      fare: q.amount,
      full_fare: q.full_fare,
      transfer: q.is_transfer,
    };
    let at = rides.length;
    while (at > 0 && Date.parse((rides[at - 1] as RideRecord).tapped_at) > t.tappedMs) at--;
    rides.splice(at, 0, ride);
    history.set(rider.id, rides);
    if (q.amount > 0) {
      entries.push(
        tapCharged({
          tapId: record.id,
          merchantId: p.merchantId,
          livemode: p.livemode,
          customerId: rider.id,
          currency: tariff.currency,
          route: t.terminal.route,
          fare: q.amount,
          shardKey,
        }),
      );
    }
  }

  // 5. The ledger's decision on every fare (from the wallets locked in step 1: no read), then
  //    one insert for every tap and the ledger write, sent back to back on the connection.
  //    The ledger write goes last: the operator's balance row is the hottest lock here, held
  //    from that statement to the commit.
  let posting: PreparedPosting | undefined;
  if (entries.length > 0) {
    posting = await v.deps.ledger.prepare(v.db, entries, lockedWallets);
    const rejected = posting.results.findIndex((r) => !r.ok);
    // Cannot happen while the wallets stay locked; if it does, undo the whole request rather than record a fare not charged.
    if (rejected >= 0) throw new Error(`ledger rejected fare ${entries[rejected]?.sourceId}: ${JSON.stringify(posting.results[rejected])}`);
  }
  const writes: SQL[] = [];
  if (fresh.length > 0) {
    // One array per column (the batch's constants once): a third of the bytes of a JSON
    // recordset, which the API spends system-call time sending and PostgreSQL parsing.
    const rs = fresh.map((t) => t.record as TapRecord);
    const column = (value: (r: TapRecord) => string | number | boolean | null) => pgArray(rs.map(value));
    writes.push(
      sql`INSERT INTO taps (id, livemode, created_at, merchant_id, terminal_id, client_tap_id, content_hash, customer_id, route, tapped_at,
                              decision, reason, fare, full_fare, is_transfer, currency, tariff_code, tariff_version, wallet_balance, breakdown)
            SELECT id, ${p.livemode}::boolean, ${new Date(created).toISOString()}::timestamptz, ${p.merchantId}::text, terminal_id, client_tap_id,
                   content_hash, customer_id, route, tapped_at, decision, reason, fare, full_fare, is_transfer, currency, tariff_code,
                   tariff_version, wallet_balance, breakdown
            FROM unnest(${column((r) => r.id)}::text[], ${column((r) => r.terminal_id)}::text[], ${column((r) => r.client_tap_id)}::text[],
                        ${column((r) => r.content_hash)}::text[], ${column((r) => r.customer_id)}::text[], ${column((r) => r.route)}::text[],
                        ${column((r) => new Date(r.tapped_ms).toISOString())}::timestamptz[], ${column((r) => r.decision)}::text[],
                        ${column((r) => r.reason)}::text[], ${column((r) => r.fare)}::bigint[], ${column((r) => r.full_fare)}::bigint[],
                        ${column((r) => r.is_transfer)}::boolean[], ${column((r) => r.currency)}::text[], ${column((r) => r.tariff_code)}::text[],
                        ${column((r) => r.tariff_version)}::integer[], ${column((r) => r.wallet_balance)}::bigint[],
                        ${column((r) => JSON.stringify(r.breakdown))}::jsonb[])
                 AS r(id, terminal_id, client_tap_id, content_hash, customer_id, route, tapped_at, decision, reason, fare, full_fare,
                      is_transfer, currency, tariff_code, tariff_version, wallet_balance, breakdown)`,
    );
  }
  const ledgerWrite = posting?.statement();
  if (ledgerWrite) writes.push(ledgerWrite);
  await io.finish(writes);

  for (const t of fresh) results[t.index] = { ok: true, tap: tapObject(t.record as TapRecord) };
  for (const [t, first] of sameAs) results[t.index] = { ok: true, tap: tapObject(first.record as TapRecord, true) };
  return round();
}

const tapKey = (t: TapInput) => `${t.terminal}\u0000${t.client_tap_id}`;

/**
 * The riders a round leaves for later: those whose wallet is busy, and — so that one
 * (terminal, client_tap_id) sent twice in a batch is still judged in batch order — every rider
 * sharing a tap id with one of them, to a fixed point.
 */
function laterRiders(taps: readonly { input: TapInput }[], busy: readonly string[]): Set<string> {
  const riders = new Set(busy);
  if (riders.size === 0) return riders;
  const keys = new Set<string>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const { input } of taps) {
      const key = tapKey(input);
      if (riders.has(input.customer) && !keys.has(key)) {
        keys.add(key);
        grew = true;
      } else if (keys.has(key) && !riders.has(input.customer)) {
        riders.add(input.customer);
        grew = true;
      }
    }
  }
  return riders;
}

function fail(input: TapInput, error: ApiError): TapResult {
  return { ok: false, error, terminal: input.terminal, client_tap_id: input.client_tap_id };
}

/** A per-tap error in a batch answer: the contract's error object without the request id. */
export function tapErrorBody(e: ApiError): { type: ErrorBody["type"]; code: string; message: string; param?: string } {
  return { type: e.type, code: e.code, message: e.message, ...(e.param ? { param: e.param } : {}) };
}

// ---------------------------------------------------------------------------------------
// Reports

export interface ReportLine {
  currency: string;
  rides: number;
  revenue: number;
  declines: number;
}

/** Rides, revenue and declines of one local day, in total, per route and per terminal. */
export async function dailyReport(v: Vars, date: string, timezone: string) {
  const p: MerchantPrincipal = merchantOf(v);
  const range = localDay(date, timezone);
  const rows = await v.deps.database.rows<{
    terminal_id: string;
    route: string;
    currency: string;
    reason: string | null;
    rides: number;
    revenue: number;
    declines: number;
  }>(
    sql`SELECT terminal_id, route, currency, reason,
               count(*) FILTER (WHERE decision = 'accepted')::bigint AS rides,
               coalesce(sum(fare) FILTER (WHERE decision = 'accepted'), 0)::bigint AS revenue,
               count(*) FILTER (WHERE decision = 'declined')::bigint AS declines
        FROM taps
        WHERE merchant_id = ${p.merchantId} AND livemode = ${p.livemode}
          AND tapped_at >= ${range.start.toISOString()}::timestamptz AND tapped_at < ${range.end.toISOString()}::timestamptz
        GROUP BY terminal_id, route, currency, reason`,
    v.db,
  );
  const totals = new Map<string, ReportLine>();
  const routes = new Map<string, ReportLine & { route: string }>();
  const perTerminal = new Map<string, ReportLine & { terminal: string; route: string }>();
  const reasons: Record<string, number> = {};
  const add = (line: ReportLine, r: { rides: number; revenue: number; declines: number }) => {
    line.rides += Number(r.rides);
    line.revenue += Number(r.revenue);
    line.declines += Number(r.declines);
  };
  for (const r of rows) {
    const zero = { currency: r.currency, rides: 0, revenue: 0, declines: 0 };
    const total = totals.get(r.currency) ?? { ...zero };
    totals.set(r.currency, total);
    add(total, r);
    const rk = `${r.route}\u0000${r.currency}`;
    const route = routes.get(rk) ?? { route: r.route, ...zero };
    routes.set(rk, route);
    add(route, r);
    const tk = `${r.terminal_id}\u0000${r.currency}`;
    const term = perTerminal.get(tk) ?? { terminal: r.terminal_id, route: r.route, ...zero };
    perTerminal.set(tk, term);
    add(term, r);
    if (r.reason && Number(r.declines) > 0) reasons[r.reason] = (reasons[r.reason] ?? 0) + Number(r.declines);
  }
  const byKey =
    <T extends ReportLine>(k: (x: T) => string) =>
    (a: T, b: T) =>
      k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : a.currency < b.currency ? -1 : 1;
  return {
    object: "transit_daily_report" as const,
    date,
    timezone,
    livemode: p.livemode,
    period: { start: range.start.toISOString(), end: range.end.toISOString() },
    totals: [...totals.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1)),
    declines_by_reason: reasons,
    routes: [...routes.values()].sort(byKey((x) => x.route)),
    terminals: [...perTerminal.values()].sort(byKey((x) => x.terminal)),
  };
}

export type DailyReport = Awaited<ReturnType<typeof dailyReport>>;

/** CSV of a daily report: one line per level (total, route, terminal), amounts in minor units. */
export function reportCsv(r: DailyReport): string {
  const cell = (s: string | number) => (typeof s === "number" || !/[",\n\r]/.test(s) ? String(s) : `"${s.replaceAll('"', '""')}"`);
  const lines = [["date", "level", "route", "terminal", "currency", "rides", "revenue", "declines"].join(",")];
  const line = (level: string, route: string, terminal: string, l: ReportLine) =>
    lines.push([r.date, level, route, terminal, l.currency, l.rides, l.revenue, l.declines].map(cell).join(","));
  for (const t of r.totals) line("total", "", "", t);
  for (const x of r.routes) line("route", x.route, "", x);
  for (const x of r.terminals) line("terminal", x.route, x.terminal, x);
  return `${lines.join("\r\n")}\r\n`;
}

/** [start, end) of a calendar date in a time zone. */
function localDay(date: string, timezone: string): { start: Date; end: Date } {
  const ymd = new Intl.DateTimeFormat("en-CA", { timeZone: timezone, year: "numeric", month: "2-digit", day: "2-digit" });
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const noon = Date.UTC(y, m - 1, d, 12);
  // Noon UTC falls on the same local date except in zones more than 12 hours from UTC: step to it.
  for (const shift of [0, -1, 1]) {
    const range = localPeriodRange(timezone, "day", new Date(noon + shift * 86_400_000));
    if (ymd.format(range.start) === date) return range;
  }
  return localPeriodRange(timezone, "day", new Date(noon));
}
