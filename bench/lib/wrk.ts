/**
 * Wallet payments sent by wrk (Debian's `wrk`, a load generator in C, as pgbench is one): the
 * SDK's requests, its headers and bodies byte for byte, with a fresh key in the SDK's format on
 * every POST or none (wrk-payment.lua). The API serves the same path as for the SDK; what changes
 * is the load generator's share of the two cores it shares with the API and PostgreSQL: about a
 * third of a Node client's CPU per request.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { WalletPaymentLoad } from "./load.js";

const SCRIPT = resolve(import.meta.dirname, "wrk-payment.lua");

export interface WrkRequest {
  /** "one": POST /v1/payments with confirm: true; "two": create, then confirm each payment created. */
  steps: "one" | "two";
  /** The SDK's headers, without its Idempotency-Key. */
  headers: Record<string, string>;
  /** A fresh Idempotency-Key on every POST (wrk makes them), or none. */
  keyed: boolean;
  /** The SDK's JSON body of POST /v1/payments for `amount` and `customer` (the same key order whatever the values). */
  body(amount: number, customer: string): string;
  /** Step "two": the confirmation's body. */
  confirmBody?: string;
  customers: readonly string[];
}

export interface WrkSlice {
  /** Requests answered (two a payment for step "two"). */
  requests: number;
  /** Its `latencies` are per request, not per payment (wrk times requests; step "two" makes two a payment). */
  load: WalletPaymentLoad;
  /** wrk's CPU seconds (all its threads). */
  cpuSeconds: number;
  /** Each thread's last requests (key, "-" without one; path; body) and last answers (status and body), unpaired. */
  sent: { key: string; path: string; body: string }[];
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

/** Writes the request's parts as the Lua table wrk-payment.lua reads (values are ASCII JSON strings, valid Lua too); answers its directory. */
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
    `  steps = ${str(req.steps)}, keyed = ${req.keyed}, confirm_body = ${str(req.confirmBody ?? "")},`,
    `  headers = { ${Object.entries(req.headers)
      .map(([k, v]) => `[${str(k)}] = ${str(v)}`)
      .join(", ")} },`,
    `  before_amount = ${str(beforeAmount)}, before_customer = ${str(beforeCustomer)}, after_customer = ${str(afterCustomer)},`,
    `  customers = { ${req.customers.map(str).join(", ")} },`,
    "}",
  ].join("\n");
  const dir = mkdtempSync(join(tmpdir(), "softrack-wrk-"));
  writeFileSync(join(dir, "request.lua"), lua, { mode: 0o600 });
  return dir;
}

/** `connections` connections on 2 threads for `seconds`; resolves with wrk's own figures. */
export function wrkPayments(url: string, req: WrkRequest, connections: number, seconds: number): Promise<WrkSlice> {
  // The file holds the caller's key: it lives as long as this run of wrk.
  const dir = specFile(req);
  const args = [
    "-t2",
    `-c${connections}`,
    `-d${Math.max(1, Math.round(seconds))}s`,
    "--timeout",
    "10s",
    "-s",
    SCRIPT,
    url,
    "--",
    join(dir, "request.lua"),
  ];
  return new Promise((done, fail) =>
    execFile("wrk", args, { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      rmSync(dir, { recursive: true, force: true });
      if (err) return fail(new Error(`wrk failed: ${err.message}\n${stderr}`));
      const line = stdout.split("\n").find((l) => l.startsWith('{"requests"'));
      if (!line) return fail(new Error(`wrk printed no result:\n${stdout}\n${stderr}`));
      const r = JSON.parse(line) as {
        requests: number;
        succeeded: number;
        failed: number;
        errors: number;
        cpu_seconds: number;
        duration_us: number;
        quantiles_us: number[];
      };
      const failed = r.failed + r.errors;
      const ok = r.succeeded;
      // Each of the 1,000 quantiles stands for a thousandth of the requests.
      const latencies: number[] = [];
      for (let i = 0; i < r.quantiles_us.length; i++) {
        const upTo = Math.round(((i + 1) * r.requests) / r.quantiles_us.length);
        while (latencies.length < upTo) latencies.push((r.quantiles_us[i] as number) / 1000);
      }
      const why = new Map<string, number>();
      if (r.failed) why.set("an answer but a payment succeeded or created", r.failed);
      if (r.errors) why.set("socket error or timeout", r.errors);
      const rest = (prefix: string) =>
        stdout
          .split("\n")
          .filter((l) => l.startsWith(prefix))
          .map((l) => l.slice(prefix.length));
      const sent = rest("SENT ").map((l) => {
        const [key = "", path = ""] = l.split(" ", 2);
        return { key, path, body: l.slice(key.length + path.length + 2) };
      });
      const answers = rest("ANSWER ").map((l) => ({ status: Number(l.slice(0, l.indexOf(" "))), body: l.slice(l.indexOf(" ") + 1) }));
      done({
        requests: r.requests,
        load: { ok, failed, latencies, why, paymentsPerSecond: ok / (r.duration_us / 1e6) },
        cpuSeconds: r.cpu_seconds,
        sent,
        answers,
      });
    }),
  );
}
