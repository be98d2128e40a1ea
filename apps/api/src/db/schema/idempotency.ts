import { bigint, index, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { ts } from "./common.js";

/**
 * One row per (calling key, Idempotency-Key), written in the same database transaction as
 * the request's effect, so a crash can never leave an effect without its stored response
 * (or a stored response without its effect). The response itself is in idempotency_responses,
 * with the other responses its transaction sealed; rows stored before that table hold their
 * own in `response_body`.
 */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    method: text("method").notNull(),
    path: text("path").notNull(),
    requestHash: text("request_hash").notNull(),
    responseStatus: integer("response_status").notNull(),
    /** Rows stored before idempotency_responses: the response's own text. */
    responseBody: text("response_body"),
    /** The idempotency_responses row with this key's response, at `response_index` in it. */
    responseGroup: bigint("response_group", { mode: "number" }),
    responseIndex: integer("response_index"),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  // created_at: retention finds the records past their window without reading the table (jobs/retention.ts).
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index("idempotency_keys_created_idx").on(t.createdAt)],
);

/**
 * The responses one transaction sealed, compressed together (see store/idempotency.ts): one row
 * per transaction, so a group's answers, alike in all but their ids, cost tens of bytes each. The
 * bodies are sealed, or without their derived secret, before they are compressed.
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
