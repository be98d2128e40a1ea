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

interface Queued<T, R> {
  item: T;
  resolve(r: R): void;
  reject(err: unknown): void;
}

/**
 * Requests arriving together, decided together in one transaction (`decide` gets the group and
 * returns one result per item, in order). At low load a group is one request and adds no wait;
 * under load a group holds whatever arrived while the previous ones were committing, so the cost
 * of a transaction (BEGIN, round trips, COMMIT and its WAL flush) is shared.
 *
 * Groups are queued per key (a merchant and mode: the rows a group locks are that merchant's),
 * `inFlight` groups of one key at once: the next prepares while the last commits. Every item is
 * answered only after its group's decide() resolved, i.e. after COMMIT. If a group fails, its
 * items are decided again one by one (unless `retryAlone` says otherwise), so one bad request
 * cannot fail its neighbours.
 *
 * When a group starts, and with how many: a transaction costs the same for one write as for
 * thirty, so small groups under load are lost work. Two rules keep them full:
 * - a free slot is filled when the event loop's turn ends (setImmediate), not by the first request
 *   that finds it free: requests whose bytes arrived together travel together;
 * - beside a group of its key already in flight, a new one starts only with `minGroup` items; with
 *   fewer, they wait for more or for that group's COMMIT. Alone (nothing in flight), a group starts
 *   at once, so a quiet merchant waits for nothing.
 */
export class GroupCommit<T, R> {
  private readonly queues = new Map<string, Queued<T, R>[]>();
  private readonly running = new Map<string, number>();
  /** Keys whose queue is looked at when this turn of the event loop ends. */
  private readonly due = new Set<string>();

  constructor(
    private readonly decide: (group: T[]) => Promise<R[]>,
    private readonly opts: {
      maxGroup: number;
      inFlight: number;
      /** The fewest items a group starts with while another of its key is in flight (default 1). */
      minGroup?: number;
      /** Whether a failed group's items are decided again one by one (default: always); otherwise all fail with the error. */
      retryAlone?: (err: unknown) => boolean;
    },
  ) {}

  submit(key: string, item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const queue = this.queues.get(key) ?? [];
      queue.push({ item, resolve, reject });
      this.queues.set(key, queue);
      if (this.due.has(key)) return;
      this.due.add(key);
      setImmediate(() => {
        this.due.delete(key);
        this.pump(key);
      });
    });
  }

  private pump(key: string) {
    const queue = this.queues.get(key);
    const running = () => this.running.get(key) ?? 0;
    while (queue && queue.length > 0 && running() < this.opts.inFlight) {
      if (running() > 0 && queue.length < (this.opts.minGroup ?? 1)) break;
      const group = queue.splice(0, this.opts.maxGroup);
      this.running.set(key, running() + 1);
      void this.flush(group).finally(() => {
        this.running.set(key, (this.running.get(key) ?? 1) - 1);
        if (queue.length === 0 && !this.running.get(key)) this.queues.delete(key);
        else this.pump(key);
      });
    }
  }

  private async flush(group: Queued<T, R>[]): Promise<void> {
    try {
      const results = await this.decide(group.map((g) => g.item));
      group.forEach((g, i) => {
        g.resolve(results[i] as R);
      });
    } catch (err) {
      if (group.length === 1 || this.opts.retryAlone?.(err) === false) {
        for (const g of group) g.reject(err);
        return;
      }
      for (const g of group) await this.flush([g]);
    }
  }
}
