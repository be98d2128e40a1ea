import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context.js";
import { fromReplica } from "../middleware/replica.js";
import { readWrite, unitOfWork } from "../middleware/unit-of-work.js";
import { invalid } from "./errors.js";
import { NoQuery } from "./openapi.js";

interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
  input?: unknown;
}

/**
 * One validation hook for every route: the first problem becomes a 400 in the
 * contract's envelope, with `param` naming the field (`items[0].quantity`).
 */
export function validationHook(result: { success: boolean; error?: { issues: Issue[] }; target?: string; data?: unknown }) {
  if (result.success) {
    // A page runs one way: both cursors at once would silently drop one (Stripe refuses it too).
    const q = result.target === "query" ? (result.data as { starting_after?: unknown; ending_before?: unknown }) : undefined;
    if (q?.starting_after !== undefined && q.ending_before !== undefined)
      throw invalid("parameter_invalid", "Give starting_after or ending_before, not both.", "ending_before");
    return;
  }
  const issue = result.error?.issues[0];
  if (!issue) throw invalid("parameter_invalid", "Invalid request.");
  const path = issue.path.reduce<string>(
    (acc, seg) => (typeof seg === "number" ? `${acc}[${seg}]` : acc ? `${acc}.${String(seg)}` : String(seg)),
    "",
  );
  if (issue.code === "unrecognized_keys") {
    const name = path ? `${path}.${issue.keys?.[0]}` : String(issue.keys?.[0]);
    throw invalid("parameter_unknown", `Received unknown parameter: ${name}`, name);
  }
  // Missing, whatever the field's type (an enum's or a pattern's message does not say undefined).
  const missing =
    (issue.path.length > 0 && result.data !== undefined && valueAt(result.data, issue.path) === undefined) ||
    (issue.code === "invalid_type" && /received undefined/i.test(issue.message));
  throw invalid(
    missing ? "parameter_missing" : "parameter_invalid",
    missing ? `Missing required parameter: ${path}.` : `Invalid ${path || "request"}: ${issue.message}`,
    path || undefined,
  );
}

/** The value at `path` in what the client sent (undefined where nothing is). */
function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const seg of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[seg];
  }
  return value;
}

/**
 * How a write commits, declared by its route (`commit:` beside `method:` and `path:`):
 * - "transaction" (the default for every POST, PUT, PATCH and DELETE): the request's unit of
 *   work, one transaction with its Idempotency-Key claim (middleware/unit-of-work.ts);
 * - "self": the service commits through the writer (store/writer.ts), grouped with concurrent
 *   writes on a PostgreSQL server, its key claimed and sealed in the group's transaction;
 * - "none": the route is public or runs transactions of its own (each job commits on its own).
 */
export type CommitMode = "transaction" | "self" | "none";
const WRITES = new Set(["post", "put", "patch", "delete"]);

function commitMiddleware(method: string, mode: CommitMode | undefined): MiddlewareHandler<AppEnv>[] {
  if (!WRITES.has(method) || mode === "none") return [];
  return mode === "self" ? [readWrite] : [readWrite, unitOfWork];
}

/**
 * Where a read reads, declared by its route (`reads:` beside `path:`): "replica" for a list or
 * report that tolerates lag (a page a few hundred milliseconds old is still a right answer), served
 * from DATABASE_REPLICA_URL when it is set (middleware/replica.ts). Unset: the primary. Only a
 * GET may declare it; balances, retrieves by id (a client reads what it just wrote) and every
 * write never do. docs/operations.md lists the routes.
 */
export type ReadSource = "replica";

function readMiddleware(method: string, path: string, reads: ReadSource | undefined): MiddlewareHandler<AppEnv>[] {
  if (reads === undefined) return [];
  if (method !== "get") throw new Error(`${method.toUpperCase()} ${path}: only a GET may read from a replica`);
  return [fromReplica];
}

/**
 * Client generators name their methods by operationId, so every operation has one, derived
 * from its method and path so that none is forgotten or spelled twice:
 * `POST /v1/payments/{id}/confirm` → `postPaymentsIdConfirm`.
 */
export function operationId(method: string, path: string): string {
  const words = path
    .split("/")
    .filter((s) => s && s !== "v1")
    .flatMap((s) => s.replace(/[{}]/g, "").split(/[_.-]/))
    .filter(Boolean);
  return method.toLowerCase() + words.map((w) => w[0]?.toUpperCase() + w.slice(1)).join("");
}

/**
 * A query is strict, as a body is: an unknown parameter is a 400 parameter_unknown, never
 * silently ignored. A route without a query schema takes none (`noQuery`); a loose one is made
 * strict.
 */
function strictQuery(request: { query?: unknown } | undefined): { query?: z.ZodType } {
  const query = request?.query;
  if (query === undefined || query === NoQuery) return {};
  if (query instanceof z.ZodObject && !(query._zod.def.catchall instanceof z.ZodNever)) return { query: query.strict() };
  return { query: query as z.ZodType };
}

/**
 * A route that takes no query refuses any parameter as NoQuery's validator would (the first one
 * named, 400 parameter_unknown), without a validator run per request: the query is parsed only
 * when the URL has one. Most requests (every payment) have none.
 */
const noQuery: MiddlewareHandler<AppEnv> = (c, next) => {
  if (c.req.url.includes("?")) {
    const [first] = Object.keys(c.req.queries());
    if (first !== undefined) throw invalid("parameter_unknown", `Received unknown parameter: ${first}`, first);
  }
  return next();
};

export function createRouter() {
  const router = new OpenAPIHono<AppEnv>({ defaultHook: validationHook as never });
  const openapi = router.openapi;
  // The commit mode (or the read source) becomes the route's first middleware (after
  // authentication and rate limits, before its own checks and validation), and stays out of the
  // OpenAPI document.
  router.openapi = ((
    route: {
      method: string;
      path: string;
      commit?: CommitMode;
      reads?: ReadSource;
      middleware?: unknown;
      operationId?: string;
      request?: { query?: unknown };
    },
    ...rest: unknown[]
  ) => {
    const { commit, reads, ...config } = route;
    config.operationId ??= operationId(route.method, route.path);
    const { query: _, ...request } = config.request ?? {};
    const query = strictQuery(config.request);
    config.request = { ...request, ...query };
    const own: unknown[] =
      config.middleware === undefined ? [] : Array.isArray(config.middleware) ? [...config.middleware] : [config.middleware];
    // Where the query validator would run: after the route's own checks, before the body's.
    if (query.query === undefined) own.push(noQuery);
    return (openapi as (...a: unknown[]) => unknown)(
      { ...config, middleware: [...commitMiddleware(route.method, commit), ...readMiddleware(route.method, route.path, reads), ...own] },
      ...rest,
    );
  }) as typeof router.openapi;
  return router;
}
