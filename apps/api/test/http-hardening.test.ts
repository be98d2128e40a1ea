import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApi } from "../src/testing.js";
import { accounts } from "./auth-support.js";
import { type Http, http, startTestApi, TEST_CARD } from "./support.js";

/** Issue 19, findings 12, 13, 14 and 16: framing, bad input that answered 500, static paths, and who sees what. */
let api: TestApi;
let sk: Http;
let pk: Http;

beforeAll(async () => {
  api = await startTestApi({ env: { WORKERS: "off" } });
  sk = http(api.url, api.merchant.secretKey);
  pk = http(api.url, api.merchant.publishableKey);
});
afterAll(() => api.close());

const REPO = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../..");
const raw = (path: string, init: RequestInit = {}) => fetch(api.url + path, init);

describe("framing (finding 12)", () => {
  it.each(["/", "/console/", "/docs"])("%s may not be framed", async (path) => {
    const res = await raw(path);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).not.toMatch(/frame-ancestors \*/);
    expect(res.headers.get("x-frame-options")).toBe("DENY");
  });

  it("/demo may be framed only by the site's own pages (the widget guide shows it)", async () => {
    const res = await raw("/demo");
    expect(res.status).toBe(200);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/frame-ancestors 'self'(;|$)/);
    expect(csp).not.toMatch(/frame-ancestors \*/);
    expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
  });

  it("the card iframe may be framed only by the checkout origin the widget names", async () => {
    const named = await raw(`/elements/card?origin=${encodeURIComponent("https://shop.example.kg")}`);
    expect(named.status).toBe(200);
    expect(named.headers.get("content-security-policy")).toMatch(/frame-ancestors https:\/\/shop\.example\.kg(;|$)/);
    expect(named.headers.get("content-security-policy")).not.toMatch(/frame-ancestors \*/);
    expect(named.headers.get("x-frame-options")).toBeNull();
    // No origin, or one that is not an origin: nobody may frame it.
    for (const origin of ["", "null", "javascript:alert(1)", "https://shop.example.kg/path", "https://a.kg; script-src *"]) {
      const res = await raw(`/elements/card${origin ? `?origin=${encodeURIComponent(origin)}` : ""}`);
      expect(res.headers.get("content-security-policy"), origin).toMatch(/frame-ancestors 'none'/);
    }
  });

  it("/docs runs only the bundle and the start-up script its hash allows", async () => {
    const csp = (await raw("/docs")).headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(csp).toMatch(/object-src 'none'/);
  });
});

describe("bad input gets a 4xx, never a 500 (finding 13)", () => {
  it("Origin: null on a cookie-authenticated write", async () => {
    const a = accounts(api);
    await a.invite("null-origin@shop.test");
    const signedIn = await a.emailCode("null-origin@shop.test", { client: "browser" });
    const cookie = (signedIn.headers.get("set-cookie") ?? "").split(";")[0] as string;
    const r = await http(api.url).post("/v1/auth/sign_out", undefined, { Cookie: cookie, Origin: "null" });
    expect(r.status).toBe(403);
    expect(r.body.error).toMatchObject({ type: "permission_error", code: "csrf_origin_mismatch", request_id: expect.any(String) });
    expect((await http(api.url).get("/v1/auth/me", { Cookie: cookie })).status).toBe(200); // nothing changed: still signed in
  });

  it.each(["/console/%E0%A4%A", "/%", "/docs%ZZ/x"])("a malformed percent-escape on a static path (%s)", async (path) => {
    const r = await http(api.url).get(path);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ type: "invalid_request_error", code: "invalid_path", request_id: expect.any(String) });
  });

  it("a batch tap whose fields are nested 10,000 deep", async () => {
    const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
    const body = `{"taps":[{"terminal":${deep},"client_tap_id":${deep},"customer":"cus_x","tapped_at":"2026-11-23T04:00:00.000Z"}]}`;
    const r = await sk.post("/v1/transit/taps/batch", body);
    expect(r.status).toBe(200);
    const [result] = r.body.data;
    expect(result.error).toMatchObject({ type: "invalid_request_error", param: "terminal" });
    expect(result.terminal).toBeUndefined();
    expect(result.client_tap_id).toBeUndefined();
  });
});

