import { parseEnv } from "./env.js";
import { randomToken } from "./lib/crypto.js";
import { createLogger } from "./logger.js";
import { createRuntime, listen, type Runtime } from "./server.js";
import { createMerchant } from "./services/merchants.js";

export interface TestApi {
  url: string;
  adminKey: string;
  merchant: { id: string; secretKey: string; publishableKey: string };
  runtime: Runtime;
  close(): Promise<void>;
}

/**
 * Starts the real API on 127.0.0.1 with a random port, on an in-memory embedded database
 * (or `databaseUrl`), with a fresh test merchant. For the SDK, widget and site test suites.
 */
export async function startApi(
  opts: { databaseUrl?: string; env?: Record<string, string>; adminKey?: string; logStream?: NodeJS.WritableStream } = {},
): Promise<TestApi> {
  const adminKey = opts.adminKey ?? `sk_admin_${randomToken(32)}`;
  const parsed = parseEnv({
    NODE_ENV: "test",
    DATA_DIR: "memory://",
    LOG_LEVEL: "silent",
    PORT: "0",
    // The key this API runs with (production's config check asks for it).
    PLATFORM_ADMIN_KEY: adminKey,
    // Retention's first run a day away: a long suite's run_jobs never meets it by chance
    // (test/retention.test.ts makes it due when it wants one).
    RETENTION_INTERVAL_MINUTES: "1440",
    ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : {}),
    ...opts.env,
  });
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  const logger = createLogger(parsed.env.LOG_LEVEL, opts.logStream as never);
  const runtime = await createRuntime(parsed.env, logger, adminKey);
  const { server, url } = await listen(runtime, "127.0.0.1", 0);
  const m = await createMerchant(runtime.database.db, { name: "Test Merchant", country: "KG", default_currency: "KGS" });
  return {
    url,
    adminKey,
    merchant: { id: m.id, secretKey: m.keys.secret_key, publishableKey: m.keys.publishable_key },
    runtime,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await runtime.close();
    },
  };
}
