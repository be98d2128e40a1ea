/**
 * Hostile-input fuzzing of every operation in the committed OpenAPI document: fast-check
 * arbitraries built from each operation's schemas, then hostile mutations (missing and
 * unknown fields, wrong types, SQL/HTML/unicode edge cases, deep JSON, oversized bodies,
 * wrong content types, odd headers), sent to the real API over real HTTP.
 *
 *   CI:   npx vitest run test/fuzz.test.ts                      (3,000 requests)
 *   Full: FUZZ_REQUESTS=20000 npx vitest run test/fuzz.test.ts  (FUZZ_SEED=… to replay a run)
 *
 * Checks: zero 5xx; every 4xx in the contract's error envelope; a rejected request changes
 * nothing (every table hashed before and after, for FUZZ_CHECKED of the requests sent one at
 * a time); the ledger still balances.
 */
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { Writable } from "node:stream";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApi } from "../src/testing.js";
import { fundedCustomer, type Http, http, startTestApi, TEST_CARD } from "./support.js";

const TOTAL = Number(process.env.FUZZ_REQUESTS ?? 3_000);
/** Requests sent one at a time with the database hashed around each (the rest go 16 at a time). */
const CHECKED = Math.min(TOTAL, Number(process.env.FUZZ_CHECKED ?? Math.max(200, Math.round(TOTAL / 40))));
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const CONCURRENCY = 16;

type Schema = Record<string, any>;
interface Operation {
  method: string;
  path: string;
  params: { name: string; in: string; required?: boolean; schema: Schema }[];
  body?: Schema;
  auth: boolean;
}
interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Raw header lines sent over a plain socket (header injection), bypassing fetch's checks. */
  rawHeaders?: string;
  label: string;
}

const doc = JSON.parse(readFileSync(new URL("../openapi.json", import.meta.url), "utf8"));
const deref = (s: Schema): Schema => (s?.$ref ? deref(doc.components.schemas[String(s.$ref).split("/").pop() as string]) : s);

const operations: Operation[] = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) =>
  Object.entries(ops).map(([method, op]) => ({
    method: method.toUpperCase(),
    path,
    params: op.parameters ?? [],
    body: op.requestBody?.content?.["application/json"]?.schema,
    auth: Boolean(op.security),
  })),
);

// ---- hostile strings -------------------------------------------------------------------
const HOSTILE = [
  "' OR '1'='1",
  "1; DROP TABLE payments;--",
  "pay_1' UNION SELECT * FROM api_keys--",
  "$$; SELECT pg_sleep(10); $$",
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, sent as it is
  "{{7*7}}${7*7}",
  "../../../../etc/passwd",
  "%00%0d%0aSet-Cookie: a=b",
  "\u0000",
  "a\u0000b",
  "\r\nX-Injected: 1",
  "\ud800",
  "\udfff\ud800",
  "\u202eKGS",
  "\ufeff",
  "e\u0301\u0301\u0301",
  "👩‍👩‍👧‍👦".repeat(20),
  "𝕏".repeat(300),
  "ǅ",
  "İ",
  "ß".repeat(70),
  "ＫＧＳ",
  "\u200b",
  " ",
  "",
  "NaN",
  "Infinity",
  "-0",
  "1e309",
  "null",
  "true",
  "__proto__",
  "constructor",
  "x".repeat(5_000),
];
const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme-composite", maxLength: 20 }) },
);
const wrongValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(1e308, -1e308, 2 ** 53 + 1, -0, 0.1, 1e-9),
  hostileString,
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3, noNullPrototype: true }),
);

// ---- real ids, so that valid-shaped requests reach deep into the services ------------------
const pool: Record<string, string[]> = {
  id: [],
  customer: [],
  payment: [],
  terminal: [],
  point: [],
  code: [],
  fare_tariff: [],
  fee_tariff: [],
};
const idFor = (name: string) => {
  const real = pool[name] ?? (name.endsWith("id") ? pool.id : undefined);
  return real && real.length > 0
    ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...real) }, { weight: 1, arbitrary: hostileString })
    : undefined;
};

