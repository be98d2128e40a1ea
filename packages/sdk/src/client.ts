import { SoftrackConnectionError, SoftrackError, SoftrackTimeoutError } from "./core/error.js";
import { idempotencyKey } from "./core/idempotency-key.js";
import { type ListParams, type ListResponse, PagePromise } from "./core/pagination.js";
import { isRetryable, retryDelay } from "./core/retries.js";
import { fetchTransport, nodeTransport, type Transport, type TransportRequest, type TransportResponse } from "./internal/transport.js";
import { query, sleep } from "./internal/utils.js";
import { Analytics } from "./resources/analytics.js";
import { ApiKeys } from "./resources/api-keys.js";
import { Auth } from "./resources/auth.js";
import { Balance } from "./resources/balance.js";
import { BuyerPolicies, BuyerReliabilityResource } from "./resources/buyer-reliability.js";
import { Customers } from "./resources/customers.js";
import { Disputes } from "./resources/disputes.js";
import { Events } from "./resources/events.js";
import { Ledger } from "./resources/ledger.js";
import { Members } from "./resources/members.js";
import { Merchants } from "./resources/merchants.js";
import { Orders, PickupPoints } from "./resources/orders.js";
import { Payments } from "./resources/payments.js";
import { BankAccounts, Payouts } from "./resources/payouts.js";
import { Reconciliations } from "./resources/reconciliations.js";
import { Refunds } from "./resources/refunds.js";
import { SecurityEvents } from "./resources/security-events.js";
import { Tariffs } from "./resources/tariffs.js";
import { TestHelpers } from "./resources/test-helpers.js";
import { Transit } from "./resources/transit.js";
import { WebhookEndpoints } from "./resources/webhook-endpoints.js";
import { webhooks } from "./webhooks.js";

export interface ClientOptions {
  /**
   * `sk_test_…`/`sk_live_…` on servers, `pk_…` in browsers, the platform admin key, or a
   * person's `sst_…` session token. Leave it out only together with `credentials`.
   */
  apiKey?: string;
  /**
   * fetch's credentials mode. In a browser on the API's own origin (the console), pass
   * `"same-origin"` and no `apiKey`: calls are then authenticated by the httpOnly session
   * cookie and carry no Authorization header. `"omit"` without a key calls only public routes (sign-in).
   */
  credentials?: RequestCredentials;
  /** Where the API runs, without `/v1`. Default `http://127.0.0.1:3000` (the API's own default). */
  baseUrl?: string;
  /** Milliseconds to wait for each attempt's response, body included. Default 60 000. */
  timeout?: number;
  /** Retries after the first attempt for network errors, 409 in progress, 429 and 5xx. Default 2. */
  maxRetries?: number;
  /**
   * A `fetch` to send every call through (a proxy agent, a test double, an edge runtime's). Without
   * it the client uses `node:http` on Node, with connections kept alive, and the global fetch elsewhere.
   */
  fetch?: typeof fetch;
}

/** Per-call options, the last argument of every resource method. */
export interface RequestOptions {
  /** Sent as `Idempotency-Key` on POST and PUT; one is generated per call when absent. */
  idempotencyKey?: string;
  timeout?: number;
  maxRetries?: number;
  /** Aborts the call, retries included; the call rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

type Method = "GET" | "POST" | "PUT" | "DELETE";

/** Made by the first client without a `fetch` of its own, and shared: one pool of connections per process. */
let defaultTransport: Transport | undefined;
/** The global fetch as it is at each call (a page or a test may replace it). */
const globalFetch: Transport = (url, init) => globalThis.fetch(url, init);

export class Softrack {
  /** Standard Webhooks verification: `await Softrack.webhooks.verify(rawBody, headers, secret)`. */
  static readonly webhooks = webhooks;

  readonly merchants: Merchants = new Merchants(this);
  readonly payments: Payments = new Payments(this);
  readonly refunds: Refunds = new Refunds(this);
  readonly disputes: Disputes = new Disputes(this);
  readonly customers: Customers = new Customers(this);
  readonly orders: Orders = new Orders(this);
  readonly pickupPoints: PickupPoints = new PickupPoints(this);
  readonly buyerReliability: BuyerReliabilityResource = new BuyerReliabilityResource(this);
  readonly buyerPolicy: BuyerPolicies = new BuyerPolicies(this);
  readonly analytics: Analytics = new Analytics(this);
  readonly tariffs: Tariffs = new Tariffs(this);
  readonly transit: Transit = new Transit(this);
  readonly webhookEndpoints: WebhookEndpoints = new WebhookEndpoints(this);
  readonly events: Events = new Events(this);
  readonly balance: Balance = new Balance(this);
  readonly bankAccounts: BankAccounts = new BankAccounts(this);
  readonly payouts: Payouts = new Payouts(this);
  readonly ledger: Ledger = new Ledger(this);
  /** Platform admin key. */
  readonly reconciliations: Reconciliations = new Reconciliations(this);
  readonly testHelpers: TestHelpers = new TestHelpers(this);
  readonly auth: Auth = new Auth(this);
  readonly apiKeys: ApiKeys = new ApiKeys(this);
  readonly members: Members = new Members(this);
  readonly securityEvents: SecurityEvents = new SecurityEvents(this);

