import { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv, Deps } from "./context.js";
import { isConflict, isDatabaseDown, isKeyTaken } from "./db/errors.js";
import { ApiError, conflicted, unavailable } from "./lib/errors.js";
import { validationHook } from "./lib/router.js";
import { StaticPathsRouter } from "./lib/static-paths.js";
import { authenticate } from "./middleware/auth.js";
import { bodyLimit } from "./middleware/body-limit.js";
import { cors } from "./middleware/cors.js";
import { defaultHeader } from "./middleware/default-headers.js";
import { apiRateLimit } from "./middleware/rate-limit.js";
import { requestContext } from "./middleware/request-context.js";
import { httpMetrics } from "./observability/metrics.js";
import { analyticsRoutes } from "./routes/analytics/index.js";
import { accountRoutes } from "./routes/auth/accounts.js";
import { balanceRoutes } from "./routes/balance/index.js";
import { buyerRoutes } from "./routes/buyers/index.js";
import { customerRoutes } from "./routes/customers/index.js";
import { disputeRoutes } from "./routes/disputes/index.js";
import { docsRoutes } from "./routes/docs/index.js";
import { adminRoutes, healthRoutes } from "./routes/health/index.js";
import { leadRoutes } from "./routes/leads/index.js";
import { merchantRoutes } from "./routes/merchants/index.js";
import { opsRoutes } from "./routes/ops/index.js";
import { orderRoutes } from "./routes/orders/index.js";
import { paymentRoutes } from "./routes/payments/index.js";
import { payoutRoutes } from "./routes/payouts/index.js";
import { reconciliationRoutes } from "./routes/reconciliations/index.js";
import { staticRoutes } from "./routes/static/index.js";
import { tariffRoutes } from "./routes/tariffs/index.js";
import { testHelperRoutes } from "./routes/test-helpers/index.js";
import { transitRoutes } from "./routes/transit/index.js";
import { webhookRoutes } from "./routes/webhooks/index.js";
import { requestInProgress } from "./store/idempotency.js";

const PUBLIC_V1 = new Set(["/v1/leads"]);
const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const JSON_TYPE = /^application\/json\s*(;|$)/i;
/**
 * PostgreSQL refusing a client's string (U+0000, a lone UTF-16 surrogate inside JSON, a
 * character it cannot store) or time (year 0, or past 9999 as JavaScript writes it, +010000):
 * bad input, never a 500.
 */
const UNSTORABLE_TEXT = /^(22021|22P05|22P02|22008|22009)$/;
function isUnstorableText(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } };
  return UNSTORABLE_TEXT.test(String(e?.code ?? "")) || UNSTORABLE_TEXT.test(String(e?.cause?.code ?? ""));
}

export const OPENAPI_DOCUMENT = {
  openapi: "3.1.0",
  info: {
    title: "Softrack API",
    version: "1.0.0",
    description: "Payments, wallets, transit fares and the courier payment guarantee. Amounts are integers in minor units.",
    license: { name: "Apache-2.0", identifier: "Apache-2.0" },
  },
  servers: [{ url: "/" }],
};

/**
 * API answers carry secrets (client_secret, keys, webhook secrets, session tokens, recovery
 * codes) and private data: no cache, shared or the browser's, keeps them. A route that may be
 * cached says so with a Cache-Control of its own.
 */
const noStore: MiddlewareHandler = (c, next) => {
  defaultHeader(c, "Cache-Control", "no-store");
  return next();
};

