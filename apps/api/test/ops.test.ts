import { createSocket, type Socket } from "node:dgram";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { gunzipSync, inflateSync } from "node:zlib";
import { sql } from "drizzle-orm";
// @ts-expect-error: the parser ships no type declarations (its output is typed as Family below)
import parsePrometheus from "parse-prometheus-text-format";
import postgres from "postgres";
import { Gauge } from "prom-client";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/logger.js";
import { metricsFor } from "../src/observability/metrics.js";
import { startApiProcess, stopApiProcesses } from "./api-process.js";
import { http, realPostgresDatabaseUrl, startTestApi, TEST_CARD } from "./support.js";

type Family = { name: string; help: string; type: string };
type Sample = { name: string; labels: Record<string, string>; value: number };
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g;

/**
 * A real Prometheus text-format parser reads the families (it throws on a malformed line);
 * the samples are then read line by line, which also checks what that parser forgives
 * (it folds labelled histograms together), and histograms are checked for cumulative
 * buckets ending in +Inf = _count.
 */
function parseExposition(text: string) {
  const families = parsePrometheus(text) as Family[];
  for (const f of families) {
    expect(f.type, `${f.name} has a TYPE line`).not.toBe("UNTYPED");
    expect(f.help, `${f.name} has a HELP line`).not.toBe("");
  }
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("# HELP ") || line.startsWith("# TYPE ")) continue;
    const m = SAMPLE.exec(line);
    expect(m, `sample line ${JSON.stringify(line)}`).not.toBeNull();
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m?.[2] ?? "").matchAll(LABEL)) labels[k as string] = v as string;
    samples.push({ name: m?.[1] as string, labels, value: Number(m?.[3]?.replace("Inf", "Infinity")) });
  }
  const value = (name: string, labels: Record<string, string> = {}) =>
    samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
  for (const f of families.filter((f) => f.type === "HISTOGRAM")) {
    const series = new Map<string, Sample[]>();
    for (const s of samples.filter((s) => s.name === `${f.name}_bucket`)) {
      const { le: _, ...rest } = s.labels;
      const key = JSON.stringify(rest);
      series.set(key, [...(series.get(key) ?? []), s]);
    }
    for (const [key, buckets] of series) {
      for (let i = 1; i < buckets.length; i++) expect(buckets[i]?.value).toBeGreaterThanOrEqual(buckets[i - 1]?.value as number);
      expect(buckets.at(-1)?.labels.le).toBe("+Inf");
      expect(buckets.at(-1)?.value, `${f.name}${key} +Inf bucket equals _count`).toBe(value(`${f.name}_count`, JSON.parse(key)));
    }
  }
  return { families: new Map(families.map((f) => [f.name, f])), value };
}