describe("lists take one cursor", () => {
  it("every list of /openapi.json answers both cursors at once with a 400 naming ending_before", async () => {
    const doc = (await http(api.url).get("/openapi.json")).body as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    };
    const lists = Object.entries(doc.paths).filter(([, ops]) => {
      const names = (ops.get?.parameters ?? []).map((p) => p.name);
      return names.includes("starting_after") && names.includes("ending_before");
    });
    expect(lists.length).toBeGreaterThan(15);
    const admin = http(api.url, api.adminKey);
    for (const [path] of lists) {
      const url = `${path.replace(/\{[^}]+\}/g, "x_1")}?starting_after=a_1&ending_before=b_1`;
      let r = await sk.get(url);
      if (r.status === 401 || r.status === 403) r = await admin.get(url);
      expect([path, r.status, r.body.error]).toMatchObject([path, 400, { code: "parameter_invalid", param: "ending_before" }]);
    }
  });
});

describe("what Node's HTTP parser refuses", () => {
  /** Sends `request` as raw bytes and reads the answer until the server closes the connection. */
  const rawHttp = (request: string) =>
    new Promise<string>((done, fail) => {
      const { port } = new URL(api.url);
      const socket = connect(Number(port), "127.0.0.1", () => socket.end(request));
      let answer = "";
      socket.on("data", (chunk) => {
        answer += chunk.toString("latin1");
      });
      socket.on("close", () => done(answer));
      socket.on("error", fail);
    });
  const parse = (answer: string) => {
    const [head = "", body = ""] = answer.split("\r\n\r\n");
    return { status: Number(head.split(" ")[1]), head, body: JSON.parse(body) };
  };

  it.each([
    ["a control character in a header", `GET /v1/balance HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk_test_\u0001abc\r\n\r\n`, 400],
    ["headers over 16 KiB", `GET /v1/balance HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`, 431],
  ])("%s: answered in the error envelope with a Request-Id", async (_, request, status) => {
    const r = parse(await rawHttp(request));
    expect(r.status).toBe(status);
    const id = /\r\nRequest-Id: (req_\w+)\r\n/i.exec(r.head)?.[1];
    expect(id).toBeDefined();
    expect(r.body.error).toMatchObject({ type: "invalid_request_error", request_id: id, message: expect.any(String) });
  });
});

describe("a POST that takes no parameters refuses them", () => {
  it("every such POST of /openapi.json answers an unknown parameter with 400 parameter_unknown", async () => {
    const doc = (await http(api.url).get("/openapi.json")).body as {
      paths: Record<string, Record<string, { requestBody?: unknown; security?: unknown[] }>>;
    };
    const bare = Object.entries(doc.paths)
      .filter(([, ops]) => ops.post && !ops.post.requestBody && ops.post.security?.length)
      .map(([path]) => path);
    expect(bare.length).toBeGreaterThan(5);
    const who = accounts(api);
    await who.invite("bare-posts@example.test");
    const session = await who.signIn("bare-posts@example.test");
    for (const path of bare) {
      const url = path.replace(/\{[^}]+\}/g, "x_1");
      let r = await sk.post(url, { bogus_zz: 1 });
      if (r.status === 401 || r.status === 403) r = await session.post(url, { bogus_zz: 1 });
      if (r.status === 401 || r.status === 403) r = await who.admin.post(url, { bogus_zz: 1 });
      expect([path, r.status, r.body.error]).toMatchObject([path, 400, { code: "parameter_unknown", param: "bogus_zz" }]);
    }
  });
});

