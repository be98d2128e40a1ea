import { type SQL, sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import fc from "fast-check";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BEGIN, createPool, endPool, InlineTransaction, inlineTransaction } from "../src/db/client.js";
import { pgArray } from "../src/lib/pg-array.js";
import { claimStatements, type IdempotencyClaim } from "../src/store/idempotency.js";
import { lockPayments, payingCustomers } from "../src/store/payments.js";
import { realPostgresDatabaseUrl, startTestApi } from "./support.js";

// InlineTransaction writes values into the statement text as literals: a string that ended
// its literal early would be SQL injection. Checked against the server itself.
let pool: pg.Pool;

beforeAll(async () => {
  pool = createPool(await realPostgresDatabaseUrl(), { max: 2 });
});
afterAll(() => endPool(pool));

async function inTransaction<T>(work: (tx: InlineTransaction) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await work(new InlineTransaction(client));
  } finally {
    client.release();
  }
}

/** Text made mostly of what a literal has to escape, and of any other character PostgreSQL can store. */
const hostileText = fc
  .array(fc.oneof(fc.constantFrom("'", "\\", "''", "\\'", "E'", "$$", ";", "--", "\n", '"', "{", "}"), fc.string({ unit: "grapheme" })), {
    maxLength: 12,
  })
  .map((parts) => parts.join("").replaceAll("\u0000", ""));

describe("InlineTransaction on a real PostgreSQL", () => {
  it("a string comes back from the server exactly as sent, whatever quotes and backslashes it holds", async () => {
    await fc.assert(
      fc.asyncProperty(hostileText, hostileText, async (a, b) => {
        const [row] = await inTransaction(async (tx) => {
          const rows = await tx.rows<{ a: string; b: string; n: number }>(sql`SELECT ${a}::text AS a, ${b}::text AS b, 1::int AS n`);
          await tx.commit([]);
          return rows;
        });
        expect(row).toEqual({ a, b, n: 1 });
      }),
      { numRuns: 200 },
    );
  });

  it("a row set sent as array literals comes back element for element", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.option(hostileText, { nil: null }), { maxLength: 8 }), async (values) => {
        const [row] = await inTransaction(async (tx) => {
          const rows = await tx.rows<{ a: (string | null)[] }>(sql`SELECT ${pgArray(values)}::text[] AS a`);
          await tx.commit([]);
          return rows;
        });
        expect(row?.a).toEqual(values);
      }),
      { numRuns: 200 },
    );
  });

  it("messages of every size on one connection, its buffer reused, each carry exactly their own statements", async () => {
    // A connection writes each message into the buffer it used before (grown when too small, and
    // not kept past 256 KiB): a short message after a long one must not carry the long one's
    // tail, and text of several bytes a character must not be cut short.
    const client = await pool.connect();
    try {
      for (const [count, text] of [
        [1, "a"],
        [40, "Кыргызстан 🚌 ".repeat(300)],
        [2, "é"],
        [60, "x'\\".repeat(2_000)],
        [3, "ж".repeat(60_000)], // 360 KB: past what a connection keeps
        [2, "é"],
        [1, ""],
      ] as const) {
        const tx = new InlineTransaction(client);
        const reads = Array.from({ length: count }, (_, i) => sql`SELECT ${`${i}:${text}`}::text AS v`);
        const rows = await tx.reads(reads);
        await tx.commit(Array.from({ length: count }, (_, i) => sql`SELECT ${`${i}:${text}`}::text AS v`));
        expect(rows.map((r) => r[0]?.v)).toEqual(reads.map((_, i) => `${i}:${text}`));
      }
      const after = await client.query<{ n: number }>("SELECT 1::int AS n");
      expect(after.rows).toEqual([{ n: 1 }]);
    } finally {
      client.release();
    }
  });

  it("U+0000 is refused as PostgreSQL refuses it, before anything is sent", async () => {
    await expect(inTransaction((tx) => tx.rows(sql`SELECT ${"a\u0000b"}::text AS v`))).rejects.toMatchObject({ code: "22021" });
    // A long value travels as a piece of its own, and is checked there too.
    const long = `${"x".repeat(4_000)}\u0000`;
    await expect(inTransaction((tx) => tx.rows(sql`SELECT ${long}::text AS v`))).rejects.toMatchObject({ code: "22021" });
  });

  it("a transaction whose commit failed holds none of its locks once it has failed", async () => {
    // A group of writes that fails at its commit is retried at once, with the same keys' locks:
    // they must be free by then, or the retry is 409 request_in_progress. PostgreSQL sends a
    // statement's error before it aborts the transaction, so a client that goes on at the error
    // often finds the locks still held (here about one round in thirty without the fix).
    const watcher = await pool.connect();
    try {
      for (let round = 0; round < 200; round++) {
        const failed = inlineTransaction(pool, "generic", async (tx) => {
          // Many locks, as a full group holds, and so a longer abort.
          await tx.reads([
            sql`SELECT count(pg_try_advisory_xact_lock(k)) FROM generate_series(${round * 1000}::bigint, ${round * 1000 + 999}::bigint) k`,
          ]);
          // An id of its own, as a group that wrote has: its abort then writes to the WAL, and takes longer.
          await tx.commit([sql`SELECT txid_current(), 1 / ${0}::int`]);
        });
        await expect(failed).rejects.toMatchObject({ code: "22012" });
        const { rows } = await watcher.query<{ free: boolean }>("SELECT pg_try_advisory_xact_lock($1::bigint) AS free", [
          round * 1000 + 999,
        ]);
        expect(rows[0]?.free, `round ${round}`).toBe(true);
      }
    } finally {
      watcher.release();
    }
  });

  it("generic plans last only as long as the transaction: the connection goes back to the pool as it came", async () => {
    const client = await pool.connect();
    try {
      const tx = new InlineTransaction(client);
      const [inside] = await tx.rows<{ plan_cache_mode: string }>(
        sql`SELECT current_setting('plan_cache_mode') AS plan_cache_mode, ${1}::int AS one`,
      );
      await tx.commit([]);
      const after = await client.query<{ plan_cache_mode: string }>("SHOW plan_cache_mode");
      expect(inside?.plan_cache_mode).toBe("force_generic_plan");
      expect(after.rows[0]?.plan_cache_mode).toBe("auto");
    } finally {
      client.release();
    }
  });
});