describe("GET /metrics", () => {
  it("is valid Prometheus exposition with per-route latency and the ledger check", async () => {
    const api = await startTestApi({ env: { WORKERS: "off" } });
    try {
      const merchant = http(api.url, api.merchant.secretKey);
      const created = await merchant.post("/v1/payments", { amount: 15000, currency: "KGS" });
      const paid = await merchant.post(`/v1/payments/${created.body.id}/confirm`, {
        payment_method_data: { type: "card", card: TEST_CARD },
      });
      expect(paid.body.status).toBe("succeeded");
      await merchant.post("/v1/payments", { amount: 500, currency: "KGS" });
      expect((await merchant.get("/v1/no-such-thing")).status).toBe(404);
      expect((await fetch(`${api.url}/health`)).status).toBe(200);

      // The first scrape starts the ledger check in the background: scrape until its result shows
      // (bounded by a minute, not by a count: on a loaded machine the check takes seconds).
      let text = "";
      const until = Date.now() + 60_000;
      for (let i = 0; Date.now() < until && !/^softrack_ledger_balanced /m.test(text); i++) {
        if (i) await new Promise((resolve) => setTimeout(resolve, 50));
        const res = await fetch(`${api.url}/metrics`);
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
        text = await res.text();
      }
      const { families, value } = parseExposition(text);

      expect(families.get("http_request_duration_seconds")?.type).toBe("HISTOGRAM");
      const count = (labels: Record<string, string>) => value("http_request_duration_seconds_count", labels);
      expect(count({ method: "POST", route: "/v1/payments/:id/confirm", status: "200" })).toBe(1);
      expect(count({ method: "POST", route: "/v1/payments", status: "200" })).toBe(2);
      expect(count({ method: "GET", status: "404" })).toBe(1);
      expect(count({ method: "GET", route: "/health", status: "200" })).toBe(1);
      // Labels carry route patterns, never raw paths (ids, or whatever a client typed).
      expect(text).not.toMatch(/route="[^"]*(pay_|no-such-thing)/);

      expect(value("softrack_ledger_balanced")).toBe(1);
      expect(value("softrack_ledger_accounts_checked")).toBeGreaterThanOrEqual(0);
      expect(value("softrack_ledger_verify_timestamp_seconds")).toBeGreaterThan(0);
      expect(value("softrack_db_pool_max")).toBeGreaterThanOrEqual(1);
      expect(families.get("process_resident_memory_bytes")?.type).toBe("GAUGE");
      expect(families.has("nodejs_eventloop_lag_seconds")).toBe(true);
    } finally {
      await api.close();
    }
  });

  it("a scrape runs no query: it answers while another transaction holds what the old gauges read", async () => {
    // Issue 19, finding 15: each scrape ran count(*) scans. With the database held (PGlite's
    // one connection; on a server, ACCESS EXCLUSIVE locks on the tables the scans read), a
    // scrape that queries would wait for the transaction, which waits for the scrape.
    // The ledger check is on: the scrape starts it in the background and does not wait for it.
    const api = await startTestApi({ env: { WORKERS: "off" } });
    try {
      let scrape: number | "still waiting on the database" = "still waiting on the database";
      await api.runtime.database.db.transaction(async (tx) => {
        await tx.execute(sql`LOCK TABLE payments, webhook_deliveries IN ACCESS EXCLUSIVE MODE`);
        scrape = await Promise.race([
          fetch(`${api.url}/metrics`).then((r) => r.status),
          new Promise<"still waiting on the database">((resolve) => setTimeout(() => resolve("still waiting on the database"), 10_000)),
        ]);
      });
      expect(scrape).toBe(200);
    } finally {
      await api.close();
    }
  });

  it("the ledger is checked only for a scrape: never by a process nobody scrapes, once per interval, in the background", async () => {
    // Review M6: every process ran a full ledger scan at start and every 300 s, scraped or not.
    const api = await startTestApi({ env: { WORKERS: "off" } });
    try {
      const merchant = http(api.url, api.merchant.secretKey);
      // Requests that queue their queries behind anything started at boot (one PGlite connection).
      for (let i = 0; i < 3; i++) {
        const p = await merchant.post("/v1/payments", { amount: 1_000 + i, currency: "KGS" });
        expect(
          (await merchant.post(`/v1/payments/${p.body.id}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } })).body
            .status,
        ).toBe("succeeded");
      }
      // Read as text: right after start the default event-loop gauges can still be NaN.
      const scrape = async () => await (await fetch(`${api.url}/metrics`)).text();
      const sample = (text: string, series: string) => {
        const line = text.split("\n").find((l) => l.startsWith(`${series} `));
        return line === undefined ? undefined : Number(line.slice(series.length + 1));
      };
      const checked = (text: string) => sample(text, 'softrack_ledger_verify_runs_total{result="checked"}') ?? 0;
      // Nobody scraped this process until now: no check has run, so the first scrape shows "never checked".
      const first = await scrape();
      expect(sample(first, "softrack_ledger_balanced")).toBeUndefined();
      expect(sample(first, "softrack_ledger_verify_timestamp_seconds")).toBeUndefined();
      expect(checked(first)).toBe(0);
      // That scrape started one check, in the background; its result shows on a later scrape.
      let later = await scrape();
      for (let i = 0; i < 100 && sample(later, "softrack_ledger_balanced") === undefined; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        later = await scrape();
      }
      expect(sample(later, "softrack_ledger_balanced")).toBe(1);
      expect(sample(later, "softrack_ledger_verify_timestamp_seconds")).toBeGreaterThan(0);
      // Many scrapes within the interval (300 s) start no second check.
      await Promise.all(Array.from({ length: 10 }, scrape));
      expect(checked(await scrape())).toBe(1);
    } finally {
      await api.close();
    }
  });

  it("on a PostgreSQL server, a process finds another one checking the ledger and does not scan too", async () => {
    // Review M6: across processes an advisory lock lets one scan; the others keep their last values.
    const databaseUrl = await realPostgresDatabaseUrl();
    const api = await startTestApi({ databaseUrl, env: { WORKERS: "off" } });
    const other = postgres(databaseUrl, { max: 1 });
    try {
      // Another process's check, under way: it holds the lock in its own transaction.
      await other.begin(async (tx) => {
        const [held] = await tx`SELECT pg_try_advisory_xact_lock(hashtext('softrack'), hashtext('metrics.ledger_verify')) AS ok`;
        expect(held?.ok).toBe(true);
        let text = await (await fetch(`${api.url}/metrics`)).text();
        for (let i = 0; i < 100 && !text.includes('softrack_ledger_verify_runs_total{result="busy"} 1'); i++) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          text = await (await fetch(`${api.url}/metrics`)).text();
        }
        expect(text).toContain('softrack_ledger_verify_runs_total{result="busy"} 1');
        expect(text).not.toContain('softrack_ledger_verify_runs_total{result="checked"}');
        expect(text).not.toMatch(/^softrack_ledger_balanced /m);
      });
    } finally {
      await other.end();
      await api.close();
    }
  });

  it("METRICS=off removes the endpoint", async () => {
    const api = await startTestApi({ env: { WORKERS: "off", METRICS: "off" } });
    try {
      const res = await fetch(`${api.url}/metrics`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("route_not_found");
    } finally {
      await api.close();
    }
  });

  it("writes a value that is not a number as NaN, as the text format spells it", async () => {
    const api = await startTestApi();
    try {
      // What the event loop's mean delay reads before its first sample, made certain.
      new Gauge({ name: "softrack_test_not_a_number", help: "a gauge set to NaN", registers: [metricsFor(api.runtime.deps).registry] }).set(
        Number.NaN,
      );
      const text = await (await fetch(`${api.url}/metrics`)).text();
      expect(text).toContain("\nsoftrack_test_not_a_number NaN\n");
      parseExposition(text);
    } finally {
      await api.close();
    }
  });

  it("requires METRICS_TOKEN as a bearer token when one is set", async () => {
    const token = "metrics-token-0123456789";
    const api = await startTestApi({ env: { METRICS_TOKEN: token } });
    try {
      const anonymous = await fetch(`${api.url}/metrics`);
      expect(anonymous.status).toBe(401);
      expect(((await anonymous.json()) as { error: { type: string } }).error.type).toBe("authentication_error");
      expect((await fetch(`${api.url}/metrics`, { headers: { Authorization: "Bearer wrong-token-0123456789" } })).status).toBe(401);
      const allowed = await fetch(`${api.url}/metrics`, { headers: { Authorization: `Bearer ${token}` } });
      expect(allowed.status).toBe(200);
      expect(parseExposition(await allowed.text()).families.has("http_request_duration_seconds")).toBe(true);
    } finally {
      await api.close();
    }
  });
});

describe("a development start on the embedded database in memory", () => {
  it("makes a platform admin key for the run and writes nothing to disk", async () => {
    const apiDir = fileURLToPath(new URL("..", import.meta.url));
    const before = readdirSync(apiDir);
    const { url, output } = await startApiProcess({
      PATH: process.env.PATH ?? "",
      NODE_ENV: "development",
      HOST: "127.0.0.1",
      PORT: "0",
      DATA_DIR: "memory://",
      WORKERS: "off",
    });
    const key = /Platform admin key \(development\): (sk_admin_\S+)/.exec(output())?.[1];
    expect(key).toBeDefined();
    // The key printed is the one the API holds: it may create a merchant.
    expect((await http(url, key).post("/v1/merchants", { name: "Dev shop", country: "KG", default_currency: "KGS" })).status).toBe(200);
    expect(readdirSync(apiDir)).toEqual(before);
    await stopApiProcesses();
  });
});

describe("GET /ready", () => {
  it("is 200 once migrations ran, 503 naming the check while a migration is pending or the database is away", async () => {
    const api = await startTestApi();
    let closed = false;
    try {
      const ready = await fetch(`${api.url}/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: "ready", checks: { database: "ok", migrations: "ok" } });

      // As if this build shipped a migration the database has not run yet.
      const { database } = api.runtime;
      await database.rows(
        sql`DELETE FROM drizzle.__drizzle_migrations WHERE created_at = (SELECT max(created_at) FROM drizzle.__drizzle_migrations)`,
      );
      const pending = await fetch(`${api.url}/ready`);
      expect(pending.status).toBe(503);
      expect(await pending.json()).toEqual({ status: "not_ready", checks: { database: "ok", migrations: "pending" } });
      // Liveness is not readiness: the process is alive and says so.
      expect((await fetch(`${api.url}/health`)).status).toBe(200);

      await database.close();
      closed = true;
      const away = await fetch(`${api.url}/ready`);
      expect(away.status).toBe(503);
      expect(await away.json()).toEqual({ status: "not_ready", checks: { database: "unreachable", migrations: "unknown" } });
    } finally {
      if (closed) api.runtime.database.close = async () => {};
      await api.close();
    }
  });
});

describe("log sampling", () => {
  it("keeps exactly the configured share of success lines and every 4xx, 5xx and other line", () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const l of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(l));
        done();
      },
    });
    const logger = createLogger("info", sink as never, { sampleSuccess: 0.1 });
    for (let i = 0; i < 50; i++) logger.info({ req_id: `req_${i}`, status: 200, path: "/v1/payments" }, "request");
    for (let i = 0; i < 7; i++) logger.info({ req_id: `bad_${i}`, status: 402, path: "/v1/payments/x/confirm" }, "request");
    for (let i = 0; i < 3; i++) logger.error({ req_id: `err_${i}`, status: 500, path: "/v1/payments" }, "request failed");
    logger.warn({ delivery: "we_1" }, "webhook attempt failed");

    const success = lines.filter((l) => l.status === 200);
    expect(success).toHaveLength(5);
    expect(success.every((l) => l.sample_rate === 0.1)).toBe(true);
    expect(lines.filter((l) => l.status === 402)).toHaveLength(7);
    expect(lines.filter((l) => l.status === 500)).toHaveLength(3);
    expect(lines.filter((l) => l.msg === "webhook attempt failed")).toHaveLength(1);
  });

  it("keeps every line at the default rate", () => {
    let count = 0;
    const sink = new Writable({
      write(chunk, _enc, done) {
        count += String(chunk).split("\n").filter(Boolean).length;
        done();
      },
    });
    const logger = createLogger("info", sink as never, {});
    for (let i = 0; i < 20; i++) logger.info({ status: 200 }, "request");
    expect(count).toBe(20);
  });
});

