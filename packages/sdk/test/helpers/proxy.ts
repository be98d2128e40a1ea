import type { ServerResponse } from "node:http";
import { request as httpRequest } from "node:http";
import { startServer } from "./server.js";

export type Sabotage = "reset_after_effect" | "500_before" | "429_before" | "pass";

/**
 * A real HTTP proxy in front of the API that fails on purpose. `reset_after_effect`
 * forwards the request (so the API acts) and then drops the client's connection instead
 * of answering: the worst case for a payment client.
 */
export async function startSabotageProxy(target: string, plan: Sabotage[]) {
  const upstream: Array<{ status: number; body: string; replayed: boolean }> = [];
  const server = await startServer(async (req, res: ServerResponse, attempt) => {
    const step = plan[attempt - 1] ?? "pass";
    if (step === "500_before") {
      res.writeHead(500, { "content-type": "application/json" });
      return res.end(
        JSON.stringify({
          error: {
            type: "api_error",
            code: "proxy",
            message: "proxy",
            request_id: "req_proxy",
          },
        }),
      );
    }
    if (step === "429_before") {
      res.writeHead(429, {
        "content-type": "application/json",
        "retry-after": "0",
      });
      return res.end(
        JSON.stringify({
          error: {
            type: "rate_limit_error",
            code: "proxy",
            message: "proxy",
            request_id: "req_proxy",
          },
        }),
      );
    }
    const { host: _host, ...headers } = req.headers;
    const reply = await new Promise<{
      status: number;
      headers: Record<string, string>;
      body: string;
    }>((resolve, reject) => {
      const up = httpRequest(`${target}${req.url}`, { method: req.method, headers }, (r) => {
        const chunks: Buffer[] = [];
        r.on("data", (c: Buffer) => chunks.push(c));
        r.on("end", () =>
          resolve({
            status: r.statusCode ?? 0,
            headers: r.headers as Record<string, string>,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      });
      up.on("error", reject);
      up.end(req.body || undefined);
    });
    upstream.push({
      status: reply.status,
      body: reply.body,
      replayed: reply.headers["idempotent-replayed"] === "true",
    });
    if (step === "reset_after_effect") return void res.socket?.destroy();
    res.writeHead(reply.status, {
      "content-type": reply.headers["content-type"] ?? "application/json",
    });
    res.end(reply.body);
  });
  return { ...server, upstream };
}
