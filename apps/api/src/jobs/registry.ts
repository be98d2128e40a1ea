import type { Db } from "../db/client.js";

/** One run of a job: the deps, the job's own transaction, the clock it runs at, and what it was scheduled with. */
export interface JobRun<D> {
  deps: D;
  tx: Db;
  now: Date;
  job: { id: string; kind: string };
  payload: Record<string, unknown>;
}

/**
 * What a job's transaction ends with: its result, and work for after the COMMIT, outside any
 * transaction the runner holds (maintenance that runs its own short transactions, such as
 * retention's batches). What that work answers replaces the result.
 */
export interface JobOutcome {
  result: string;
  afterCommit: () => Promise<string>;
}

/** Does one job inside its transaction; the string is kept as the job's result. */
export type JobHandler<D> = (run: JobRun<D>) => Promise<string | JobOutcome>;

/**
 * The background jobs one process runs, by kind. The runtime builds it from each feature's
 * handlers (server.ts) and closes it before the database: no module fills it as a side
 * effect of being imported. Generic over the deps so that context.ts can name it without an
 * import cycle.
 */
export class JobRegistry<D> {
  readonly #handlers = new Map<string, JobHandler<D>>();
  readonly #inFlight = new Set<Promise<unknown>>();
  #closed = false;

  /** Each group maps job kinds to handlers; a kind named twice is a programming error. */
  constructor(...groups: Readonly<Record<string, JobHandler<D>>>[]) {
    for (const group of groups) {
      for (const [kind, handler] of Object.entries(group)) {
        if (this.#handlers.has(kind)) throw new Error(`job kind '${kind}' has two handlers`);
        this.#handlers.set(kind, handler);
      }
    }
  }

  /**
   * The kinds this process can run. Runners claim only these, so a process without a
   * kind's handler (an older version beside a newer one) leaves its jobs to one that has it.
   */
  get kinds(): string[] {
    return [...this.#handlers.keys()];
  }

  handler(kind: string): JobHandler<D> | undefined {
    return this.#handlers.get(kind);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Runs `work` unless the registry is closed (then answers `idle`); close() waits for it. */
  async run<T>(work: () => Promise<T>, idle: T): Promise<T> {
    if (this.#closed) return idle;
    const running = work();
    this.#inFlight.add(running);
    try {
      return await running;
    } finally {
      this.#inFlight.delete(running);
    }
  }

  /** No new runs from now on; resolves when the runs in flight have ended (committed or rolled back). */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#inFlight]);
  }
}
