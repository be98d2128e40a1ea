import type { Database } from "../db/client.js";
import type { LedgerEntry, LedgerStore, PostResult } from "./ledger-store.js";

interface Pending {
  entry: LedgerEntry;
  resolve(r: PostResult): void;
  reject(e: unknown): void;
}

/**
 * Group commit for ledger transfers that stand on their own (not part of a larger request
 * transaction). Concurrent callers' entries queue up; a flusher takes up to `maxBatch` of
 * them, decides them in order against one set of locked balances (each accepted or rejected
 * on its own, exactly as one by one), writes them in one statement and commits ONCE. Every
 * caller is answered only after that COMMIT, so an acknowledged transfer is durable.
 *
 * Why: a transfer costs PostgreSQL a BEGIN, a lock, a write, a COMMIT and its WAL flush;
 * batched, those are paid once per batch. `maxParallel` batches run at once on separate
 * connections (they cannot deadlock: each locks its guarded accounts in id order, in one
 * statement, and touches the unguarded ones only in its final write).
 */
export class LedgerGroupCommit {
  private queue: Pending[] = [];
  private active = 0;
  batches = 0;
  entries = 0;

  constructor(
    private readonly database: Database,
    private readonly ledger: LedgerStore,
    private readonly opts: { maxBatch?: number; maxParallel?: number } = {},
  ) {}

  submit(entry: LedgerEntry): Promise<PostResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ entry, resolve, reject });
      this.pump();
    });
  }

  private pump() {
    const maxParallel = this.opts.maxParallel ?? 2;
    while (this.queue.length > 0 && this.active < maxParallel) {
      const batch = this.queue.splice(0, this.opts.maxBatch ?? 500);
      this.active++;
      void this.flush(batch).finally(() => {
        this.active--;
        this.pump();
      });
    }
  }

  private async flush(batch: Pending[]) {
    try {
      const results = await this.database.db.transaction((tx) =>
        this.ledger.post(
          tx,
          batch.map((p) => p.entry),
        ),
      );
      this.batches++;
      this.entries += batch.length;
      batch.forEach((p, i) => {
        p.resolve(results[i] as PostResult);
      });
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }
}
