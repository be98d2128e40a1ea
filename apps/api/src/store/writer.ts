import { type SQL, sql } from "drizzle-orm";
import type { Deps } from "../context.js";
import { type Database, type Db, inlineTransaction } from "../db/client.js";
import {
  type ClaimOutcome,
  claimOutcomes,
  claimStatements,
  type IdempotencyClaim,
  type StoredResponse,
  sealStatement,
} from "./idempotency.js";

/**
 * A write's transaction, as the write sees it: its reads (several in one round trip where the
 * driver can), then its writes. Two drivers run the same statements:
 * - a group of concurrent writes on a PostgreSQL server (InlineTransaction: the reads in one
 *   message with the BEGIN, the writes in one message with the COMMIT);
 * - one write alone (the embedded database, and writes that must be alone), on drizzle's
 *   transaction: the same statements one after another; `db` is that transaction, so a write
 *   alone may also run drizzle queries after its writes, before the transaction commits.
 */
export interface WriteTx {
  reads(qs: readonly SQL[]): Promise<Record<string, unknown>[][]>;
  /** Sends the writes; the group driver commits with them, the alone driver when the work returns. */
  commit(writes: readonly SQL[]): Promise<void>;
  readonly db: Db;
}

class AloneTx implements WriteTx {
  constructor(
    private readonly database: Database,
    readonly db: Db,
  ) {}

  async reads(qs: readonly SQL[]): Promise<Record<string, unknown>[][]> {
    const out: Record<string, unknown>[][] = [];
    for (const q of qs) out.push(await this.database.rows(q, this.db));
    return out;
  }

  async commit(writes: readonly SQL[]): Promise<void> {
    for (const w of writes) await this.database.rows(w, this.db);
  }
}

/** A group's transaction on a connection of its own (PostgreSQL server only). */
export function groupTransaction<R>(database: Database, work: (tx: WriteTx) => Promise<R>): Promise<R> {
  if (!database.pool) throw new Error("groupTransaction needs a PostgreSQL server");
  return inlineTransaction(database.pool, "generic", work);
}

/** A transaction a caller already holds (drizzle's), as a WriteTx. */
export function inTransaction(database: Database, db: Db): WriteTx {
  return new AloneTx(database, db);
}

/** A write alone: drizzle's transaction, on either driver. */
export function aloneTransaction<R>(database: Database, work: (tx: WriteTx) => Promise<R>): Promise<R> {
  return database.db.transaction((db) => work(new AloneTx(database, db)));
}

/**
 * The claims' statements to send with a write's first reads (none when no write has a key).
 * `lookUp: false` takes the keys' locks without looking for stored answers, and so finds every key
 * it locks fresh. Only for a writer that seals every key it finds fresh: a key stored before then
 * fails that seal on the primary key (isKeyTaken), which rolls the whole transaction back, and the
 * writer decides its writes again with the lookup. A group of payment writes does this
 * (services/payment-writes.ts): a retry is rare, and the lookup is a statement in every group.
 */
export function claimReads(claims: readonly (IdempotencyClaim | undefined)[], opts: { lookUp: boolean } = { lookUp: true }): SQL[] {
  const keyed = claims.filter((c): c is IdempotencyClaim => c !== undefined);
  if (keyed.length === 0) return [];
  const [locks, stored] = claimStatements(keyed);
  return opts.lookUp ? [locks, stored] : [locks];
}

/** Each write's claim outcome, in order (`fresh` for a write without a key, or not looked up), from claimReads' rows. */
export function claimsFound(
  deps: Pick<Deps, "box">,
  claims: readonly (IdempotencyClaim | undefined)[],
  rows: readonly Record<string, unknown>[][],
): ClaimOutcome[] {
  const keyed = claims.filter((c): c is IdempotencyClaim => c !== undefined);
  const found = keyed.length > 0 ? claimOutcomes(keyed, rows[0] ?? [], rows[1] ?? [], deps.box) : [];
  let i = 0;
  return claims.map((c) => (c === undefined ? { fresh: true } : (found[i++] as ClaimOutcome)));
}

