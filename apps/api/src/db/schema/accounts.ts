import { sql } from "drizzle-orm";
import { bigint, index, integer, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { objectColumns, ts } from "./common.js";

/**
 * People who sign in: merchant members (owner, developer, support) and customers (wallet
 * holders, riders). No column holds a code, token or password in clear: passwords are
 * argon2id hashes, TOTP secrets are sealed (the server must read them back).
 */
export const identities = pgTable(
  "identities",
  {
    ...objectColumns(),
    kind: text("kind").$type<"member" | "customer">().notNull(),
    merchantId: text("merchant_id").notNull(),
    /** Members only. */
    role: text("role").$type<"owner" | "developer" | "support">(),
    /** Customers only: the customers row this person is. */
    customerId: text("customer_id"),
    email: text("email"),
    phone: text("phone"),
    passwordHash: text("password_hash"),
    totpSealed: text("totp_sealed"),
    /** A secret shown by setup but not yet confirmed with a code. */
    totpPendingSealed: text("totp_pending_sealed"),
    /** The last TOTP time step accepted: a code of this step or earlier is a replay. */
    totpLastStep: bigint("totp_last_step", { mode: "number" }),
    removedAt: ts("removed_at"),
    /**
     * Members: when the invited person first proved the address (signed in with the emailed
     * code or link). Null: an invitation, which gives nobody anything.
     */
    acceptedAt: ts("accepted_at"),
  },
  (t) => [
    // One membership per merchant and address: another merchant inviting the same address neither sees nor blocks it.
    uniqueIndex("identities_member_email_idx").on(t.merchantId, t.email).where(sql`kind = 'member' AND removed_at IS NULL`),
    uniqueIndex("identities_customer_idx").on(t.customerId).where(sql`kind = 'customer'`),
    index("identities_merchant_idx").on(t.merchantId),
  ],
);

/** A one-time sign-in code (and, by email, a magic link), or a pending second-factor step. */
export const signInChallenges = pgTable(
  "sign_in_challenges",
  {
    ...objectColumns(),
    stage: text("stage").$type<"code" | "second_factor">().notNull(),
    /** Null when nobody has this address: the challenge then can never succeed (no enumeration). */
    identityId: text("identity_id"),
    subjectHash: text("subject_hash").notNull(),
    channel: text("channel").$type<"email" | "sms" | "second_factor">().notNull(),
    client: text("client").$type<"browser" | "app">().notNull(),
    /** HMAC of the code (or of the second-factor token), bound to this challenge's id. */
    codeHash: text("code_hash").notNull(),
    linkHash: text("link_hash"),
    attempts: integer("attempts").notNull().default(0),
    expiresAt: ts("expires_at").notNull(),
    consumedAt: ts("consumed_at"),
  },
  (t) => [
    uniqueIndex("sign_in_challenges_link_idx").on(t.linkHash),
    index("sign_in_challenges_subject_idx").on(t.subjectHash),
    // Retention prunes expired challenges by it (jobs/retention.ts).
    index("sign_in_challenges_expires_idx").on(t.expiresAt),
  ],
);

/**
 * The sign-in limits' fixed windows, shared by every process and kept across restarts
 * (services/auth.ts): wrong typed codes per sign-in subject (address + audience + merchant,
 * known or not; past AUTH_CODE_FAILURES_PER_ADDRESS typed codes are refused until the window
 * ends), and each AUTH_* request limit per client address or subject. `subject_hash` is a keyed
 * hash naming the limit and what it counts (never an address in clear); `failures` is the
 * count of whatever that limit counts.
 */
export const signInThrottles = pgTable(
  "sign_in_throttles",
  {
    subjectHash: text("subject_hash").primaryKey(),
    failures: integer("failures").notNull().default(0),
    windowStartedAt: ts("window_started_at").notNull().defaultNow(),
  },
  // Retention prunes throttles whose window ended by it (jobs/retention.ts).
  (t) => [index("sign_in_throttles_window_idx").on(t.windowStartedAt)],
);

export const recoveryCodes = pgTable(
  "recovery_codes",
  {
    id: text("id").primaryKey(),
    identityId: text("identity_id").notNull(),
    hash: text("hash").notNull(),
    usedAt: ts("used_at"),
  },
  (t) => [index("recovery_codes_identity_idx").on(t.identityId)],
);

export const sessions = pgTable(
  "sessions",
  {
    ...objectColumns(),
    identityId: text("identity_id").notNull(),
    merchantId: text("merchant_id").notNull(),
    tokenHash: text("token_hash").notNull(),
    client: text("client").$type<"browser" | "app">().notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    lastUsedAt: ts("last_used_at"),
    expiresAt: ts("expires_at").notNull(),
    revokedAt: ts("revoked_at"),
    /**
     * A member session is in live mode (`livemode` true) only until this instant: an owner
     * switches it with a fresh second factor, and it falls back to test mode by itself.
     */
    liveModeExpiresAt: ts("live_mode_expires_at"),
  },
  (t) => [
    uniqueIndex("sessions_token_idx").on(t.tokenHash),
    index("sessions_identity_idx").on(t.identityId),
    // Retention prunes expired sessions by it (jobs/retention.ts).
    index("sessions_expires_idx").on(t.expiresAt),
  ],
);

/** Audit log of security events (sign-ins, failures, lockouts, factor and key changes). */
export const securityEvents = pgTable(
  "security_events",
  {
    ...objectColumns(),
    merchantId: text("merchant_id"),
    identityId: text("identity_id"),
    type: text("type").notNull(),
    ip: text("ip"),
    detail: jsonb("detail").$type<Record<string, string | number | boolean | null>>().notNull().default({}),
  },
  (t) => [index("security_events_merchant_idx").on(t.merchantId, t.id), index("security_events_identity_idx").on(t.identityId, t.id)],
);
