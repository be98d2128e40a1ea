import {
  type FareQuote,
  type FareTariff,
  fareHistoryLookback,
  quoteFare,
  type RideRecord,
  selectTariffVersion,
  TariffError,
  tapCharged,
} from "@softrack/core";
import { type AccountSpec, walletAccount } from "../../store/accounts.js";
import type { LedgerEntry } from "../../store/ledger-store.js";
import type { LoadedRider, LoadedRound, LoadedTerminal } from "./load.js";
import {
  contentHash,
  FUTURE_TOLERANCE_MS,
  fail,
  type TapInput,
  type TapItem,
  type TapRecord,
  type TapResult,
  tapError,
  tapKey,
  tapObject,
} from "./taps.js";

/**
 * A round of taps decided: pure, no I/O and no clock of its own. Given the rows loadRound read
 * (under the round's locks) it returns the new tap rows, the fare postings and every tap's
 * result; write.ts turns the rows and postings into statements.
 */

/** A tap the round can look up: its terminal and rider are read by loadRound. */
export interface ReadableTap {
  index: number;
  input: TapInput;
  tappedMs: number;
}

export interface Screened {
  /** Per item; set for the items refused before any read. */
  results: (TapResult | undefined)[];
  readable: ReadableTap[];
}

/** What decideRound needs besides the rows: who, and the values it may not make up itself. */
export interface RoundContext {
  merchantId: string;
  livemode: boolean;
  /** The instant the new taps are recorded at (epoch ms). */
  createdMs: number;
  newTapId: () => string;
}

export interface RoundDecision {
  /** Per item; unset for the deferred ones. */
  results: (TapResult | undefined)[];
  /** Items left for a later round: their riders' wallets are busy. */
  deferred: number[];
  /** New taps to record, accepted and declined. */
  taps: TapRecord[];
  /** One per charged fare: the rider's wallet to the operator's balance. */
  entries: LedgerEntry[];
}

interface Pending extends ReadableTap {
  key: string;
  hash: string;
  terminal: LoadedTerminal;
  /** The rider's wallet is busy: decided in a later round, unless already on record. */
  later: boolean;
}

/** Items the route already refused, and taps too far in the future (now: epoch ms); the rest are readable. */
export function screenTaps(items: readonly TapItem[], now: number): Screened {
  const results: (TapResult | undefined)[] = new Array(items.length);
  const readable: ReadableTap[] = [];
  items.forEach((item, index) => {
    if ("error" in item) {
      results[index] = { ok: false, error: item.error, terminal: item.terminal, client_tap_id: item.client_tap_id };
      return;
    }
    const tappedMs = Date.parse(item.input.tapped_at);
    if (tappedMs > now + FUTURE_TOLERANCE_MS) {
      const ahead = Math.round((tappedMs - now) / 1000);
      const message = `tapped_at is ${ahead} s in the future; the terminal's clock may be ahead by at most ${FUTURE_TOLERANCE_MS / 60_000} minutes.`;
      results[index] = fail(item.input, tapError(400, "tapped_at_in_future", message, "tapped_at"));
      return;
    }
    readable.push({ index, input: item.input, tappedMs });
  });
  return { results, readable };
}

/**
 * Decides the readable taps of a round. Exactly once: a tap on record answers with the stored
 * result (`replayed: true`), the same tap twice in one round is decided once, and one
 * (terminal, client_tap_id) with another customer or instant is refused. Each rider's taps are
 * priced in tap-time order against the locked balance; a declined fare is not charged and does
 * not count towards caps.
 */
export function decideRound(loaded: LoadedRound, screened: Screened, ctx: RoundContext): RoundDecision {
  const results = [...screened.results];
  const later = laterRiders(screened.readable, loaded.busy);
  const pending: Pending[] = [];
  for (const r of screened.readable) {
    const terminal = loaded.terminals.get(r.input.terminal);
    if (!terminal) {
      results[r.index] = fail(r.input, tapError(404, "resource_missing", `No such terminal: '${r.input.terminal}'`, "terminal"));
      continue;
    }
    const key = tapKey(r.input);
    pending.push({ ...r, key, hash: contentHash(r.input.customer, r.tappedMs), terminal, later: later.has(r.input.customer) });
  }
  const { fresh, sameAs, deferred } = sortOutReplays(pending, loaded.recorded, results);
  const { taps, entries } = chargeFares(fresh, loaded, ctx);
  fresh.forEach((t, i) => {
    results[t.index] = { ok: true, tap: tapObject(taps[i] as TapRecord) };
  });
  const recordOf = new Map(fresh.map((t, i) => [t, taps[i] as TapRecord]));
  for (const [t, first] of sameAs) results[t.index] = { ok: true, tap: tapObject(recordOf.get(first) as TapRecord, true) };
  return { results, deferred, taps, entries };
}

/** Replays of stored taps, the same tap twice in one round, reused tap ids; the rest is fresh. */
function sortOutReplays(pending: readonly Pending[], recorded: ReadonlyMap<string, TapRecord>, results: (TapResult | undefined)[]) {
  const fresh: Pending[] = [];
  const firstInRound = new Map<string, Pending>();
  const sameAs: [Pending, Pending][] = [];
  const deferred: number[] = [];
  for (const t of pending) {
    const stored = recorded.get(t.key);
    // A busy rider's tap waits for the next round, unless it is already on record: a re-upload never waits.
    if (t.later && !stored) {
      deferred.push(t.index);
      continue;
    }
    const earlier = firstInRound.get(t.key);
    const priorHash = stored?.content_hash ?? earlier?.hash;
    if (priorHash !== undefined && priorHash !== t.hash) {
      const message = `Terminal ${t.input.terminal} already sent client_tap_id '${t.input.client_tap_id}' with a different customer or tapped_at.`;
      results[t.index] = fail(t.input, tapError(422, "tap_id_reused", message, "client_tap_id"));
    } else if (stored) {
      results[t.index] = { ok: true, tap: tapObject(stored, true) };
    } else if (earlier) {
      sameAs.push([t, earlier]);
    } else {
      firstInRound.set(t.key, t);
      fresh.push(t);
    }
  }
  return { fresh, sameAs, deferred };
}

