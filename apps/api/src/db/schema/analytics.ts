import { bigint, boolean, index, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { merchantRef, money, ts } from "./common.js";

/**
 * The analytics overview's figures, per merchant, mode and 15-minute bucket (UTC; every real
 * zone's offset is a multiple of 15 minutes, so a bucket lies in one local day and hour):
 * - `payment_succeeded` / `payment_failed`: payments created in the bucket that reached that
 *   outcome, by method (`dimension`, '' when none), with their captured amount and fee;
 * - `refund`: succeeded refunds made in the bucket;
 * - `ride`: accepted taps in the bucket, by route (`dimension`), with their fares.
 *
 * Statement triggers on payments, refunds and taps (migration 0015) write each statement's change
 * as rows of `analytics_deltas`: appended, never updated, so concurrent writers take no lock on a
 * merchant's figures. The retention run folds the deltas into `analytics_rollups` (one row per
 * key). The overview sums both tables, so it is exact at once, and it reads a few thousand rows
 * for a month however many payments the month had.
 */
const figures = {
  merchantId: merchantRef(),
  livemode: boolean("livemode").notNull(),
  bucket: ts("bucket").notNull(),
  measure: text("measure").$type<"payment_succeeded" | "payment_failed" | "refund" | "ride">().notNull(),
  currency: text("currency").notNull(),
  dimension: text("dimension").notNull(),
  count: bigint("count", { mode: "number" }).notNull(),
  amount: money("amount").notNull(),
  fee: money("fee").notNull(),
};

export const analyticsRollups = pgTable("analytics_rollups", figures, (t) => [
  primaryKey({ name: "analytics_rollups_pkey", columns: [t.merchantId, t.livemode, t.bucket, t.measure, t.currency, t.dimension] }),
]);

export const analyticsDeltas = pgTable("analytics_deltas", figures, (t) => [
  index("analytics_deltas_merchant_idx").on(t.merchantId, t.livemode, t.bucket),
]);
