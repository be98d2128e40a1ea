import { index, integer, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { objectColumns, ts } from "./common.js";

/**
 * Tariff versions, immutable once written. Platform tariffs (fee plans, set with the admin
 * key) have no merchant; a transit operator's fare tariffs belong to it.
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
    uniqueIndex("tariffs_owner_code_version_idx").on(t.owner, t.code, t.version),
    index("tariffs_owner_code_idx").on(t.owner, t.code),
  ],
);