export function createApp(deps: Deps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook as never, router: new StaticPathsRouter() });

  app.use("*", requestContext(deps));
  // With METRICS=off nothing reads them: a request does not pay for recording them.
  if (deps.env.METRICS === "on") app.use("*", httpMetrics(deps));
  app.use("/v1/*", noStore);
  const smallBodies = bodyLimit(256 * 1024);
  // A day's settlement file: 100,000 lines are about 6 MiB.
  const settlementFiles = bodyLimit(32 * 1024 * 1024);
  app.use("/v1/*", (c, next) => (c.req.path === "/v1/reconciliations" ? settlementFiles : smallBodies)(c, next));
  app.use("/v1/*", cors());
  // The API speaks JSON only: a body of another type is 415, before anything reads or keys it.
  app.use("/v1/*", (c, next) => {
    const type = c.req.header("Content-Type");
    if (type && WRITE_METHODS.has(c.req.method) && !JSON_TYPE.test(type))
      throw new ApiError(
        415,
        "invalid_request_error",
        "unsupported_media_type",
        "Send the body as JSON, with Content-Type: application/json.",
      );
    return next();
  });
  const auth = authenticate(deps);
  app.use("/v1/*", (c, next) => {
    // Public routes under /v1 authenticate themselves (or not at all).
    if (PUBLIC_V1.has(c.req.path)) return next();
    return auth(c, next);
  });
  app.use("/v1/*", apiRateLimit(deps.env));
  // Each write's commit mode is declared by its route (lib/router.ts).

  app.route("/", healthRoutes);
  app.route("/", opsRoutes);
  app.route("/", docsRoutes);
  app.route("/", adminRoutes);
  app.route("/", merchantRoutes);
  app.route("/", balanceRoutes);
  app.route("/", customerRoutes);
  app.route("/", paymentRoutes);
  app.route("/", orderRoutes);
  app.route("/", payoutRoutes);
  app.route("/", buyerRoutes);
  app.route("/", analyticsRoutes);
  app.route("/", tariffRoutes);
  app.route("/", transitRoutes);
  app.route("/", webhookRoutes);
  app.route("/", testHelperRoutes);
  app.route("/", reconciliationRoutes);
  app.route("/", disputeRoutes);
  app.route("/", leadRoutes);
  app.route("/", accountRoutes);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "sk_test_…/sk_live_… (secret), pk_test_…/pk_live_… (publishable), or the platform admin key",
  });
  app.doc31("/openapi.json", OPENAPI_DOCUMENT);

  // Last: the widget's files, the demo and the built site, for whatever the API did not claim.
  app.route("/", staticRoutes);

  // Thrown, not returned: inside a write's unit of work a returned answer would be stored
  // under its Idempotency-Key, and a mistyped URL must not use up the key.
  app.notFound((c) => {
    throw new ApiError(404, "invalid_request_error", "route_not_found", `Unrecognized request URL (${c.req.method}: ${c.req.path}).`);
  });

  app.onError(async (err, c) => {
    const requestId = c.get("requestId") ?? "unknown";
    let api: ApiError;
    let again: Request | undefined;
    if (err instanceof ApiError) api = err;
    else if (err instanceof HTTPException) {
      const malformed = /json/i.test(err.message);
      api = new ApiError(
        err.status === 413 ? 413 : 400,
        "invalid_request_error",
        malformed ? "invalid_json" : "invalid_request",
        malformed ? "The request body is not valid JSON." : err.message || "Invalid request.",
      );
    } else if (isUnstorableText(err)) {
      const message =
        "A value in the request cannot be stored: a character such as U+0000 or a lone UTF-16 surrogate, or a time outside the years 1 to 9999.";
      api = new ApiError(400, "invalid_request_error", "parameter_invalid", message);
    } else if (isKeyTaken(err)) {
      // Another process sealed this key while this request ran (a build whose lock for it differs,
      // during a deploy): this request's effect rolled back, and a retry replays the other's answer.
      api = requestInProgress();
    } else if (isConflict(err)) {
      api = conflicted();
      again = await requestAgain(c.req);
    } else if (isDatabaseDown(err)) {
      api = unavailable();
    } else {
      deps.logger.error({ req_id: requestId, err: { message: (err as Error).message, stack: (err as Error).stack } }, "unhandled error");
      api = new ApiError(500, "api_error", "internal_error", "Something went wrong on our side; it has been logged.");
    }
    for (const [k, v] of Object.entries(api.headers)) defaultHeader(c, k, v);
    defaultHeader(c, "Request-Id", requestId);
    const res = c.json(api.body(requestId), api.status);
    if (again) runAgain.set(res, again);
    return res;
  });

  return app;
}

/**
 * Requests that PostgreSQL rolled back whole as a deadlock's (or a serialization failure's)
 * victim, by their answer: run again by `fetchRunningConflictsAgain`. Writes lock a merchant's
 * balance shards, a payout and its jobs, an order and its payment; when two writes take such
 * rows in opposite orders, PostgreSQL ends one of them, and nothing of it was committed.
 */
const runAgain = new WeakMap<Response, Request>();

/** The request as it came, body included (read once by then, so taken from Hono's cache). */
async function requestAgain(req: { url: string; method: string; raw: Request; text(): Promise<string> }): Promise<Request | undefined> {
  try {
    const body = req.method === "GET" || req.method === "HEAD" ? undefined : await req.text();
    return new Request(req.url, { method: req.method, headers: req.raw.headers, body });
  } catch {
    return undefined;
  }
}

/** How often a conflict's victim is run again before the 503 reaches the client (who may retry with its key). */
const CONFLICT_RUNS = 5;

/**
 * The app's fetch, running a conflict's victim again (a few ms later, while the write that won
 * commits), as a client retrying with its Idempotency-Key would: the claim rolled back with the
 * rest, so the next run is a first run. What PostgreSQL retries nowhere, the API does.
 */
export function fetchRunningConflictsAgain(app: { fetch(req: Request, env?: unknown): Response | Promise<Response> }) {
  return async (req: Request, env?: unknown): Promise<Response> => {
    let res = await app.fetch(req, env);
    for (let run = 1; run <= CONFLICT_RUNS; run++) {
      const again = runAgain.get(res);
      if (!again) break;
      await new Promise((done) => setTimeout(done, run * (5 + Math.random() * 20)));
      res = await app.fetch(again, env);
    }
    return res;
  };
}

export type App = ReturnType<typeof createApp>;
