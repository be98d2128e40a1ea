import type { ContentfulStatusCode } from "hono/utils/http-status";

/** The contract's error types and the HTTP statuses they travel with. */
export type ErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "idempotency_error"
  | "payment_error"
  | "rate_limit_error"
  | "api_error";

export interface ErrorBody {
  type: ErrorType;
  code: string;
  message: string;
  param?: string;
  request_id?: string;
  [extra: string]: unknown;
}

/**
 * Thrown by services for every expected failure; `app.onError` turns it into the
 * contract's envelope. Anything else thrown is a bug and becomes a 500 `api_error`.
 */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: ContentfulStatusCode,
    readonly type: ErrorType,
    readonly code: string,
    message: string,
    readonly param?: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    // No stack trace: an ApiError is an answer to the client, not a bug to trace, and
    // capturing one costs more than the rest of a small request's validation.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }

  body(requestId: string): { error: ErrorBody } {
    return {
      error: {
        type: this.type,
        code: this.code,
        message: this.message,
        ...(this.param ? { param: this.param } : {}),
        ...this.extra,
        request_id: requestId,
      },
    };
  }
}

export const invalid = (code: string, message: string, param?: string, extra?: Record<string, unknown>) =>
  new ApiError(400, "invalid_request_error", code, message, param, extra);
export const notFound = (what: string, id: string, param = "id") =>
  new ApiError(404, "invalid_request_error", "resource_missing", `No such ${what}: '${id}'`, param);
export const unprocessable = (code: string, message: string, param?: string) =>
  new ApiError(422, "invalid_request_error", code, message, param);
export const conflictState = (message: string, extra?: Record<string, unknown>) =>
  new ApiError(400, "invalid_request_error", "unexpected_state", message, undefined, extra);
/** Every 401 names the scheme it wants (RFC 9110 §11.6.1). */
export const unauthenticated = (message = "Invalid API key provided.", code = "invalid_api_key") =>
  new ApiError(401, "authentication_error", code, message, undefined, {}, { "WWW-Authenticate": 'Bearer realm="softrack"' });
export const forbidden = (message: string, code = "permission_denied") => new ApiError(403, "permission_error", code, message);
export const paymentError = (code: string, message: string, extra?: Record<string, unknown>) =>
  new ApiError(402, "payment_error", code, message, undefined, extra);
export const rateLimited = (retryAfterSeconds: number) =>
  new ApiError(
    429,
    "rate_limit_error",
    "rate_limited",
    "Too many requests; slow down.",
    undefined,
    {},
    { "Retry-After": String(retryAfterSeconds) },
  );
/** A write that met a concurrent one on the same rows too often in a row; nothing of it was applied. */
export const conflicted = () =>
  new ApiError(
    503,
    "api_error",
    "concurrent_update",
    "This request met concurrent ones on the same records and was not applied; retry it with the same Idempotency-Key.",
    undefined,
    {},
    { "Retry-After": "1" },
  );

export const unavailable = (retryAfterSeconds = 1) =>
  new ApiError(
    503,
    "api_error",
    "service_unavailable",
    "The database is unavailable; retry shortly.",
    undefined,
    {},
    { "Retry-After": String(retryAfterSeconds) },
  );

/**
 * The refusals a keyed request's answer keeps, as Stripe keeps an error once its endpoint ran: a
 * request refused for the state it met (400, 402, 404, 422) replays that refusal under its key,
 * never a second, different outcome. A request that failed validation, authentication, a rate
 * limit or its key's lock stores nothing, nor does a 5xx: the same key may be sent again.
 * Validation is told by its codes, wherever it runs (the routes' validator, a route's own check of
 * a parameter, noParameters): parameter_invalid, parameter_missing, parameter_unknown and
 * invalid_json. Authentication and permissions are 401 and 403.
 */
const KEPT_STATUSES = new Set([400, 402, 404, 422]);
const isValidation = (err: ApiError) => err.code.startsWith("parameter_") || err.code === "invalid_json";

/** Whether a keyed request keeps `err` as its answer (see above). */
export const isKeptRefusal = (err: unknown): err is ApiError =>
  err instanceof ApiError && KEPT_STATUSES.has(err.status) && !isValidation(err);

/** The answer to store for `err` under a key: the very bytes app.onError sends, or none. */
export function keptRefusal(err: unknown, requestId: string): { status: number; body: string } | undefined {
  return isKeptRefusal(err) ? { status: err.status, body: JSON.stringify(err.body(requestId)) } : undefined;
}
