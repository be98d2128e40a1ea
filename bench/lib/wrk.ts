/**
 * Payments sent by wrk (Debian's `wrk`, a load generator in C, as pgbench is one): path (c)'s
 * request, the SDK's headers and body byte for byte with a fresh key in the SDK's format each
 * (wrk-payment.lua). The API serves the same path as for the SDK; what changes is the load
 * generator's share of the two cores it shares with the API and PostgreSQL: about a tenth of a
 * Node client's CPU per request.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { WalletPaymentLoad } from "./load.js";

const SCRIPT = resolve(import.meta.dirname, "wrk-payment.lua");

export interface WrkRequest {
  path: string;
  /** The SDK's headers, without its Idempotency-Key (wrk makes one per request). */
  headers: Record<string, string>;
  /** The SDK's JSON body for `amount` and `customer` (the same key order whatever the values). */
  body(amount: number, customer: string): string;
  customers: readonly string[];
}

export interface WrkSlice {
  load: WalletPaymentLoad;
  /** wrk's CPU seconds (all its threads). */
  cpuSeconds: number;
  /** Each thread's last requests (key and body) and last answers (status and body), unpaired. */
  sent: { key: string; body: string }[];
  answers: { status: number; body: string }[];
}

/** Throws with what to install when wrk is missing. */
export async function wrkVersion(): Promise<string> {
  return new Promise((done, fail) =>
    execFile("wrk", ["--version"], (err, stdout) => {
      // wrk --version prints its version, then its usage, and exits 1.
      if (stdout.includes("wrk")) return done(stdout.split("\n")[0] as string);
      fail(new Error(`wrk is not installed (apt-get install wrk): ${err?.message}`));
    }),
  );
}

/** Writes the request's parts as the Lua table wrk-payment.lua reads (values are ASCII JSON strings, valid Lua too). */
function specFile(req: WrkRequest): string {
  const AMOUNT = 123_456_789;
  const CUSTOMER = "CUSTOMER_PLACEHOLDER";
  const sample = req.body(AMOUNT, CUSTOMER);
  const [beforeAmount, rest = ""] = sample.split(String(AMOUNT));
  const [beforeCustomer, afterCustomer] = rest.split(CUSTOMER);
  if (beforeAmount === undefined || beforeCustomer === undefined || afterCustomer === undefined) {
    throw new Error(`wrk: the body does not hold its amount and customer once each: ${sample}`);
  }
  // The cut body put together again must be the SDK's body for any amount and customer.
  const joined = (amount: number, customer: string) => beforeAmount + amount + beforeCustomer + customer + afterCustomer;
  const probe = req.customers[0] ?? "cus_x";
  if (joined(777, probe) !== req.body(777, probe)) throw new Error("wrk: the body's parts do not make the SDK's body");
  const str = (s: string) => {
    if (!/^[\x20-\x7e]*$/.test(s)) throw new Error(`wrk: not printable ASCII: ${s}`);
    return JSON.stringify(s);
  };
  const lua = [
    "return {",
    `  path = ${str(req.path)},`,
    `  headers = { ${Object.entries(req.headers)
      .map(([k, v]) => `[${str(k)}] = ${str(v)}`)
      .join(", ")} },`,
    `  before_amount = ${str(beforeAmount)}, before_customer = ${str(beforeCustomer)}, after_customer = ${str(afterCustomer)},`,
    `  customers = { ${req.customers.map(str).join(", ")} },`,
    "}",
  ].join("\n");
  const file = join(mkdtempSync(join(tmpdir(), "softrack-wrk-")), "request.lua");
  writeFileSync(file, lua);
  return file;
}

const specs = new WeakMap<WrkRequest, string>();

/** `connections` connections on 2 threads for `seconds`; resolves with wrk's own figures. */
export function wrkPayments(url: string, req: WrkRequest, connections: number, seconds: number): Promise<WrkSlice> {
  let file = specs.get(req);
  if (!file) {
    file = specFile(req);
    specs.set(req, file);
  }
  const args = ["-t2", `-c${connections}`, `-d${Math.max(1, Math.round(seconds))}s`, "--timeout", "10s", "-s", SCRIPT, url, "--", file];
  return new Promise((done, fail) =>
    execFile("wrk", args, { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) return fail(new Error(`wrk failed: ${err.message}\n${stderr}`));
      const line = stdout.split("\n").find((l) => l.startsWith('{"requests"'));
      if (!line) return fail(new Error(`wrk printed no result:\n${stdout}\n${stderr}`));
      const r = JSON.parse(line) as {
        requests: number;
        failed: number;
        errors: number;
        cpu_seconds: number;
        duration_us: number;
        quantiles_us: number[];
      };
      const failed = r.failed + r.errors;
      const ok = r.requests - r.failed;
      // Each of the 1,000 quantiles stands for a thousandth of the requests.
      const latencies: number[] = [];
      for (let i = 0; i < r.quantiles_us.length; i++) {
        const upTo = Math.round(((i + 1) * r.requests) / r.quantiles_us.length);
        while (latencies.length < upTo) latencies.push((r.quantiles_us[i] as number) / 1000);
      }
      const why = new Map<string, number>();
      if (r.failed) why.set("not a 200 succeeded", r.failed);
      if (r.errors) why.set("socket error or timeout", r.errors);
      const rest = (prefix: string) =>
        stdout
          .split("\n")
          .filter((l) => l.startsWith(prefix))
          .map((l) => l.slice(prefix.length));
      const sent = rest("SENT ").map((l) => ({ key: l.slice(0, l.indexOf(" ")), body: l.slice(l.indexOf(" ") + 1) }));
      const answers = rest("ANSWER ").map((l) => ({ status: Number(l.slice(0, l.indexOf(" "))), body: l.slice(l.indexOf(" ") + 1) }));
      done({
        load: { ok, failed, latencies, why, paymentsPerSecond: ok / (r.duration_us / 1e6) },
        cpuSeconds: r.cpu_seconds,
        sent,
        answers,
      });
    }),
  );
}