// ---------------------------------------------------------------------------------------
// GELF: a real API process (the production entry point) logs to a local UDP listener.

const sockets: Socket[] = [];
const dirs: string[] = [];

afterAll(async () => {
  await stopApiProcesses();
  for (const s of sockets) s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Reassembles GELF UDP datagrams (chunked or not, zlib/gzip or plain) into messages. */
function gelfListener(): Promise<{ port: number; messages: Record<string, unknown>[]; raw: Buffer[] }> {
  const socket = createSocket("udp4");
  sockets.push(socket);
  const messages: Record<string, unknown>[] = [];
  const raw: Buffer[] = [];
  const partial = new Map<string, Buffer[]>();
  const decode = (buf: Buffer) => {
    const body = buf[0] === 0x78 ? inflateSync(buf) : buf[0] === 0x1f && buf[1] === 0x8b ? gunzipSync(buf) : buf;
    messages.push(JSON.parse(body.toString("utf8")));
  };
  socket.on("message", (datagram) => {
    raw.push(datagram);
    if (datagram[0] === 0x1e && datagram[1] === 0x0f) {
      const id = datagram.subarray(2, 10).toString("hex");
      const seq = datagram[10] as number;
      const total = datagram[11] as number;
      const parts = partial.get(id) ?? new Array<Buffer>(total);
      parts[seq] = datagram.subarray(12);
      partial.set(id, parts);
      if (parts.filter(Boolean).length === total) {
        partial.delete(id);
        decode(Buffer.concat(parts));
      }
    } else decode(datagram);
  });
  return new Promise((resolve) => socket.bind(0, "127.0.0.1", () => resolve({ port: socket.address().port, messages, raw })));
}

function startProcess(env: Record<string, string>): Promise<{ url: string; output: () => string }> {
  const dataDir = mkdtempSync(join(tmpdir(), "softrack-ops-"));
  dirs.push(dataDir);
  return startApiProcess({
    PATH: process.env.PATH ?? "",
    NODE_ENV: "test",
    HOST: "127.0.0.1",
    PORT: "0",
    DATA_DIR: dataDir,
    WORKERS: "off",
    ...env,
  });
}

async function until<T>(read: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = read();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("GELF output (LOG_GELF)", () => {
  it("sends each request line to Graylog as a GELF 1.1 message, with no card data, beside the stdout JSON line", async () => {
    const graylog = await gelfListener();
    const adminKey = `sk_admin_${"g".repeat(40)}`;
    const api = await startProcess({ LOG_GELF: `udp://127.0.0.1:${graylog.port}`, PLATFORM_ADMIN_KEY: adminKey });
    const admin = http(api.url, adminKey);
    const merchant = await admin.post("/v1/merchants", { name: "Namba Food", country: "KG", default_currency: "KGS" });
    expect(merchant.status).toBe(200);
    const sk = http(api.url, merchant.body.keys.secret_key);
    const created = await sk.post("/v1/payments", { amount: 15000, currency: "KGS" });
    const confirmed = await sk.post(`/v1/payments/${created.body.id}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } });
    expect(confirmed.body.status).toBe("succeeded");
    const requestId = confirmed.headers.get("request-id");

    const gelf = await until(() => graylog.messages.find((m) => m._req_id === requestId), "the confirm request's GELF message");
    expect(gelf).toMatchObject({
      version: "1.1",
      short_message: "request",
      level: 6, // syslog informational
      _method: "POST",
      _path: `/v1/payments/${created.body.id}/confirm`,
      _status: 200,
      _service: "softrack-api",
      _merchant: merchant.body.id,
    });
    expect(typeof gelf.host).toBe("string");
    expect(Math.abs((gelf.timestamp as number) - Date.now() / 1000)).toBeLessThan(60);
    expect(typeof gelf._latency_ms).toBe("number");
    // GELF reserves `_id`; every additional field is `_`-prefixed.
    for (const key of Object.keys(gelf))
      expect(["version", "host", "short_message", "timestamp", "level"].includes(key) || /^_[\w.-]+$/.test(key)).toBe(true);
    expect(gelf._id).toBeUndefined();

    // Nothing of the card travels, in any datagram, compressed or not.
    const everything = graylog.messages.map((m) => JSON.stringify(m)).join("\n");
    expect(everything).not.toContain(TEST_CARD.number);
    expect(everything).not.toContain(merchant.body.keys.secret_key);
    // stdout keeps its one JSON line per request.
    expect(
      api
        .output()
        .split("\n")
        .filter((l) => l.includes(`"req_id":"${requestId}"`)),
    ).toHaveLength(1);
  }, 90_000);
});
