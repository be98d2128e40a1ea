/**
 * What an Idempotency-Key's shape costs PostgreSQL to store, as the stored keys pile up
 * (`IDEMPOTENCY_RETENTION_HOURS`, 7 days by default). Every keyed write adds a row to
 * `idempotency_keys`, whose primary key is a B-tree on (scope, key):
 * - random keys (a UUIDv4, what the SDK sent before) land on a random leaf page each;
 * - time-ordered keys (a UUIDv7, what `idempotencyKey()` in @softrack/sdk makes now) land at the
 *   right edge of their scope.
 * After every checkpoint, the first change to a page writes the whole page to the WAL: random
 * keys pay that on nearly every insert once the index outgrows what one checkpoint interval
 * touches.
 *
 * The table is the API's own (its migrations), on a private PostgreSQL 15 (fsync on). Both
 * scopes hold `--history` keys of their own kind; each trial starts with a CHECKPOINT and
 * inserts `--batches` groups of 30 rows (a payment group's size), one COMMIT each, like the
 * API's sealed responses (about 900 bytes a row). Trials alternate, `--rounds` times.
 *
 *   npx tsx bench/idempotency-keys.ts [--history 1500000] [--batches 3000] [--rounds 2]
 */
import { parseArgs } from "node:util";
import postgres from "postgres";
import { createDatabase } from "../apps/api/src/db/client.js";
import { fmt } from "./lib/load.js";
import { withPostgres } from "./lib/postgres.js";

const { values } = parseArgs({
  options: {
    history: { type: "string", default: "1500000" },
    batches: { type: "string", default: "3000" },
    rounds: { type: "string", default: "2" },
  },
});
const HISTORY = Number(values.history);
const BATCHES = Number(values.batches);
const ROUNDS = Number(values.rounds);
const GROUP = 30;

/** A key of each kind, in SQL: `sdk_` and 32 hex digits, as the SDK sends them. */
const KEY = {
  random: "'sdk_' || md5(random()::text)",
  // 48 bits of milliseconds, the version digit, then random hex: idempotencyKey()'s layout.
  ordered:
    "'sdk_' || lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0') || '7' || substr(md5(random()::text), 1, 19)",
} as const;
type Kind = keyof typeof KEY;

await withPostgres({ name: "idempotency-keys" }, async (pg) => {
  const database = await createDatabase({ url: pg.url(), poolSize: 2 });
  await database.migrate();
  await database.close();
  const db = postgres(pg.url(), { max: 1, onnotice: () => {} });
  try {
    const row = (kind: Kind, key: string) =>
      `'${kind}', ${key}, 'POST', '/v1/payments', md5(random()::text), 200, repeat(md5(random()::text), 28)`;
    const started = performance.now();
    for (const kind of Object.keys(KEY) as Kind[]) {
      // Past keys of this kind, oldest first (an ordered history grows the way the live one does).
      const past =
        kind === "ordered"
          ? `'sdk_' || lpad(to_hex((extract(epoch FROM now() - interval '1 hour') * 1000)::bigint + g), 12, '0') || '7' || substr(md5(random()::text), 1, 19)`
          : KEY.random;
      await db.unsafe(
        `INSERT INTO idempotency_keys (scope, key, method, path, request_hash, response_status, response_body, created_at)
         SELECT ${row(kind, past)}, now() - interval '1 hour' FROM generate_series(1, ${HISTORY}) g`,
      );
    }
    await db.unsafe("VACUUM ANALYZE idempotency_keys");
    const sizes = await db`SELECT pg_size_pretty(pg_relation_size('idempotency_keys')) AS heap,
      pg_size_pretty(pg_relation_size('idempotency_keys_scope_key_pk')) AS pkey`;
    console.log(
      `history: ${fmt(HISTORY)} keys of each kind in ${((performance.now() - started) / 1000).toFixed(0)} s; table ${sizes[0]?.heap}, primary key ${sizes[0]?.pkey}`,
    );
    for (const kind of Object.keys(KEY) as Kind[]) {
      await db.unsafe(`CREATE PROCEDURE insert_${kind}(batches int) LANGUAGE plpgsql AS $$
        BEGIN
          FOR b IN 1..batches LOOP
            INSERT INTO idempotency_keys (scope, key, method, path, request_hash, response_status, response_body)
            SELECT ${row(kind, KEY[kind])} FROM generate_series(1, ${GROUP});
            COMMIT;
          END LOOP;
        END $$`);
    }
    const results: { kind: Kind; round: number; usPerKey: number; walPerKey: number }[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const kind of Object.keys(KEY) as Kind[]) {
        await db.unsafe("CHECKPOINT");
        const [before] = await db`SELECT pg_current_wal_lsn() AS lsn`;
        const t = performance.now();
        await db.unsafe(`CALL insert_${kind}(${BATCHES})`);
        const ms = performance.now() - t;
        const [wal] = await db`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), ${before?.lsn}::pg_lsn)::float8 AS bytes`;
        const keys = BATCHES * GROUP;
        const r = { kind, round, usPerKey: (ms * 1000) / keys, walPerKey: Number(wal?.bytes) / keys };
        results.push(r);
        console.log(`${kind} keys, round ${round}: ${fmt(r.usPerKey, 1)} µs and ${fmt(r.walPerKey)} bytes of WAL per key`);
      }
    }
    const mean = (kind: Kind, f: (r: (typeof results)[number]) => number) => {
      const rs = results.filter((r) => r.kind === kind);
      return rs.reduce((s, r) => s + f(r), 0) / rs.length;
    };
    console.log(`\nRun: \`npx tsx bench/idempotency-keys.ts --history ${HISTORY} --batches ${BATCHES} --rounds ${ROUNDS}\`\n`);
    console.log("| keys (history of each kind) | µs per key stored | WAL bytes per key |");
    console.log("|---|---:|---:|");
    for (const kind of Object.keys(KEY) as Kind[]) {
      const name = kind === "random" ? "random (UUIDv4)" : "time-ordered (UUIDv7)";
      const us = fmt(
        mean(kind, (r) => r.usPerKey),
        1,
      );
      console.log(`| ${name} | ${us} | ${fmt(mean(kind, (r) => r.walPerKey))} |`);
    }
  } finally {
    await db.end();
  }
});