/** The statement that seals the keyed writes' responses beside their effects (none when no write has a key). */
export function sealWrites(deps: Pick<Deps, "box">, sealed: { claim: IdempotencyClaim | undefined; response: StoredResponse }[]): SQL[] {
  const keyed = sealed.filter((s): s is { claim: IdempotencyClaim; response: StoredResponse } => s.claim !== undefined);
  return keyed.length > 0 ? [sealStatement(keyed, deps.box)] : [];
}

class Rollback extends Error {}

/**
 * A write alone, with its key: one transaction for the claim, the effect and the sealed response,
 * so that a crash at any instant leaves both or neither. `work` says whether to commit: true;
 * false (a 5xx, everything rolls back; a thrown error too); or "refused", a refusal the request
 * keeps as its answer once it ran (lib/errors.ts keptRefusal): its effects are undone, and with a
 * key its refusal is sealed, so that the key replays it. `respond` gives the response to seal,
 * asked only when the write has a key.
 */
export async function commitAlone(
  deps: Pick<Deps, "database" | "box" | "committed">,
  claim: IdempotencyClaim | undefined,
  work: (db: Db) => Promise<boolean | "refused">,
  respond: () => Promise<StoredResponse>,
): Promise<{ replay: StoredResponse } | { committed: boolean }> {
  let replay: StoredResponse | undefined;
  let refused = false;
  try {
    await aloneTransaction(deps.database, async (tx) => {
      const [found] = claimsFound(deps, [claim], await tx.reads(claimReads([claim])));
      if (found && "refused" in found) throw found.refused;
      if (found && "replay" in found) {
        replay = found.replay;
        return;
      }
      // A keyed write's effects can be undone alone, leaving its claim to seal a refusal.
      if (claim) await tx.reads([sql`SAVEPOINT keyed_write`]);
      const done = await work(tx.db);
      if (done === false || (done === "refused" && !claim)) throw new Rollback();
      refused = done === "refused";
      if (refused) await tx.reads([sql`ROLLBACK TO SAVEPOINT keyed_write`]);
      if (claim) await tx.commit(sealWrites(deps, [{ claim, response: await respond() }]));
    });
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
    return { committed: false };
  }
  if (replay) return { replay };
  // A sealed refusal committed only its key: no effect to announce.
  if (refused) return { committed: false };
  deps.committed.notify();
  return { committed: true };
}

/**
 * A keyed request whose work commits in transactions of its own (run_jobs: each job commits on
 * its own, as the worker's would), so no one transaction can hold its claim. The key is checked
 * first (a stored response is replayed, another request's under it is 422; the same key still
 * running in this process was already 409 in readWrite), the work runs, and its response is sealed
 * after. Running due jobs twice has no second effect (each job runs once), so a concurrent request
 * with the key from another process runs too, and whichever seals second answers the first one's.
 */
export async function keyedOutside(
  deps: Pick<Deps, "database" | "box">,
  claim: IdempotencyClaim | undefined,
  work: () => Promise<StoredResponse>,
): Promise<{ replay: StoredResponse } | { response: StoredResponse }> {
  if (!claim) return { response: await work() };
  const first = await aloneTransaction(
    deps.database,
    async (tx) => claimsFound(deps, [claim], await tx.reads(claimReads([claim])))[0] as ClaimOutcome,
  );
  if ("refused" in first) throw first.refused;
  if ("replay" in first) return first;
  const response = await work();
  return aloneTransaction(deps.database, async (tx) => {
    const [found] = claimsFound(deps, [claim], await tx.reads(claimReads([claim])));
    if (found && "replay" in found) return found;
    if (found && "refused" in found) return { response };
    await tx.commit(sealWrites(deps, [{ claim, response }]));
    return { response };
  });
}
