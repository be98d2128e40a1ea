import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SoftrackAPIError, SoftrackConnectionError, SoftrackPaymentError, SoftrackRateLimitError } from "@softrack/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apiError,
  createPaymentClient,
  errorBody,
  paymentIdFromClientSecret,
  SoftrackError,
  toSoftrackError,
} from "../../src/internal/api.js";

// A real HTTP server that records what the widget's client sends.
const seen: { method: string; url: string; headers: IncomingMessage["headers"]; body: string }[] = [];
const dropped = new Set<string>();
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
    res.setHeader("Content-Type", "application/json");
    // The API acted, but its answer is lost on the way back (once per Idempotency-Key; reads have none, so once for all).
    const key = String(req.headers["idempotency-key"]);
    if (req.url?.startsWith("/drop/") && !dropped.has(key)) {
      dropped.add(key);
      req.socket.destroy();
      return;
    }
    // Busy: /after/<status>/<Retry-After>/…, in the contract's envelope.
    if (req.url?.startsWith("/after/")) {
      const [, , status, after] = req.url.split("/");
      res.statusCode = Number(status);
      res.setHeader("Retry-After", String(after));
      res.end(
        JSON.stringify({ error: { type: status === "429" ? "rate_limit_error" : "api_error", code: "busy", message: "come back later" } }),
      );
      return;
    }
    // Not the contract's envelope: what a proxy in front of the API may answer.
    if (req.url?.startsWith("/proxy/")) {
      res.statusCode = Number(req.url.split("/")[2]);
      res.setHeader("Content-Type", "text/html");
      res.setHeader("Request-Id", "req_proxy");
      res.end("<html>Bad Gateway</html>");
      return;
    }
    if (req.url?.endsWith("/confirm") && JSON.parse(body).payment_method_data.type === "card") {
      res.statusCode = 402;
      res.end(
        JSON.stringify({
          error: { type: "payment_error", code: "card_declined", message: "Your card was declined.", request_id: "req_1" },
        }),
      );
      return;
    }
    res.end(JSON.stringify({ id: "pay_1", object: "payment", amount: 15000, currency: "KGS", status: "requires_action" }));
  });
});
let base = "";
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("payment client", () => {
  it("reads the payment id from the client_secret", () => {
    expect(paymentIdFromClientSecret("pay_1_secret_abc")).toBe("pay_1");
    expect(() => paymentIdFromClientSecret("nonsense")).toThrow(SoftrackError);
  });

  it("retrieves with the publishable key and the client_secret in the query", async () => {
    const client = createPaymentClient({ apiBase: base, publishableKey: "pk_test_abc", clientSecret: "pay_1_secret_x/y" });
    const p = await client.retrieve();
    expect(p.amount).toBe(15000);
    const req = seen.at(-1);
    expect(req?.method).toBe("GET");
    expect(req?.url).toBe("/v1/payments/pay_1?client_secret=pay_1_secret_x%2Fy");
    expect(req?.headers.authorization).toBe("Bearer pk_test_abc");
  });

  it("confirms and verifies with the secret in the body and a fresh Idempotency-Key each call", async () => {
    const client = createPaymentClient({ apiBase: `${base}/`, publishableKey: "pk_test_abc", clientSecret: "pay_1_secret_s" });
    await client.confirm({ type: "sms", phone: "+996700123456" });
    await client.verify("000000");
    const [confirm, verify] = seen.slice(-2);
    expect(confirm?.url).toBe("/v1/payments/pay_1/confirm");
    expect(JSON.parse(confirm?.body ?? "")).toEqual({
      client_secret: "pay_1_secret_s",
      payment_method_data: { type: "sms", phone: "+996700123456" },
    });
    expect(verify?.url).toBe("/v1/payments/pay_1/verify");
    expect(JSON.parse(verify?.body ?? "")).toEqual({ client_secret: "pay_1_secret_s", code: "000000" });
    expect(confirm?.headers["idempotency-key"]).toMatch(/^widget_[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
    expect(confirm?.headers["idempotency-key"]).not.toBe(verify?.headers["idempotency-key"]);
  });

  it("sends a confirm whose answer was lost again with the same Idempotency-Key", async () => {
    const client = createPaymentClient({ apiBase: `${base}/drop`, publishableKey: "pk_test_abc", clientSecret: "pay_1_secret_s" });
    const before = seen.length;
    const p = await client.confirm({ type: "sms", phone: "+996700123456" });
    expect(p.status).toBe("requires_action");
    const sent = seen.slice(before);
    expect(sent.map((r) => r.url)).toEqual(["/drop/v1/payments/pay_1/confirm", "/drop/v1/payments/pay_1/confirm"]);
    expect(sent[1]?.body).toBe(sent[0]?.body);
    expect(sent[1]?.headers["idempotency-key"]).toBe(sent[0]?.headers["idempotency-key"]);
  });

  it("sends a read whose answer was lost again, as it was (a read needs no Idempotency-Key)", async () => {
    const client = createPaymentClient({ apiBase: `${base}/drop`, publishableKey: "pk_test_abc", clientSecret: "pay_1_secret_s" });
    const before = seen.length;
    const p = await client.retrieve();
    expect(p.status).toBe("requires_action");
    const sent = seen.slice(before);
    expect(sent.map((r) => `${r.method} ${r.url}`)).toEqual([
      "GET /drop/v1/payments/pay_1?client_secret=pay_1_secret_s",
      "GET /drop/v1/payments/pay_1?client_secret=pay_1_secret_s",
    ]);
    expect(sent[0]?.headers["idempotency-key"]).toBeUndefined();
  });

  it("gives a read up when the API asks to come back in more than 5 s: the buyer is not kept waiting", async () => {
    // Over the SDK's 60 s a Retry-After would give way to its short back-off; under, it would be waited out.
    for (const [status, after] of [
      ["503", "120"],
      ["429", "30"],
    ]) {
      const client = createPaymentClient({
        apiBase: `${base}/after/${status}/${after}`,
        publishableKey: "pk_test_abc",
        clientSecret: "pay_1_secret_s",
      });
      const before = seen.length;
      const err = await client.retrieve().catch((e: unknown) => e);
      expect(errorBody(err as SoftrackError)).toMatchObject({ code: "busy", status: Number(status) });
      expect(seen.length - before, `${status}, Retry-After: ${after}`).toBe(1);
    }
  });

  it("still sends a confirm again after such an answer (the SDK's policy: a Retry-After over 60 s falls back to its back-off)", async () => {
    const client = createPaymentClient({ apiBase: `${base}/after/503/120`, publishableKey: "pk_test_abc", clientSecret: "pay_1_secret_s" });
    const before = seen.length;
    const err = await client.confirm({ type: "sms", phone: "+996700123456" }).catch((e: unknown) => e);
    expect(errorBody(err as SoftrackError)).toMatchObject({ code: "busy", status: 503 });
    const sent = seen.slice(before);
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((r) => r.headers["idempotency-key"])).size).toBe(1);
  });

  it("throws the contract's error with status and request id", async () => {
    const client = createPaymentClient({ apiBase: base, publishableKey: "pk_test_abc", clientSecret: "pay_1_secret_s" });
    const err = await client
      .confirm({ type: "card", card: { number: "4000000000000002", exp_month: 12, exp_year: 2030, cvc: "123" } })
      .catch((e: unknown) => e);
    // The SDK's class, picked by the envelope's type, as the SDK's own client does.
    expect(err).toBeInstanceOf(SoftrackPaymentError);
    expect(err).toBeInstanceOf(SoftrackError);
    expect(errorBody(err as SoftrackError)).toEqual({
      type: "payment_error",
      code: "card_declined",
      message: "Your card was declined.",
      request_id: "req_1",
      status: 402,
    });
  });

  it("turns a refused connection into api_connection_error", async () => {
    const client = createPaymentClient({ apiBase: "http://127.0.0.1:9", publishableKey: "pk_test_abc", clientSecret: "pay_1_secret_s" });
    const err = await client.retrieve().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SoftrackConnectionError);
    expect(errorBody(err as SoftrackError)).toMatchObject({ type: "api_connection_error", code: "network_error", status: 0 });
  });

  it("falls back to the status when the body is not the error envelope", async () => {
    for (const [status, Class, type] of [
      [502, SoftrackAPIError, "api_error"],
      [429, SoftrackRateLimitError, "rate_limit_error"],
    ] as const) {
      const client = createPaymentClient({
        apiBase: `${base}/proxy/${status}`,
        publishableKey: "pk_test_abc",
        clientSecret: "pay_1_secret_s",
      });
      const err = await client.retrieve().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Class);
      expect(errorBody(err as SoftrackError)).toEqual({
        type,
        code: `http_${status}`,
        message: `Softrack API responded ${status}`,
        request_id: "req_proxy",
        status,
      });
    }
  });
});

describe("widget errors", () => {
  it("round-trips the contract error object through the SDK's classes (card iframe → page)", () => {
    const body = { type: "payment_error", code: "card_declined", message: "declined", param: "card", request_id: "req_9" };
    const err = apiError(body, 402);
    expect(err).toBeInstanceOf(SoftrackPaymentError);
    expect(errorBody(err)).toEqual({ ...body, status: 402 });
    // What crosses postMessage is the plain object; the page rebuilds the same error from it.
    expect(errorBody(toSoftrackError({ ...body, status: 402 }))).toEqual({ ...body, status: 402 });
  });

  it("keeps the widget's own error types and gives status 0 when no response was involved", () => {
    const err = apiError({ type: "validation_error", code: "incomplete_phone", message: "phone number is incomplete", param: "phone" });
    expect(err).toBeInstanceOf(SoftrackError);
    expect(errorBody(err)).toEqual({
      type: "validation_error",
      code: "incomplete_phone",
      message: "phone number is incomplete",
      param: "phone",
      status: 0,
    });
    expect(errorBody(toSoftrackError(new TypeError("Failed to fetch")))).toEqual({
      type: "api_connection_error",
      code: "network_error",
      message: "Failed to fetch",
      status: 0,
    });
  });
});
