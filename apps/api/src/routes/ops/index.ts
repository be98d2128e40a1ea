import { timingSafeEqual } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { readMigrationFiles } from "drizzle-orm/migrator";
import type { Database } from "../../db/client.js";
import { ApiError, unauthenticated } from "../../lib/errors.js";
import { json, NoQuery, noAuth, unknownParameter } from "../../lib/openapi.js";
import { createRouter } from "../../lib/router.js";
import { metricsFor } from "../../observability/metrics.js";

/** apps/api/drizzle, from src/routes/ops (tsx, vitest) or from dist (the build, the image). */
const MIGRATIONS = ["../drizzle", "../../drizzle", "../../../drizzle"]
  .map((rel) => fileURLToPath(new URL(rel, import.meta.url)))
  .find((dir) => existsSync(`${dir}/meta/_journal.json`));
/** The newest migration this build ships (drizzle records its folder time as created_at). */
const LATEST_MIGRATION = MIGRATIONS ? Math.max(0, ...readMigrationFiles({ migrationsFolder: MIGRATIONS }).map((m) => m.folderMillis)) : 0;

const Check = z.enum(["ok", "unreachable", "pending", "unknown"]);
const Readiness = z
  .object({
    status: z.enum(["ready", "not_ready"]),
    checks: z.object({ database: Check, migrations: Check }),
  })
  .openapi("Readiness");

const ready = createRoute({
  method: "get",
  path: "/ready",
  tags: ["Operations"],
  security: noAuth,
  summary: "Readiness: 200 when the database answers and every migration this build ships has run",
  request: { query: NoQuery },
  responses: { 200: json(Readiness), 400: unknownParameter, 503: json(Readiness, "Not ready: database unreachable or migrations pending") },
});

const metrics = createRoute({
  method: "get",
  path: "/metrics",
  tags: ["Operations"],
  security: noAuth,
  summary:
    "Prometheus metrics (text exposition format), read from memory (a scrape runs no query); requires METRICS_TOKEN as a bearer token when that is set (always in production)",
  responses: {
    200: { content: { "text/plain": { schema: z.string() } }, description: "Prometheus text format 0.0.4" },
    400: unknownParameter,
    401: { description: "METRICS_TOKEN is set and the request did not present it" },
    404: { description: "METRICS=off" },
  },
});

async function migrationsCheck(database: Database): Promise<z.infer<typeof Check>> {
  try {
    const [row] = await database.rows<{ latest: number | null }>(
      sql`SELECT max(created_at)::float8 AS latest FROM drizzle.__drizzle_migrations`,
    );
    return Number(row?.latest ?? 0) >= LATEST_MIGRATION ? "ok" : "pending";
  } catch {
    return "pending";
  }
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export const opsRoutes = createRouter()
  .openapi(ready, async (c) => {
    const { database } = c.get("deps");
    const reachable = await database.rows(sql`SELECT 1`).then(
      () => true,
      () => false,
    );
    const checks = {
      database: reachable ? ("ok" as const) : ("unreachable" as const),
      migrations: reachable ? await migrationsCheck(database) : ("unknown" as const),
    };
    const ok = checks.database === "ok" && checks.migrations === "ok";
    return c.json({ status: ok ? ("ready" as const) : ("not_ready" as const), checks }, ok ? 200 : 503);
  })
  .openapi(metrics, async (c) => {
    const { deps } = c.var;
    if (deps.env.METRICS === "off")
      throw new ApiError(404, "invalid_request_error", "route_not_found", `Unrecognized request URL (GET: ${c.req.path}).`);
    const token = deps.env.METRICS_TOKEN;
    if (token && !sameToken(c.req.header("Authorization") ?? "", `Bearer ${token}`)) {
      throw unauthenticated("GET /metrics requires the METRICS_TOKEN bearer token.", "invalid_metrics_token");
    }
    const m = metricsFor(deps);
    // This scrape serves the last values, then starts a ledger check in the background if they are stale.
    // prom-client (15.1.3, the latest) writes a value that is not a number as "Nan"; the text
    // format spells it "NaN", and strict parsers refuse the other (the event loop's mean delay is
    // NaN until its first sample).
    const text = (await m.registry.metrics()).replace(/ Nan$/gm, " NaN");
    m.refreshLedger();
    return c.body(text, 200, { "Content-Type": m.registry.contentType, "Cache-Control": "no-store" });
  });
