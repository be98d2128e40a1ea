import type { ServerResponse } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  Softrack,
  SoftrackAPIError,
  SoftrackConnectionError,
  SoftrackIdempotencyError,
  SoftrackInvalidRequestError,
  SoftrackRateLimitError,
  SoftrackTimeoutError,
} from "../src/index.js";
import { apiError, json, type Received, startServer } from "./helpers/server.js";

type Failure = "reset" | "hang" | "stall" | "500" | "429" | "in_progress" | "html502";

/**
 * A payments API that honours Idempotency-Key like the contract says, and fails on
 * purpose: `failures[n]` decides what attempt n+1 sees. A failure after the effect
 * (reset, hang) is the case retries must survive without charging twice.
 */
async function flakyPayments(failures: Failure[]) {
  const effects: string[] = [];
  const done = new Map<string, { status: number; body: unknown }>();
  const server = await startServer(async (req: Received, res: ServerResponse, attempt) => {
    const failure = failures[attempt - 1];
    const key = req.headers["idempotency-key"] as string;
    const stored = done.get(key);
    if (stored)
      return json(res, stored.status, stored.body, {
        "idempotent-replayed": "true",
      });
    if (failure === "500") return json(res, 500, apiError("api_error", "internal"));
    if (failure === "html502") {
      res.writeHead(502, { "content-type": "text/html" });
      return res.end("<html>bad gateway</html>");
    }
    if (failure === "429")
      return json(res, 429, apiError("rate_limit_error", "rate_limited"), {
        "retry-after": "0",
      });
    if (failure === "in_progress") return json(res, 409, apiError("idempotency_error", "request_in_progress"));
    // The effect happens once per key; the response below may never reach the client.
    const payment = {
      id: `pay_${effects.length + 1}`,
      object: "payment",
      amount: JSON.parse(req.body).amount,
    };
    effects.push(payment.id);
    done.set(key, { status: 200, body: payment });
    if (failure === "reset") return void res.socket?.destroy();
    if (failure === "hang") return; // never answers; the client's timeout fires
    if (failure === "stall") {
      // The head and half the body, then nothing: the body has to time out too.
      res.writeHead(200, { "content-type": "application/json" });
      return void res.write('{"id":');
    }
    json(res, 200, payment);
  });
  return { ...server, effects };
}

/**
 * Both ways the client sends: `node:http`, its default on Node, and fetch (a caller's own, and the
 * default in browsers and edge runtimes). Every case below runs over each.
 */
const TRANSPORTS: { name: string; options: { fetch?: typeof fetch } }[] = [
  { name: "node:http (the default on Node)", options: {} },
  { name: "fetch", options: { fetch: (input, init) => fetch(input, init) } },
];
let transport: { fetch?: typeof fetch } = {};

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function setup(failures: Failure[], opts: { timeout?: number; maxRetries?: number } = {}) {
  const api = await flakyPayments(failures);
  close = api.close;
  const client = new Softrack({
    ...transport,
    apiKey: "sk_test_x",
    baseUrl: api.url,
    ...opts,
  });
  return { api, client };
}

const create = (client: Softrack, options?: Parameters<Softrack["payments"]["create"]>[1]) =>
  client.payments.create({ amount: 15000, currency: "KGS" }, options);

