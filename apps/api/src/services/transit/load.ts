import { FARE_HISTORY_LOOKBACK, type FareTariff, type RideRecord } from "@softrack/core";
import type { SQL } from "drizzle-orm";
import { sql } from "drizzle-orm";
import type { MerchantPrincipal } from "../../context.js";
import { pgArray } from "../../lib/pg-array.js";
import { merchantDebtIds, walletAccount } from "../../store/accounts.js";
import type { WriteTx } from "../../store/writer.js";
import { PLATFORM } from "../tariffs.js";
import { TAP_COLUMNS, type TapInput, type TapRecord, tapKey } from "./taps.js";

/**
 * How a round reaches the database: its reads (sent together, one message where the driver
 * can), then the writes that end the work. In a request, both run on the request's
 * transaction (its unit of work commits later); the group commit sends them on its own
 * connection with the BEGIN and the COMMIT (see InlineTransaction).
 */
/** The round's transaction: the writer's, either driver (store/writer.ts). */
export type TapStatements = Pick<WriteTx, "reads" | "commit">;

export interface LoadedTerminal {
  id: string;
  route: string;
  fare_tariff: string;
}

export interface LoadedRider {
  id: string;
  category: string;
  wallet_currency: string;
}

/** Everything a round of taps is decided from (see decideRound). */
export interface LoadedRound {
  terminals: Map<string, LoadedTerminal>;
  /** Fare tariff versions by code, the merchant's own before the platform's. */
  tariffs: Map<string, FareTariff[]>;
  riders: Map<string, LoadedRider>;
  /** Balances of the riders' wallets by account id, locked until the round commits. */
  wallets: Map<string, number>;
  /** Riders whose wallets another transaction holds (only when the round skips busy wallets). */
  busy: string[];
  /** The operator's debts that are not zero (unlocked: fares repay them first, see LedgerStore.prepare). */
  debts?: Map<string, number>;
  /** Taps already on record under the round's (terminal, client_tap_id), by tapKey. */
  recorded: Map<string, TapRecord>;
  /** Each rider's accepted rides from historyFrom to historyTo, in time order. */
  history: Map<string, RideRecord[]>;
  historyFrom: number;
  historyTo: number;
}

type TariffRow = Omit<FareTariff, "effective_from"> & { owner: string; effective_ms: number };
interface Head {
  terminals: LoadedTerminal[];
  tariffs: TariffRow[];
  customers: LoadedRider[];
  wallets: { id: string; balance: number }[];
  busy: string[] | null;
  debts: { id: string; balance: number }[];
}
interface Recorded {
  existing: TapRecord[] | null;
  /** [customer, tapped ms, route, fare, full fare, transfer, tap id], unordered. */
  history: [string, number, string, number, number, boolean, string][] | null;
  history_from: number;
  history_to: number;
}

/**
 * Reads a round in one message of two statements. The first takes the locks: the batch's
 * terminals (advisory, in hash order), then the riders' wallets (row locks, in id order; with
 * `skipBusyWallets`, those another transaction holds are skipped and named) and reads
 * terminals, fare tariffs, riders and balances. The second, a statement of its own so that its
 * snapshot is taken after those locks, reads what these terminals already recorded under these
 * client ids and the riders' rides within the fare history lookback (core) of the batch's
 * taps, before the earliest and after the latest: a late tap is priced with the rides recorded
 * after it too. Locks in one global order (terminals by hash, then ledger accounts by id, as
 * the ledger store does): rounds cannot deadlock.
 */
export async function loadRound(
  io: TapStatements,
  p: MerchantPrincipal,
  taps: readonly { input: TapInput; tappedMs: number }[],
  skipBusyWallets: boolean,
): Promise<LoadedRound> {
  const terminalIds = pgArray([...new Set(taps.map((t) => t.input.terminal))]);
  const customerIds = pgArray([...new Set(taps.map((t) => t.input.customer))]);
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const t of taps) {
    from = Math.min(from, t.tappedMs);
    to = Math.max(to, t.tappedMs);
  }
  const [heads, recordeds] = await io.reads([
    headStatement(p, terminalIds, customerIds, skipBusyWallets),
    recordedStatement(p, taps, terminalIds, customerIds, from, to),
  ]);
  const head = heads?.[0] as Head | undefined;
  const recorded = recordeds?.[0] as Recorded | undefined;
  return {
    terminals: new Map((head?.terminals ?? []).map((t) => [t.id, t])),
    tariffs: tariffsByCode(head?.tariffs ?? []),
    riders: new Map((head?.customers ?? []).map((c) => [c.id, c])),
    wallets: new Map((head?.wallets ?? []).map((w) => [w.id, Number(w.balance)])),
    busy: head?.busy ?? [],
    debts: new Map((head?.debts ?? []).map((d) => [d.id, Number(d.balance)])),
    recorded: new Map((recorded?.existing ?? []).map((r) => [tapKey({ terminal: r.terminal_id, client_tap_id: r.client_tap_id }), r])),
    history: ridesByRider(recorded?.history ?? []),
    historyFrom: Number(recorded?.history_from ?? from),
    historyTo: Number(recorded?.history_to ?? to),
  };
}

