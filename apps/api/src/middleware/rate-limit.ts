import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../context.js";
import { rateLimited } from "../lib/errors.js";
import { defaultHeader } from "./default-headers.js";

/**
 * Fixed-window rate limit kept in this process's memory (per process: behind a load
 * balancer each process enforces its own share). Over the limit: 429 with Retry-After.
 */
export function rateLimit(opts: {
  windowMs: number;
  max: number;
  key: (c: Context<AppEnv>) => string;
  name: string;
}): MiddlewareHandler<AppEnv> {
  const windows = new Map<string, { start: number; count: number }>();
  return function rateLimitMiddleware(c, next) {
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
    defaultHeader(c, "RateLimit-Remaining", String(Math.max(0, opts.max - w.count)));
    return next();
  };
}

/**
 * The client's address. With TRUST_PROXY=N (N proxies in front, each appending the address
 * it saw to X-Forwarded-For) the client is the N-th address from the right: the leftmost
 * ones are whatever the client sent and prove nothing. A header with fewer addresses than
 * proxies means a request that skipped a proxy: the socket's address is used.
 */
export function clientIp(c: Context<AppEnv>): string {
  const hops = c.get("deps")?.env.TRUST_PROXY ?? 0;
  if (hops > 0) {
    const chain = (c.req.header("x-forwarded-for") ?? "")
      .split(",")
      .map((a) => a.trim())
      .filter(Boolean);
    const client = chain[chain.length - hops];
    if (client) return client;
  }
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? "unknown";
}

/**
 * What per-client limits count: an IPv4 address as it is, an IPv6 address by its /64 (one
 * subscriber gets a whole /64, so counting single IPv6 addresses would be no limit at all).
 * IPv4-mapped IPv6 (::ffff:a.b.c.d) is the IPv4 address. Anything unparsable counts as itself.
 */
export function clientNetwork(ip: string): string {
  const address = ip.split("%")[0] ?? ip;
  if (!address.includes(":")) return ip;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  const halves = address.split("::");
  if (halves.length > 2) return ip;
  const groups = (part: string | undefined) => (part ? part.split(":").flatMap((g) => (g.includes(".") ? ["0", "0"] : [g])) : []);
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const all = halves.length === 2 ? [...head, ...Array(Math.max(0, 8 - head.length - tail.length)).fill("0"), ...tail] : head;
  if (all.length !== 8 || !all.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return ip;
  return `${all
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(":")}::/64`;
}

/**
 * Token buckets kept in this process's memory: each holds up to `burst` tokens and refills
 * at `perSecond`; a request takes one. Empty → the seconds until one token is back.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    readonly perSecond: number,
    readonly burst: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** 0 when allowed, else the Retry-After in whole seconds (≥ 1). */
  take(key: string, now = Date.now()): number {
    let b = this.buckets.get(key);
    if (!b) {
      // Forget idle callers rather than grow without bound; a full bucket is what they would have anyway.
      if (this.buckets.size >= this.maxKeys) this.buckets.clear();
      b = { tokens: this.burst, at: now };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
      b.at = now;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond));
  }

  /** Whole tokens left for `key` (for the RateLimit-Remaining header). */
  remaining(key: string): number {
    return Math.floor(this.buckets.get(key)?.tokens ?? this.burst);
  }
}

/**
 * The /v1 limits, after authentication: one bucket per API key (RATE_LIMIT_PER_KEY a
 * second) and one per client address (RATE_LIMIT_PER_IP a second), each with a burst of
 * RATE_LIMIT_BURST_SECONDS worth of requests. 0 turns a limit off. Per process: behind a
 * load balancer with N processes a caller gets up to N times the figure.
 */
export function apiRateLimit(env: {
  RATE_LIMIT_PER_KEY: number;
  RATE_LIMIT_PER_IP: number;
  RATE_LIMIT_BURST_SECONDS: number;
}): MiddlewareHandler<AppEnv> {
  const burst = (rate: number) => Math.max(1, Math.round(rate * env.RATE_LIMIT_BURST_SECONDS));
  const perKey = env.RATE_LIMIT_PER_KEY > 0 ? new TokenBuckets(env.RATE_LIMIT_PER_KEY, burst(env.RATE_LIMIT_PER_KEY)) : undefined;
  const perIp = env.RATE_LIMIT_PER_IP > 0 ? new TokenBuckets(env.RATE_LIMIT_PER_IP, burst(env.RATE_LIMIT_PER_IP)) : undefined;
  return function apiRateLimitMiddleware(c, next) {
    const now = Date.now();
    if (perIp) {
      const wait = perIp.take(clientIp(c), now);
      if (wait) throw rateLimited(wait);
    }
    const keyId = c.get("principal")?.keyId;
    if (perKey && keyId) {
      const wait = perKey.take(keyId, now);
      if (wait) throw rateLimited(wait);
      defaultHeader(c, "RateLimit-Remaining", String(perKey.remaining(keyId)));
    }
    return next();
  };
}
