import { bigint, boolean, jsonb, text, timestamp } from "drizzle-orm/pg-core";

/** Columns every API object has (see the contract's Conventions). */
export const objectColumns = () => ({
  id: text("id").primaryKey(),
  livemode: boolean("livemode").notNull().default(false),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

export const money = (name: string) => bigint(name, { mode: "number" });
export const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
export const metadata = () => jsonb("metadata").$type<Record<string, string>>().notNull().default({});
export const merchantRef = () => text("merchant_id").notNull();
