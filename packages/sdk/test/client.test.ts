import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Softrack, { SoftrackError } from "../src/index.js";
import { json, startServer } from "./helpers/server.js";

let server: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
  server = await startServer((req, res) => json(res, 200, { id: "x", object: "echo", path: req.url }));
});
afterAll(() => server.close());
const last = () => server.received.at(-1) ?? { method: "", url: "", headers: {}, body: "" };

describe("Softrack client", () => {
  it("sends Bearer auth, JSON body and content type to baseUrl + /v1", async () => {
    const client = new Softrack({
      apiKey: "sk_test_abc",
      baseUrl: `${server.url}/`,
    });
    await client.customers.create({ name: "Aida", email: "aida@example.kg" });
    const r = last();
    expect(r.method).toBe("POST");
    expect(r.url).toBe("/v1/customers");
    expect(r.headers.authorization).toBe("Bearer sk_test_abc");
    expect(r.headers["content-type"]).toBe("application/json");
    expect(r.headers.accept).toBe("application/json");
    expect(JSON.parse(r.body)).toEqual({
      name: "Aida",
      email: "aida@example.kg",
    });
  });

  it("GETs carry no body and no Idempotency-Key", async () => {
    const client = new Softrack({ apiKey: "sk_test_abc", baseUrl: server.url });
    await client.payments.retrieve("pay_1", {
      client_secret: "pay_1_secret_x",
    });
    expect(last()).toMatchObject({
      method: "GET",
      url: "/v1/payments/pay_1?client_secret=pay_1_secret_x",
      body: "",
    });
    expect(last().headers["idempotency-key"]).toBeUndefined();
  });

  it("encodes ids so they cannot reach another path, and refuses empty ids", async () => {
    const client = new Softrack({ apiKey: "sk_test_abc", baseUrl: server.url });
    await client.payments.retrieve("pay_1/../../refunds?x=1");
    expect(last().url).toBe("/v1/payments/pay_1%2F..%2F..%2Frefunds%3Fx%3D1");
    const before = server.received.length;
    expect(() => client.payments.retrieve("")).toThrow(TypeError);
    expect(server.received.length).toBe(before);
  });

  it("passes per-request headers and uses a custom fetch", async () => {
    const seen: string[] = [];
    const client = new Softrack({
      apiKey: "sk_test_abc",
      baseUrl: server.url,
      fetch: (input, init) => {
        seen.push(String(input));
        return fetch(input, init);
      },
    });
    await client.balance.retrieve({ headers: { "x-trace": "t1" } });
    expect(seen).toEqual([`${server.url}/v1/balance`]);
    expect(last().headers["x-trace"]).toBe("t1");
  });

  it("refuses to start without an API key", () => {
    expect(() => new Softrack({ apiKey: "" })).toThrow(SoftrackError);
  });

  it("with credentials and no key, sends no Authorization header and hands fetch the credentials mode", async () => {
    const modes: (RequestCredentials | undefined)[] = [];
    const client = new Softrack({
      credentials: "same-origin",
      baseUrl: server.url,
      fetch: (input, init) => {
        modes.push(init?.credentials);
        return fetch(input, init);
      },
    });
    await client.auth.me();
    expect(last().url).toBe("/v1/auth/me");
    expect(last().headers.authorization).toBeUndefined();
    expect(modes).toEqual(["same-origin"]);
  });
});

describe("the transport on Node", () => {
  it("sends through node:http, not the global fetch, on one kept-alive connection", async () => {
    const ports: number[] = [];
    const bodies: string[] = [];
    const lengths: string[] = [];
    const echo = createServer((req, res) => {
      ports.push(req.socket.remotePort ?? 0);
      lengths.push(String(req.headers["content-length"]));
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (d) => {
        body += d;
      });
      req.on("end", () => {
        bodies.push(body);
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ id: "cus_1", object: "customer", name: "Айгерим" }));
      });
    });
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    const realFetch = globalThis.fetch;
    globalThis.fetch = () => Promise.reject(new Error("the global fetch was called"));
    try {
      const client = new Softrack({ apiKey: "sk_test_abc", baseUrl: `http://127.0.0.1:${(echo.address() as AddressInfo).port}` });
      const first = await client.customers.create({ name: "Айгерим" });
      await client.customers.create({ name: "Aida" });
      expect(first).toMatchObject({ name: "Айгерим" });
      // Sent with its length in bytes, not characters, and whole.
      expect(JSON.parse(bodies[0] as string)).toEqual({ name: "Айгерим" });
      expect(lengths[0]).toBe(String(Buffer.byteLength(bodies[0] as string)));
      expect(ports[1]).toBe(ports[0]);
    } finally {
      globalThis.fetch = realFetch;
      echo.closeAllConnections();
      await new Promise((resolve) => echo.close(resolve));
    }
  });
});
