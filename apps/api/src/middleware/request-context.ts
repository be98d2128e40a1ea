import type { MiddlewareHandler } from "hono";
import type { AppEnv, Deps } from "../context.js";
import { newId } from "../lib/ids.js";
import { defaultHeader } from "./default-headers.js";

/**
 * Gives every request an id (echoed as `Request-Id`, on errors too), the shared deps,
 * and one JSON log line when it ends: method, path without the query string (a
 * `client_secret` may travel there), status, latency. Never headers or bodies.
 */
export function requestContext(deps: Deps): MiddlewareHandler<AppEnv> {
  return async function requestContext(c, next) {
    const requestId = newId("request");
    const started = performance.now();
    c.set("requestId", requestId);
    c.set("deps", deps);
    c.set("db", deps.database.db);
    defaultHeader(c, "Request-Id", requestId);
    await next();
    const status = c.res.status;
    // Built only when it will be written (LOG_LEVEL=warn drops the successes).
    if (!deps.logger.isLevelEnabled(status >= 500 ? "error" : "info")) return;
    const line = {
      req_id: requestId,
      method: c.req.method,
      path: c.req.path,
      status,
      latency_ms: Math.round((performance.now() - started) * 100) / 100,
      merchant: (c.get("principal") as { merchantId?: string } | undefined)?.merchantId,
    };
    if (status >= 500) deps.logger.error(line, "request failed");
    else deps.logger.info(line, "request");
  };
}
