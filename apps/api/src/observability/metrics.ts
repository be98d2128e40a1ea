import { sql } from "drizzle-orm";
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { AppEnv, Deps } from "../context.js";
import { gelfStats } from "./gelf.js";

/**
 * Prometheus metrics, one registry per running app (tests start several in one process).
 * HTTP metrics are counted in memory by a middleware; everything about stored state
 * (payments by status, the webhook queue, the ledger check, connections) is read from the
 * database when /metrics is scraped, so no request path writes anything extra.
 */
export interface Metrics {
  registry: Registry;
  requestDuration: Histogram<"method" | "route" | "status">;
  inFlight: Gauge;
  /** Reads the database-backed gauges; call before `registry.metrics()`. */
  refresh(): Promise<void>;
}

const byDeps = new WeakMap<Deps, Metrics>();
const METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]);

export function metricsFor(deps: Deps): Metrics {
  let m = byDeps.get(deps);
  if (!m) {
    m = createMetrics(deps);
    byDeps.set(deps, m);
  }
  return m;
}

/** Request count, latency and status per route pattern (`/v1/payments/:id/confirm`), never per raw path. */
export function httpMetrics(deps: Deps): MiddlewareHandler<AppEnv> {
  const m = metricsFor(deps);
  return async function httpMetrics(c, next) {
    const end = m.requestDuration.startTimer();
    m.inFlight.inc();
    try {
      await next();
    } finally {
      m.inFlight.dec();
      end({ method: METHODS.has(c.req.method) ? c.req.method : "OTHER", route: routeOf(c), status: String(c.res.status) });
    }
  };
}

/**
 * The pattern of the route that answered (`c.req.routeIndex` is where the chain stopped):
 * a handler's path, or a middleware's (`/v1/*` for a 401 from authentication).
 */
function routeOf(c: Context): string {
  return matchedRoutes(c)[c.req.routeIndex]?.path ?? "unmatched";
}

function createMetrics(deps: Deps): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const requestDuration = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request latency by method, route pattern and status (the _count series is the request rate)",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const inFlight = new Gauge({ name: "http_requests_in_flight", help: "HTTP requests being served now", registers });

  const payments = new Gauge({
    name: "softrack_payments",
    help: "Stored payments by status and mode (read from the database at scrape time)",
    labelNames: ["status", "livemode"] as const,
    registers,
  });
  const webhookPending = new Gauge({
    name: "softrack_webhook_deliveries_pending",
    help: "Webhook deliveries waiting to be sent",
    registers,
  });
  const webhookAge = new Gauge({
    name: "softrack_webhook_oldest_pending_age_seconds",
    help: "Age of the oldest pending webhook delivery (0 when the queue is empty)",
    registers,
  });
  const ledgerBalanced = new Gauge({
    name: "softrack_ledger_balanced",
    help: "1 when the last ledger check found every currency summing to zero and every balance equal to its postings",
    registers,
  });
  const ledgerMismatches = new Gauge({ name: "softrack_ledger_mismatches", help: "Mismatches found by the last ledger check", registers });
  const ledgerAccounts = new Gauge({
    name: "softrack_ledger_accounts_checked",
    help: "Accounts checked by the last ledger check",
    registers,
  });
  const ledgerCheckedAt = new Gauge({
    name: "softrack_ledger_verify_timestamp_seconds",
    help: "Unix time of the last ledger check (METRICS_LEDGER_VERIFY_INTERVAL apart)",
    registers,
  });
  const dbUp = new Gauge({ name: "softrack_db_up", help: "1 when the database answered the last scrape", registers });
  const dbPoolMax = new Gauge({ name: "softrack_db_pool_max", help: "Largest number of connections this process opens", registers });
  const dbConnections = new Gauge({
    name: "softrack_db_connections",
    help: "Connections to this database by state, as the server sees them (all API processes together)",
    labelNames: ["state"] as const,
    registers,
  });
  const scrapeDuration = new Gauge({
    name: "softrack_metrics_db_scrape_duration_seconds",
    help: "Time the last scrape spent reading the database",
    registers,
  });
  new Counter({
    name: "softrack_log_gelf_messages_total",
    help: "Log lines handed to the GELF output, by result",
    labelNames: ["result"] as const,
    registers,
    collect() {
      this.reset();
      this.inc({ result: "sent" }, gelfStats.sent);
      this.inc({ result: "error" }, gelfStats.errors);
    },
  });

  const { database } = deps;
  dbPoolMax.set(database.driver === "postgres" ? deps.env.DB_POOL_SIZE : 1);
  const ledgerEvery = deps.env.METRICS_LEDGER_VERIFY_INTERVAL * 1000;
  let ledgerAt = 0;
  let refreshing: Promise<void> | undefined;

  async function readDatabase() {
    const started = performance.now();
    try {
      const byStatus = await database.rows<{ status: string; livemode: boolean; n: number }>(
        sql`SELECT status, livemode, count(*)::int AS n FROM payments GROUP BY status, livemode`,
      );
      payments.reset();
      for (const r of byStatus) payments.set({ status: r.status, livemode: String(r.livemode) }, Number(r.n));

      const [queue] = await database.rows<{ n: number; age: number | null }>(
        sql`SELECT count(*)::int AS n, EXTRACT(EPOCH FROM (now() - min(created_at)))::float8 AS age
            FROM webhook_deliveries WHERE status = 'pending'`,
      );
      webhookPending.set(Number(queue?.n ?? 0));
      webhookAge.set(Math.max(0, Number(queue?.age ?? 0)));

      if (ledgerEvery > 0 && Date.now() - ledgerAt >= ledgerEvery) {
        const report = await deps.ledger.verify();
        ledgerAt = Date.now();
        ledgerBalanced.set(report.balanced ? 1 : 0);
        ledgerMismatches.set(report.mismatches.length);
        ledgerAccounts.set(report.accounts_checked);
        ledgerCheckedAt.set(Math.floor(ledgerAt / 1000));
      }

      const states = await database
        .rows<{ state: string | null; n: number }>(
          sql`SELECT state, count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() GROUP BY state`,
        )
        .catch(() => []);
      dbConnections.reset();
      for (const r of states) dbConnections.set({ state: r.state ?? "unknown" }, Number(r.n));
      dbUp.set(1);
    } catch (err) {
      dbUp.set(0);
      deps.logger.warn({ err: { message: (err as Error).message } }, "metrics: database read failed");
    } finally {
      scrapeDuration.set((performance.now() - started) / 1000);
    }
  }

  return {
    registry,
    requestDuration,
    inFlight,
    // Concurrent scrapes share one round of queries.
    refresh() {
      refreshing ??= readDatabase().finally(() => {
        refreshing = undefined;
      });
      return refreshing;
    },
  };
}
