/**
 * Shared bench helpers: a keep-alive HTTP/1.1 JSON client on node:http (lighter than fetch,
 * so the load generator costs the 2-core machine less) and latency statistics.
 */
import { Agent, request } from "node:http";

export interface JsonClient {
  post<T = unknown>(path: string, body: unknown): Promise<{ status: number; body: T; ms: number }>;
  put<T = unknown>(path: string, body: unknown): Promise<{ status: number; body: T; ms: number }>;
  get<T = unknown>(path: string): Promise<{ status: number; body: T; ms: number }>;
  close(): void;
}

/** `connections` sockets at most, reused (keep-alive): in-flight requests beyond that queue in the agent. */
export function jsonClient(baseUrl: string, key: string, connections: number): JsonClient {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  const call = <T>(method: string, path: string, body?: unknown) =>
    new Promise<{ status: number; body: T; ms: number }>((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const start = process.hrtime.bigint();
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method,
          path,
          headers: {
            Authorization: `Bearer ${key}`,
            ...(payload ? { "Content-Type": "application/json", "Content-Length": payload.length } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const ms = Number(process.hrtime.bigint() - start) / 1e6;
            const text = Buffer.concat(chunks).toString();
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {}
            resolve({ status: res.statusCode ?? 0, body: parsed as T, ms });
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      if (payload) req.write(payload);
      req.end();
    });
  return {
    post: (path, body) => call("POST", path, body),
    put: (path, body) => call("PUT", path, body),
    get: (path) => call("GET", path),
    close: () => agent.destroy(),
  };
}

/** p-th percentile (0..100) of a list of numbers, nearest-rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
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
 * Wallet payments at full speed for `seconds`: each loop creates a payment for a random
 * customer and confirms it from the wallet. Shared by the payments and scale-out benches so
 * their figures measure the same thing.
 */
export async function walletPayments(
  client: JsonClient,
  customers: readonly string[],
  connections: number,
  seconds: number,
): Promise<WalletPaymentLoad> {
  const out: WalletPaymentLoad = { ok: 0, failed: 0, latencies: [], why: new Map(), paymentsPerSecond: 0 };
  const end = Date.now() + seconds * 1000;
  const started = performance.now();
  await loops(
    connections,
    () => Date.now() > end,
    async () => {
      const customer = customers[Math.floor(Math.random() * customers.length)] as string;
      const t = performance.now();
      const created = await client.post<{ id: string }>("/v1/payments", {
        amount: 100 + Math.floor(Math.random() * 900),
        currency: "KGS",
        customer,
      });
      const confirmed = await client.post<{ status: string }>(`/v1/payments/${created.body.id}/confirm`, {
        payment_method_data: { type: "wallet" },
      });
      out.latencies.push(performance.now() - t);
      if (confirmed.status === 200 && confirmed.body.status === "succeeded") {
        out.ok++;
        return;
      }
      out.failed++;
      const reason = `${created.status}/${confirmed.status} ${(confirmed.body as { error?: { code?: string } })?.error?.code ?? ""}`.trim();
      out.why.set(reason, (out.why.get(reason) ?? 0) + 1);
    },
  );
  out.paymentsPerSecond = out.ok / ((performance.now() - started) / 1000);
  return out;
}
