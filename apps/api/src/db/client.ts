import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { type SQL, sql } from "drizzle-orm";
import { drizzle as drizzleNodePg } from "drizzle-orm/node-postgres";
import { migrate as migrateNodePg } from "drizzle-orm/node-postgres/migrator";
import { type PgDatabase, PgDialect, type PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";
import * as schema from "./schema/index.js";

/**
 * One code path, two drivers: embedded PGlite (DATA_DIR, or memory for tests) and
 * node-postgres (pg) for a real server. Both give a `PgDatabase` over the same schema; only
 * creation, migration and closing differ.
 */
export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handle is a Db too: services take either and never reach for the root. */
export type Tx = Db;

export interface Database {
  db: Db;
  driver: "pglite" | "postgres";
  /** The connections themselves, on a PostgreSQL server: for work that runs its own transactions (InlineTransaction). */
  pool?: pg.Pool;
  /** Runs raw SQL and returns rows the same way on both drivers. */
  rows<T = Record<string, unknown>>(q: SQL, executor?: Db): Promise<T[]>;
  migrate(): Promise<void>;
  close(): Promise<void>;
}

/** apps/api/drizzle, found from src/db (tsx, vitest) or from dist (the build, the image). */
const MIGRATIONS = ["../drizzle", "../../drizzle"]
  .map((rel) => fileURLToPath(new URL(rel, import.meta.url)))
  .find((dir) => existsSync(`${dir}/meta/_journal.json`)) as string;

/** int8 as a JS number on both drivers: every amount is bounded far below 2^53 (see core MAX_AMOUNT). */
const INT8_AS_NUMBER = { 20: (v: string) => Number(v) };

function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/** Per statement text, its prepared-statement name (names are never reused for another text). */
const statementNames = new Map<string, string>();
let statementCount = 0;
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    // Bounded: a text seen again after a reset gets a fresh name and is prepared once more.
    if (statementNames.size >= 10_000) statementNames.clear();
    name = `s${(statementCount++).toString(36)}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * Statements that carry a set of rows in one parameter (arrays, JSON recordsets: transit
 * batches, the ledger write) stay unnamed, so PostgreSQL plans them for the values at hand.
 * Named, they switch to a generic plan after five runs, planned for no particular batch; on
 * the transit bench that doubled PostgreSQL's CPU per tap (421 against 183 µs, same run).
 */
const CARRIES_ROWS = /\[\]|json_to_recordset/;

const parseInt8 = (v: string) => Number(v);
/** int8 as a JS number, other types as pg parses them; never changes pg's global registry. */
const INT8_TYPES = {
  getTypeParser: (oid: number, format?: "text" | "binary") => (oid === 20 ? parseInt8 : pg.types.getTypeParser(oid, format)),
};

type TypeParsers = { getTypeParser(oid: number, format?: "text" | "binary"): (value: string) => unknown };
type QueryConfig = { text: string; name?: string; values?: unknown[]; types?: TypeParsers };

/** No statement runs longer than this on the server: a request stuck behind it answers 503 instead of waiting on. */
const STATEMENT_TIMEOUT_MS = 30_000;
/** A server that stops answering without closing the socket: give up a little after the server would. */
const QUERY_TIMEOUT_MS = 40_000;

/**
 * The pool's connections. Two things drizzle's node-postgres session does not do:
 *
 * - int8 as a JS number. Drizzle passes its own type parsers with every query (dates as
 *   strings) and falls back to pg's global registry for the rest, so a per-pool `types`
 *   never applies; this adds int8 to the parsers of each query instead of changing the
 *   global registry.
 * - Named prepared statements. pg sends an unnamed statement in one round trip too, but the
 *   server parses and plans it every time; a named one is parsed once per connection and can
 *   reuse its plan. Only statements with parameters (BEGIN/COMMIT gain nothing).
 *
 * A connection that timed out client-side is ended, so it never returns to the pool busy.
 */
class ApiClient extends pg.Client {
  // biome-ignore lint/suspicious/noExplicitAny: pg's query() is a set of overloads; this forwards all of them.
  override query(config: any, values?: any, callback?: any): any {
    if (config !== null && typeof config === "object" && typeof config.text === "string" && !config.submit) {
      const c = config as QueryConfig;
      const params = Array.isArray(values) ? values : c.values;
      const inner = c.types ?? pg.types;
      config = {
        ...c,
        ...(c.name === undefined && params && params.length > 0 && !CARRIES_ROWS.test(c.text) ? { name: statementName(c.text) } : {}),
        types: { getTypeParser: (oid: number, format?: "text" | "binary") => (oid === 20 ? parseInt8 : inner.getTypeParser(oid, format)) },
      };
    }
    const onTimeout = (err: unknown) => {
      if ((err as Error)?.message === "Query read timeout") this.end().catch(() => undefined);
    };
    if (typeof values === "function" || typeof callback === "function") {
      const cb = (typeof values === "function" ? values : callback) as (err: unknown, res: unknown) => void;
      const wrapped = (err: unknown, res: unknown) => {
        if (err) onTimeout(err);
        cb(err, res);
      };
      return typeof values === "function" ? super.query(config, wrapped) : super.query(config, values, wrapped);
    }
    const result = super.query(config, values);
    if (result && typeof result.catch === "function") result.catch(onTimeout);
    return result;
  }
}

/**
 * A pool on a PostgreSQL server that survives the server going away: a connection that dies
 * (restart, failover, admin shutdown) fails its queries with an error the app answers as 503
 * and leaves the pool; new connections are opened when the server is back. Without the two
 * 'error' listeners, pg re-emits a dead connection's error on the client or the pool and an
 * unhandled 'error' event would end the process.
 */
export function createPool(
  url: string,
  opts: { max: number; idleTimeoutMillis?: number; allowExitOnIdle?: boolean; readOnly?: boolean },
): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    // Every transaction read-only, so a replica URL that names a writable server by mistake refuses writes.
    ...(opts.readOnly ? { options: "-c default_transaction_read_only=on" } : {}),
    Client: ApiClient,
    max: opts.max,
    // For queries sent with pg's own API; drizzle's queries get int8 from ApiClient.
    types: INT8_TYPES,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: opts.idleTimeoutMillis ?? 30_000,
    // Prepared statements live as long as their connection: renew connections now and then.
    maxLifetimeSeconds: 3_600,
    allowExitOnIdle: opts.allowExitOnIdle ?? false,
    keepAlive: true,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
  });
  // An idle connection's error: it is already out of the pool; the next query opens another.
  pool.on("error", () => {});
  // A checked-out connection's error: the query or transaction using it fails with it.
  pool.on("connect", (client) => client.on("error", () => {}));
  return pool;
}

/** Ends a pool, waiting at most `seconds` for connections still checked out. */
export async function endPool(pool: pg.Pool, seconds = 5): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    pool.end().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, seconds * 1000);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}

/** A second, small pool on the same server with the same behaviour, for work that must not borrow the main one. */
export function createSidePool(url: string, max: number): { db: Db; pool: pg.Pool; close(): Promise<void> } {
  // Idle connections stay as long as the main pool's (30 s): a tap after a quiet spell must not
  // pay a new backend and its cold caches (2 s put one in every pause between buses). They do
  // not keep a stopped API's process alive (allowExitOnIdle).
  const pool = createPool(url, { max, allowExitOnIdle: true });
  return { db: drizzleNodePg(pool, { schema }) as unknown as Db, pool, close: () => endPool(pool) };
}

/**
 * The lag-tolerant read pool (DATABASE_REPLICA_URL): a streaming replica, or HAProxy's read
 * port in front of several. It never migrates (a replica has the primary's schema) and never
 * writes: every transaction on it is read-only.
 */
export function createReplicaPool(url: string, max: number): { db: Db; pool: pg.Pool; close(): Promise<void> } {
  const pool = createPool(url, { max, readOnly: true });
  return { db: drizzleNodePg(pool, { schema }) as unknown as Db, pool, close: () => endPool(pool) };
}

const dialect = new PgDialect();

/** PostgreSQL's own refusal of U+0000 in text, raised before the text could cut a query message short. */
class NulInText extends Error {
  readonly code = "22021";
  constructor() {
    super('invalid byte sequence for encoding "UTF8": 0x00');
  }
}

/**
 * pg.escapeLiteral's result, built with two replaceAll instead of a string concatenation per
 * character: a batch's literals run to tens of kilobytes.
 */
function escapeText(value: string): string {
  const [open, quoted, close] = escapedText(value);
  return open + quoted + close;
}

/** escapeText's literal in three pieces: a long value is passed on as it is when it holds no quote or backslash. */
function escapedText(value: string): [string, string, string] {
  const quoted = value.includes("'") ? value.replaceAll("'", "''") : value;
  return value.includes("\\") ? [" E'", quoted.replaceAll("\\", "\\\\"), "'"] : ["'", quoted, "'"];
}

function literal(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "string") {
    if (value.includes("\u0000")) throw new NulInText();
    return escapeText(value);
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`not a finite number: ${value}`);
    return `'${value}'`;
  }
  if (typeof value === "bigint" || typeof value === "boolean") return `'${value}'`;
  throw new TypeError(`no literal for a ${typeof value}`);
}

/**
 * Settings for this transaction only (SET LOCAL), so the connection goes back to its pool as it
 * came. The plan cache mode is the caller's choice. The rest because these transactions only
 * ever fetch rows by key, from tables the whole fleet keeps hot in memory:
 * - random_page_cost 1.1 (PostgreSQL's default, 4, is a spinning disk's): at 4 the planner read
 *   a 10,000-row accounts table from end to end to update 100 of its rows (5.9 ms against 1.9 ms
 *   by index on the transit bench's data);
 * - no sequential scans: a generic plan made while a table is still small would keep scanning
 *   it whole as it grows, until the next ANALYZE.
 */
const SETTINGS = ["SET LOCAL random_page_cost = 1.1", "SET LOCAL enable_seqscan = off"];
/** One statement per element: each answers with a result of its own (see reads()). Exported for the plan tests. */
export const BEGIN = {
  generic: ["BEGIN", "SET LOCAL plan_cache_mode = force_generic_plan", ...SETTINGS],
  custom: ["BEGIN", "SET LOCAL plan_cache_mode = force_custom_plan", ...SETTINGS],
};

/** What one connection has prepared with SQL PREPARE: statement text → name. */
interface ConnectionState {
  db: Db;
  prepared: Map<string, string>;
  /** Where this connection's messages are written (see simpleQuery). */
  buffer?: Buffer;
}
const connections = new WeakMap<pg.PoolClient, ConnectionState>();
let preparedCount = 0;

/**
 * One transaction on one connection in as few round trips as its logic allows: the BEGIN
 * travels with the first read, and the final writes travel with the COMMIT, each group as one
 * simple-query message. For hot paths that are a read, a decision in memory and a write —
 * transit's group commit is three round trips instead of six. Every socket write costs a
 * system call and a wake-up on both sides, a large part of a small request's CPU.
 *
 * Each statement is prepared once per connection with SQL PREPARE (sent in the same message as
 * its first EXECUTE) and runs on a generic plan: planning these statements cost PostgreSQL more
 * than running them for a handful of taps. Values go as literals escaped by the driver's
 * escapeLiteral, typed by the prepared statement's parameters.
 *
 * A connection whose transaction failed is not reused (release it with the error): what it
 * has prepared is then no longer certain.
 */
export class InlineTransaction {
  private begun = false;
  private readonly state: ConnectionState;

  constructor(
    private readonly client: pg.PoolClient,
    /** Custom plans for statements whose best plan depends on the size of the sets they carry. */
    private readonly plans: "generic" | "custom" = "generic",
  ) {
    let state = connections.get(client);
    if (!state) {
      // Built once per pooled connection: drizzle's set-up walks the whole schema.
      state = { db: drizzleNodePg(client, { schema }) as unknown as Db, prepared: new Map() };
      connections.set(client, state);
    }
    this.state = state;
  }

  /** True between the first read and the commit or rollback. */
  get open(): boolean {
    return this.begun;
  }

  /** Drizzle on the same connection, for a statement that has to go on its own. */
  get db(): Db {
    return this.state.db;
  }

  /** A read; the first one opens the transaction. */
  async rows<T>(q: SQL): Promise<T[]> {
    return (await this.reads([q]))[0] as T[];
  }

  /** Several reads in one round trip, their rows in order; the first read opens the transaction. */
  async reads(qs: readonly SQL[]): Promise<Record<string, unknown>[][]> {
    const texts: Statement[] = [];
    // Which result of the message each read's EXECUTE is (PREPAREs and SETs answer too).
    const at: number[] = [];
    if (!this.begun) texts.push(...BEGIN[this.plans]);
    this.begun = true;
    for (const q of qs) {
      texts.push(...this.execute(q));
      at.push(texts.length - 1);
    }
    const results = await this.send(texts);
    return at.map((i) => rowsOf(results[i]));
  }

  /** The last writes and the COMMIT, in one message; nothing else is sent after this, but a ROLLBACK if it failed. */
  async commit(writes: readonly SQL[]): Promise<void> {
    const texts = writes.flatMap((w) => this.execute(w));
    if (!this.begun) texts.unshift(...BEGIN[this.plans]);
    this.begun = true;
    texts.push("COMMIT");
    await this.send(texts);
    this.begun = false;
  }

  /**
   * Ends a failed transaction; harmless when nothing is open. Also after a failed commit: the
   * server sends a statement's error before it aborts the transaction, so the transaction may
   * still hold its locks when the error arrives. ROLLBACK's answer comes after the abort: once
   * it is back, a write retried at once (a group's, with the same Idempotency-Keys) finds them free.
   */
  async rollback(): Promise<void> {
    if (!this.begun) return;
    this.begun = false;
    await this.client.query("ROLLBACK");
  }

  /**
   * `statements` as one message: a result per statement, in order. The connection's buffer is
   * free again once the answer is back: the server reads a whole message before it answers.
   */
  private send(statements: readonly Statement[]): Promise<pg.QueryResult[]> {
    const { message, buffer } = simpleQuery(statements, this.state.buffer);
    this.state.buffer = buffer;
    return new Promise((resolve, reject) => {
      this.client.query(
        new PreparedMessage(message, (err, res) => {
          if (err) reject(err);
          else resolve((Array.isArray(res) ? res : [res]) as pg.QueryResult[]);
        }),
      );
    });
  }

  /**
   * `EXECUTE name(values…)`, preceded by its PREPARE the first time on this connection. A long text
   * value (a group's rows as JSON, its stored answers) stays a piece of its own, written into the
   * message as it is rather than copied into the statement's text first.
   */
  private execute(q: SQL): Statement[] {
    const { sql: text, params } = dialect.sqlToQuery(q);
    const texts: Statement[] = [];
    let name = this.state.prepared.get(text);
    if (name === undefined) {
      name = `inline_${(preparedCount++).toString(36)}`;
      texts.push(`PREPARE ${name} AS ${text}`);
      this.state.prepared.set(text, name);
    }
    if (params.length === 0) {
      texts.push(`EXECUTE ${name}`);
      return texts;
    }
    const pieces: string[] = [];
    let run = `EXECUTE ${name}(`;
    for (let i = 0; i < params.length; i++) {
      if (i > 0) run += ", ";
      const value = params[i];
      if (typeof value === "string" && value.length >= LONG_TEXT) {
        if (value.includes("\u0000")) throw new NulInText();
        const [open, quoted, close] = escapedText(value);
        pieces.push(run + open, quoted);
        run = close;
      } else run += literal(value);
    }
    pieces.push(`${run})`);
    texts.push(pieces.length === 1 ? (pieces[0] as string) : pieces);
    return texts;
  }
}

/** A statement's text, whole or in pieces written one after another (see execute). */
type Statement = string | readonly string[];
/** Text values from this length on are pieces of their own: a few writes more, a copy less. */
const LONG_TEXT = 512;

/**
 * `statements` as one simple-query message ('Q'), joined by "; ", written straight into `buffer`
 * (a new one, returned, when they do not fit). A group's message runs to tens of kilobytes: made
 * as one string, then copied by the driver, it often reached V8's old generation (BENCHMARKS.md,
 * issue 18, session 40). Here only the statements are strings.
 */
function simpleQuery(statements: readonly Statement[], buffer: Buffer | undefined): { message: Buffer; buffer: Buffer | undefined } {
  let size = 4 + 1 + 2 * Math.max(0, statements.length - 1); // length, NUL, separators
  for (const s of statements) {
    if (typeof s === "string") size += Buffer.byteLength(s);
    else for (const piece of s) size += Buffer.byteLength(piece);
  }
  const grown = Math.max(1 + size, 2 * (buffer?.length ?? 0));
  const out = buffer && buffer.length >= 1 + size ? buffer : Buffer.allocUnsafe(grown <= KEPT_BUFFER ? grown : 1 + size);
  out[0] = 0x51; // 'Q'
  out.writeInt32BE(size, 1);
  let at = 5;
  for (let i = 0; i < statements.length; i++) {
    if (i > 0) at += out.write("; ", at, "latin1");
    const s = statements[i] as Statement;
    if (typeof s === "string") at += out.write(s, at);
    else for (const piece of s) at += out.write(piece, at);
  }
  out[at] = 0;
  // A rare long message (a large transit round) is not kept: 64 connections each holding one would add up.
  return { message: out.subarray(0, at + 1), buffer: out.length <= KEPT_BUFFER ? out : buffer };
}
const KEPT_BUFFER = 256 * 1024;

/**
 * The driver's Query, sending a message made beforehand (pg calls `submit` when the connection is
 * free; results, errors and the query timeout are handled as for any query).
 */
class PreparedMessage extends pg.Query {
  constructor(message: Buffer, callback: (err: Error | undefined, res: unknown) => void) {
    super({ text: "" }, callback as never);
    this.submit = (connection) => {
      if (!connection.stream.writable) return new Error("Connection terminated") as never;
      connection.stream.write(message);
    };
  }
}

/**
 * Runs `work` in an InlineTransaction on a connection of `pool`, ending it with an empty COMMIT
 * if `work` left it open. On failure: rolled back, and the connection is dropped, since what it
 * has prepared is no longer certain.
 */
export async function inlineTransaction<R>(
  pool: pg.Pool,
  plans: "generic" | "custom",
  work: (tx: InlineTransaction) => Promise<R>,
): Promise<R> {
  const client = await pool.connect();
  const tx = new InlineTransaction(client, plans);
  try {
    const out = await work(tx);
    if (tx.open) await tx.commit([]);
    client.release();
    return out;
  } catch (err) {
    await tx.rollback().catch(() => undefined);
    client.release(err instanceof Error ? err : new Error(String(err)));
    throw err;
  }
}

export async function createDatabase(opts: {
  url?: string;
  dataDir?: string;
  poolSize?: number;
  migrationsFolder?: string;
}): Promise<Database> {
  const migrationsFolder = opts.migrationsFolder ?? MIGRATIONS;
  if (opts.url) {
    const url = opts.url;
    const pool = createPool(url, { max: opts.poolSize ?? 20 });
    const db = drizzleNodePg(pool, { schema }) as unknown as Db;
    return {
      db,
      driver: "postgres",
      pool,
      rows: async (q, executor = db) => rowsOf(await executor.execute(q)),
      migrate: async () => {
        // One migrator at a time when several processes start together: a session lock on
        // a single dedicated connection, held while drizzle applies what is missing.
        const one = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
        one.on("error", () => {});
        await one.connect();
        try {
          await one.query("SELECT pg_advisory_lock(7345891)");
          await migrateNodePg(drizzleNodePg(one), { migrationsFolder });
        } finally {
          await one.end().catch(() => undefined);
        }
      },
      close: () => endPool(pool),
    };
  }
  let client: PGlite;
  if (opts.dataDir && opts.dataDir !== "memory://") {
    mkdirSync(opts.dataDir, { recursive: true });
    client = new PGlite(opts.dataDir, { parsers: INT8_AS_NUMBER });
  } else {
    client = new PGlite({ parsers: INT8_AS_NUMBER });
  }
  await client.waitReady;
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    db,
    driver: "pglite",
    rows: async (q, executor = db) => rowsOf(await executor.execute(q)),
    migrate: () => migratePglite(drizzlePglite(client), { migrationsFolder }),
    close: () => client.close(),
  };
}

export async function ping(database: Database): Promise<boolean> {
  try {
    await database.rows(sql`SELECT 1`);
    return true;
  } catch {
    return false;
  }
}