describe("the payment writer's plans", () => {
  // One migrated database for these tests: each works inside a transaction it rolls back, so every
  // test finds the tables empty and without statistics, as a fresh database has them.
  let url: string;
  beforeAll(async () => {
    url = await realPostgresDatabaseUrl();
    const api = await startTestApi({ databaseUrl: url }); // migrates it
    await api.close();
  });
  /** A connection of its own inside a group transaction's BEGIN (the writer's plan settings), rolled back after `work`. */
  async function inGroupTransaction<T>(before: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const fresh = createPool(url, { max: 1 });
    const client = await fresh.connect();
    try {
      await client.query([...BEGIN.generic, ...(before ? [before] : [])].join("; "));
      const out = await work(client);
      await client.query("ROLLBACK");
      return out;
    } finally {
      client.release();
      await endPool(fresh);
    }
  }

  it("locks a group's payments by primary key, even on a plan made while the table was empty", async () => {
    // What the writer does on a fresh database: its connections prepare their statements, on
    // generic plans, before the table has rows or statistics, and keep those plans.
    const lines = await inGroupTransaction("", async (client) => {
      const { sql: text } = new PgDialect().sqlToQuery(lockPayments(["pay_1"], "mer_1", false));
      await client.query(`PREPARE lock_payments AS ${text}`);
      const plan = await client.query<{ "QUERY PLAN": string }>("EXPLAIN EXECUTE lock_payments('{pay_1}', 'mer_1', false)");
      return plan.rows.map((r) => r["QUERY PLAN"]).join("\n");
    });
    expect(lines).toContain("payments_pkey");
    expect(lines).not.toMatch(/payments_merchant/);
  });

  // A generic plan is made once per connection and kept until the table's statistics change, so
  // a plan made on a new database (or before payments had customers) must not cost more as the
  // history grows. Each test makes the plan, then stores 20,000 rows it did not see, and counts
  // the pages the next execution reads.
  function planThenGrow(statement: SQL, before: string, grow: string, args: string): Promise<{ plan: string; pages: number }> {
    return inGroupTransaction(before, async (client) => {
      const { sql: text } = new PgDialect().sqlToQuery(statement);
      await client.query(`PREPARE grown AS ${text}`);
      await client.query(`EXECUTE grown(${args})`); // the plan, made now
      await client.query(grow);
      const out = await client.query<{ "QUERY PLAN": [{ Plan: Record<string, unknown> }] }>(
        `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE grown(${args})`,
      );
      const top = out.rows[0]?.["QUERY PLAN"][0].Plan ?? {};
      return { plan: JSON.stringify(top), pages: Number(top["Shared Hit Blocks"]) + Number(top["Shared Read Blocks"]) };
    });
  }

  it("finds a group's stored responses with one probe per key, however many keys are stored", async () => {
    const claim = (key: string): IdempotencyClaim => ({
      scope: "sk_t",
      key,
      requestHash: "h",
    });
    const { plan, pages } = await planThenGrow(
      claimStatements([claim("a"), claim("b"), claim("c")])[1],
      "ANALYZE idempotency_keys",
      `INSERT INTO idempotency_keys (scope, key, request_hash, response_status, response_body)
       SELECT 'sk_t', 'key_' || g, 'h', 200, repeat('x', 400) FROM generate_series(1, 20000) g`,
      "'{sk_t,sk_t,sk_t}', '{key_7,key_19999,key_none}'",
    );
    expect(plan).toMatch(/scope = u\.scope\) AND \(.*key = u\.key/);
    // Three descents of a B-tree of 20,000 keys and two rows: a walk through the index reads hundreds.
    expect(pages).toBeLessThan(40);
  });

  it("reads the customers that pay by primary key, even on a plan made before any payment had one", async () => {
    const payment = (id: string, customer: string) =>
      `SELECT ${id}, 'mer_1', false, 100, 'KGS', 'succeeded', 'automatic', 'h', ${customer}`;
    const columns = "id, merchant_id, livemode, amount, currency, status, capture_method, client_secret_hash, customer_id";
    const { plan, pages } = await planThenGrow(
      payingCustomers(["pay_1"], ["cus_1"], "mer_1", false),
      // The statistics of a history of card payments: 2,000 of them, not one with a customer.
      `INSERT INTO payments (${columns}) SELECT * FROM (${payment("'card_' || g", "NULL")} FROM generate_series(1, 2000) g) r; ANALYZE payments`,
      `INSERT INTO payments (${columns}) SELECT * FROM (${payment("'pay_' || g", "'cus_' || g")} FROM generate_series(1, 20000) g) r`,
      "'{pay_7,pay_19999}', '{cus_1}', 'mer_1', false",
    );
    expect(plan).not.toContain("payments_customer_idx");
    expect(pages).toBeLessThan(40);
  });
});