/** Prices the fresh taps per rider in tap-time order (sorts `fresh` so), against running balances and rides. */
function chargeFares(fresh: Pending[], loaded: LoadedRound, ctx: RoundContext): { taps: TapRecord[]; entries: LedgerEntry[] } {
  fresh.sort((a, b) =>
    a.input.customer < b.input.customer ? -1 : a.input.customer > b.input.customer ? 1 : a.tappedMs - b.tappedMs || a.index - b.index,
  );
  const balances = new Map(loaded.wallets);
  const ridesOf = new Map<string, RideRecord[]>();
  // The operator's balance is sharded (see store/accounts.ts): one shard per round, so
  // concurrent uploads and groups mostly credit different rows instead of queueing on one.
  const shardKey = fresh[0]?.key;
  const taps: TapRecord[] = [];
  const entries: LedgerEntry[] = [];
  for (const t of fresh) {
    const versions = loaded.tariffs.get(t.terminal.fare_tariff) ?? [];
    const tariff = selectTariffVersion(versions, new Date(t.tappedMs));
    const rider = loaded.riders.get(t.input.customer);
    const wallet = rider ? walletAccount(ctx.merchantId, rider.id, ctx.livemode, rider.wallet_currency) : undefined;
    const balance = wallet ? (balances.get(wallet.id) ?? 0) : 0;
    const record = declined(t, ctx, tariff, tariff?.currency ?? versions[0]?.currency ?? rider?.wallet_currency ?? "KGS", balance);
    taps.push(record);
    if (!rider) {
      record.reason = "unknown_rider";
      continue;
    }
    const rides = ridesOf.get(rider.id) ?? [...(loaded.history.get(rider.id) ?? [])];
    ridesOf.set(rider.id, rides);
    const q = quoteTap(t, rider, tariff, rides, loaded);
    if ("reason" in q) {
      record.reason = q.reason;
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
    balances.set((wallet as AccountSpec).id, balance - q.amount);
    addRide(rides, {
      tapped_at: new Date(t.tappedMs).toISOString(),
      route: t.terminal.route,
      fare: q.amount,
      full_fare: q.full_fare,
      transfer: q.is_transfer,
    });
    if (q.amount > 0) entries.push(fareEntry(ctx, record, q, shardKey));
  }
  return { taps, entries };
}

/** The tap as recorded before it is priced: declined, nothing charged. */
function declined(t: Pending, ctx: RoundContext, tariff: FareTariff | undefined, currency: string, balance: number): TapRecord {
  return {
    id: ctx.newTapId(),
    livemode: ctx.livemode,
    created_ms: ctx.createdMs,
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
    currency,
    tariff_code: tariff ? tariff.code : null,
    tariff_version: tariff ? tariff.version : null,
    wallet_balance: balance,
    breakdown: [],
  };
}

/** The tap's fare from the tariff in effect, or why it has none. */
function quoteTap(
  t: Pending,
  rider: LoadedRider,
  tariff: FareTariff | undefined,
  rides: RideRecord[],
  read: Pick<LoadedRound, "historyFrom" | "historyTo">,
): FareQuote | { reason: string } {
  if (!tariff) return { reason: "no_fare" };
  if (rider.wallet_currency !== tariff.currency) return { reason: "currency_mismatch" };
  // loadRound read the rides within a lookback picked before the tariff was known: it must reach this one's, both ways.
  const reach = fareHistoryLookback(tariff.rules);
  if (read.historyFrom > t.tappedMs - reach || read.historyTo < t.tappedMs + reach) {
    throw new Error(
      `transit: rides read from ${new Date(read.historyFrom).toISOString()} to ${new Date(read.historyTo).toISOString()}, too short for tariff ${tariff.code} v${tariff.version}`,
    );
  }
  try {
    return quoteFare(tariff, {
      route: t.terminal.route,
      category: rider.category,
      tapped_at: new Date(t.tappedMs).toISOString(),
      history: rides,
    });
  } catch (err) {
    if (!(err instanceof TariffError)) throw err;
    return { reason: err.code === "unknown_category" ? "unknown_category" : "no_fare" };
  }
}

/** Keeps the rider's rides in time order: an offline batch may land between stored rides. */
function addRide(rides: RideRecord[], ride: RideRecord): void {
  const ms = Date.parse(ride.tapped_at);
  let at = rides.length;
  while (at > 0 && Date.parse((rides[at - 1] as RideRecord).tapped_at) > ms) at--;
  rides.splice(at, 0, ride);
}

function fareEntry(ctx: RoundContext, tap: TapRecord, q: FareQuote, shardKey: string | undefined): LedgerEntry {
  return tapCharged({
    tapId: tap.id,
    merchantId: ctx.merchantId,
    livemode: ctx.livemode,
    customerId: tap.customer_id,
    currency: q.currency,
    route: tap.route,
    fare: q.amount,
    shardKey,
  });
}

/**
 * The riders a round leaves for later: those whose wallet is busy, and — so that one
 * (terminal, client_tap_id) sent twice in a batch is still judged in batch order — every rider
 * sharing a tap id with one of them, to a fixed point.
 */
export function laterRiders(taps: readonly { input: TapInput }[], busy: readonly string[]): Set<string> {
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