/** The locks, then terminals, tariffs, riders and their wallets' balances (exact until commit: every writer locks them). */
function headStatement(p: MerchantPrincipal, terminalIds: string, customerIds: string, skipBusyWallets: boolean): SQL {
  // The wallet's account id as store/accounts.ts names it, filled in per rider by the statement.
  const wallet = walletAccount(p.merchantId, "{customer}", p.livemode, "{currency}").id;
  // The wallets' CTE waits on the terminal locks through the riders' one-time filter.
  return sql`WITH locks AS (SELECT count(pg_advisory_xact_lock(k)) AS n
                     FROM (SELECT DISTINCT hashtextextended('transit_terminal:' || id, 0) AS k FROM unnest(${terminalIds}::text[]) id ORDER BY 1) s),
           t AS (SELECT t.id, t.route, t.fare_tariff FROM terminals t
                 WHERE t.id = ANY(${terminalIds}::text[]) AND t.merchant_id = ${p.merchantId} AND t.livemode = ${p.livemode}),
           c AS (SELECT id, category, wallet_currency, replace(replace(${wallet}::text, '{customer}', id), '{currency}', wallet_currency) AS wallet
                 FROM customers
                 WHERE id = ANY(${customerIds}::text[]) AND merchant_id = ${p.merchantId} AND livemode = ${p.livemode}
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
             (SELECT coalesce(json_agg(json_build_object('id', c.id, 'category', c.category, 'wallet_currency', c.wallet_currency)), '[]'::json) FROM c) AS customers,
             (SELECT coalesce(json_agg(w), '[]'::json) FROM w) AS wallets,
             (SELECT coalesce(json_agg(json_build_object('id', a.id, 'balance', a.balance)), '[]'::json) FROM ledger_accounts a
              WHERE a.id = ANY(${pgArray(merchantDebtIds(p.merchantId, p.livemode))}::text[]) AND a.balance <> 0) AS debts,
             ${
               skipBusyWallets
                 ? sql`(SELECT json_agg(c.id) FROM c
                        WHERE c.wallet NOT IN (SELECT id FROM w) AND EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.id = c.wallet))`
                 : sql`NULL::json`
             } AS busy`;
}

/**
 * What these terminals already recorded under these client ids, and the riders' accepted
 * rides from the earliest tap's lookback back to the latest tap's lookback forward. The lookback is core's
 * fareHistoryLookback, picked here before the tariffs are known: a week when any fare tariff
 * of these terminals has a weekly cap (the tariff's or a rider category's), else a day.
 * decideRound checks that it reaches as far as each tap's tariff needs.
 */
function recordedStatement(
  p: MerchantPrincipal,
  taps: readonly { input: TapInput }[],
  terminalIds: string,
  customerIds: string,
  from: number,
  to: number,
): SQL {
  return sql`WITH b AS (SELECT CASE WHEN EXISTS (
                       SELECT 1 FROM tariffs r
                       WHERE (r.owner = ${PLATFORM} OR (r.owner = ${p.merchantId} AND r.livemode = ${p.livemode})) AND r.kind = 'fare'
                         AND r.code IN (SELECT fare_tariff FROM terminals WHERE id = ANY(${terminalIds}::text[]))
                         AND (jsonb_path_exists(r.rules, '$.caps.weekly') OR jsonb_path_exists(r.rules, '$.categories.*.caps.weekly')))
                     THEN ${FARE_HISTORY_LOOKBACK.week}::bigint ELSE ${FARE_HISTORY_LOOKBACK.day}::bigint END AS lookback)
      SELECT (SELECT json_agg(e) FROM unnest(${pgArray(taps.map((t) => t.input.terminal))}::text[], ${pgArray(taps.map((t) => t.input.client_tap_id))}::text[]) AS x(t, c)
               CROSS JOIN LATERAL (SELECT ${TAP_COLUMNS} FROM taps WHERE terminal_id = x.t AND client_tap_id = x.c LIMIT 1) e) AS existing,
             (SELECT json_agg(json_build_array(h.customer_id, (extract(epoch from h.tapped_at) * 1000)::bigint, h.route, h.fare,
                       h.full_fare, h.is_transfer, h.id))
              FROM unnest(${customerIds}::text[]) AS k(id)
              CROSS JOIN LATERAL (SELECT customer_id, tapped_at, route, fare, full_fare, is_transfer, id FROM taps
                WHERE customer_id = k.id AND decision = 'accepted'
                  AND tapped_at >= ${new Date(from).toISOString()}::timestamptz - (SELECT lookback FROM b) * interval '1 millisecond'
                  AND tapped_at <= ${new Date(to).toISOString()}::timestamptz + (SELECT lookback FROM b) * interval '1 millisecond'
                OFFSET 0) h) AS history,
             ${from}::bigint - (SELECT lookback FROM b) AS history_from,
             ${to}::bigint + (SELECT lookback FROM b) AS history_to`;
}

/** Fare tariff versions by code, with the owner rule of tariffVersions(): own before the platform's. */
function tariffsByCode(rows: readonly TariffRow[]): Map<string, FareTariff[]> {
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

/**
 * Each rider's rides in time order (ties by tap id, which sorts by creation). Arrays without
 * an ORDER BY cost PostgreSQL half of what ordered JSON objects did; sorting here is cheap.
 */
function ridesByRider(rows: Recorded["history"] & object): Map<string, RideRecord[]> {
  rows.sort((a, b) => a[1] - b[1] || (a[6] < b[6] ? -1 : a[6] > b[6] ? 1 : 0));
  const history = new Map<string, RideRecord[]>();
  for (const [customer, ms, route, fare, full, transfer] of rows) {
    const list = history.get(customer) ?? [];
    list.push({ tapped_at: new Date(Number(ms)).toISOString(), route, fare: Number(fare), full_fare: Number(full), transfer });
    history.set(customer, list);
  }
  return history;
}
