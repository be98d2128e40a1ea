import { sql } from "drizzle-orm";
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { AppEnv, Deps } from "../context.js";
import { gelfStats } from "./gelf.js";

/**
 * Prometheus metrics, one registry per running app (tests start several in one process).
 * A scrape reads only this process's memory and runs no SQL, so scraping costs nothing and
 * cannot load the database: HTTP metrics are counted by a middleware as requests finish,
 * and the one database-backed check (the ledger) runs in the background, started by a scrape
 * that finds the last one older than METRICS_LEDGER_VERIFY_INTERVAL; the scrape serves the last
 * values from memory. A process nobody scrapes never scans the ledger. Stored-state counts (payments by status, the webhook
 * queue) are not exported: they cost a scan each, and the request counters per route and
 * status (and the API's lists) carry the same news.
 */
export interface Metrics {
  registry: Registry;
  requestDuration: Histogram<"method" | "route" | "status">;
  inFlight: Gauge;
  /** Called by each scrape: starts a ledger check in the background when the last is older than the interval. */
  refreshLedger(): void;
  /** Stops starting ledger checks and waits for a check under way. */
  stop(): Promise<void>;
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

  // The ledger's series join the registry with the first check's result: before it, "never
  // checked" is an absent series, not a 0 that reads as "unbalanced".
  const ledgerSeries: Registry[] = [];
  const ledgerBalanced = new Gauge({
    name: "softrack_ledger_balanced",
    help: "1 when the last ledger check found every currency summing to zero and every balance equal to its postings",
    registers: ledgerSeries,
  });
  const ledgerMismatches = new Gauge({
    name: "softrack_ledger_mismatches",
    help: "Mismatches found by the last ledger check",
    registers: ledgerSeries,
  });
  const ledgerAccounts = new Gauge({
    name: "softrack_ledger_accounts_checked",
    help: "Accounts checked by the last ledger check",
    registers: ledgerSeries,
  });
  const ledgerCheckedAt = new Gauge({
    name: "softrack_ledger_verify_timestamp_seconds",
    help: "Unix time of the last ledger check (started by a scrape, at most one per METRICS_LEDGER_VERIFY_INTERVAL)",
    registers: ledgerSeries,
  });
  const ledgerChecks = new Counter({
    name: "softrack_ledger_verify_runs_total",
    help: "Ledger checks this process ran, by result (busy: another process was checking, so this one did not scan)",
    labelNames: ["result"] as const,
    registers,
  });
  const ledgerCheckFailures = new Counter({
    name: "softrack_ledger_verify_failures_total",
    help: "Ledger checks that could not run (database unreachable)",
    registers,
  });
  const dbPoolMax = new Gauge({ name: "softrack_db_pool_max", help: "Largest number of connections this process opens", registers });
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

  dbPoolMax.set(deps.database.driver === "postgres" ? deps.env.DB_POOL_SIZE : 1);

  // The ledger check reads every account, so it runs only for someone who looks: a scrape that
  // finds the last check older than the interval starts one in the background and is answered
  // with the last values (no timer: N processes would make N full scans per interval, scraped or
  // not). Never two at once in a process; across processes a transaction-scoped advisory lock
  // lets one scan while the others keep their last values.
  const ledgerEvery = deps.env.METRICS === "on" ? deps.env.METRICS_LEDGER_VERIFY_INTERVAL * 1000 : 0;
  let checking: Promise<void> | undefined;
  let lastStarted = Number.NEGATIVE_INFINITY;
  let stopped = false;
  let ledgerShown = false;
  async function checkLedger() {
    try {
      const report = await deps.database.db.transaction(async (tx) => {
        const [lock] = await deps.database.rows<{ ok: boolean }>(
          sql`SELECT pg_try_advisory_xact_lock(hashtext('softrack'), hashtext('metrics.ledger_verify')) AS ok`,
          tx,
        );
        return lock?.ok ? deps.ledger.verify(tx) : undefined;
      });
      if (!report) {
        ledgerChecks.inc({ result: "busy" });
        return;
      }
      ledgerBalanced.set(report.balanced ? 1 : 0);
      ledgerMismatches.set(report.mismatches.length);
      ledgerAccounts.set(report.accounts_checked);
      ledgerCheckedAt.set(Math.floor(Date.now() / 1000));
      ledgerChecks.inc({ result: "checked" });
      if (!ledgerShown) {
        for (const metric of [ledgerBalanced, ledgerMismatches, ledgerAccounts, ledgerCheckedAt]) registry.registerMetric(metric);
        ledgerShown = true;
      }
    } catch (err) {
      if (stopped) return;
      ledgerCheckFailures.inc();
      deps.logger.warn({ err: { message: (err as Error).message } }, "metrics: ledger check failed");
    }
  }
  function refreshLedger() {
    if (ledgerEvery <= 0 || stopped || checking || performance.now() - lastStarted < ledgerEvery) return;
    lastStarted = performance.now();
    checking = checkLedger().finally(() => {
      checking = undefined;
    });
  }

  return {
    registry,
    requestDuration,
    inFlight,
    refreshLedger,
    async stop() {
      stopped = true;
      await checking;
    },
  };
}

/** Stops a running app's background metrics work (see Runtime.close). */
export async function stopMetrics(deps: Deps): Promise<void> {
  await byDeps.get(deps)?.stop();
}
