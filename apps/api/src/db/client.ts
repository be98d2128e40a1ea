import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { type SQL, sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import * as schema from "./schema/index.js";

/**
 * One code path, two drivers: embedded PGlite (DATA_DIR, or memory for tests) and
 * postgres.js for a real server. Both give a `PgDatabase` over the same schema; only
 * creation, migration and closing differ.
 */
export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handle is a Db too: services take either and never reach for the root. */
export type Tx = Db;

export interface Database {
  db: Db;
  driver: "pglite" | "postgres";
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

/**
 * Drizzle's query builder asks postgres.js for unnamed statements, and postgres.js sends an
 * unnamed statement with parameters as two round trips (describe, then execute) and plans it
 * every time. Named prepared statements take one round trip and are planned once per
 * connection — as postgres.js already does for every raw query. This wraps the client (and
 * the clients it hands to transactions and savepoints) so the builder's queries are prepared too.
 */
function preparing(client: postgres.Sql): postgres.Sql {
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === "unsafe") {
        return (query: string, params?: unknown[], options?: Record<string, unknown>) =>
          target.unsafe(query, params as never, params && params.length > 0 ? { ...options, prepare: true } : options);
      }
      if (prop === "begin") {
        return (...args: unknown[]) => {
          const fn = args.pop() as (tx: postgres.Sql) => unknown;
          return (target.begin as (...a: unknown[]) => unknown)(...args, (tx: postgres.Sql) => fn(preparing(tx)));
        };
      }
      if (prop === "savepoint") {
        return (...args: unknown[]) => {
          const fn = args.pop() as (tx: postgres.Sql) => unknown;
          return ((target as unknown as { savepoint: (...a: unknown[]) => unknown }).savepoint)(...args, (tx: postgres.Sql) => fn(preparing(tx)));
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
}

export async function createDatabase(opts: { url?: string; dataDir?: string; poolSize?: number; migrationsFolder?: string }): Promise<Database> {
  const migrationsFolder = opts.migrationsFolder ?? MIGRATIONS;
  if (opts.url) {
    const client = postgres(opts.url, {
      max: opts.poolSize ?? 20,
      onnotice: () => {},
      connect_timeout: 10,
      // bigint (int8) comes back as a JS number: amounts are bounded far below 2^53.
      types: { int8: { to: 20, from: [20], serialize: (v: number) => String(v), parse: (v: string) => Number(v) } },
    });
    const db = drizzlePostgres(preparing(client), { schema }) as unknown as Db;
    return {
      db,
      driver: "postgres",
      rows: async (q, executor = db) => rowsOf(await executor.execute(q)),
      migrate: async () => {
        // One migrator at a time when several processes start together: a session lock on
        // a single dedicated connection, held while drizzle applies what is missing.
        const one = postgres(opts.url as string, { max: 1, onnotice: () => {}, connect_timeout: 10 });
        try {
          await one`SELECT pg_advisory_lock(7345891)`;
          await migratePostgres(drizzlePostgres(one), { migrationsFolder });
        } finally {
          await one.end({ timeout: 5 });
        }
      },
      close: () => client.end({ timeout: 5 }),
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
