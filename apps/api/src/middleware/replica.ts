import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context.js";

/**
 * A lag-tolerant read (a route that declares `reads: "replica"`, see lib/router.ts): its
 * handler's `c.get("db")` is the replica pool when DATABASE_REPLICA_URL is set, else the primary's.
 * Authentication has already run on the primary, so a revoked key is refused at once.
 */
export const fromReplica: MiddlewareHandler<AppEnv> = (c, next) => {
  const replica = c.get("deps").replica;
  if (replica) c.set("db", replica);
  return next();
};