// ---- JSON Schema → fast-check --------------------------------------------------------------
function arb(schema: Schema, name = "", depth = 0): fc.Arbitrary<unknown> {
  const s = deref(schema);
  if (!s || depth > 6) return fc.constant(null);
  if (s.allOf) return arb(s.allOf.length === 1 ? s.allOf[0] : Object.assign({}, ...s.allOf.map(deref)), name, depth);
  const union = s.anyOf ?? s.oneOf;
  if (union) return fc.oneof(...union.map((u: Schema) => arb(u, name, depth + 1)));
  if (s.enum) return fc.constantFrom(...s.enum);
  if (s.const !== undefined) return fc.constant(s.const);
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== "null") : s.type;
  switch (type) {
    case "string": {
      const real = idFor(name);
      if (real) return real;
      if (s.format === "date-time")
        return fc.date({ min: new Date("2020-01-01"), max: new Date("2035-01-01"), noInvalidDate: true }).map((d) => d.toISOString());
      if (s.format === "email") return fc.emailAddress();
      if (s.format === "uri" || name === "url") return fc.webUrl();
      if (name === "currency") return fc.constantFrom("KGS", "KZT", "USD");
      const min = s.minLength ?? 0;
      return fc.string({ minLength: min, maxLength: Math.max(min, Math.min(s.maxLength ?? 20, 20)) });
    }
    case "integer":
    case "number": {
      const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 0);
      const max = Math.min(s.maximum ?? 1_000_000, Math.max(min, 1_000_000));
      return fc.integer({ min: Math.ceil(min), max: Math.floor(max) });
    }
    case "boolean":
      return fc.boolean();
    case "array": {
      const min = s.minItems ?? 0;
      return fc.array(arb(s.items ?? {}, name, depth + 1), { minLength: min, maxLength: Math.max(min, Math.min(s.maxItems ?? 3, 3)) });
    }
    default: {
      if (s.properties) {
        const props = Object.fromEntries(Object.entries(s.properties as Record<string, Schema>).map(([k, v]) => [k, arb(v, k, depth + 1)]));
        return fc.record(props, { requiredKeys: (s.required ?? []).filter((k: string) => k in props) });
      }
      if (s.additionalProperties && typeof s.additionalProperties === "object") {
        return fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), arb(s.additionalProperties, "", depth + 1), {
          maxKeys: 3,
          noNullPrototype: true,
        });
      }
      return type === "object" ? fc.constant({}) : fc.jsonValue({ maxDepth: 2 });
    }
  }
}

/** One hostile change to a well-formed body: the fields a client might get wrong, and worse. */
function mutateBody(body: unknown): fc.Arbitrary<{ body: unknown; label: string }> {
  const obj = body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const keys = Object.keys(obj);
  const muts: fc.Arbitrary<{ body: unknown; label: string }>[] = [
    fc
      .tuple(fc.constantFrom("amount_usd", "__proto__", "constructor", "livemode", "merchant", "id", "status"), wrongValue)
      .map(([k, v]) => ({
        body: JSON.parse(`{${JSON.stringify(k)}:${JSON.stringify(v) ?? "null"},${JSON.stringify(obj).slice(1)}`.replace(/,}$/, "}")),
        label: `unknown field ${k}`,
      })),
    wrongValue.map((v) => ({ body: v, label: "body of the wrong shape" })),
  ];
  if (keys.length > 0) {
    muts.push(
      fc
        .constantFrom(...keys)
        .map((k) => ({ body: Object.fromEntries(keys.filter((x) => x !== k).map((x) => [x, obj[x]])), label: `without ${k}` })),
      fc.tuple(fc.constantFrom(...keys), wrongValue).map(([k, v]) => ({ body: { ...obj, [k]: v }, label: `${k} of a wrong type` })),
      fc.tuple(fc.constantFrom(...keys), hostileString).map(([k, v]) => ({ body: { ...obj, [k]: v }, label: `${k} hostile string` })),
    );
  }
  return fc.oneof(...muts);
}

const deepJson = fc
  .integer({ min: 1_000, max: 200_000 })
  .chain((n) =>
    fc.constantFrom(
      `${"[".repeat(n)}${"]".repeat(n)}`,
      `${'{"a":'.repeat(n)}1${"}".repeat(n)}`,
      `{"metadata":${'{"a":'.repeat(Math.min(n, 20_000))}1${"}".repeat(Math.min(n, 20_000))}}`,
    ),
  );
