/**
 * PostgreSQL / driver errors that mean "the database is away", not "this request is wrong":
 * SQLSTATE classes 08 (connection), 57P0x (shutdown, crash), 57014 (statement timeout), 53300
 * (too many connections), serialization failures and deadlocks; socket errors. And 25006
 * (read-only transaction): during a switchover a new connection can reach the old primary while it
 * restarts as a standby; the write failed whole, and a retry reaches the new primary.
 */
const DB_UNAVAILABLE = /^(08|57P0|57014|53300|40001|40P01|25006)|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN/;
/** node-postgres reports a lost or unreachable server by message only, without a code. */
const DB_UNAVAILABLE_MESSAGE =
  /^(Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|timeout exceeded when trying to connect|Query read timeout)/;

/** A deadlock or serialization failure: the write met a concurrent one and was rolled back whole. */
const CONFLICT = /^(40001|40P01)$/;

type DriverError = { code?: unknown; message?: unknown; table?: unknown; cause?: unknown };

/** Whether the error, or one it wraps (drizzle wraps the driver's error as `cause`), passes `test`. */
function anyCause(err: unknown, test: (e: DriverError) => boolean): boolean {
  let e = err as DriverError | undefined;
  for (let depth = 0; e && depth < 3; depth++, e = e.cause as DriverError | undefined) if (test(e)) return true;
  return false;
}

export function isConflict(err: unknown): boolean {
  return anyCause(err, (e) => CONFLICT.test(String(e.code ?? "")));
}

/**
 * An Idempotency-Key stored already, met by a write that sealed its own answer under it: the
 * primary key of idempotency_keys refused the row, and the write's whole transaction rolled back.
 */
export function isKeyTaken(err: unknown): boolean {
  // Its one unique index is the primary key, (scope, key).
  return anyCause(err, (e) => e.code === "23505" && e.table === "idempotency_keys");
}

export function isDatabaseDown(err: unknown): boolean {
  return anyCause(err, (e) => DB_UNAVAILABLE.test(String(e.code ?? "")) || DB_UNAVAILABLE_MESSAGE.test(String(e.message ?? "")));
}
