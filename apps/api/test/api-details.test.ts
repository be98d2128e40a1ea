import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApi } from "../src/testing.js";
import { accounts } from "./auth-support.js";
import { type Http, http, startTestApi } from "./support.js";

/**
 * Issue 23, item 3: the small things a generated client or a partner's proxy runs into. Each
 * check walks every operation of the served /openapi.json, so a new route is covered as it lands.
 */

let api: TestApi;
let merchant: Http;
let admin: Http;
let member: Http;
type Parameter = { in: string; name: string; required?: boolean; schema?: { example?: unknown } };
type Operation = { method: string; path: string; security?: unknown[]; parameters?: Parameter[] };
let operations: Operation[] = [];

const METRICS_TOKEN = "metrics-token-0123456789";

beforeAll(async () => {
  api = await startTestApi({ env: { WORKERS: "off", METRICS_TOKEN } });
  merchant = http(api.url, api.merchant.secretKey);
  admin = http(api.url, api.adminKey);
  const a = accounts(api);
  await a.invite("owner@details.test");
  member = await a.signIn("owner@details.test");
  const doc = (await http(api.url).get("/openapi.json")).body as { paths: Record<string, Record<string, Operation>> };
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) operations.push({ ...op, method: method.toUpperCase(), path });
  }
  operations = operations.filter((op) => op.path.startsWith("/v1/") || op.method === "GET");
});
afterAll(() => api.close());

/** A concrete URL for an operation: path parameters get an id that exists nowhere. */
const urlOf = (path: string) => path.replace(/\{[^}]+\}/g, "nope_0");
const publicOp = (op: Operation) => Array.isArray(op.security) && op.security.length === 0;

describe("unknown query parameters", () => {
  it("are a 400 parameter_unknown on every GET operation, as unknown body fields are", async () => {
    const gets = operations.filter((op) => op.method === "GET");
    expect(gets.length).toBeGreaterThan(30);
    const lists = gets.filter((op) => op.parameters?.some((p) => p.in === "query" && p.name === "limit"));
    expect(lists.length).toBeGreaterThanOrEqual(11);
    const accepted: string[] = [];
    for (const op of gets) {
      // The required parameters, from the document's examples, so only the unknown one can be refused.
      const required = (op.parameters ?? []).filter((p) => p.in === "query" && p.required);
      const query = [...required.map((p) => `${p.name}=${encodeURIComponent(String(p.schema?.example))}`), "colour=red"].join("&");
      const url = `${urlOf(op.path)}?${query}`;
      // The credential that may call it: the merchant's key, else the platform's, else a member's
      // session; /metrics takes its own token.
      const headers = op.path === "/metrics" ? { Authorization: `Bearer ${METRICS_TOKEN}` } : undefined;
      let res = await merchant.get(url, headers);
      if (res.status === 403) res = await admin.get(url);
      if (res.status === 403) res = await member.get(url);
      if (res.status !== 400 || res.body?.error?.code !== "parameter_unknown" || res.body.error.param !== "colour") {
        accepted.push(`${op.method} ${op.path}: ${res.status} ${res.body?.error?.code ?? ""}`);
      }
    }
    expect(accepted).toEqual([]);
  });

  it("are a 400 parameter_unknown on every write that takes no query, before its body is validated, changing nothing", async () => {
    const writes = operations.filter((op) => op.method !== "GET" && !(op.parameters ?? []).some((p) => p.in === "query"));
    expect(writes.length).toBeGreaterThan(40);
    const before = (await merchant.get("/v1/payments?limit=100")).body.data.length;
    const accepted: string[] = [];
    for (const op of writes) {
      // An empty body, which the writes that take none accept: the query is refused first either way.
      const url = `${urlOf(op.path)}?colour=red`;
      const body = {};
      let res = await merchant.call(op.method, url, body);
      if (res.status === 403) res = await admin.call(op.method, url, body);
      if (res.status === 403) res = await member.call(op.method, url, body);
      if (res.status !== 400 || res.body?.error?.code !== "parameter_unknown" || res.body.error.param !== "colour") {
        accepted.push(`${op.method} ${op.path}: ${res.status} ${res.body?.error?.code ?? ""} ${res.body?.error?.param ?? ""}`);
      }
    }
    expect(accepted).toEqual([]);
    expect((await merchant.get("/v1/payments?limit=100")).body.data.length).toBe(before);
  });
});

describe("authentication", () => {
  it("answers every protected operation without a key 401 missing_api_key, naming the scheme", async () => {
    const failures: string[] = [];
    for (const op of operations.filter((o) => o.path.startsWith("/v1/") && !publicOp(o))) {
      const res = await http(api.url).call(op.method, urlOf(op.path), op.method === "GET" ? undefined : {});
      const ok =
        res.status === 401 &&
        res.body?.error?.code === "missing_api_key" &&
        res.headers.get("www-authenticate") === 'Bearer realm="softrack"';
      if (!ok) failures.push(`${op.method} ${op.path}: ${res.status} ${res.body?.error?.code} ${res.headers.get("www-authenticate")}`);
    }
    expect(failures).toEqual([]);
  });

  it("calls something that is not a key an invalid key, with WWW-Authenticate", async () => {
    for (const authorization of ["Bearer abc", "Bearer sk_test_0123456789abcdef", "Basic dXNlcjpwYXNz", "Bearer"]) {
      const res = await http(api.url).get("/v1/payments", { Authorization: authorization });
      expect(res.status, authorization).toBe(401);
      expect(res.body.error, authorization).toMatchObject({ type: "authentication_error", code: "invalid_api_key" });
      expect(res.headers.get("www-authenticate"), authorization).toBe('Bearer realm="softrack"');
    }
  });

  it("every other 401 names its scheme too: a bad metrics token, an ended session", async () => {
    const metrics = await http(api.url).get("/metrics", { Authorization: "Bearer wrong-token-0123456789" });
    expect(metrics.status).toBe(401);
    expect(metrics.body.error).toMatchObject({ type: "authentication_error", code: "invalid_metrics_token" });
    expect(metrics.headers.get("www-authenticate")).toBe('Bearer realm="softrack"');
    const session = await http(api.url).get("/v1/auth/me", { Authorization: "Bearer sst_0123456789abcdef0123456789abcdef" });
    expect(session.status).toBe(401);
    expect(session.headers.get("www-authenticate")).toBe('Bearer realm="softrack"');
  });
});

describe("request bodies", () => {
  it("refuses a form-encoded body with 415 on every write operation, before anything else", async () => {
    const writes = operations.filter((op) => op.path.startsWith("/v1/") && ["POST", "PUT", "PATCH", "DELETE"].includes(op.method));
    expect(writes.length).toBeGreaterThan(30);
    const failures: string[] = [];
    for (const op of writes) {
      const res = await merchant.call(op.method, urlOf(op.path), "amount=100&currency=KGS", {
        "Content-Type": "application/x-www-form-urlencoded",
      });
      if (res.status !== 415 || res.body?.error?.code !== "unsupported_media_type") {
        failures.push(`${op.method} ${op.path}: ${res.status} ${res.body?.error?.code}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
