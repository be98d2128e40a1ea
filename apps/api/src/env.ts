import { z } from "zod";
import { parseLiveConnectors } from "./connectors/live.js";

/**
 * The environment, parsed once at start. A bad value stops the process with one clear
 * line per problem (see index.ts), never a stack trace.
 */
const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/.+/, "must be a postgres:// or postgresql:// URL")
    .optional(),
  DATA_DIR: z.string().min(1).default("./.data"),
  PLATFORM_ADMIN_KEY: z.string().min(24, "must be at least 24 characters").optional(),
  /** Key that encrypts stored secrets (webhook secrets, replayable responses). Defaults to one derived from the admin key. */
  SECRET_ENCRYPTION_KEY: z.string().min(32, "must be at least 32 characters").optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
  /** How many jobs/webhook workers poll; 0 turns background work off (tests drive it by hand). */
  WORKERS: z.enum(["on", "off"]).default("on"),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
  /** Logs also go to Graylog as GELF over UDP, e.g. udp://graylog:12201 (stdout keeps its JSON lines). */
  LOG_GELF: z
    .string()
    .regex(/^udp:\/\/(\[[0-9a-fA-F:.]+\]|[^:/\s[\]]+):\d{1,5}$/, "must be udp://host:port, e.g. udp://graylog:12201")
    .optional(),
  /** Share (0..1) of successful request lines kept; 4xx, 5xx and every other line are always kept. */
  LOG_SAMPLE_SUCCESS: z.coerce.number().min(0).max(1).default(1),
  /** When set, GET /metrics requires `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  /** Seconds between the ledger checks behind softrack_ledger_* metrics; 0 turns them off. */
  METRICS_LEDGER_VERIFY_INTERVAL: z.coerce.number().int().min(0).default(300),
  /** Requests a second per API key on /v1 (token bucket, per process); 0 turns it off. Generous by default. */
  RATE_LIMIT_PER_KEY: z.coerce.number().min(0).default(5_000),
  /** Requests a second per client address on /v1 (per process; X-Forwarded-For only with TRUST_PROXY=1); 0 turns it off. */
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
});

export type Env = z.infer<typeof envSchema>;

export function parseEnv(source: Record<string, string | undefined>): { ok: true; env: Env } | { ok: false; problems: string[] } {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const r = envSchema.safeParse(cleaned);
  if (r.success) return { ok: true, env: r.data };
  return { ok: false, problems: r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) };
}
