import type pg from "pg";
import type { AppEnv, Deps } from "../context.js";
import { inlineTransaction } from "../db/client.js";
import { GroupCommit } from "../store/group-commit.js";
import { decideTapRound, decideTaps, MAX_BATCH, type TapInput, type TapItem, type TapResult, type TapRound } from "./transit/index.js";

type Vars = AppEnv["Variables"];

/**
 * Group commit for online taps on a PostgreSQL server.
 *
 * Every fare credits one row, the operator's balance, and that row stays locked until its
 * transaction commits: one transaction per tap would cap a whole fleet at one commit (one
 * WAL flush) at a time. Instead, single taps arriving together are decided together, as one
 * batch (the same decideTaps() as an offline upload), in one transaction (see GroupCommit).
 *
 * Groups run on a small pool of their own, which the runtime opens and closes (server.ts): a
 * tap sent with an Idempotency-Key waits for its group while holding a connection of the main
 * pool (its unit of work), so borrowing from it could starve.
 */
export class TapGroupCommit {
  /** Groups of one operator in flight at once: the second prepares while the first commits. */
  static readonly IN_FLIGHT = 2;
  /** The side pool's size: one connection per group in flight, and one to spare. */
  static readonly CONNECTIONS = TapGroupCommit.IN_FLIGHT + 1;
  private readonly groups: GroupCommit<{ v: Vars; input: TapInput }, TapResult>;

  constructor(pool: pg.Pool) {
    // One group, one transaction in two round trips (two transactions when a rider's wallet was busy).
    this.groups = new GroupCommit(
      (group) =>
        decideInRounds(
          pool,
          "generic",
          (group[0] as { v: Vars }).v,
          group.map((g) => ({ input: g.input })),
        ),
      { maxGroup: MAX_BATCH, inFlight: TapGroupCommit.IN_FLIGHT },
    );
  }

  submit(v: Vars, input: TapInput): Promise<TapResult> {
    const p = v.principal;
    return this.groups.submit(p.kind === "admin" ? "admin" : `${p.merchantId}:${p.livemode}`, { v, input });
  }
}

/** Each runtime's tap groups (kept here, not in Deps, so that context.ts imports no service). */
const opened = new WeakMap<Deps, TapGroupCommit>();

/** Called by the runtime (server.ts), which also closes the pool. */
export function openTapGroups(deps: Deps, pool: pg.Pool): void {
  opened.set(deps, new TapGroupCommit(pool));
}

/**
 * Decides one online tap: through the runtime's group commit on a PostgreSQL server, or in the
 * request's own transaction on the embedded database (one connection: nothing to group).
 */
export async function decideTap(v: Vars, input: TapInput): Promise<TapResult> {
  const groups = opened.get(v.deps);
  if (!groups) return (await decideTaps(v, [{ input }]))[0] as TapResult;
  return groups.submit(v, input);
}

/**
 * Taps sent without an Idempotency-Key to a PostgreSQL server commit in transactions of their
 * own (the group commit, upload rounds), not in the request's unit of work: (terminal,
 * client_tap_id) already makes each tap idempotent, and a unit of work would only add round
 * trips and hold a connection while the taps wait. With a key, the unit of work keeps the key's
 * record and its effect in one transaction.
 */
export function tapsCommitThemselves(deps: Deps, idempotencyKey: string | undefined): boolean {
  return deps.database.driver === "postgres" && deps.database.pool !== undefined && idempotencyKey === undefined;
}

/**
 * Decides an offline upload: in rounds of its own on a PostgreSQL server (see decideInRounds),
 * otherwise in the request's transaction.
 */
export function decideUpload(v: Vars, items: readonly TapItem[], idempotencyKey: string | undefined): Promise<TapResult[]> {
  const pool = v.deps.database.pool;
  if (!pool || !tapsCommitThemselves(v.deps, idempotencyKey)) return decideTaps(v, items);
  // Custom plans, planned per upload: their planning costs ~25 µs a tap, but a generic plan made
  // while the taps table was small read a rider's history through the merchant's time index,
  // scanning the whole day per rider (80 ms an upload instead of 1) until the next ANALYZE.
  // A group of single taps is small enough that planning would cost more than running.
  return decideInRounds(pool, "custom", v, items);
}

/**
 * Taps decided in at most two transactions. The first leaves out the riders whose wallets
 * other transactions hold (see decideTapRound) rather than queue behind them while holding
 * its own locks; the second decides those, waiting for the wallets. A rider's taps are in one
 * round, and each tap commits once whatever the round (its (terminal, client_tap_id) is
 * looked up in the round that decides it), so a crash between rounds loses nothing a
 * re-upload would not redo.
 */
async function decideInRounds(pool: pg.Pool, plans: "generic" | "custom", v: Vars, items: readonly TapItem[]): Promise<TapResult[]> {
  const first = await inTransaction(pool, plans, v, items, true);
  if (first.deferred.length > 0) {
    const later = await inTransaction(
      pool,
      plans,
      v,
      first.deferred.map((i) => items[i] as TapItem),
      false,
    );
    first.deferred.forEach((i, k) => {
      first.results[i] = later.results[k];
    });
  }
  return first.results as TapResult[];
}

/** One round in one transaction on a connection of `pool`: BEGIN with the reads, the writes with the COMMIT. */
function inTransaction(
  pool: pg.Pool,
  plans: "generic" | "custom",
  v: Vars,
  items: readonly TapItem[],
  skipBusyWallets: boolean,
): Promise<TapRound> {
  return inlineTransaction(pool, plans, (tx) => decideTapRound({ ...v, db: tx.db }, items, tx, skipBusyWallets));
}