describe("static files stay inside their folders (finding 14)", () => {
  const siblings = [
    { dir: join(REPO, "apps/site/dist-private-t14"), path: "/..%2fdist-private-t14/secret.txt" },
    { dir: join(REPO, "packages/widget/dist/elements-private-t14"), path: "/elements/..%2felements-private-t14/secret.txt" },
    { dir: join(REPO, "packages/widget/dist/elements-private-t14"), path: "/elements/%2e%2e%2felements-private-t14/secret.txt" },
  ];
  beforeAll(() => {
    for (const s of siblings) {
      mkdirSync(s.dir, { recursive: true });
      writeFileSync(join(s.dir, "secret.txt"), "not for the web");
    }
  });
  afterAll(() => {
    for (const s of siblings) rmSync(s.dir, { recursive: true, force: true });
  });

  it.each(siblings.map((s) => s.path))("%s is not served", async (path) => {
    const res = await raw(path);
    expect(await res.text()).not.toContain("not for the web");
    expect(res.status).toBe(404);
  });

  it("files inside the folders still are", async () => {
    expect((await raw("/elements/card.js")).status).toBe(200);
    expect((await raw("/favicon.svg")).status).toBe(200);
  });
});

describe("who sees what (finding 16)", () => {
  it("a read-only support member sees payments without their client_secret", async () => {
    const a = accounts(api);
    await a.invite("support@shop.test", "support");
    const support = await a.signIn("support@shop.test");
    const p = (await sk.post("/v1/payments", { amount: 1_000, currency: "KGS" })).body;
    const one = await support.get(`/v1/payments/${p.id}`);
    expect(one.status).toBe(200);
    expect(one.body.id).toBe(p.id);
    expect(one.body).not.toHaveProperty("client_secret");
    const list = (await support.get("/v1/payments?limit=100")).body.data;
    expect(list.length).toBeGreaterThan(0);
    for (const x of list) expect(x).not.toHaveProperty("client_secret");
    expect(JSON.stringify(list)).not.toContain(p.client_secret);
    // The merchant's own key still gets it.
    expect((await sk.get(`/v1/payments/${p.id}`)).body.client_secret).toBe(p.client_secret);

    // Nor through an order's payment.
    const point = (await sk.post("/v1/pickup_points", { name: "PVZ", address: "Bishkek" })).body;
    const collectBy = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const items = [{ sku: "dress", name: "Dress", amount: 3_000, quantity: 1 }];
    const order = (
      await sk.post("/v1/orders", { currency: "KGS", items, delivery: { type: "pickup_point", point: point.id, collect_by: collectBy } })
    ).body;
    expect(order.payment.client_secret).toEqual(expect.any(String));
    const seen = await support.get(`/v1/orders/${order.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body.payment.id).toBe(order.payment.id);
    expect(seen.body.payment).not.toHaveProperty("client_secret");
    expect(JSON.stringify((await support.get("/v1/orders?limit=100")).body)).not.toContain(order.payment.client_secret);
  });

  it("a read-only support member does not see a held order's handover_code (it collects the goods)", async () => {
    const a = accounts(api);
    await a.invite("support-handover@shop.test", "support");
    const support = await a.signIn("support-handover@shop.test");
    const point = (await sk.post("/v1/pickup_points", { name: "PVZ", address: "Bishkek" })).body;
    const collectBy = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const items = [{ sku: "coat", name: "Coat", amount: 4_000, quantity: 1 }];
    const order = (
      await sk.post("/v1/orders", { currency: "KGS", items, delivery: { type: "pickup_point", point: point.id, collect_by: collectBy } })
    ).body;
    const paid = await sk.post(`/v1/payments/${order.payment.id}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } });
    expect(paid.body.status).toBe("requires_capture");
    // The merchant's key sees the code of the held order ...
    const held = (await sk.get(`/v1/orders/${order.id}`)).body;
    expect(held.status).toBe("held");
    const code = held.handover_code.code as string;
    expect(code).toMatch(/^\d{6}$/);
    // ... a support member sees the order, but neither the code nor its payload.
    const seen = await support.get(`/v1/orders/${order.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ id: order.id, status: "held", handover_code: null });
    const listed = (await support.get("/v1/orders?limit=100")).body.data.find((o: { id: string }) => o.id === order.id);
    expect(listed).toMatchObject({ id: order.id, handover_code: null });
    expect(JSON.stringify(listed)).not.toContain(`code=${code}`);
  });

  it("a publishable-key read leaves out the fee, metadata, purpose and order", async () => {
    const p = (await sk.post("/v1/payments", { amount: 2_000, currency: "KGS", description: "Lunch", metadata: { internal_ref: "crm-7" } }))
      .body;
    const confirmed = await pk.post(`/v1/payments/${p.id}/confirm`, {
      client_secret: p.client_secret,
      payment_method_data: { type: "card", card: TEST_CARD },
    });
    expect(confirmed.body.status).toBe("succeeded");
    const read = await pk.get(`/v1/payments/${p.id}?client_secret=${encodeURIComponent(p.client_secret)}`);
    for (const body of [confirmed.body, read.body]) {
      for (const field of ["fee", "fee_tariff", "metadata", "purpose", "order"]) expect(body).not.toHaveProperty(field);
      // What the checkout draws stays.
      expect(body).toMatchObject({ id: p.id, amount: 2_000, currency: "KGS", status: "succeeded", description: "Lunch", method: "card" });
    }
    expect(JSON.stringify(read.body)).not.toContain("crm-7");
    // The merchant's secret key sees all of it.
    expect((await sk.get(`/v1/payments/${p.id}`)).body).toMatchObject({ metadata: { internal_ref: "crm-7" }, fee: expect.any(Number) });
  });

  it("answers that carry secrets, and every other /v1 answer, are never cached", async () => {
    const a = accounts(api);
    await a.invite("cache@shop.test");
    const replies = [
      await sk.post("/v1/payments", { amount: 1_000, currency: "KGS" }),
      await http(api.url, api.adminKey).post("/v1/merchants", { name: "Cached", country: "KG", default_currency: "KGS" }),
      await sk.post("/v1/webhook_endpoints", { url: "https://example.com/hooks", events: ["*"] }),
      await a.emailCode("cache@shop.test"),
      await sk.get("/v1/balance"),
      await http(api.url, "sk_test_nope").get("/v1/payments"),
    ];
    expect(replies[0]?.body.client_secret).toEqual(expect.any(String));
    expect(replies[1]?.body.keys.secret_key).toEqual(expect.any(String));
    expect(replies[2]?.body.secret).toEqual(expect.any(String));
    expect(replies[3]?.body.token).toEqual(expect.any(String));
    expect(replies[5]?.status).toBe(401);
    for (const r of replies) expect(r.headers.get("cache-control")).toBe("no-store");
    // Outside /v1, files that may be cached still say so.
    expect((await raw("/widget.js")).headers.get("cache-control")).toBe("public, max-age=300");
  });
});

describe("the headers every /v1 answer carries, once each", () => {
  it("answers, errors and replays: one Request-Id (the body's), no-store, CORS and the rate left", async () => {
    const key = `headers-${Date.now()}`;
    const replies = [
      await sk.post("/v1/payments", { amount: 1_000, currency: "KGS" }, { "Idempotency-Key": key }),
      await sk.post("/v1/payments", { amount: 1_000, currency: "KGS" }, { "Idempotency-Key": key }),
      await sk.post("/v1/payments", { amount: -1, currency: "KGS" }),
      await sk.get("/v1/no_such_thing"),
      await pk.get("/v1/balance"),
    ];
    expect(replies.map((r) => r.status)).toEqual([200, 200, 400, 404, 403]);
    expect(replies[1]?.headers.get("idempotent-replayed")).toBe("true");
    for (const r of replies) {
      // fetch joins a header sent twice with ", ": one value means one header.
      const id = r.headers.get("request-id") ?? "";
      expect(id).toMatch(/^req_[0-9A-Za-z]+$/);
      if (r.status >= 400) expect(r.body.error.request_id).toBe(id);
      expect(r.headers.get("cache-control")).toBe("no-store");
      expect(r.headers.get("access-control-allow-origin")).toBe("*");
      expect(r.headers.get("access-control-expose-headers")).toBe("Request-Id,Idempotent-Replayed,Retry-After");
    }
    for (const r of replies.slice(0, 4)) expect(r.headers.get("ratelimit-remaining")).toMatch(/^\d+$/);
    // The replay is the first answer, under a Request-Id of its own.
    expect(replies[1]?.body).toEqual(replies[0]?.body);
    expect(replies[1]?.headers.get("request-id")).not.toBe(replies[0]?.headers.get("request-id"));
  });
});
