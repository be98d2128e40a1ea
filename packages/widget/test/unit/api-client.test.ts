import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPaymentClient, paymentIdFromClientSecret, SoftrackError } from "../../src/internal/api.js";

// A real HTTP server that records what the widget's client sends.
const seen: { method: string; url: string; headers: IncomingMessage["headers"]; body: string }[] = [];
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
    res.setHeader("Content-Type", "application/json");
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
    expect(confirm?.headers["idempotency-key"]).toMatch(/^widget_/);
    expect(confirm?.headers["idempotency-key"]).not.toBe(verify?.headers["idempotency-key"]);
  });

  it("throws the contract's error with status and request id", async () => {
    const client = createPaymentClient({ apiBase: base, publishableKey: "pk_test_abc", clientSecret: "pay_1_secret_s" });
    const err = await client
      .confirm({ type: "card", card: { number: "4000000000000002", exp_month: 12, exp_year: 2030, cvc: "123" } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SoftrackError);
    expect((err as SoftrackError).toJSON()).toEqual({
      type: "payment_error",
      code: "card_declined",
      message: "Your card was declined.",
      request_id: "req_1",
      status: 402,
    });
  });

  it("turns a refused connection into api_connection_error", async () => {
    const client = createPaymentClient({ apiBase: "http://127.0.0.1:9", publishableKey: "pk_test_abc", clientSecret: "pay_1_secret_s" });
    await expect(client.retrieve()).rejects.toMatchObject({ type: "api_connection_error", code: "network_error" });
  });
});