const malformedJson = fc.constantFrom(
  '{"amount": 100,',
  "{",
  "]",
  "nul",
  '{"a":1}{"b":2}',
  "\u0000",
  '{"amount":1e999999}',
  '{"amount":-}',
  "\ufeff{}",
  `{"a":"${"\\u".repeat(3)}"}`,
);
const CONTENT_TYPES = [
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/xml",
  "application/json; charset=utf-16",
  "application/jsonx",
  "",
  "*/*",
];

/** A whole request for one operation: well-formed from the schema (about a third) or mutated. */
function requestFor(op: Operation, keys: { sk: string; pk: string; admin: string }): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.params.filter((p) => p.in === "path");
  const queryParams = op.params.filter((p) => p.in === "query");
  const pathArb = fc.record(
    Object.fromEntries(
      pathParams.map((p) => [
        p.name,
        fc.oneof(
          { weight: 3, arbitrary: arb(p.schema, p.name === "id" ? idKind(op.path) : p.name) },
          { weight: 1, arbitrary: hostileString },
        ),
      ]),
    ),
  );
  const queryArb = fc.record(
    Object.fromEntries(
      queryParams.map((p) => [
        p.name,
        fc.oneof(
          { weight: 3, arbitrary: arb(p.schema, p.name) },
          { weight: 1, arbitrary: fc.oneof(hostileString, wrongValue.map(asText)) },
        ),
      ]),
    ),
    { requiredKeys: [] },
  );
  const authArb = op.auth
    ? fc.oneof(
        { weight: 8, arbitrary: fc.constant(`Bearer ${keys.sk}`) },
        { weight: 1, arbitrary: fc.constantFrom(`Bearer ${keys.pk}`, `Bearer ${keys.admin}`) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            "",
            "Bearer",
            "Bearer sk_test_nope_nope_nope",
            `Basic ${keys.sk}`,
            `Bearer ${keys.sk} extra`,
            `Bearer ${"k".repeat(5000)}`,
          ),
        },
      )
    : fc.constant(`Bearer ${keys.sk}`);
  const wellFormed = op.body ? arb(op.body) : fc.constant(undefined);
  const bodyArb: fc.Arbitrary<{ text?: string; label: string; contentType?: string }> = op.body
    ? fc.oneof(
        { weight: 4, arbitrary: wellFormed.map((b) => ({ text: JSON.stringify(b), label: "from schema" })) },
        { weight: 5, arbitrary: wellFormed.chain(mutateBody).map((m) => ({ text: JSON.stringify(m.body) ?? "null", label: m.label })) },
        { weight: 1, arbitrary: deepJson.map((t) => ({ text: t, label: "deep JSON" })) },
        { weight: 1, arbitrary: malformedJson.map((t) => ({ text: t, label: "malformed JSON" })) },
        {
          weight: 1,
          arbitrary: fc
            .integer({ min: 257 * 1024, max: 2 * 1024 * 1024 })
            .map((n) => ({ text: JSON.stringify({ name: "x".repeat(n) }), label: "oversized body" })),
        },
        {
          weight: 1,
          arbitrary: fc
            .tuple(wellFormed, fc.constantFrom(...CONTENT_TYPES))
            .map(([b, ct]) => ({ text: JSON.stringify(b), label: `content type ${ct}`, contentType: ct })),
        },
      )
    : fc.oneof(
        { weight: 5, arbitrary: fc.constant({ label: "no body" }) },
        { weight: 1, arbitrary: fc.constant({ text: '{"unexpected":true}', label: "unexpected body" }) },
      );
  const idemArb = fc.oneof(
    { weight: 6, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: fc.constantFrom("", "k".repeat(256), "k".repeat(255), "ключ-é", "' OR 1=1 --", "fuzz-shared-key") },
  );
  const extraHeaders = fc.oneof(
    { weight: 8, arbitrary: fc.constant({}) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        { "X-Forwarded-For": "1.2.3.4, <script>" },
        { "X-Request-Id": "' OR 1=1" },
        { "Content-Length-Extra": "x".repeat(8_000) },
        { Accept: "text/html" },
      ),
    },
  );
  const rawInjection = fc.constantFrom(
    "X-Injected: 1",
    "Idempotency-Key: a\tb",
    "Set-Cookie: session=stolen",
    "X-Forwarded-For: 127.0.0.1\r\nX-Forwarded-For: 10.0.0.1",
  );
  return fc
    .record({
      path: pathArb,
      query: queryArb,
      auth: authArb,
      body: bodyArb,
      idem: idemArb,
      extra: extraHeaders,
      raw: fc.option(rawInjection, { freq: 30 }),
    })
    .map((r) => {
      let path = op.path;
      for (const p of pathParams) path = path.replace(`{${p.name}}`, pct(asText(r.path[p.name] ?? "")));
      const qs = new URLSearchParams(Object.entries(r.query).map(([k, v]): [string, string] => [k, asText(v)])).toString();
      const headers: Record<string, string> = { ...(r.extra as Record<string, string>) };
      if (op.auth && r.auth) headers.Authorization = r.auth;
      if (r.body.text !== undefined) headers["Content-Type"] = r.body.contentType ?? "application/json";
      if (r.idem !== undefined && op.method !== "GET") headers["Idempotency-Key"] = latin1(r.idem);
      return {
        method: op.method,
        path: qs ? `${path}?${qs}` : path,
        headers,
        ...(r.body.text !== undefined && op.method !== "GET" ? { body: r.body.text } : {}),
        ...(r.raw ? { rawHeaders: r.raw } : {}),
        label: `${op.method} ${op.path} · ${r.body.label}${r.raw ? " · raw header" : ""}`,
      };
    });
}

