import { index, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { ts } from "./common.js";

/**
 * One row per (calling key, Idempotency-Key), written in the same database transaction as
 * the request's effect, so a crash can never leave an effect without its stored response
 * (or a stored response without its effect). The body is sealed: responses may carry a
 * secret key or a client secret.
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
    responseBody: text("response_body").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  // created_at: retention finds the records past their window without reading the table (jobs/retention.ts).
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index("idempotency_keys_created_idx").on(t.createdAt)],
);
