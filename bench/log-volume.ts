/**
 * Log volume per payment, and what 20 million lines a day means for Graylog.
 *
 *   npx tsx bench/log-volume.ts [payments=200]
 *
 * Starts the real API (embedded database) with its real logger at LOG_LEVEL=info, makes
 * card payments (POST /v1/payments + POST /v1/payments/:id/confirm, as a checkout does)
 * and counts the stdout JSON lines and bytes they produce. The same lines then go through
 * the GELF output to a local UDP listener, which counts datagrams and bytes on the wire.
 * Sampling (LOG_SAMPLE_SUCCESS) is measured with the logger's own sampler on those lines.
 */
import { createSocket } from "node:dgram";
import { mkdirSync, writeFileSync } from "node:fs";
import { Writable } from "node:stream";
import { createLogger } from "../apps/api/src/logger.js";
import { gelfDestination, gelfStats } from "../apps/api/src/observability/gelf.js";
import { startApi } from "../apps/api/src/testing.js";

const PAYMENTS = Number(process.argv[2] ?? 200);
const LINES_PER_DAY = 20_000_000;
const CARD = { number: "4242424242424242", exp_month: 12, exp_year: 2030, cvc: "123" };

let recording = false;
const captured: string[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    if (recording) for (const l of String(chunk).split("\n")) if (l) captured.push(l);
    done();
  },
});

const api = await startApi({ env: { LOG_LEVEL: "info", WORKERS: "off" }, logStream: sink });
const headers = { Authorization: `Bearer ${api.merchant.secretKey}`, "Content-Type": "application/json" };
const post = (path: string, body: unknown) =>
  fetch(api.url + path, { method: "POST", headers, body: JSON.stringify(body) }).then((r) => r.json());

recording = true;
for (let i = 0; i < PAYMENTS; i++) {
  const p = (await post("/v1/payments", { amount: 15000 + i, currency: "KGS", description: `ride ${i}` })) as { id: string };
  const c = (await post(`/v1/payments/${p.id}/confirm`, { payment_method_data: { type: "card", card: CARD } })) as { status: string };
  if (c.status !== "succeeded") throw new Error(`payment ${p.id} ended ${c.status}`);
}
await new Promise((r) => setTimeout(r, 200));
recording = false;
await api.close();

const stdoutBytes = captured.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
const requestLines = captured.filter((l) => l.includes('"msg":"request"')).length;

// The same lines through the GELF output (deflated, chunked datagrams) to a local listener.
const listener = createSocket("udp4");
let datagrams = 0;
let wireBytes = 0;
listener.on("message", (m) => {
  datagrams++;
  wireBytes += m.length;
});
await new Promise<void>((r) => listener.bind(0, "127.0.0.1", () => r()));
listener.setRecvBufferSize(8 * 1024 * 1024);
const gelf = gelfDestination(`udp://127.0.0.1:${listener.address().port}`);
// Paced like live traffic: a burst of hundreds of datagrams overflows a receive buffer
// (UDP drops, by design), which would measure the buffer rather than the log volume.
for (const [i, l] of captured.entries()) {
  gelf.write(`${l}\n`);
  if (i % 20 === 19) await new Promise((r) => setTimeout(r, 5));
}
await new Promise((r) => setTimeout(r, 1000));
listener.close();
if (gelfStats.sent !== captured.length || datagrams < captured.length) {
  throw new Error(`GELF: ${gelfStats.sent} sent, ${gelfStats.errors} failed, ${datagrams} datagrams received for ${captured.length} lines`);
}

// Sampling: the logger's own sampler over the same request lines.
let sampledLines = 0;
const counting = new Writable({
  write(chunk, _enc, done) {
    sampledLines += String(chunk).split("\n").filter(Boolean).length;
    done();
  },
});
const sampled = createLogger("info", counting as never, { sampleSuccess: 0.1 });
for (const l of captured) {
  const { msg, level, time: _t, service: _s, ...rest } = JSON.parse(l);
  if (level >= 50) sampled.error(rest, msg);
  else sampled.info(rest, msg);
}

const perPayment = {
  lines: captured.length / PAYMENTS,
  stdout_bytes: stdoutBytes / PAYMENTS,
  gelf_wire_bytes: wireBytes / PAYMENTS,
  gelf_datagrams: datagrams / PAYMENTS,
  lines_sampled_0_1: sampledLines / PAYMENTS,
};
const bytesPerLine = stdoutBytes / captured.length;
const gelfPerLine = wireBytes / captured.length;
const result = {
  payments: PAYMENTS,
  lines: captured.length,
  request_lines: requestLines,
  per_payment: perPayment,
  bytes_per_line: { stdout: bytesPerLine, gelf_wire: gelfPerLine },
  projection_20M_lines_per_day: {
    lines_per_second_average: LINES_PER_DAY / 86_400,
    stdout_gib_per_day: (LINES_PER_DAY * bytesPerLine) / 2 ** 30,
    gelf_wire_gib_per_day: (LINES_PER_DAY * gelfPerLine) / 2 ** 30,
    gelf_mbit_per_second_average: (LINES_PER_DAY * gelfPerLine * 8) / 86_400 / 1e6,
    payments_per_day_at_full_logging: LINES_PER_DAY / perPayment.lines,
    payments_per_day_at_sample_0_1: LINES_PER_DAY / perPayment.lines_sampled_0_1,
  },
};
mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
writeFileSync(new URL("./results/log-volume.json", import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