const asText = (v: unknown) => (typeof v === "string" ? v : (JSON.stringify(v) ?? "undefined"));

/** Percent-encodes UTF-8 bytes (a lone surrogate becomes U+FFFD, as any client would send it). */
const pct = (s: string) =>
  [...Buffer.from(s, "utf8")]
    .map((b) =>
      /[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, "0").toUpperCase()}`,
    )
    .join("");

/** Which pool a path's {id} draws from. */
function idKind(path: string): string {
  if (path.includes("/customers/")) return "customer";
  if (path.includes("/payments/")) return "payment";
  if (path.includes("/terminals/")) return "terminal";
  return "id";
}

/** Header values travel as bytes: non-Latin-1 text is sent as its UTF-8 bytes, as a raw client would. */
const latin1 = (s: string) => Buffer.from(s, "utf8").toString("latin1");

/**
 * Failures the API records on purpose, answered (not thrown) so they commit: a declined
 * payment (402, the failed payment is kept, as at Stripe) and a wrong sign-in answer (its
 * attempt is counted; see services/auth.ts).
 */
const recordedOnPurpose = (r: FuzzRequest, o: Outcome) => o.status === 402 || /^\/v1\/auth\/(verify|second_factor)(\?|$)/.test(r.path);
/**
 * A refusal for the state a request met (not for its parameters) is its Idempotency-Key's answer:
 * the key's row is the one thing such a request may write, so that the key replays it.
 */
const keptUnderKey = (o: Outcome) =>
  [400, 404, 422].includes(o.status) && !/^(parameter_|invalid_json$|idempotency_)/.test(String(o.body?.error?.code));

interface Outcome {
  status: number;
  body: any;
  requestId: string | null;
  fromApp: boolean;
  headerNames: string[];
}

async function send(base: string, r: FuzzRequest): Promise<Outcome> {
  try {
    return await sendOnce(base, r);
  } catch (err) {
    // No answer at all: counted as a server failure (status 0) with its cause.
    return {
      status: 0,
      body: `${(err as Error).message} ${String((err as { cause?: unknown }).cause ?? "")}`,
      requestId: null,
      fromApp: false,
      headerNames: [],
    };
  }
}

async function sendOnce(base: string, r: FuzzRequest): Promise<Outcome> {
  // Raw header lines, and bodies the server refuses before reading them (it then closes the
  // connection): each on a connection of its own, so no pooled keep-alive connection is cut under another request.
  if (r.rawHeaders || (r.body?.length ?? 0) > 200 * 1024) return sendRaw(base, r);
  const res = await fetch(base + r.path, { method: r.method, headers: r.headers, body: r.body, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body, requestId: res.headers.get("request-id"), fromApp: true, headerNames: [...res.headers.keys()] };
}

/** A request written byte for byte on a socket, so header lines fetch refuses still reach the server. */
function sendRaw(base: string, r: FuzzRequest): Promise<Outcome> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const body = Buffer.from(r.body ?? "", "utf8");
    const lines = [
      `${r.method} ${r.path} HTTP/1.1`,
      `Host: ${url.host}`,
      "Connection: close",
      ...Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`),
      ...(r.rawHeaders ? [r.rawHeaders] : []),
      `Content-Length: ${body.length}`,
    ];
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within 30 s: ${r.label}`));
    }, 30_000);
    socket.on("data", (d) => chunks.push(d));
    socket.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString("utf8");
      const [head = "", ...rest] = text.split("\r\n\r\n");
      const status = Number(head.match(/^HTTP\/1\.1 (\d{3})/)?.[1] ?? 0);
      const headerNames = head
        .split("\r\n")
        .slice(1)
        .map((l) => l.split(":")[0]?.toLowerCase() ?? "");
      let parsed: unknown = rest.join("\r\n\r\n");
      try {
        parsed = JSON.parse(parsed as string);
      } catch {}
      // Node's HTTP parser answers malformed requests itself (a bare 400, before the app).
      resolve({
        status,
        body: parsed,
        requestId: head.match(/\r\nrequest-id: (\S+)/i)?.[1] ?? null,
        fromApp: /\r\nrequest-id:/i.test(head),
        headerNames,
      });
    });
    // No half-close: Node's server drops a request whose client sent FIN before the answer.
    socket.write(`${lines.join("\r\n")}\r\n\r\n`);
    socket.write(body);
  });
}

/** The contract's envelope on an error answered by the API itself. */
function envelopeProblem(o: Outcome): string | undefined {
  if (o.status < 400 || !o.fromApp) return undefined;
  const e = o.body?.error;
  if (!e || typeof e !== "object") return "no error object";
  if (!/^(invalid_request|authentication|permission|idempotency|payment|rate_limit|api)_error$/.test(e.type)) return `bad type ${e.type}`;
  if (typeof e.code !== "string" || typeof e.message !== "string") return "no code or message";
  if (e.request_id !== o.requestId) return "request_id differs from Request-Id";
  return undefined;
}

let api: TestApi;
let sk: Http;
let tables: string[] = [];
const apiErrors: string[] = [];

/** One md5 per table, in one query (the whole database, as rows, in a stable order). */
async function state(): Promise<Record<string, string>> {
  const q = tables
    .map(
      (t) =>
        `SELECT '${t}' AS t, md5(coalesce(string_agg(row_to_json(x)::text, '|' ORDER BY row_to_json(x)::text), '')) AS h FROM "${t}" x`,
    )
    .join(" UNION ALL ");
  const rows = await api.runtime.database.rows<{ t: string; h: string }>(sql.raw(q));
  return Object.fromEntries(rows.map((r) => [r.t, r.h]));
}

beforeAll(async () => {
  // Unhandled errors are logged by the API: kept here, so a 5xx names its cause.
  const logStream = new Writable({
    write(chunk, _enc, done) {
      const line = String(chunk);
      if (/unhandled error/.test(line)) apiErrors.push(line.slice(0, 800));
      done();
    },
  });
  api = await startTestApi({ env: { WORKERS: "off", LOG_LEVEL: "error" }, logStream });
  sk = http(api.url, api.merchant.secretKey);
  // Real objects of every kind, so well-formed requests reach the services.
  const customer = await fundedCustomer(sk, 1_000_000);
  pool.customer?.push(customer);
  const manual = await sk.post("/v1/payments", { amount: 5_000, currency: "KGS", capture_method: "manual" });
  await sk.post(`/v1/payments/${manual.body.id}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } });
  const open = await sk.post("/v1/payments", { amount: 700, currency: "KGS" });
  const wallet = await sk.post("/v1/payments", { amount: 300, currency: "KGS", customer });
  await sk.post(`/v1/payments/${wallet.body.id}/confirm`, { payment_method_data: { type: "wallet", customer } });
  pool.payment?.push(manual.body.id, open.body.id, wallet.body.id);
  const point = await sk.post("/v1/pickup_points", { name: "Osh bazaar", address: "Bishkek" });
  pool.point?.push(point.body.id);
  const fare = await sk.put("/v1/tariffs/city-bus", {
    kind: "fare",
    rules: { default_fare: 2_000 },
    effective_from: "2020-01-01T00:00:00Z",
  });
  pool.code?.push("city-bus");
  pool.fare_tariff?.push("city-bus");
  const terminal = await sk.post("/v1/transit/terminals", { kind: "bus_validator", route: "7", fare_tariff: "city-bus" });
  pool.terminal?.push(terminal.body.id);
  const order = await sk.post("/v1/orders", {
    currency: "KGS",
    items: [{ sku: "tea", name: "Tea", amount: 1_500, quantity: 2 }],
    delivery: { type: "pickup_point", point: point.body.id, collect_by: "2030-01-01T00:00:00Z" },
  });
  const hook = await sk.post("/v1/webhook_endpoints", { url: "http://127.0.0.1:9/hooks", events: ["payment.succeeded"] });
  const ids = [
    customer,
    manual.body.id,
    open.body.id,
    wallet.body.id,
    point.body.id,
    terminal.body.id,
    order.body.id,
    hook.body.id,
    api.merchant.id,
  ].filter(Boolean);
  pool.id?.push(...ids);
  expect(fare.status).toBeLessThan(300);
  expect(ids.every((x) => typeof x === "string")).toBe(true);
  tables = (
    await api.runtime.database.rows<{ t: string }>(sql`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)
  ).map((r) => r.t);
}, 120_000);
afterAll(() => api?.close());

describe(`fuzzing every operation of openapi.json (${TOTAL} requests, seed ${SEED})`, () => {
  it("answers every request without a 5xx, with the error envelope on every error, and rejected requests change nothing", async () => {
    const keys = { sk: api.merchant.secretKey, pk: api.merchant.publishableKey, admin: api.adminKey };
    const anyRequest = fc.oneof(...operations.map((op) => requestFor(op, keys)));
    const requests = fc.sample(anyRequest, { numRuns: TOTAL, seed: SEED });
    const statuses = new Map<number, number>();
    const serverErrors: string[] = [];
    const envelopeErrors: string[] = [];
    const injected: string[] = [];
    const changedByRejection: string[] = [];
    const briefOf = (r: FuzzRequest, o: Outcome) =>
      `${r.label} [${r.method} ${r.path.slice(0, 120)} ${JSON.stringify(r.headers).slice(0, 200)} ${r.rawHeaders ?? ""} ${(r.body ?? "").slice(0, 200)}] → ${o.status} ${JSON.stringify(o.body).slice(0, 200)}`;
    const record = (r: FuzzRequest, o: Outcome) => {
      statuses.set(o.status, (statuses.get(o.status) ?? 0) + 1);
      const brief = briefOf(r, o);
      if (o.status >= 500 || o.status === 0) serverErrors.push(brief);
      const problem = envelopeProblem(o);
      if (problem) envelopeErrors.push(`${problem}: ${brief}`);
      if (o.headerNames.some((h) => h === "x-injected" || h === "set-cookie")) injected.push(brief);
    };

    // One at a time, the database hashed around each: a rejected request leaves every table as it was,
    // but for its key's answer (keptUnderKey). (402 is a decline: the failed payment is recorded on
    // purpose, as at Stripe.)
    for (const r of requests.slice(0, CHECKED)) {
      const before = await state();
      const o = await send(api.url, r);
      record(r, o);
      if (o.status >= 400 && !recordedOnPurpose(r, o)) {
        const after = await state();
        const changed = tables.filter((t) => after[t] !== before[t] && !(t === "idempotency_keys" && keptUnderKey(o)));
        if (changed.length > 0) changedByRejection.push(`changed ${changed.join(", ")}: ${briefOf(r, o)}`);
      }
    }
    // The rest at full speed, CONCURRENCY at a time (the rate limits' defaults let it through).
    const rest = requests.slice(CHECKED);
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < rest.length) {
          const r = rest[next++] as FuzzRequest;
          record(r, await send(api.url, r));
        }
      }),
    );

    const sent = [...statuses.values()].reduce((a, b) => a + b, 0);
    console.log(
      `fuzz: ${sent} requests (seed ${SEED}, ${CHECKED} hashed one by one), statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}, 5xx: ${serverErrors.length}`,
    );
    expect(sent).toBe(TOTAL);
    expect({ serverErrors, apiErrors }).toEqual({ serverErrors: [], apiErrors: [] });
    expect(envelopeErrors).toEqual([]);
    expect(injected).toEqual([]);
    expect(changedByRejection).toEqual([]);
    // Well-formed requests got through too: the fuzzer reached past validation.
    expect([...statuses.keys()].some((s) => s >= 200 && s < 300)).toBe(true);
    const verify = await http(api.url, api.adminKey).get("/v1/admin/ledger/verify");
    expect(verify.body.balanced).toBe(true);
  }, 900_000);
});
