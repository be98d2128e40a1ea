import { type ChildProcess, fork } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "./connectors/live.js";
import { demoEnabled, parseEnv } from "./env.js";
import { randomToken } from "./lib/crypto.js";
import { createLogger } from "./logger.js";
import { createRuntime, listen } from "./server.js";
import { ensureDemoMerchant } from "./services/demo.js";
import { DEMO_OWNER_EMAIL } from "./services/members.js";

/** Problems at start are one clear line each and a non-zero exit, never a stack trace. */
function die(...lines: string[]): never {
  for (const l of lines) process.stderr.write(`softrack-api: ${l}\n`);
  process.exit(1);
}

const parsed = parseEnv(process.env);
if (!parsed.ok) die(...parsed.problems.map((p) => `invalid environment: ${p}`));
const env = parsed.env;
/**
 * A process that the first one started for API_PROCESSES: it serves the same port, and the first
 * one alone prints, seeds the demo and supervises.
 */
const EXTRA = "--api-extra-process";
const isExtra = process.argv.includes(EXTRA);
let stopping = false;
if (env.API_PROCESSES > 1 && !env.DATABASE_URL)
  die("API_PROCESSES above 1 needs DATABASE_URL: the embedded database lives inside one process.");
const logger = createLogger(env.LOG_LEVEL, undefined, { gelf: env.LOG_GELF, sampleSuccess: env.LOG_SAMPLE_SUCCESS });

function adminKey(): { key: string; generated: boolean } {
  if (env.PLATFORM_ADMIN_KEY) return { key: env.PLATFORM_ADMIN_KEY, generated: false };
  if (env.NODE_ENV === "production") die("PLATFORM_ADMIN_KEY must be set in production.");
  // An embedded database in memory keeps nothing on disk, nor its key (not a "memory:" folder in the working directory).
  if (env.DATA_DIR === "memory://") return { key: `sk_admin_${randomToken(32)}`, generated: true };
  // Development: generate one on first start and keep it beside the embedded database.
  const file = join(env.DATA_DIR, "admin-key");
  if (existsSync(file)) return { key: readFileSync(file, "utf8").trim(), generated: true };
  mkdirSync(env.DATA_DIR, { recursive: true });
  const key = `sk_admin_${randomToken(32)}`;
  writeFileSync(file, key, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { key, generated: true };
}

const admin = adminKey();
let runtime: Awaited<ReturnType<typeof createRuntime>>;
try {
  runtime = await createRuntime(env, logger, admin.key);
} catch (err) {
  if (err instanceof ConfigError) die(`invalid environment: ${err.message}`);
  const e = err as Error & { code?: string };
  die(
    `cannot open the database (${env.DATABASE_URL ? "DATABASE_URL" : `DATA_DIR=${env.DATA_DIR}`}): ${e.code ? `${e.code} ` : ""}${e.message.split("\n")[0]}`,
  );
}

let bound: Awaited<ReturnType<typeof listen>>;
try {
  bound = await listen(runtime, env.HOST, env.PORT, { reusePort: isExtra || env.API_PROCESSES > 1 });
} catch (err) {
  const e = err as Error & { code?: string };
  await runtime.close();
  die(
    e.code === "EADDRINUSE"
      ? `port ${env.PORT} on ${env.HOST} is already in use; set PORT to a free port.`
      : `cannot listen on ${env.HOST}:${env.PORT}: ${e.message}`,
  );
}

/** Starts the other API_PROCESSES - 1 processes on the port this one bound, and waits until each serves it. */
async function startExtras(count: number, port: number): Promise<ChildProcess[]> {
  const extras = Array.from({ length: count }, () =>
    fork(process.argv[1] as string, [EXTRA], { env: { ...process.env, PORT: String(port), API_PROCESSES: "1" } }),
  );
  const ready = (child: ChildProcess) =>
    new Promise<void>((resolve, reject) => {
      child.once("message", () => resolve());
      child.once("exit", (code) => reject(new Error(`an extra API process exited with ${code} before it served`)));
    });
  try {
    await Promise.all(extras.map(ready));
  } catch (err) {
    for (const child of extras) child.kill("SIGTERM");
    await runtime.close();
    die((err as Error).message);
  }
  return extras;
}

let extras: ChildProcess[] = [];
if (isExtra) {
  process.send?.("ready");
  // The first process is gone (even by kill -9): this one stops too, so nothing serves half a set.
  process.on("disconnect", () => void shutdown("disconnect"));
} else if (env.API_PROCESSES > 1) {
  extras = await startExtras(env.API_PROCESSES - 1, bound.port);
  for (const child of extras) {
    // One of the set died: stop all, so that a supervisor restarts the whole set cleanly.
    child.once("exit", (code, signal) => {
      if (stopping) return;
      logger.error({ pid: child.pid, exitCode: code, signal }, "an API process exited; stopping the others");
      void shutdown("extra process exit", 1);
    });
  }
}

const url = bound.url;
const lines = [
  "",
  `  Softrack API ready on ${url}${extras.length > 0 ? ` (${extras.length + 1} processes)` : ""}  (${runtime.database.driver === "pglite" ? `embedded PostgreSQL in ${env.DATA_DIR}` : "PostgreSQL server"})`,
  `    health        ${url}/health`,
  `    API reference ${url}/docs   (OpenAPI: ${url}/openapi.json)`,
  ...(demoEnabled(env) ? [`    checkout demo ${url}/demo`] : []),
  `    site          ${url}/`,
];
if (admin.generated) lines.push(`  Platform admin key (development): ${admin.key}`);
if (env.NODE_ENV === "development" && demoEnabled(env) && !isExtra) {
  const demo = await ensureDemoMerchant(runtime.deps);
  lines.push(
    `  Demo merchant ${demo.id}${demo.created ? " (created)" : ""}`,
    `    secret key      ${demo.secretKey}`,
    `    publishable key ${demo.publishableKey}`,
    `  Try: curl -s ${url}/v1/balance -H "Authorization: Bearer ${demo.secretKey}"`,
    `  Merchant console ${url}/console/  sign in as ${DEMO_OWNER_EMAIL}; the one-time code lands in the dev outbox:`,
    `    curl -s ${url}/v1/test_helpers/outbox -H "Authorization: Bearer <platform admin key>"`,
  );
}
if (!isExtra) process.stdout.write(`${lines.join("\n")}\n\n`);

async function shutdown(signal: string, code = 0) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "draining in-flight requests");
  // Stop accepting, let in-flight requests finish, then stop workers and the database.
  const timer = setTimeout(() => process.exit(1), 15_000);
  timer.unref();
  const extrasGone = extras.map((child) =>
    child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once("exit", r)),
  );
  for (const child of extras) child.kill("SIGTERM");
  await new Promise<void>((resolve) => bound.server.close(() => resolve()));
  await runtime.close();
  await Promise.all(extrasGone);
  logger.info("stopped");
  process.exit(code);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
