import { boolean, index, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { ts } from "./common.js";

/**
 * Durable jobs (order expiry, release of pending money). A job and its effect commit in
 * one transaction, and workers claim with FOR UPDATE SKIP LOCKED, so a job runs once even
 * with several API processes on one database.
 */
export const jobs = pgTable(
  "jobs",
  {
    id: text("id").primaryKey(),
    kind: text("kind").notNull(),
    /** Natural key so a job is scheduled once per subject (e.g. "order.expire:ord_…"). */
    dedupeKey: text("dedupe_key").notNull(),
    runAt: ts("run_at").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    livemode: boolean("livemode").notNull().default(false),
    status: text("status").$type<"scheduled" | "done" | "canceled">().notNull().default("scheduled"),
    result: text("result"),
    finishedAt: ts("finished_at"),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [uniqueIndex("jobs_dedupe_idx").on(t.dedupeKey), index("jobs_due_idx").on(t.status, t.runAt)],
);

export const leads = pgTable("leads", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  email: text("email").notNull(),
  company: text("company"),
  message: text("message").notNull(),
  ipHash: text("ip_hash").notNull(),
  createdAt: ts("created_at").notNull().defaultNow(),
});
