import { bigint, index, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { ts } from "./common.js";

/**
 * One row per (calling key, Idempotency-Key), written in the same database transaction as
 * the request's effect, so a crash can never leave an effect without its stored response
 * (or a stored response without its effect). The response is in `response_body`, as it differs
 * from the frozen answer it is most like (`t1.`: see store/idempotency.ts). Rows of sessions 31
 * to 34 point instead into an idempotency_responses group (`response_group`, `response_index`).
 */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    /**
     * Rows before session 43 only: the request's method and path, written and never read (the
     * request hash holds both). Nullable rather than dropped, so an older process still running
     * beside a newer one during an upgrade can write its rows.
     */
    method: text("method"),
    path: text("path"),
    requestHash: text("request_hash").notNull(),
    responseStatus: integer("response_status").notNull(),
    /** The stored response: templated (`t1.`), or whole in rows older than the templates. */
    responseBody: text("response_body"),
    /** Older rows only: the idempotency_responses group holding this key's response, at `response_index` in it. */
    responseGroup: bigint("response_group", { mode: "number" }),
    responseIndex: integer("response_index"),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  // created_at: retention finds the records past their window without reading the table (jobs/retention.ts).
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index("idempotency_keys_created_idx").on(t.createdAt)],
);

/**
 * The responses one transaction sealed, compressed together: how sessions 31 to 34 stored them,
 * one row per transaction. Nothing writes here now; the rows are still read (a key of then
 * replays) and pruned by retention once no key can point into them.
 */
export const idempotencyResponses = pgTable(
  "idempotency_responses",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    bodies: text("bodies").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [index("idempotency_responses_created_idx").on(t.createdAt)],
);
