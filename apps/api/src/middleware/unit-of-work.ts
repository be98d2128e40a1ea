import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import type { AppEnv, Deps } from "../context.js";
import { sha256Hex } from "../lib/crypto.js";
import { ApiError, invalid } from "../lib/errors.js";
import { canonicalJson } from "../lib/json.js";

class Rollback extends Error {}

/**
 * Every write request runs in ONE database transaction together with its idempotency
 * record, so an effect and its stored response commit (or vanish) together: a crash at
 * any instant leaves either both or neither, and a retry with the same key is then
 * either replayed or run afresh — never applied twice.
 *
 * Concurrent requests with one key: the first takes a transaction-scoped advisory lock
 * on the key; the others fail to take it and get 409 `request_in_progress`. The lock
 * dies with the transaction, so a crashed request never blocks its retry.
 *
 * Only responses the handler returned are stored (2xx, and 402 declines whose failed
 * payment is recorded); a thrown error rolls back everything and stores nothing,
 * like a request that failed validation at Stripe.
 */
export function unitOfWork(deps: Deps): MiddlewareHandler<AppEnv> {
  return async function unitOfWork(c, next) {
    const key = c.req.header("Idempotency-Key");
    if (key !== undefined && (key.length === 0 || key.length > 255)) {
      throw invalid("idempotency_key_invalid", "Idempotency-Key must be 1 to 255 characters.", "Idempotency-Key");
    }
    const principal = c.get("principal");
    let requestHash = "";
    if (key !== undefined) {
      const raw = await c.req.text();
      let canonical = raw;
      try {
        canonical = raw.trim() === "" ? "" : canonicalJson(JSON.parse(raw));
      } catch {
        // Malformed JSON: hash the raw text; the validator rejects it below.
      }
      requestHash = sha256Hex(`${c.req.method} ${c.req.path}\n${canonical}`);
    }
    // A key has one mode for life; a console session changes mode, and a live answer must never replay to it in test mode.
    const scope = principal.kind === "secret" && principal.session && principal.livemode ? `${principal.keyId}:live` : principal.keyId;
    let replay: { status: number; body: string } | null = null;
    try {
      await deps.database.db.transaction(async (tx) => {
        c.set("db", tx);
        if (key !== undefined) {
          const lockKey = createHash("sha256").update(`${scope}\u0000${key}`).digest().readBigInt64BE(0);
          const [lock] = await deps.database.rows<{ ok: boolean }>(sql`SELECT pg_try_advisory_xact_lock(${lockKey}::bigint) AS ok`, tx);
          if (!lock?.ok) {
            throw new ApiError(
              409,
              "idempotency_error",
              "request_in_progress",
              "A request with this Idempotency-Key is still being processed; retry shortly.",
              undefined,
              {},
              { "Retry-After": "1" },
            );
          }
          const [prior] = await deps.database.rows<{ request_hash: string; response_status: number; response_body: string }>(
            sql`SELECT request_hash, response_status, response_body FROM idempotency_keys WHERE scope = ${scope} AND key = ${key}`,
            tx,
          );
          if (prior) {
            if (prior.request_hash !== requestHash) {
              throw new ApiError(
                422,
                "idempotency_error",
                "idempotency_key_reused",
                "This Idempotency-Key was already used with a different request body or path.",
              );
            }
            replay = { status: prior.response_status, body: deps.box.open(prior.response_body) };
            return;
          }
        }
        await next();
        if (c.error || c.res.status >= 500) throw new Rollback();
        if (key !== undefined) {
          const text = await c.res.clone().text();
          await deps.database.rows(
            sql`INSERT INTO idempotency_keys (scope, key, method, path, request_hash, response_status, response_body)
                VALUES (${scope}, ${key}, ${c.req.method}, ${c.req.path}, ${requestHash}, ${c.res.status}, ${deps.box.seal(text)})`,
            tx,
          );
        }
      });
    } catch (err) {
      if (!(err instanceof Rollback)) throw err;
    } finally {
      c.set("db", deps.database.db);
    }
    if (replay) {
      const r = replay as { status: number; body: string };
      return c.body(r.body, r.status as 200, { "Content-Type": "application/json", "Idempotent-Replayed": "true" });
    }
    deps.committed.notify();
  };
}
