import type { Schemas } from "../internal/types.js";

/** The `type` of an API error, as written in the contract's error envelope. */
export type SoftrackErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "idempotency_error"
  | "payment_error"
  | "rate_limit_error"
  | "api_error";

/** Body of every non-2xx response: `{"error": {...}}`. */
export interface ErrorEnvelope {
  error: {
    type: SoftrackErrorType;
    code?: string;
    message: string;
    param?: string;
    request_id?: string;
    /** On a 402 decline: the failed payment, as `payments.retrieve` returns it. */
    payment?: Schemas["Payment"];
  };
}

export interface SoftrackErrorInit {
  type?: string;
  code?: string;
  param?: string;
  requestId?: string;
  status?: number;
  headers?: Headers;
  raw?: unknown;
  cause?: unknown;
  /** Read by `SoftrackPaymentError` only. */
  payment?: Schemas["Payment"];
}

/** Base of every error the SDK throws; `instanceof SoftrackError` catches them all. */
export class SoftrackError extends Error {
  override name = "SoftrackError";
  /** The envelope's `type`, e.g. `payment_error`; absent for connection errors. */
  declare readonly type?: string;
  /** Machine-readable reason, e.g. `card_declined`, `idempotency_key_reused`. */
  declare readonly code?: string;
  /** The request field the error is about, if any. */
  declare readonly param?: string;
  /** `Request-Id` of the failed response: quote it when asking for support. */
  declare readonly requestId?: string;
  /** HTTP status of the failed response. */
  declare readonly status?: number;
  declare readonly headers?: Headers;
  /** The parsed error body as received. */
  declare readonly raw?: unknown;

  constructor(message: string, init: SoftrackErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    const { cause: _, ...fields } = init;
    Object.assign(this, fields);
  }

  /** Picks the subclass for a failed response from `error.type`, falling back to the status. */
  static generate(status: number, body: unknown, headers: Headers): SoftrackError {
    const e = (body as Partial<ErrorEnvelope> | undefined)?.error;
    const type = e?.type ?? statusTypes[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
    const Class = errorClasses[type as SoftrackErrorType] ?? SoftrackError;
    return new Class(e?.message ?? `Softrack API responded ${status}`, {
      type,
      code: e?.code,
      param: e?.param,
      requestId: e?.request_id ?? headers.get("request-id") ?? undefined,
      status,
      headers,
      raw: body,
      // Only when sent, so other errors carry no `payment: undefined`.
      ...(e?.payment === undefined ? {} : { payment: e.payment }),
    });
  }
}

/** 400/404/422: the request is wrong; retrying it unchanged will fail again. */
export class SoftrackInvalidRequestError extends SoftrackError {
  override name = "SoftrackInvalidRequestError";
}
/** 401: missing, malformed or revoked API key. */
export class SoftrackAuthenticationError extends SoftrackError {
  override name = "SoftrackAuthenticationError";
}
/** 403: the key is valid but may not do this (e.g. a publishable key listing payments). */
export class SoftrackPermissionError extends SoftrackError {
  override name = "SoftrackPermissionError";
}
/** 409/422: Idempotency-Key reused with another body, or its first request is still running. */
export class SoftrackIdempotencyError extends SoftrackError {
  override name = "SoftrackIdempotencyError";
}
/** 402: the payment was refused, e.g. `card_declined`, `insufficient_funds`. */
export class SoftrackPaymentError extends SoftrackError {
  override name = "SoftrackPaymentError";
  /**
   * The failed payment (status `failed`, with `last_payment_error`), as `payments.retrieve`
   * returns it, when the API sent one: a declined `confirm`, `verify` or `create` with
   * `confirm: true`, whose payment id the caller may not have had before.
   */
  declare readonly payment?: Schemas["Payment"];
}
/** 429: too many requests; thrown only once retries are used up. */
export class SoftrackRateLimitError extends SoftrackError {
  override name = "SoftrackRateLimitError";
}
/** 5xx: the API failed; thrown only once retries are used up. */
export class SoftrackAPIError extends SoftrackError {
  override name = "SoftrackAPIError";
}
/** The API could not be reached (DNS, refused, reset); thrown once retries are used up. */
export class SoftrackConnectionError extends SoftrackError {
  override name = "SoftrackConnectionError";
}
/** No response within `timeout` ms; thrown once retries are used up. */
export class SoftrackTimeoutError extends SoftrackConnectionError {
  override name = "SoftrackTimeoutError";
}
/** A webhook's signature, timestamp or headers did not verify. */
export class SoftrackSignatureVerificationError extends SoftrackError {
  override name = "SoftrackSignatureVerificationError";
}

const errorClasses: Record<SoftrackErrorType, typeof SoftrackError> = {
  invalid_request_error: SoftrackInvalidRequestError,
  authentication_error: SoftrackAuthenticationError,
  permission_error: SoftrackPermissionError,
  idempotency_error: SoftrackIdempotencyError,
  payment_error: SoftrackPaymentError,
  rate_limit_error: SoftrackRateLimitError,
  api_error: SoftrackAPIError,
};

// For bodies that are not the envelope (a proxy's HTML 502, an empty 429).
const statusTypes: Record<number, SoftrackErrorType> = {
  401: "authentication_error",
  402: "payment_error",
  403: "permission_error",
  429: "rate_limit_error",
};
