import { z } from "zod";
import { parseLiveConnectors } from "./connectors/live.js";

/**
 * The environment, parsed once at start. A bad value stops the process with one clear
 * line per problem (see index.ts), never a stack trace.
 */
const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** BUYER_HASH_KEY's development default: known to everyone, so production refuses to start with it. */
export const DEV_BUYER_HASH_KEY = "softrack-development-buyer-hash-key-do-not-use-in-production";

/** A sign-in limit: a whole number of requests or answers per window, at least 1. */
const authLimit = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/.+/, "must be a postgres:// or postgresql:// URL")
    .optional(),
  /**
   * A read-only, lag-tolerant second pool (a streaming replica, or HAProxy's read port): the
   * routes that declare `reads: "replica"` (lists and reports, docs/operations.md) read from it.
   * Balances, retrieves, idempotent replays and every write stay on DATABASE_URL.
   */
  DATABASE_REPLICA_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/.+/, "must be a postgres:// or postgresql:// URL")
    .optional(),
  DATA_DIR: z.string().min(1).default("./.data"),
  PLATFORM_ADMIN_KEY: z.string().min(24, "must be at least 24 characters").optional(),
  /** Key that encrypts stored secrets (webhook secrets, replayable responses). Defaults to one derived from the admin key. */
  SECRET_ENCRYPTION_KEY: z.string().min(32, "must be at least 32 characters").optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
  /**
   * The platform secret that keys buyers' hashes (HMAC-SHA256 of the normalised phone or email,
   * services/buyers.ts): a buyer's history is found by it, and the identifier is never stored.
   * The development default is public, so production refuses it. Changing it forgets every history.
   */
  BUYER_HASH_KEY: z.string().min(32, "must be at least 32 characters").default(DEV_BUYER_HASH_KEY),
  /**
   * API processes serving PORT together (the kernel spreads connections among them, SO_REUSEPORT;
   * Linux). One event loop per core: on one host, the second core without a proxy in front.
   * Above 1 needs DATABASE_URL, since the embedded database lives inside one process.
   */
  API_PROCESSES: z.coerce.number().int().min(1).max(64).default(1),
  /** How many jobs/webhook workers poll; 0 turns background work off (tests drive it by hand). */
  WORKERS: z.enum(["on", "off"]).default("on"),
  /**
   * Retention (jobs/retention.ts, docs/operations.md): how long each kind of bookkeeping row is
   * kept. Money records (payments, refunds, orders, taps, the ledger, payouts, disputes,
   * reconciliations) and events are never pruned. The contract keeps an Idempotency-Key at
   * least 24 hours, so a shorter window is refused.
   */
  IDEMPOTENCY_RETENTION_HOURS: z.coerce.number().int().min(24, "must be at least 24 (the contract keeps a key 24 hours)").default(168),
  /** Days a finished webhook delivery (delivered or failed) and each attempt are kept; pending ones always stay. */
  WEBHOOK_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
  /** Days a finished job (done or canceled) is kept after it ran; scheduled ones always stay. */
  JOB_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
  /** Minutes between retention runs (sooner while a backlog remains). */
  RETENTION_INTERVAL_MINUTES: z.coerce.number().int().min(1).max(1_440).default(5),
  /** Rows one retention DELETE removes at most: each batch is its own short transaction. */
  RETENTION_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(1_000),
  /** Batches one retention run deletes at most, over all its rules; the rest waits for the next run. */
  RETENTION_BATCHES_PER_RUN: z.coerce.number().int().min(1).max(10_000).default(100),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
  /** Logs also go to Graylog as GELF over UDP, e.g. udp://graylog:12201 (stdout keeps its JSON lines). */
  LOG_GELF: z
    .string()
    .regex(/^udp:\/\/(\[[0-9a-fA-F:.]+\]|[^:/\s[\]]+):\d{1,5}$/, "must be udp://host:port, e.g. udp://graylog:12201")
    .optional(),
  /** Share (0..1) of successful request lines kept; 4xx, 5xx and every other line are always kept. */
  LOG_SAMPLE_SUCCESS: z.coerce.number().min(0).max(1).default(1),
  /** When set, GET /metrics requires `Authorization: Bearer <METRICS_TOKEN>`; required in production unless METRICS=off. */
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  /** `off` removes GET /metrics (404) and its background ledger check. */
  METRICS: z.enum(["on", "off"]).default("on"),
  /**
   * The origin people reach this API at (https://pay.example.com): every absolute URL the
   * server builds (the emailed sign-in link) starts with it, never with a request's Host.
   * Required in production; elsewhere it defaults to the listening address.
   */
  PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: "must be an http:// or https:// URL, e.g. https://pay.example.com" })
    .transform((u) => new URL(u).origin)
    .optional(),
  /** `1` serves the anonymous /demo checkout (a test-mode demo merchant); on by default outside production only. */
  DEMO: z.enum(["0", "1"]).optional(),
  /**
   * How many proxies in front of this process append to X-Forwarded-For. 0 (default): the
   * socket's address is the client. N: the client is the N-th address from the right (what
   * the nearest trusted proxy saw); anything further left was sent by the client and is
   * ignored. `true` means 1.
   */
  TRUST_PROXY: z
    .union([z.literal("true").transform(() => 1), z.literal("false").transform(() => 0), z.coerce.number().int().min(0).max(10)])
    .default(0),
  /** Least seconds between the ledger checks behind softrack_ledger_* metrics (started by a scrape, never by a timer); 0 turns them off. */
  METRICS_LEDGER_VERIFY_INTERVAL: z.coerce.number().int().min(0).default(300),
  /** Requests a second per API key on /v1 (token bucket, per process); 0 turns it off. Generous by default. */
  RATE_LIMIT_PER_KEY: z.coerce.number().min(0).default(5_000),
  /** Requests a second per client address on /v1 (per process; X-Forwarded-For only as far as TRUST_PROXY allows); 0 turns it off. */
  RATE_LIMIT_PER_IP: z.coerce.number().min(0).default(20_000),
  /** How many seconds' worth of requests a caller may send at once before the per-second rate applies. */
  RATE_LIMIT_BURST_SECONDS: z.coerce.number().positive().default(2),
  /**
   * Live payment providers, method=module pairs: "card=/opt/softrack/acquirer.js,sms=@acme/sms-connector".
   * Each module exports a PaymentConnector (src/connectors/connector.ts). Unset: live card, SMS
   * and QR payments answer 400 method_unavailable (wallets and transit need no provider).
   */
  LIVE_CONNECTORS: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      const parsed = value === undefined ? [] : parseLiveConnectors(value);
      if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: parsed });
    }),
  /**
   * Sign-in throttles (services/auth.ts), counted in the database (shared by every process, kept
   * across restarts): see docs/configuration.md. Windows are 10 minutes, except the per-address
   * ones (an hour).
   */
  AUTH_CODE_REQUESTS_PER_IP: authLimit(30),
  AUTH_CODE_REQUESTS_PER_IDENTITY: authLimit(5),
  AUTH_CODE_REQUESTS_PER_ADDRESS: authLimit(30),
  AUTH_ATTEMPTS_PER_IP: authLimit(100),
  AUTH_FAILURES_PER_IP: authLimit(20),
  /** Wrong typed codes for one email or phone, from any client, in an hour (counted in the database). */
  AUTH_CODE_FAILURES_PER_ADDRESS: authLimit(10),
  /** Sign-in email goes through this SMTP server (smtp://user:pass@host:587, smtps://…); unset: the dev outbox. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/.+/, "must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.com:587")
    .optional(),
  /** The From of sign-in email. */
  MAIL_FROM: z.string().min(3).default("Softrack <no-reply@softrack.test>"),
  /** Sign-in SMS are POSTed here as {to, text}; unset: the dev outbox. */
  SMS_GATEWAY_URL: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).optional(),
  /** A JSON file {services: [{code, name}]} replacing the bundled tax service codes (read once at start). */
  TAX_SERVICES_FILE: z.string().min(1).optional(),
  /** The checkout's repository root (packages/widget/dist, apps/site/dist); unset: found from this file's place. */
  STATIC_ROOT: z.string().min(1).optional(),
});

