/**
 * Shared bench helpers: a keep-alive HTTP/1.1 JSON client on undici's Pool (the client inside
 * Node's fetch, without fetch's web streams: about half the CPU per request of node:http on
 * this machine, 82–102 against 133–182 µs against a bare Hono endpoint), so the load generator
 * takes less of the 2-core machine it shares with the API and PostgreSQL; and latency statistics.
 */
import { Pool } from "undici";

export interface JsonClient {
  /** `headers`: extra request headers, e.g. the Idempotency-Key the SDK sends. */
  post<T = unknown>(path: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T; ms: number }>;
  put<T = unknown>(path: string, body: unknown): Promise<{ status: number; body: T; ms: number }>;
  get<T = unknown>(path: string): Promise<{ status: number; body: T; ms: number }>;
  close(): void;
}

/** `connections` sockets at most, reused (keep-alive): in-flight requests beyond that queue in the pool. */
export function jsonClient(baseUrl: string, key: string, connections: number): JsonClient {
  const pool = new Pool(new URL(baseUrl).origin, { connections, pipelining: 1 });
  const auth = `Bearer ${key}`;
  const call = async <T>(method: "GET" | "POST" | "PUT", path: string, body?: unknown, extra?: Record<string, string>) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const start = process.hrtime.bigint();
    const res = await pool.request({
      method,
      path,
      headers:
        payload === undefined ? { authorization: auth, ...extra } : { authorization: auth, "content-type": "application/json", ...extra },
      ...(payload === undefined ? {} : { body: payload }),
    });
    const text = await res.body.text();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    return { status: res.statusCode, body: parsed as T, ms };
  };
  return {
    post: (path, body, headers) => call("POST", path, body, headers),
    put: (path, body) => call("PUT", path, body),
    get: (path) => call("GET", path),
    close: () => void pool.close(),
  };
}

/** p-th percentile (0..100) of a list of numbers, nearest-rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/**
 * The order in which `participants` take their slices, round by round. Rounds come in pairs: the
 * first of a pair is the participants rotated by the pair's number, the second is that order
 * backwards. Over each pair every participant's two slices sit at the same mean time, so a
 * database that slows as it fills weighs on each alike. A plain rotation (each round starting one
 * later) did not: over four rounds of nine, the first participant's slices ran 3.75 slots later on
 * average than the fourth's, and pgbench's, placed last, latest of all.
 */
export function turns<T>(participants: readonly T[], rounds: number): T[][] {
  return Array.from({ length: rounds }, (_, round) => {
    const shift = Math.floor(round / 2);
    const order = participants.map((_, k) => participants[(shift + k) % participants.length] as T);
    return round % 2 === 0 ? order : order.reverse();
  });
}

/** Runs `worker(i)` on `concurrency` loops until `until()` says stop; resolves when all loops ended. */
export async function loops(concurrency: number, until: () => boolean, worker: (loop: number) => Promise<void>): Promise<void> {
  await Promise.all(
    Array.from({ length: concurrency }, async (_, loop) => {
      while (!until()) await worker(loop);
    }),
  );
}

export const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }) : "n/a";

export interface WalletPaymentLoad {
  ok: number;
  failed: number;
  /** per payment (create + confirm), ms */
  latencies: number[];
  /** failures by "create status/confirm status error code" */
  why: Map<string, number>;
  paymentsPerSecond: number;
}

/**
 * Payments at full speed for `seconds` on `connections` loops: `pay` makes one payment and
 * answers null when it succeeded, or why it failed. Every bench path that pays goes through
 * here, so their rates, latencies and failure counts mean the same thing.
 */
export async function paymentLoad(connections: number, seconds: number, pay: () => Promise<string | null>): Promise<WalletPaymentLoad> {
  const out: WalletPaymentLoad = { ok: 0, failed: 0, latencies: [], why: new Map(), paymentsPerSecond: 0 };
  const end = Date.now() + seconds * 1000;
  const started = performance.now();
  await loops(
    connections,
    () => Date.now() > end,
    async () => {
      const t = performance.now();
      const failure = await pay();
      out.latencies.push(performance.now() - t);
      if (failure === null) {
        out.ok++;
        return;
      }
      out.failed++;
      out.why.set(failure, (out.why.get(failure) ?? 0) + 1);
    },
  );
  out.paymentsPerSecond = out.ok / ((performance.now() - started) / 1000);
  return out;
}

