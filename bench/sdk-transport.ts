/**
 * What one SDK call costs the partner's own server: `@softrack/sdk` on Node through its default
 * transport (node:http, connections kept alive) against the same SDK given the global fetch (its
 * transport before issue 18's last change, and still the one in browsers and edge runtimes).
 *
 * The API is a bare node:http server in a child process that reads each body and answers a fixed
 * payment of the real size, so the figures are the client's alone: its CPU per call
 * (process.cpuUsage of this process) and calls per second at `--connections` concurrent calls.
 * The two transports take turns in `--rounds` slices. Timings are printed, never asserted.
 *
 *   npm run build -w @softrack/sdk && npx tsx bench/sdk-transport.ts [--calls 20000] [--connections 64] [--rounds 4]
 */

import { fork } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { Softrack } from "@softrack/sdk";
import { fmt } from "./lib/load.js";

const { values } = parseArgs({
  options: {
    calls: { type: "string", default: "20000" },
    connections: { type: "string", default: "64" },
    rounds: { type: "string", default: "4" },
    serve: { type: "boolean", default: false },
  },
});

if (values.serve) {
  // A payment as POST /v1/payments answers it, about 1.3 KB.
  const payment = JSON.stringify({
    id: "pay_01M8X9YDJN0C9QPXC178MSTW",
    object: "payment",
    created: new Date(0).toISOString(),
    livemode: false,
    amount: 500,
    currency: "KGS",
    status: "succeeded",
    capture_method: "automatic",
    method: "wallet",
    payment_method_details: { type: "wallet", customer: "cus_01M8X9YDJN0C9QPXC178MSTX" },
    amount_capturable: 0,
    amount_captured: 500,
    amount_refunded: 0,
    fee: 10,
    fee_tariff: { code: "standard", version: 1 },
    customer: "cus_01M8X9YDJN0C9QPXC178MSTX",
    description: "Bus fare top-up and a coffee",
    purpose: null,
    order: null,
    next_action: null,
    last_payment_error: null,
    retry_of: null,
    canceled_at: null,
    metadata: { order_ref: "A-1029", shop: "Bishkek, Chui 120" },
    client_secret: "pay_01M8X9YDJN0C9QPXC178MSTW_secret_0123456789abcdefghijklmnopqrstuv",
  });
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "Content-Type": "application/json", "Request-Id": "req_bench" });
      res.end(payment);
    });
  });
  server.listen(0, "127.0.0.1", () => process.send?.((server.address() as AddressInfo).port));
} else {
  const CALLS = Number(values.calls);
  const CONNECTIONS = Number(values.connections);
  const ROUNDS = Number(values.rounds);
  const child = fork(import.meta.filename, ["--serve"], { execArgv: process.execArgv });
  const port = await new Promise<number>((resolve) => child.once("message", (m) => resolve(Number(m))));
  const baseUrl = `http://127.0.0.1:${port}`;
  const clients = {
    "node:http (the default on Node)": new Softrack({ apiKey: "sk_test_bench", baseUrl, maxRetries: 0 }),
    "global fetch (given as `fetch`)": new Softrack({ apiKey: "sk_test_bench", baseUrl, maxRetries: 0, fetch: globalThis.fetch }),
  };
  const body = {
    amount: 500,
    currency: "KGS",
    customer: "cus_01M8X9YDJN0C9QPXC178MSTX",
    confirm: true,
    payment_method_data: { type: "wallet" },
  };

  /** `calls` payments at CONNECTIONS concurrent calls: seconds taken and this process's CPU seconds. */
  async function slice(sdk: Softrack, calls: number): Promise<{ seconds: number; cpu: number }> {
    let started = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (started++ < calls) await sdk.payments.create(body as Parameters<Softrack["payments"]["create"]>[0]);
      }),
    );
    const cpu = process.cpuUsage(cpu0);
    return { seconds: (performance.now() - t0) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
  }

  const sums = new Map<string, { seconds: number; cpu: number; calls: number }>();
  for (const sdk of Object.values(clients)) await slice(sdk, 2_000); // warm-up: JIT, connections
  const perSlice = Math.ceil(CALLS / ROUNDS);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, sdk] of Object.entries(clients)) {
      const s = await slice(sdk, perSlice);
      const sum = sums.get(name) ?? { seconds: 0, cpu: 0, calls: 0 };
      sums.set(name, { seconds: sum.seconds + s.seconds, cpu: sum.cpu + s.cpu, calls: sum.calls + perSlice });
    }
  }
  child.kill();

  const rows = [...sums].map(([name, s]) => ({ name, rate: s.calls / s.seconds, cpuUs: (s.cpu / s.calls) * 1e6 }));
  const fetchRow = rows[1] as (typeof rows)[number];
  const when = new Date().toISOString().slice(0, 16).replace("T", " ");
  console.log(
    `\nRun: \`npx tsx bench/sdk-transport.ts --calls ${CALLS} --connections ${CONNECTIONS} --rounds ${ROUNDS}\`, ${when} UTC, ` +
      `${cpus().length} cores, Node ${process.version}, ${CONNECTIONS} concurrent calls, ${ROUNDS} slices each, taking turns.\n`,
  );
  console.log("| SDK transport | calls/s | client CPU µs per call | CPU × global fetch's |");
  console.log("|---|---:|---:|---:|");
  for (const r of rows) console.log(`| ${r.name} | ${fmt(r.rate)} | ${fmt(r.cpuUs)} | ${(r.cpuUs / fetchRow.cpuUs).toFixed(2)}× |`);
}
