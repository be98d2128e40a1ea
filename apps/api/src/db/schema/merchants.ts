import { index, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { metadata, objectColumns, ts } from "./common.js";

export const merchants = pgTable("merchants", {
  ...objectColumns(),
  name: text("name").notNull(),
  country: text("country").notNull(),
  defaultCurrency: text("default_currency").notNull(),
  feeTariff: text("fee_tariff"),
  metadata: metadata(),
  /** When the platform activated live mode (issued live keys); null: test mode only. */
  liveActivatedAt: ts("live_activated_at"),
  /**
   * The activation's answer (the first live keys), sealed: activation is idempotent per
   * merchant, so a repeated call answers the same keys instead of minting more.
   */
  liveActivationSealed: text("live_activation_sealed"),
});

/** API keys are stored as SHA-256 hashes; the clear key is shown once, at creation. */
export const apiKeys = pgTable(
  "api_keys",
  {
    ...objectColumns(),
    merchantId: text("merchant_id").notNull(),
    kind: text("kind").$type<"secret" | "publishable">().notNull(),
    hash: text("hash").notNull(),
    /** The first characters and last four, for people to recognise a key: "sk_test_…a1b2". */
    hint: text("hint").notNull(),
    expiresAt: ts("expires_at"),
    revokedAt: ts("revoked_at"),
  },
  (t) => [uniqueIndex("api_keys_hash_idx").on(t.hash), index("api_keys_merchant_idx").on(t.merchantId)],
);

/** Platform settings the server must keep (sealed secrets, e.g. the demo merchant's keys in development). */
export const settings = pgTable("settings", {
  key: text("key").primaryKey(),
  value: jsonb("value").notNull(),
});
