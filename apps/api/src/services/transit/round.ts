import type { AppEnv } from "../../context.js";
import { newId } from "../../lib/ids.js";
import { merchantOf } from "../../middleware/auth.js";
import { inTransaction } from "../../store/writer.js";
import { decideRound, screenTaps } from "./decide.js";
import { loadRound, type TapStatements } from "./load.js";
import type { TapItem, TapResult } from "./taps.js";
import { roundWrites } from "./write.js";

type Vars = AppEnv["Variables"];

/** The request's own transaction (its unit of work commits later), one statement after another. */
const inRequest = (v: Vars): TapStatements => inTransaction(v.deps.database, v.db);

/**
 * Decides a batch of taps in one database transaction, set-based: a fixed number of round
 * trips whatever the batch size (a single online tap is a batch of one).
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
 * One round in three steps, the same for both drivers: load (one message, under the round's
 * locks; see loadRound), decide (pure; see decideRound), write (one message; see roundWrites).
 * With `skipBusyWallets`, the riders whose wallets another transaction holds are left out (all
 * their taps, so each rider's taps are still decided together in tap-time order) instead of
 * waited for. Waiting holds every lock taken so far: concurrent uploads, which share riders,
 * then queue behind each other in a chain. The caller decides the left-out taps in a later
 * transaction, waiting then.
 *
 * Exactly once: two uploads holding the same tap serialize on its terminal's lock, and the
 * later one finds it recorded. The unique (terminal_id, client_tap_id) index backs this up: a
 * double insert fails the whole round instead of charging twice.
 */
export async function decideTapRound(v: Vars, items: readonly TapItem[], io: TapStatements, skipBusyWallets: boolean): Promise<TapRound> {
  const p = merchantOf(v);
  const screened = screenTaps(items, v.deps.now().getTime());
  if (screened.readable.length === 0) return { results: screened.results, deferred: [] };
  const loaded = await loadRound(io, p, screened.readable, skipBusyWallets);
  // Recorded at the wall clock (the deps' clock is the one tests move, for tapped_at's bound).
  const ctx = { merchantId: p.merchantId, livemode: p.livemode, createdMs: Date.now(), newTapId: () => newId("tap") };
  const decision = decideRound(loaded, screened, ctx);
  await io.commit(await roundWrites(v.deps.ledger, v.db, ctx, decision, loaded.wallets, loaded.debts));
  return { results: decision.results, deferred: decision.deferred };
}
