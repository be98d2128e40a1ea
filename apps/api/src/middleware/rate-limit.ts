import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../context.js";
import { rateLimited } from "../lib/errors.js";

/**
 * Fixed-window rate limit kept in this process's memory (per process: behind a load
 * balancer each process enforces its own share). Over the limit: 429 with Retry-After.
 */
export function rateLimit(opts: { windowMs: number; max: number; key: (c: Context<AppEnv>) => string; name: string }): MiddlewareHandler<AppEnv> {
  const windows = new Map<string, { start: number; count: number }>();
  return async function rateLimitMiddleware(c, next) {
    const now = Date.now();
    const k = opts.key(c);
    let w = windows.get(k);
    if (!w || now - w.start >= opts.windowMs) {
      if (windows.size > 50_000) windows.clear();
      w = { start: now, count: 0 };
      windows.set(k, w);
    }
    w.count++;
    if (w.count > opts.max) throw rateLimited(Math.max(1, Math.ceil((w.start + opts.windowMs - now) / 1000)));
    c.header(`RateLimit-Remaining`, String(Math.max(0, opts.max - w.count)));
    return next();
  };
}

/** The client's address as the socket saw it (X-Forwarded-For only when TRUST_PROXY says so). */
export function clientIp(c: Context<AppEnv>): string {
  if (process.env.TRUST_PROXY === "1") {
    const forwarded = c.req.header("x-forwarded-for")?.split(",")[0]?.trim();
    if (forwarded) return forwarded;
  }
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? "unknown";
}
