/**
 * The few calls a browser may make with a publishable key (contract: create/confirm a
 * payment through its client_secret, and read that payment). A small fetch client of its
 * own (the SDK's whole client would cost the bundle more), but with the SDK's types and
 * error classes.
 */

import {
  type ErrorEnvelope,
  idempotencyKey,
  isRetryable,
  type Payment,
  retryDelay,
  SoftrackConnectionError,
  SoftrackError,
  SoftrackPaymentError,
} from "@softrack/sdk";

// The payment and error types are the SDK's (type-only: no bytes in the bundle); the error
// classes are the SDK's too, so `instanceof SoftrackPaymentError` works on what the widget throws.
export type { Payment, PaymentStatus } from "@softrack/sdk";
export { isRetryable, SoftrackError, SoftrackPaymentError };

/** A payment's `next_action`, e.g. `{ type: "sms_code" }` or `{ type: "qr", payload }`. */
export type NextAction = NonNullable<Payment["next_action"]>;

/**
 * The contract's error object, as the API sends it inside `{"error": …}` and as the widget's
 * events carry it. `type` and `code` are always set: the widget reports its own errors
 * (`validation_error`, `api_connection_error`, `checkout_canceled`…) in the same shape.
 */
export type ApiErrorBody = Omit<ErrorEnvelope["error"], "type" | "code"> & { type: string; code: string };

/** The SDK's error for a contract error object; the subclass follows `type`, as the SDK's client picks it. */
export function apiError(body: ApiErrorBody, status = 0): SoftrackError {
  return SoftrackError.generate(status, { error: body }, new Headers());
}

/** The contract error object (plus the HTTP status, 0 when none) of a widget error, for events and postMessage. */
export function errorBody(err: SoftrackError): ApiErrorBody & { status: number } {
  const status = err.status ?? 0;
  const out: ApiErrorBody & { status: number } = {
    type: err.type ?? "api_error",
    code: err.code ?? `http_${status}`,
    message: err.message,
    status,
  };
  if (err.param !== undefined) out.param = err.param;
  if (err.requestId !== undefined) out.request_id = err.requestId;
  return out;
}

export function toSoftrackError(err: unknown): SoftrackError {
  if (err instanceof SoftrackError) return err;
  if (err && typeof err === "object" && "type" in err && "code" in err && "message" in err) {
    const e = err as ApiErrorBody & { status?: number };
    return apiError(e, e.status ?? 0);
  }
  // What is neither: the network's failure (fetch's TypeError), as the SDK's client reports it.
  return new SoftrackConnectionError(err instanceof Error ? err.message : String(err), {
    type: "api_connection_error",
    code: "network_error",
    status: 0,
    cause: err,
  });
}

/** "pay_123_secret_abc" → "pay_123" (Stripe's client_secret shape). */
export function paymentIdFromClientSecret(clientSecret: string): string {
  const at = clientSecret.indexOf("_secret_");
  if (at <= 0)
    throw apiError({
      type: "invalid_request_error",
      code: "invalid_client_secret",
      message: "client-secret is not a payment's client_secret",
      param: "client_secret",
    });
  return clientSecret.slice(0, at);
}

export type PaymentMethodData =
  | { type: "card"; card: { number: string; exp_month: number; exp_year: number; cvc: string } }
  | { type: "sms"; phone: string }
  | { type: "qr" }
  | { type: "wallet"; customer: string };

export interface PaymentClientOptions {
  /** API origin, e.g. "https://api.softrack.example" (no trailing slash needed) */
  apiBase: string;
  publishableKey: string;
  clientSecret: string;
  fetch?: typeof fetch;
}

export interface PaymentClient {
  readonly paymentId: string;
  retrieve(): Promise<Payment>;
  confirm(data: PaymentMethodData): Promise<Payment>;
  verify(code: string): Promise<Payment>;
  /** A failed payment's next attempt: a new payment for the same amount (POST …/retry). */
  retry(): Promise<Payment>;
}

export function createPaymentClient(opts: PaymentClientOptions): PaymentClient {
  const base = opts.apiBase.replace(/\/+$/, "");
  const paymentId = paymentIdFromClientSecret(opts.clientSecret);
  const doFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  const path = `/v1/payments/${encodeURIComponent(paymentId)}`;

  async function call(method: "GET" | "POST", url: string, body?: object): Promise<Payment> {
    const headers: Record<string, string> = { Authorization: `Bearer ${opts.publishableKey}` };
    if (body) {
      headers["Content-Type"] = "application/json";
      // One key per call, kept by its retries: the API replays a lost answer instead of charging twice.
      headers["Idempotency-Key"] = idempotencyKey("widget");
    }
    for (let attempt = 0; ; attempt++) {
      let error: SoftrackError;
      let res: Response | undefined;
      let json: unknown;
      try {
        res = await doFetch(base + url, { method, headers, body: body ? JSON.stringify(body) : null, credentials: "omit" });
        json = await res.json().catch(() => undefined);
        if (res.ok) {
          if (json) return json as Payment;
          res = undefined; // a cut-off answer is a failure on the way, not the API's answer
          throw new TypeError("the answer was cut off");
        }
        // As the SDK's client does: the envelope's type picks the subclass; a body that is not
        // the envelope (a proxy's HTML 502) falls back to the status.
        error = SoftrackError.generate(res.status, json, res.headers);
      } catch (err) {
        error = toSoftrackError(err);
      }
      // The SDK's policy decides what is worth sending again (lost answers, 5xx, 408, 429, 409
      // request_in_progress) and how long to wait (its backoff, or the API's Retry-After). A POST
      // goes again with the same key; a read changes nothing, so it goes again as it is. A read is
      // what the buyer waits on (the skeleton, the answer to Pay): a Retry-After over 5 s ends it
      // instead (the load-error box offers Retry, a poll reads again later).
      const wait = retryDelay(attempt, res?.headers);
      if ((res && !isRetryable(res.status, json)) || attempt >= 2 || (!body && (wait > 5e3 || Number(res?.headers.get("retry-after")) > 5)))
        throw error;
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  return {
    paymentId,
    retrieve: () => call("GET", `${path}?client_secret=${encodeURIComponent(opts.clientSecret)}`),
    confirm: (data) => call("POST", `${path}/confirm`, { client_secret: opts.clientSecret, payment_method_data: data }),
    verify: (code) => call("POST", `${path}/verify`, { client_secret: opts.clientSecret, code }),
    retry: () => call("POST", `${path}/retry`, { client_secret: opts.clientSecret }),
  };
}

/** Statuses after which the buyer has nothing left to do. */
export function isSettled(p: Payment): boolean {
  return p.status === "succeeded" || p.status === "requires_capture" || p.status === "canceled" || p.status === "failed";
}

export function isPaid(p: Payment): boolean {
  return p.status === "succeeded" || p.status === "requires_capture";
}
