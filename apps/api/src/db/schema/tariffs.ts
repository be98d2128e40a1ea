import { boolean, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { money, objectColumns, ts } from "./common.js";

/**
 * Tariff versions, immutable once written. Platform tariffs (fee plans, set with the admin
 * key) have no merchant and no mode: they are the platform's pricing in both modes (stored
 * with livemode false). A transit operator's fare tariffs belong to it and to the mode of
 * the key that wrote them, so versions are numbered per (owner, mode, code).
 */
export const tariffs = pgTable(
  "tariffs",
  {
    ...objectColumns(),
    owner: text("owner").notNull(),
    code: text("code").notNull(),
    version: integer("version").notNull(),
    kind: text("kind").$type<"fee" | "fare">().notNull(),
    currency: text("currency").notNull(),
    timezone: text("timezone").notNull(),
    effectiveFrom: ts("effective_from").notNull(),
    rules: jsonb("rules").$type<Record<string, unknown>>().notNull(),
  },
  (t) => [
    uniqueIndex("tariffs_owner_mode_code_version_idx").on(t.owner, t.livemode, t.code, t.version),
    index("tariffs_owner_mode_code_idx").on(t.owner, t.livemode, t.code),
  ],
);

/**
 * A merchant's captured volume in one tier period of its fee tariff (the tariff's `tier_period`
 * in its `timezone`, starting at `period_start`), kept by the same transaction as each capture
 * that adds to it. Volume tiers read one row here instead of summing the period's payments, so a
 * payment costs the same on the last day of a busy month as on the first. Refunds do not lower
 * it (see the tariff documentation in packages/core).
 */
export const feeVolumes = pgTable(
  "fee_volumes",
  {
    merchantId: text("merchant_id").notNull(),
    livemode: boolean("livemode").notNull(),
    currency: text("currency").notNull(),
    timezone: text("timezone").notNull(),
    period: text("period").$type<"day" | "week" | "month">().notNull(),
    periodStart: ts("period_start").notNull(),
    volume: money("volume").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.livemode, t.currency, t.timezone, t.period, t.periodStart] })],
);
