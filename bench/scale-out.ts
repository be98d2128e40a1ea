/**
 * Scale-out: 1, 2 and 4 API processes behind nginx (Debian's package) on one PostgreSQL.
 * For each count: wallet payments per second (create + confirm, CONNECTIONS keep-alive
 * connections through nginx), and exactly-once across processes: every webhook event
 * delivered once (one delivery per event id at the receiver), every due job run once (order
 * expiries: one order.expired event and one refund per order). Beside it, in the same run,
 * pgbench's ledger_transfer.sql ceiling on the same server.
 *
 *   npm run build -w @softrack/api && npx tsx bench/scale-out.ts [--seconds 15] [--connections 64] [--report bench/SCALING.md]
 *
 * Needs nginx on PATH (apt-get install nginx). Loopback only; every wait is bounded.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { type AddressInfo, createServer as netServer } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { fmt, jsonClient, loops, percentile, walletPayments } from "./lib/load.js";
import { startPostgres } from "./lib/postgres.js";
import { REFERENCE_DIR } from "./lib/reference.js";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "15" },
    connections: { type: "string", default: "64" },
    processes: { type: "string", default: "1,2,4" },
    report: { type: "string" },
  },
});
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const COUNTS = String(values.processes).split(",").map(Number);
const root = resolve(import.meta.dirname, "..");
const refDir = REFERENCE_DIR;
const ADMIN_KEY = `sk_admin_scale_${randomUUID().replaceAll("-", "")}`;
const CARD = { number: "4242424242424242", exp_month: 12, exp_year: 2030, cvc: "123" };
const children: ChildProcess[] = [];
process.on("exit", () => {
  for (const c of children) c.kill("SIGKILL");
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const freePort = () =>
  new Promise<number>((done) => {
    const s = netServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => done(port));
    });
  });

function startApi(env: Record<string, string>): Promise<void> {
  return new Promise((ready, fail) => {
    const child = spawn(process.execPath, [resolve(root, "apps/api/dist/index.js")], {
      cwd: resolve(root, "apps/api"),
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    children.push(child);
    let out = "";
    const timer = setTimeout(() => fail(new Error("API not ready within 60 s")), 60_000);
    child.stdout?.on("data", (d) => {
      out += d;
      if (/ready on http/.test(out)) {
        clearTimeout(timer);
        child.stdout?.resume();
        ready();
      }
    });
    child.once("exit", (code) => fail(new Error(`API exited ${code}`)));
  });
}

/** nginx in the foreground with a private prefix: round robin over `ports`, keep-alive upstreams. */
async function startNginx(ports: number[]): Promise<{ url: string; stop(): void }> {
  const dir = mkdtempSync(join(tmpdir(), "nginx-scale-"));
  const port = await freePort();
  writeFileSync(
    join(dir, "nginx.conf"),
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream api { ${ports.map((p) => `server 127.0.0.1:${p};`).join(" ")} keepalive 128; }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 1m;
    location / {
      proxy_pass http://api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_next_upstream off;
    }
  }
}
`,
  );
  const child = spawn("nginx", ["-p", dir, "-c", join(dir, "nginx.conf")], { stdio: ["ignore", "inherit", "inherit"] });
  children.push(child);
  for (let i = 0; i < 50; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/health`)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (up) break;
    await sleep(100);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    stop() {
      child.kill("SIGQUIT");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function receiver(): Promise<{ server: Server; url: string; deliveries: Map<string, number> }> {
  const deliveries = new Map<string, number>();
  return new Promise((done) => {
    const server = createServer((req, res) => {
      const id = String(req.headers["webhook-id"] ?? "");
      deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
      req.resume();
      req.on("end", () => res.writeHead(200).end());
    });
    server.listen(0, "127.0.0.1", () =>
      done({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, deliveries }),
    );
  });
}

const pg = await startPostgres({ name: "scale", settings: { max_connections: 300 } });
const rows: string[] = [];
const problems: string[] = [];
try {
  await pg.createDatabase("pgbench");
  await pg.psqlFile("pgbench", `${refDir}/ledger_schema.sql`);
  const ceiling = await pg.pgbench("pgbench", {
    script: `${refDir}/ledger_transfer.sql`,
    clients: 8,
    threads: 2,
    seconds: SECONDS,
    prepared: true,
  });
  console.log(`pgbench ledger_transfer.sql, 8 clients, -M prepared: ${fmt(ceiling.tps)} tps`);

  for (const n of COUNTS) {
    const db = `api_${n}`;
    await pg.createDatabase(db);
    const ports: number[] = [];
    for (let i = 0; i < n; i++) {
      const port = await freePort();
      ports.push(port);
      // The pool is split so that N processes hold the same connections as one.
      await startApi({
        DATABASE_URL: pg.url(db),
        // A test suite: its webhook receivers listen on 127.0.0.1, which production refuses for any endpoint.
        NODE_ENV: "test",
        PLATFORM_ADMIN_KEY: ADMIN_KEY,
        PORT: String(port),
        HOST: "127.0.0.1",
        LOG_LEVEL: "warn",
        WORKERS: "on",
        DB_POOL_SIZE: String(Math.max(8, Math.floor(64 / n))),
      });
    }
    const lb = await startNginx(ports);
    const hooks = await receiver();
    const admin = jsonClient(lb.url, ADMIN_KEY, 4);
    const m = (
      await admin.post<{ keys: { secret_key: string } }>("/v1/merchants", { name: "Scale", country: "KG", default_currency: "KGS" })
    ).body;
    const client = jsonClient(lb.url, m.keys.secret_key, CONNECTIONS);
    await client.post("/v1/webhook_endpoints", { url: hooks.url, events: ["payment.succeeded", "order.expired"] });
    const customers: string[] = [];
    await loops(
      16,
      () => customers.length >= 200,
      async () => {
        const c = (await client.post<{ id: string }>("/v1/customers", {})).body;
        customers.push(c.id);
        const top = (
          await client.post<{ id: string }>("/v1/payments", {
            amount: 100_000_000,
            currency: "KGS",
            purpose: { type: "wallet_topup", customer: c.id },
          })
        ).body;
        await client.post(`/v1/payments/${top.id}/confirm`, { payment_method_data: { type: "card", card: CARD } });
      },
    );

    // Throughput: wallet payments through the load balancer.
    const { failed, why, latencies, paymentsPerSecond: pps } = await walletPayments(client, customers, CONNECTIONS, SECONDS);

    // Jobs once across processes: paid orders due in 3 s; every process's worker competes for them.
    const point = (await client.post<{ id: string }>("/v1/pickup_points", { name: "Point", address: "Bishkek" })).body.id;
    const orders: string[] = [];
    const due = new Date(Date.now() + 3_000).toISOString();
    await loops(
      8,
      () => orders.length >= 40,
      async () => {
        const o = (
          await client.post<{ id: string; payment: { id: string } }>("/v1/orders", {
            currency: "KGS",
            items: [{ sku: "tea", name: "Tea", amount: 1_500, quantity: 1 }],
            delivery: { type: "pickup_point", point, collect_by: due },
            no_show_fee: 100,
          })
        ).body;
        orders.push(o.id);
        await client.post(`/v1/payments/${o.payment.id}/confirm`, { payment_method_data: { type: "card", card: CARD } });
      },
    );
    const sqlc = postgres(pg.url(db), { max: 1, onnotice: () => {} });
    const waitUntil = Date.now() + 90_000;
    let expired = 0;
    let events: { type: string; id: string }[] = [];
    while (Date.now() < waitUntil) {
      expired =
        (await sqlc<{ n: number }[]>`SELECT count(*)::int AS n FROM orders WHERE status = 'expired' AND id IN ${sqlc(orders)}`)[0]?.n ?? 0;
      events = await sqlc<{ type: string; id: string }[]>`SELECT type, id FROM events WHERE type IN ('payment.succeeded', 'order.expired')`;
      const allDelivered = events.every((e) => hooks.deliveries.has(e.id));
      if (expired === orders.length && allDelivered) break;
      await sleep(500);
    }
    const expiredEvents = await sqlc<
      { order_id: string; n: number }[]
    >`SELECT data->'object'->>'id' AS order_id, count(*)::int AS n FROM events WHERE type = 'order.expired' GROUP BY 1`;
    await sqlc.end();
    const twice = [...hooks.deliveries.values()].filter((c) => c > 1).length;
    const undelivered = events.filter((e) => !hooks.deliveries.has(e.id)).length;
    const jobTwice = expiredEvents.filter((e) => e.n > 1).length;
    if (expired !== orders.length) problems.push(`${n} processes: ${expired} of ${orders.length} due orders expired`);
    if (undelivered > 0) problems.push(`${n} processes: ${undelivered} events never delivered`);
    if (jobTwice > 0) problems.push(`${n} processes: ${jobTwice} orders expired twice`);
    const row = `| ${n} | ${fmt(pps)} | ${fmt(percentile(latencies, 50), 1)} / ${fmt(percentile(latencies, 99), 1)} | ${failed}${why.size ? ` (${[...why].map(([k, v]) => `${k}: ${v}`).join(", ")})` : ""} | ${fmt((pps / ceiling.tps) * 100)} % | ${events.length} events, ${hooks.deliveries.size} delivered, ${twice} twice, ${undelivered} missing | ${orders.length} due, ${expired} expired, ${jobTwice} twice |`;
    rows.push(row);
    console.log(row);
    client.close();
    admin.close();
    lb.stop();
    hooks.server.close();
    for (const c of children.splice(0)) c.kill("SIGTERM");
    await sleep(1_500);
  }

  const out = [
    "# Scale-out (bench/scale-out.ts)",
    "",
    `Run: \`npx tsx bench/scale-out.ts --seconds ${SECONDS} --connections ${CONNECTIONS}\`, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0]?.model}), Node ${process.version}, PostgreSQL 15 (fsync on), nginx (1 worker, keep-alive upstreams), API from apps/api/dist, load generator on the same machine; load average at the end ${loadavg()
      .map((x) => x.toFixed(1))
      .join(" / ")} (other work shares the machine: compare rows only with each other and with this run's pgbench).`,
    "",
    `Same run, same server: pgbench ledger_transfer.sql, 8 clients, -M prepared: **${fmt(ceiling.tps)} tps** (one ledger transfer per transaction).`,
    "",
    "| API processes | wallet payments/s (create + confirm) | latency p50 / p99 ms | failed (create/confirm status) | of pgbench ceiling | webhooks (exactly once) | jobs: order expiries (exactly once) |",
    "|---|---|---|---|---|---|---|",
    ...rows,
    "",
    problems.length === 0 ? "Exactly-once checks: all passed." : `Problems:\n${problems.map((p) => `- ${p}`).join("\n")}`,
  ];
  console.log(out.join("\n"));
  if (values.report) writeFileSync(resolve(root, values.report), `${out.join("\n")}\n`);
} finally {
  for (const c of children) c.kill("SIGKILL");
  await pg.stop();
}
process.exit(problems.length === 0 ? 0 : 1);
