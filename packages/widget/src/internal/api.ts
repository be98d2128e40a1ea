/**
 * The few calls a browser may make with a publishable key (contract: create/confirm a
 * payment through its client_secret, and read that payment). A small fetch client kept
 * internal so it can be swapped for @softrack/sdk without touching the component.
 */

export type PaymentStatus =
  | "requires_payment_method"
  | "requires_action"
  | "processing"
  | "requires_capture"
  | "succeeded"
  | "canceled"
  | "failed";

export type NextAction =
  | { type: "sms_code" }
  | { type: "three_d_secure" }
  | { type: "qr"; payload: string }
  | { type: string; [key: string]: unknown };

export interface Payment {
  id: string;
  object: "payment";
  amount: number;
  currency: string;
  status: PaymentStatus;
  method?: string | null;
  customer?: string | null;
  description?: string | null;
  next_action?: NextAction | null;
  livemode?: boolean;
  /** not in the v1 contract; honoured when the API sends it */
  payment_method_types?: string[];
  [key: string]: unknown;
}

/** The contract's error object, as the API sends it inside `{"error": …}`. */
export interface ApiErrorBody {
  type: string;
  code: string;
  message: string;
  param?: string;
  request_id?: string;
}

export class SoftrackError extends Error implements ApiErrorBody {
  readonly type: string;
  readonly code: string;
  readonly param?: string;
  readonly request_id?: string;
  readonly status: number;
  constructor(body: ApiErrorBody, status: number) {
    super(body.message);
    this.name = "SoftrackError";
    this.type = body.type;
    this.code = body.code;
    if (body.param !== undefined) this.param = body.param;
    if (body.request_id !== undefined) this.request_id = body.request_id;
    this.status = status;
  }
  toJSON(): ApiErrorBody & { status: number } {
    const out: ApiErrorBody & { status: number } = { type: this.type, code: this.code, message: this.message, status: this.status };
    if (this.param !== undefined) out.param = this.param;
    if (this.request_id !== undefined) out.request_id = this.request_id;
    return out;
  }
}

export function toSoftrackError(err: unknown): SoftrackError {
  if (err instanceof SoftrackError) return err;
  if (err && typeof err === "object" && "type" in err && "code" in err && "message" in err) {
    const e = err as ApiErrorBody & { status?: number };
    return new SoftrackError(e, e.status ?? 0);
  }
  return new SoftrackError(
    { type: "api_connection_error", code: "network_error", message: err instanceof Error ? err.message : String(err) },
    0,
  );
}

/** "pay_123_secret_abc" → "pay_123" (Stripe's client_secret shape). */
export function paymentIdFromClientSecret(clientSecret: string): string {
  const at = clientSecret.indexOf("_secret_");
  if (at <= 0)
    throw new SoftrackError(
      {
        type: "invalid_request_error",
        code: "invalid_client_secret",
        message: "client-secret is not a payment's client_secret",
        param: "client_secret",
      },
      0,
    );
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
}

function idempotencyKey(): string {
  return `widget_${crypto.randomUUID()}`;
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
      // One key per call: a retried confirm must never charge twice.
      headers["Idempotency-Key"] = idempotencyKey();
    }
    let res: Response;
    try {
      res = await doFetch(base + url, { method, headers, body: body ? JSON.stringify(body) : null, credentials: "omit" });
    } catch (err) {
      throw toSoftrackError(err);
    }
    const json = (await res.json().catch(() => undefined)) as { error?: ApiErrorBody } | Payment | undefined;
    if (!res.ok) {
      const e =
        json && "error" in json && json.error ? json.error : { type: "api_error", code: `http_${res.status}`, message: res.statusText };
      throw new SoftrackError(e as ApiErrorBody, res.status);
    }
    return json as Payment;
  }

  return {
    paymentId,
    retrieve: () => call("GET", `${path}?client_secret=${encodeURIComponent(opts.clientSecret)}`),
    confirm: (data) => call("POST", `${path}/confirm`, { client_secret: opts.clientSecret, payment_method_data: data }),
    verify: (code) => call("POST", `${path}/verify`, { client_secret: opts.clientSecret, code }),
  };
}

/** Statuses after which the buyer has nothing left to do. */
export function isSettled(p: Payment): boolean {
  return p.status === "succeeded" || p.status === "requires_capture" || p.status === "canceled" || p.status === "failed";
}

export function isPaid(p: Payment): boolean {
  return p.status === "succeeded" || p.status === "requires_capture";
}
