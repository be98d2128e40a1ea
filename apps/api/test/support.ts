import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { inject } from "vitest";
import { storedTextOf } from "../src/store/idempotency.js";
import { startApi, type TestApi } from "../src/testing.js";
import { PRIVATE_CLUSTER } from "./global-setup.js";

/**
 * Every suite runs on the embedded database by default; with TEST_DATABASE_URL set (as
 * .ci/run does) the same suite runs against a real PostgreSQL server, each API in a
 * database of its own.
 */
export const onRealPostgres = Boolean(process.env.TEST_DATABASE_URL);

export async function freshDatabaseUrl(): Promise<string | undefined> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) return undefined;
  // The run's prefix: its databases are dropped when it ends (test/global-setup.ts).
  const name = `${inject("databasePrefix")}${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function startTestApi(
  opts: { env?: Record<string, string>; databaseUrl?: string; adminKey?: string; logStream?: NodeJS.WritableStream } = {},
): Promise<TestApi> {
  const databaseUrl = opts.databaseUrl ?? (await freshDatabaseUrl());
  return startApi({ ...opts, ...(databaseUrl ? { databaseUrl } : {}) });
}

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A thin HTTP client for tests: real requests to the real server (`always`: headers every request carries). */
export function http(base: string, key?: string, always: Record<string, string> = {}) {
  async function call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const res = await fetch(base + path, {
      method,
      headers: {
        ...(key ? { Authorization: `Bearer ${key}` } : {}),
        ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
        ...always,
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    return { status: res.status, body: parsed as T, headers: res.headers };
  }
  return {
    get: <T = any>(path: string, headers?: Record<string, string>) => call<T>("GET", path, undefined, headers),
    post: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => call<T>("POST", path, body, headers),
    put: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => call<T>("PUT", path, body, headers),
    call,
  };
}

export type Http = ReturnType<typeof http>;

/** A merchant with a funded wallet customer, for payment tests. */
export async function fundedCustomer(api: Http, amount: number, currency = "KGS") {
  const customer = await api.post("/v1/customers", { name: "Aibek" });
  const topup = await api.post("/v1/payments", { amount, currency, purpose: { type: "wallet_topup", customer: customer.body.id } });
  const paid = await api.post(`/v1/payments/${topup.body.id}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } });
  if (paid.status !== 200 || paid.body.status !== "succeeded") throw new Error(`top-up failed: ${JSON.stringify(paid.body)}`);
  return customer.body.id as string;
}

export const TEST_CARD = { number: "4242424242424242", exp_month: 12, exp_year: 2030, cvc: "123" };

/**
 * A real PostgreSQL for the tests that need two processes on one database: the CI server
 * (TEST_DATABASE_URL), else a private cluster of Debian's postgresql started for the run.
 */
export async function realPostgresDatabaseUrl(): Promise<string> {
  if (!process.env.TEST_DATABASE_URL) {
    const { execFileSync } = await import("node:child_process");
    const script = new URL("../../../scripts/pg-cluster.sh", import.meta.url).pathname;
    const out = execFileSync("bash", [script, "start", PRIVATE_CLUSTER.dir, String(PRIVATE_CLUSTER.port)]).toString();
    process.env.TEST_DATABASE_URL = out.split("=")[1]?.trim();
  }
  return (await freshDatabaseUrl()) as string;
}

/**
 * Checks data against a schema of the OpenAPI document (`pointer`: a JSON pointer into it),
 * with ajv on JSON Schema 2020-12 as OpenAPI 3.1 uses it; answers the problems, none if it fits.
 */
export function schemaValidator(doc: object) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  // The document is the schemas' home: `#/components/schemas/…` refs resolve inside it.
  ajv.addSchema({ ...doc, $id: "openapi.json" });
  return (pointer: string, data: unknown): string[] => {
    const valid = ajv.validate({ $ref: `openapi.json#${pointer}` }, data);
    return valid ? [] : (ajv.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`);
  };
}

/**
 * The stored response texts of the keys whose key matches `like`, as their rows hold them once
 * uncompressed: what anyone who reads the tables could learn from them.
 */
export async function storedTexts(database: TestApi["runtime"]["database"], like = "%"): Promise<string[]> {
  const found = await database.rows(
    sql`SELECT k.response_body, k.response_index, r.bodies
        FROM idempotency_keys k LEFT JOIN idempotency_responses r ON r.id = k.response_group
        WHERE k.key LIKE ${like} ORDER BY k.created_at, k.key`,
  );
  return found.map(storedTextOf);
}