  readonly baseUrl: string;
  readonly timeout: number;
  readonly maxRetries: number;
  readonly #apiKey: string | undefined;
  readonly #credentials: RequestCredentials | undefined;
  readonly #transport: Transport;

  constructor({ apiKey, credentials, baseUrl = "http://127.0.0.1:3000", timeout = 60_000, maxRetries = 2, fetch }: ClientOptions) {
    if (!apiKey && !credentials) throw new SoftrackError("Softrack: apiKey is required (or credentials, for a browser session)");
    this.#apiKey = apiKey || undefined;
    this.#credentials = credentials;
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.timeout = timeout;
    this.maxRetries = maxRetries;
    if (!fetch) defaultTransport ??= nodeTransport() ?? globalFetch;
    this.#transport = fetch ? fetchTransport(fetch) : (defaultTransport ?? globalFetch);
  }

  /**
   * Sends one API call: JSON in and out, retried on network errors, timeouts, 409
   * request_in_progress, 429 and 5xx with the same Idempotency-Key, so a retried POST
   * has at most one effect.
   */
  async request<T>(method: Method, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    // Read as text, not bytes: one UTF-8 decode, no copy into a second buffer.
    const text = await this.#send(method, path, body, options, (res) => res.text());
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Like `request`, resolving with the successful response's body as bytes (PDF receipts). */
  async requestBytes(method: Method, path: string, body?: unknown, options: RequestOptions = {}): Promise<Uint8Array> {
    return this.#send(method, path, body, options, async (res) => new Uint8Array(await res.arrayBuffer()));
  }

  async #send<R>(
    method: Method,
    path: string,
    body: unknown,
    options: RequestOptions,
    read: (res: TransportResponse) => Promise<R>,
  ): Promise<R> {
    const { signal, timeout = this.timeout, maxRetries = this.maxRetries } = options;
    const headers: Record<string, string> = { Accept: "application/json" };
    if (this.#apiKey) headers.Authorization = `Bearer ${this.#apiKey}`;
    Object.assign(headers, options.headers);
    if (body !== undefined) headers["Content-Type"] = "application/json";
    // Created once per call and reused by its retries: the API replays instead of acting twice.
    if (method === "POST" || method === "PUT") headers["Idempotency-Key"] = options.idempotencyKey ?? idempotencyKey();
    const init: Omit<TransportRequest, "signal"> = { method, headers };
    if (body !== undefined) init.body = JSON.stringify(body);
    if (this.#credentials) init.credentials = this.#credentials;
    const url = `${this.baseUrl}/v1${path}`;
    const send = this.#transport;

    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      const ctrl = new AbortController();
      const timer = setTimeout(() => ctrl.abort(new SoftrackTimeoutError(`Softrack: no response in ${timeout} ms`)), timeout);
      const onAbort = () => ctrl.abort(signal?.reason);
      signal?.addEventListener("abort", onAbort);
      let res: TransportResponse | undefined;
      let error: SoftrackError;
      // An answer that must not be retried (a 400, a 422 key reuse), as opposed to a failure on the way.
      let refused: SoftrackError | undefined;
      try {
        res = await send(url, { ...init, signal: ctrl.signal });
        if (res.ok) {
          // Buffer the body while the timer runs, so a stalled body also times out.
          return await read(res);
        }
        const text = await res.text();
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = text;
        }
        error = SoftrackError.generate(res.status, parsed, res.headers);
        if (!isRetryable(res.status, parsed)) {
          refused = error;
          throw error;
        }
      } catch (err) {
        if (refused) throw refused;
        if (signal?.aborted) throw signal.reason;
        const reason = ctrl.signal.reason;
        error =
          ctrl.signal.aborted && reason instanceof SoftrackTimeoutError
            ? reason
            : new SoftrackConnectionError(`Softrack: could not reach ${this.baseUrl}`, { cause: err });
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      }
      if (attempt >= maxRetries) throw error;
      await sleep(retryDelay(attempt, res?.headers), signal);
    }
  }

  /** A list call: await it for one page, `for await` it for every item. */
  list<T extends { id: string }>(path: string, params: ListParams & object = {}, options?: RequestOptions): PagePromise<T> {
    return new PagePromise<T>(
      (p, o) => this.request<ListResponse<T>>("GET", path + query(p), undefined, o),
      params as ListParams & Record<string, unknown>,
      options,
    );
  }
}
