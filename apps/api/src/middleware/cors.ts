import type { MiddlewareHandler } from "hono";
import { cors as honoCors } from "hono/cors";
import { defaultHeader } from "./default-headers.js";

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
 * Preflights go to Hono's cors. Other requests get their two headers as defaults (see
 * default-headers.ts): Hono's cors sets them on `c.res` up front, which makes a placeholder
 * response that every real response is then copied into.
 */
export function cors(): MiddlewareHandler {
  const preflight = honoCors(ALLOW);
  const exposed = ALLOW.exposeHeaders.join(",");
  return function cors(c, next) {
    if (c.req.method === "OPTIONS") return preflight(c, next);
    defaultHeader(c, "Access-Control-Allow-Origin", ALLOW.origin);
    defaultHeader(c, "Access-Control-Expose-Headers", exposed);
    return next();
  };
}
