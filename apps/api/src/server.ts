import type { AddressInfo, Server, Socket } from "node:net";
import { createAdaptorServer, type ServerType } from "@hono/node-server";
import { sql } from "drizzle-orm";
import type { Logger } from "pino";
import { createApp, fetchRunningConflictsAgain } from "./app.js";
import { loadLiveConnectors } from "./connectors/live.js";
import type { Deps } from "./context.js";
import { createDatabase, createReplicaPool, createSidePool, type Database } from "./db/client.js";
import type { Env } from "./env.js";
import { JobRegistry } from "./jobs/registry.js";
import { planRetention, retentionJobs } from "./jobs/retention.js";
import { startWorker } from "./jobs/worker.js";
import { SecretBox, sha256Hex } from "./lib/crypto.js";
import { newId } from "./lib/ids.js";
import { Signal } from "./lib/signal.js";
import { stopMetrics } from "./observability/metrics.js";
import { onOrderPaymentChanged, orderJobs } from "./services/orders.js";
import { paymentJobs } from "./services/payments.js";
import { payoutJobs } from "./services/payouts.js";
import { loadTaxServices } from "./services/tax.js";
import { openTapGroups, TapGroupCommit } from "./services/transit-group-commit.js";
import { LedgerStore } from "./store/ledger-store.js";

export interface Runtime {
  deps: Deps;
  app: ReturnType<typeof createApp>;
  database: Database;
  workers: { stop(): Promise<void> }[];
  close(): Promise<void>;
}

/** Builds the long-lived parts: database (migrated), ledger store, secret box, app. */
export async function createRuntime(env: Env, logger: Logger, adminKey: string): Promise<Runtime> {
  // Before the database: a bad provider module stops the start with its own message (ConfigError).
  const liveConnectors = await loadLiveConnectors(env.LIVE_CONNECTORS, env.NODE_ENV, logger);
  loadTaxServices(env.TAX_SERVICES_FILE);
  const database = await createDatabase({
    url: env.DATABASE_URL,
    dataDir: env.DATA_DIR,
    poolSize: env.DB_POOL_SIZE,
  });
  await database.migrate();
  // Retention's chain of runs exists from the first start on (one chain however many processes).
  await planRetention({ database, env, now: () => new Date() });
  // Online taps group on a PostgreSQL server, on a small pool of their own (see TapGroupCommit).
  const tapPool =
    database.driver === "postgres" && env.DATABASE_URL ? createSidePool(env.DATABASE_URL, TapGroupCommit.CONNECTIONS) : undefined;
  // Lists and reports that tolerate lag read from replicas (env.ts refuses a replica without DATABASE_URL).
  const replica = env.DATABASE_REPLICA_URL ? createReplicaPool(env.DATABASE_REPLICA_URL, env.DB_POOL_SIZE) : undefined;
  const deps: Deps = {
    env,
    database,
    replica: replica?.db,
    ledger: new LedgerStore(database),
    box: new SecretBox(env.SECRET_ENCRYPTION_KEY ?? adminKey),
    logger,
    adminKeyHash: sha256Hex(adminKey),
    committed: new Signal(),
    liveConnectors,
    publicUrl: env.PUBLIC_URL ?? hostUrl(env.HOST, env.PORT),
    now: () => new Date(),
    jobs: new JobRegistry<Deps>(orderJobs, paymentJobs, payoutJobs, retentionJobs),
    paymentStatusChanged: onOrderPaymentChanged,
  };
  if (tapPool) openTapGroups(deps, tapPool.pool);
  const app = createApp(deps);
  const workers: { stop(): Promise<void> }[] = env.WORKERS === "on" ? [startWorker(deps)] : [];
  const runtime: Runtime = {
    deps,
    app,
    database,
    workers,
    async close() {
      for (const w of workers) await w.stop();
      // A run_jobs call still running finishes before the database closes; none starts after.
      await deps.jobs.close();
      await stopMetrics(deps);
      await tapPool?.close();
      await replica?.close();
      await database.close();
    },
  };
  await database.rows(sql`SELECT 1`);
  return runtime;
}

const hostUrl = (host: string, port: number) => `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

/**
 * Serves the app on HOST:PORT; resolves with the bound address (PORT=0 picks a free one),
 * which becomes the public URL when PUBLIC_URL is not set (development). With `reusePort`,
 * other processes may bind the same port and the kernel spreads connections among them.
 */
export function listen(
  runtime: Runtime,
  host: string,
  port: number,
  opts: { reusePort?: boolean } = {},
): Promise<{ server: ServerType; url: string; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createAdaptorServer({ fetch: fetchRunningConflictsAgain(runtime.app) });
    server.on("clientError", answerClientError);
    server.once("error", reject);
    (server as Server).listen({ host, port, reusePort: opts.reusePort === true }, () => {
      const bound = ((server as Server).address() as AddressInfo).port;
      const url = hostUrl(host, bound);
      if (!runtime.deps.env.PUBLIC_URL) runtime.deps.publicUrl = url;
      resolve({ server, url, port: bound });
    });
  });
}

/**
 * What Node's HTTP parser refuses before the app sees it (a control character in a header,
 * headers over 16 KiB) is answered in the contract's envelope with a Request-Id, not Node's
 * bare 400 or 431. A connection that has gone gets nothing.
 */
function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = err.code === "HPE_HEADER_OVERFLOW";
  const timedOut = err.code === "ERR_HTTP_REQUEST_TIMEOUT";
  const [status, reason, code, message] = tooLarge
    ? [431, "Request Header Fields Too Large", "headers_too_large", "The request's headers (or its URL) are over 16 KiB."]
    : timedOut
      ? [408, "Request Timeout", "request_timeout", "The request did not arrive in time."]
      : [400, "Bad Request", "malformed_request", "The request is not well-formed HTTP."];
  const requestId = newId("request");
  const body = JSON.stringify({ error: { type: "invalid_request_error", code, message, request_id: requestId } });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
  );
}
