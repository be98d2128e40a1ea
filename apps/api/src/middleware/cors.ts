import type { MiddlewareHandler } from "hono";
import { cors as honoCors } from "hono/cors";

const ALLOW = {
  origin: "*",
  allowMethods: ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
  allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key"],
  exposeHeaders: ["Request-Id", "Idempotent-Replayed", "Retry-After"],
  maxAge: 600,
};

/**
 * CORS for /v1: browsers call it from merchants' pages with publishable keys (the checkout
 * widget), so it is answered before authentication; keys are bearer tokens, never cookies.
 *
 * Preflights go to Hono's cors. Other requests get their two headers through `c.header()`
 * before the handler runs: Hono's cors sets them on `c.res` up front, which makes a
 * placeholder response that every real response is then copied into — a full web Response
 * built per request, the largest single cost of a small request in the transit profile.
 */
export function cors(): MiddlewareHandler {
  const preflight = honoCors(ALLOW);
  const exposed = ALLOW.exposeHeaders.join(",");
  return async function cors(c, next) {
    if (c.req.method === "OPTIONS") return preflight(c, next);
    c.header("Access-Control-Allow-Origin", ALLOW.origin);
    c.header("Access-Control-Expose-Headers", exposed);
    await next();
  };
}