/**
 * Wallet payments at full speed for `seconds`: each loop creates a payment for a random
 * customer and confirms it from the wallet, without Idempotency-Keys. Shared by the payments
 * and scale-out benches so their figures measure the same thing.
 */
export function walletPayments(
  client: JsonClient,
  customers: readonly string[],
  connections: number,
  seconds: number,
): Promise<WalletPaymentLoad> {
  return paymentLoad(connections, seconds, async () => {
    const customer = customers[Math.floor(Math.random() * customers.length)] as string;
    const created = await client.post<{ id: string }>("/v1/payments", {
      amount: 100 + Math.floor(Math.random() * 900),
      currency: "KGS",
      customer,
    });
    const confirmed = await client.post<{ status: string }>(`/v1/payments/${created.body.id}/confirm`, {
      payment_method_data: { type: "wallet" },
    });
    if (confirmed.status === 200 && confirmed.body.status === "succeeded") return null;
    return `${created.status}/${confirmed.status} ${(confirmed.body as { error?: { code?: string } })?.error?.code ?? ""}`.trim();
  });
}

/** What `poolFetch` saw of the POSTs it carried: how many, how many with a key, and the last one. */
export interface PostTally {
  posts: number;
  keyed: number;
  last?: { path: string; headers: Record<string, string>; body: string; status: number; response: string };
}

/**
 * What the SDK reads of an answer, without a web Response around it: building one and reading its
 * body back through a web stream cost more client CPU than the request itself, on the same two
 * cores as the API (the SDK's own Node transport answers the same way). A class, not an object of
 * closures: this file runs under tsx, which names every closure it makes, on every call.
 */
class PoolAnswer {
  #headers: Headers | undefined;
  constructor(
    readonly status: number,
    private readonly raw: Record<string, string | string[] | undefined>,
    private readonly body: string,
  ) {}
  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }
  get headers(): Headers {
    this.#headers ??= new Headers(this.raw as Record<string, string>);
    return this.#headers;
  }
  async text(): Promise<string> {
    return this.body;
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    return new TextEncoder().encode(this.body).buffer as ArrayBuffer;
  }
}

/**
 * A `fetch` for `@softrack/sdk`'s `fetch` option, carried by the same keep-alive undici Pool as
 * `jsonClient` (at most `connections` sockets) and read as it reads (the body as text). The SDK
 * still builds every request (headers, Idempotency-Key, body, retries); only the transport is
 * shared, so an SDK path and a raw path cost the load generator the same per request and their
 * rates compare. Counts the POSTs and keeps the last one in `tally`, to show what the SDK sent.
 */
export function poolFetch(baseUrl: string, connections: number, tally: PostTally): { fetch: typeof fetch; close(): void } {
  const origin = new URL(baseUrl).origin;
  const pool = new Pool(origin, { connections, pipelining: 1 });
  // Lean on purpose: Headers and URL objects per request would double the client's CPU per call.
  // The SDK passes its headers as a plain record and URLs under baseUrl.
  const carry = async (input: string, init: RequestInit = {}): Promise<Response> => {
    const path = input.slice(origin.length);
    const method = (init.method ?? "GET") as "GET";
    const headers = (init.headers ?? {}) as Record<string, string>;
    const body = typeof init.body === "string" ? init.body : undefined;
    const res = await pool.request({ method, path, headers, body, signal: init.signal ?? undefined });
    const text = await res.body.text();
    if (method === "POST") {
      tally.posts++;
      if (headers["Idempotency-Key"] ?? headers["idempotency-key"]) tally.keyed++;
      tally.last = { path, headers, body: body ?? "", status: res.statusCode, response: text };
    }
    return new PoolAnswer(res.statusCode, res.headers, text) as unknown as Response;
  };
  return { fetch: carry as unknown as typeof fetch, close: () => void pool.close() };
}