describe.each(TRANSPORTS)("over $name", ({ options }) => {
  beforeEach(() => {
    transport = options;
  });

  describe("retries: one effect per idempotency key", () => {
    it("a connection reset after the effect: the retry gets the replay, the payment is made once", async () => {
      const { api, client } = await setup(["reset"]);
      const payment = await create(client);
      expect(payment.id).toBe("pay_1");
      expect(api.effects).toEqual(["pay_1"]);
      expect(api.received).toHaveLength(2);
      const keys = api.received.map((r) => r.headers["idempotency-key"]);
      expect(keys[0]).toMatch(/^sdk_[0-9a-f]{32}$/);
      expect(keys[1]).toBe(keys[0]);
    });

    it("a timeout after the effect: retried with the same key, made once", async () => {
      const { api, client } = await setup(["hang"], { timeout: 150 });
      const payment = await create(client);
      expect(payment.id).toBe("pay_1");
      expect(api.effects).toEqual(["pay_1"]);
      expect(new Set(api.received.map((r) => r.headers["idempotency-key"])).size).toBe(1);
    });

    it("a body that stops half-way times out, and the retry gets the replay: made once", async () => {
      const { api, client } = await setup(["stall"], { timeout: 150 });
      const payment = await create(client);
      expect(payment.id).toBe("pay_1");
      expect(api.effects).toEqual(["pay_1"]);
      expect(api.received).toHaveLength(2);
    });

    it("500 twice, then success: three attempts, one key, one effect", async () => {
      const { api, client } = await setup(["500", "500"]);
      await expect(create(client)).resolves.toMatchObject({
        id: "pay_1",
        amount: 15000,
      });
      expect(api.received).toHaveLength(3);
      expect(new Set(api.received.map((r) => r.headers["idempotency-key"])).size).toBe(1);
      expect(api.effects).toHaveLength(1);
    });

    it("429 with Retry-After is retried", async () => {
      const { api, client } = await setup(["429"]);
      await expect(create(client)).resolves.toMatchObject({ id: "pay_1" });
      expect(api.received).toHaveLength(2);
    });

    it("409 request_in_progress is retried", async () => {
      const { api, client } = await setup(["in_progress"]);
      await expect(create(client)).resolves.toMatchObject({ id: "pay_1" });
      expect(api.received).toHaveLength(2);
    });

    it("a caller's own Idempotency-Key is sent as given and kept across retries", async () => {
      const { api, client } = await setup(["500"]);
      await create(client, { idempotencyKey: "order-42-payment" });
      expect(api.received.map((r) => r.headers["idempotency-key"])).toEqual(["order-42-payment", "order-42-payment"]);
      // The same key again later: the API replays, nothing new is charged.
      await expect(create(client, { idempotencyKey: "order-42-payment" })).resolves.toMatchObject({ id: "pay_1" });
      expect(api.effects).toEqual(["pay_1"]);
    });

    it("two calls get two keys, so two payments", async () => {
      const { api, client } = await setup([]);
      await create(client);
      await create(client);
      expect(api.effects).toEqual(["pay_1", "pay_2"]);
    });

    it("gives up after maxRetries with the typed error of the last response", async () => {
      const { api, client } = await setup(["500", "500", "500", "500"], {
        maxRetries: 2,
      });
      const err = await create(client).catch((e) => e);
      expect(err).toBeInstanceOf(SoftrackAPIError);
      expect(err.status).toBe(500);
      expect(api.received).toHaveLength(3);
      expect(api.effects).toHaveLength(0);
    });

    it("per-request maxRetries: 0 sends exactly one attempt", async () => {
      const { api, client } = await setup(["429"]);
      const err = await create(client, { maxRetries: 0 }).catch((e) => e);
      expect(err).toBeInstanceOf(SoftrackRateLimitError);
      expect(api.received).toHaveLength(1);
    });

    it("a non-JSON 502 from a proxy is an api error, and is retried", async () => {
      const { api, client } = await setup(["html502", "html502"]);
      const err = await create(client, { maxRetries: 0 }).catch((e) => e);
      expect(err).toBeInstanceOf(SoftrackAPIError);
      expect(err.status).toBe(502);
      expect(err.raw).toBe("<html>bad gateway</html>");
      await expect(create(client)).resolves.toMatchObject({ id: "pay_1" });
      expect(api.received).toHaveLength(3);
    });

    it("a timeout on every attempt ends in SoftrackTimeoutError", async () => {
      const server = await startServer(() => {}); // never answers
      close = server.close;
      const client = new Softrack({
        ...transport,
        apiKey: "sk_test_x",
        baseUrl: server.url,
        timeout: 100,
        maxRetries: 1,
      });
      const err = await client.balance.retrieve().catch((e) => e);
      expect(err).toBeInstanceOf(SoftrackTimeoutError);
      expect(err).toBeInstanceOf(SoftrackConnectionError);
      expect(server.received).toHaveLength(2);
      expect(server.received[0]?.headers["idempotency-key"]).toBeUndefined();
    });
  });

  describe("retries: what is not retried", () => {
    it("400 is thrown at once as SoftrackInvalidRequestError with code, param, requestId, status", async () => {
      const server = await startServer((_req, res) =>
        json(res, 400, apiError("invalid_request_error", "parameter_invalid", "amount must be an integer", "amount")),
      );
      close = server.close;
      const client = new Softrack({ ...transport, apiKey: "sk_test_x", baseUrl: server.url });
      const err = await client.payments.create({ amount: 1.5, currency: "KGS" }).catch((e) => e);
      expect(err).toBeInstanceOf(SoftrackInvalidRequestError);
      expect(err).toMatchObject({
        status: 400,
        type: "invalid_request_error",
        code: "parameter_invalid",
        param: "amount",
        requestId: "req_err",
        message: "amount must be an integer",
      });
      expect(server.received).toHaveLength(1);
    });

    it("422 idempotency_key_reused is not retried", async () => {
      const server = await startServer((_req, res) => json(res, 422, apiError("idempotency_error", "idempotency_key_reused")));
      close = server.close;
      const client = new Softrack({ ...transport, apiKey: "sk_test_x", baseUrl: server.url });
      const err = await client.payments.create({ amount: 1, currency: "KGS" }).catch((e) => e);
      expect(err).toBeInstanceOf(SoftrackIdempotencyError);
      expect(err.code).toBe("idempotency_key_reused");
      expect(server.received).toHaveLength(1);
    });

    it("a 409 that is not request_in_progress is not retried", async () => {
      const server = await startServer((_req, res) => json(res, 409, apiError("idempotency_error", "something_else")));
      close = server.close;
      const client = new Softrack({ ...transport, apiKey: "sk_test_x", baseUrl: server.url });
      await expect(client.payments.cancel("pay_1")).rejects.toBeInstanceOf(SoftrackIdempotencyError);
      expect(server.received).toHaveLength(1);
    });

    it("a caller's abort stops the call with the signal's reason and no retry", async () => {
      const server = await startServer(() => {}); // never answers
      close = server.close;
      const client = new Softrack({ ...transport, apiKey: "sk_test_x", baseUrl: server.url });
      const ctrl = new AbortController();
      const call = client.balance.retrieve({ signal: ctrl.signal });
      setTimeout(() => ctrl.abort(new Error("user left the page")), 50);
      await expect(call).rejects.toThrow("user left the page");
      expect(server.received).toHaveLength(1);
    });

    it("an abort during the backoff between retries ends the call at once", async () => {
      const server = await startServer((_req, res) => json(res, 503, apiError("api_error", "down"), { "retry-after": "30" }));
      close = server.close;
      let answered: () => void = () => {};
      const firstAnswer = new Promise<void>((r) => {
        answered = r;
      });
      const client = new Softrack({
        ...transport,
        apiKey: "sk_test_x",
        baseUrl: server.url,
        fetch: async (input, init) => {
          const res = await fetch(input, init);
          answered();
          return res;
        },
      });
      const ctrl = new AbortController();
      const call = client.balance.retrieve({ signal: ctrl.signal });
      // The 503 asks for 30 s; the caller gives up while the client waits it out.
      await firstAnswer;
      await new Promise((r) => setTimeout(r, 50));
      ctrl.abort(new Error("checkout closed"));
      await expect(call).rejects.toThrow("checkout closed");
      expect(server.received).toHaveLength(1);
    });

    it("an unreachable API ends in SoftrackConnectionError after the retries", async () => {
      const server = await startServer(() => {});
      const url = server.url;
      await server.close(); // nothing listens on this port any more
      const client = new Softrack({
        ...transport,
        apiKey: "sk_test_x",
        baseUrl: url,
        maxRetries: 1,
      });
      const err = await client.balance.retrieve().catch((e) => e);
      expect(err).toBeInstanceOf(SoftrackConnectionError);
      expect(err).not.toBeInstanceOf(SoftrackTimeoutError);
      expect(err.cause).toBeDefined();
    });
  });
});
