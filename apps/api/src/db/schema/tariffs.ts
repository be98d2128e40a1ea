import { index, integer, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { objectColumns, ts } from "./common.js";

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
