/**
 * What a request costs the API before any payment work: the CPU of the API process per request,
 * over HTTP on 127.0.0.1 at 64 connections, for requests that reach no table, next to a bare
 * Hono server answering the same body.
 * - bare Hono `POST /echo`: Node's HTTP server, @hono/node-server and Hono, nothing else;
 * - `POST /v1/payments` with an amount of -1: every /v1 middleware (request id, no-store, body
 *   limit, CORS, JSON only, authentication with a secret key, rate limit), the route's validation
 *   and the error envelope (400), and no database;
 * - `GET /health`: one query to PostgreSQL and back;
 * - `GET /v1/balance`: every /v1 middleware, then one query.
 * The rate limits are off (RATE_LIMIT_PER_KEY=0), so every answer is the one named. Rounds
 * alternate the three, `--seconds` each.
 *
 *   npm run build -w @softrack/api && npx tsx bench/request-overhead.ts [--seconds 6] [--rounds 3]
 */
import { loadavg } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { startApiProcess, startServerProcess } from "./lib/api-process.js";
import { processCpu } from "./lib/cpu.js";
import { fmt, jsonClient, loops } from "./lib/load.js";
import { withPostgres } from "./lib/postgres.js";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "6" }, rounds: { type: "string", default: "3" } } });
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const CONNECTIONS = 64;
const root = resolve(import.meta.dirname, "..");

await withPostgres({ name: "request-overhead" }, async (pg) => {
  await pg.createDatabase("api");
  const adminKey = `sk_admin_${"r".repeat(40)}`;
  const api = await startApiProcess({ databaseUrl: pg.url("api"), adminKey, connections: 8, env: { RATE_LIMIT_PER_KEY: "0" } });
  const bare = await startServerProcess(["--import", "tsx", resolve(root, "bench/bare-hono.ts")], { PORT: "0" });
  const admin = jsonClient(api.url, adminKey, 2);
  const m = (
    await admin.post<{ keys: { secret_key: string } }>("/v1/merchants", { name: "Overhead", country: "KG", default_currency: "KGS" })
  ).body;
  const merchant = jsonClient(api.url, m.keys.secret_key, CONNECTIONS);
  const anonymous = jsonClient(api.url, "none", CONNECTIONS);
  const bareClient = jsonClient(bare.url, "none", CONNECTIONS);
  const body = { amount: -1, currency: "KGS" };
  const kinds = [
    { name: "bare Hono POST /echo", pid: bare.child.pid as number, status: 200, send: () => bareClient.post("/echo", body) },
    {
      name: "POST /v1/payments, amount -1 (every /v1 middleware, 400)",
      pid: api.child.pid as number,
      status: 400,
      send: () => merchant.post("/v1/payments", body),
    },
    { name: "GET /health (one query)", pid: api.child.pid as number, status: 200, send: () => anonymous.get("/health") },
    {
      name: "GET /v1/balance (every /v1 middleware, one query)",
      pid: api.child.pid as number,
      status: 200,
      send: () => merchant.get("/v1/balance"),
    },
  ];
  const figures = new Map<string, { cpuUs: number[]; rps: number[] }>();
  const load0 = loadavg()[0] ?? 0;
  for (let round = 1; round <= ROUNDS; round++) {
    for (const k of kinds) {
      for (let i = 0; i < 500; i++) await k.send(); // warm-up
      const cpu0 = processCpu(k.pid);
      const end = Date.now() + SECONDS * 1000;
      const started = performance.now();
      let done = 0;
      await loops(
        CONNECTIONS,
        () => Date.now() > end,
        async () => {
          const r = await k.send();
          if (r.status !== k.status) throw new Error(`${k.name}: ${r.status} ${JSON.stringify(r.body)}`);
          done++;
        },
      );
      const rps = done / ((performance.now() - started) / 1000);
      const cpuUs = ((processCpu(k.pid) - cpu0) / done) * 1e6;
      const f = figures.get(k.name) ?? { cpuUs: [], rps: [] };
      f.cpuUs.push(cpuUs);
      f.rps.push(rps);
      figures.set(k.name, f);
      console.log(`round ${round}, ${k.name}: ${fmt(rps)} requests/s, server CPU ${fmt(cpuUs)} µs per request`);
    }
  }
  const range = (xs: number[]) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
  console.log(
    `\nRun: \`npx tsx bench/request-overhead.ts --seconds ${SECONDS} --rounds ${ROUNDS}\`, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, ${CONNECTIONS} connections, load average ${load0.toFixed(1)} at the start\n`,
  );
  console.log("| request | requests/s | server CPU µs per request (rounds: lowest–highest) |");
  console.log("|---|---:|---:|");
  for (const [name, f] of figures) console.log(`| ${name} | ${range(f.rps)} | ${range(f.cpuUs)} |`);
  for (const c of [merchant, anonymous, bareClient, admin]) c.close();
  api.stop();
  bare.stop();
});
