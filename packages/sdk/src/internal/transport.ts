/**
 * How a call reaches the API. On Node the client sends through `node:http` with a keep-alive
 * agent; everywhere else, and whenever a `fetch` is given, through fetch. Node's global fetch
 * builds the web platform's Request, Response, Headers and streams around every call: on the
 * payments bench it cost about three times the client CPU of `node:http` for the same request
 * (BENCHMARKS.md, issue 18). A partner's server pays that on every payment it makes.
 *
 * Node's modules are reached through `process.getBuiltinModule`, never imported: a browser
 * bundle of the SDK holds no reference to them.
 */

/** What the client reads of an answer: the part of fetch's Response that both transports give. */
export interface TransportResponse {
  ok: boolean;
  status: number;
  headers: Headers;
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface TransportRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
  credentials?: RequestCredentials;
  signal: AbortSignal;
}

export type Transport = (url: string, init: TransportRequest) => Promise<TransportResponse>;

/** fetch as a transport: a caller's own (a proxy agent, a test double) or the runtime's. */
export const fetchTransport =
  (fetchFn: typeof fetch): Transport =>
  (url, init) =>
    fetchFn(url, init);

/** The few parts of node:http and node:https used here (the SDK's sources build without Node's types). */
interface Incoming {
  statusCode?: number;
  headers: Record<string, string | string[] | undefined>;
  complete: boolean;
  on(event: "data", listener: (chunk: Uint8Array) => void): Incoming;
  on(event: "end" | "close", listener: () => void): Incoming;
  on(event: "error", listener: (err: Error) => void): Incoming;
}
interface Outgoing {
  on(event: "error", listener: (err: Error) => void): Outgoing;
  end(body?: Uint8Array): void;
  destroy(err?: Error): void;
}
interface HttpModule {
  Agent: new (options: { keepAlive: boolean }) => object;
  request(url: URL, options: object, onResponse: (res: Incoming) => void): Outgoing;
}
interface NodeProcess {
  release?: { name?: string };
  getBuiltinModule?(id: string): unknown;
}

/** `node:http` on Node itself (not Bun or Deno, which imitate it); undefined elsewhere. */
export function nodeTransport(): Transport | undefined {
  const g = globalThis as { process?: NodeProcess; Bun?: unknown; Deno?: unknown };
  const proc = g.process;
  if (g.Bun !== undefined || g.Deno !== undefined || proc?.release?.name !== "node" || !proc.getBuiltinModule) return undefined;
  const http = proc.getBuiltinModule("node:http") as HttpModule;
  const https = proc.getBuiltinModule("node:https") as HttpModule;
  // One agent per scheme for the whole process: connections are reused across calls and clients.
  // Node unrefs a connection while it waits in the pool, so an idle one never keeps a process alive.
  const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  return (url, init) =>
    new Promise((resolve, reject) => {
      const signal = init.signal;
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const target = new URL(url);
      const secure = target.protocol === "https:";
      // Encoded once, and sent with its length in bytes rather than in chunks: the body is whole.
      const bytes = init.body === undefined ? undefined : encoder.encode(init.body);
      const sent = bytes === undefined ? init.headers : { ...init.headers, "Content-Length": String(bytes.byteLength) };
      // No `signal` option: node:http follows the request's streams to their end for it, 6–10 % of
      // a call's CPU (bench/sdk-transport.ts). The abort (a timeout, the caller's signal) is one
      // listener here, removed when the exchange is over.
      const options = { method: init.method, headers: sent, agent: secure ? agents.https : agents.http };
      // Called only once `req` below exists (on an abort, or when the exchange ends).
      const abort = () => req.destroy(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
      const over = () => signal.removeEventListener("abort", abort);
      const req = (secure ? https : http).request(target, options, (res) => {
        res.on("close", over);
        const chunks: Uint8Array[] = [];
        // Settles when the body has arrived, or fails when the connection ends first (an abort, a reset).
        const body = new Promise<Uint8Array[]>((done, fail) => {
          res.on("data", (chunk) => chunks.push(chunk));
          res.on("end", () => done(chunks));
          res.on("error", fail);
          res.on("close", () => {
            if (!res.complete) fail(signal.aborted ? signal.reason : new Error("the connection closed before the body ended"));
          });
        });
        body.catch(() => undefined); // read or not, a failed body is never an unhandled rejection
        const status = res.statusCode ?? 0;
        let headers: Headers | undefined;
        resolve({
          ok: status >= 200 && status < 300,
          status,
          // Only errors read headers (request id, Retry-After): built when asked.
          get headers() {
            headers ??= toHeaders(res.headers);
            return headers;
          },
          text: async () => decoder.decode(concat(await body)),
          arrayBuffer: async () => {
            const bytes = concat(await body);
            return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
          },
        });
      });
      signal.addEventListener("abort", abort, { once: true });
      req.on("error", (err) => {
        over();
        reject(signal.aborted ? signal.reason : err);
      });
      req.end(bytes);
    });
}

// Pure: a bundle that takes only the error classes or the retry policy (the widget) drops them.
const decoder = /* @__PURE__ */ new TextDecoder();
const encoder = /* @__PURE__ */ new TextEncoder();

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}