export type Env = z.infer<typeof envSchema>;

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Settings that are fine on a developer's machine and dangerous on a server that holds
 * money: production refuses to start with them, one line each.
 */
function productionProblems(env: Env): string[] {
  if (env.NODE_ENV !== "production") return [];
  const problems: string[] = [];
  if (!env.PLATFORM_ADMIN_KEY) problems.push("PLATFORM_ADMIN_KEY: must be set in production (no generated admin key)");
  if (!env.PUBLIC_URL)
    problems.push("PUBLIC_URL: must be set in production (the origin sign-in links point to, e.g. https://pay.example.com)");
  else if (!env.PUBLIC_URL.startsWith("https://") && !LOOPBACK.has(new URL(env.PUBLIC_URL).hostname))
    problems.push("PUBLIC_URL: must be https:// in production (http:// only for localhost)");
  if (env.BUYER_HASH_KEY === DEV_BUYER_HASH_KEY)
    problems.push("BUYER_HASH_KEY: must be set in production (the development default is public; at least 32 random characters)");
  if (env.METRICS === "on" && !env.METRICS_TOKEN)
    problems.push("METRICS_TOKEN: must be set in production (or METRICS=off): /metrics is never public");
  return problems;
}

export function parseEnv(source: Record<string, string | undefined>): { ok: true; env: Env } | { ok: false; problems: string[] } {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const r = envSchema.safeParse(cleaned);
  if (!r.success) return { ok: false, problems: r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) };
  const problems = productionProblems(r.data);
  // The embedded database has no replicas: a replica URL beside it would serve another database's rows.
  if (r.data.DATABASE_REPLICA_URL && !r.data.DATABASE_URL)
    problems.push("DATABASE_REPLICA_URL: needs DATABASE_URL (a replica of a PostgreSQL server, never of the embedded database)");
  return problems.length ? { ok: false, problems } : { ok: true, env: r.data };
}

/** The demo checkout: on outside production unless DEMO=0; in production only with DEMO=1. */
export const demoEnabled = (env: Env) => (env.DEMO === undefined ? env.NODE_ENV !== "production" : env.DEMO === "1");
