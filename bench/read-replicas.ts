/**
 * Read scaling (issue 24): the lag-tolerant lists and reports served from the cluster's replicas
 * (DATABASE_REPLICA_URL on HAProxy's read port, two streaming replicas) against the same reads
 * from the single primary, under the same write load, side by side in one run on the three-node
 * Patroni cluster of scripts/ha-cluster.sh.
 *
 * Two API processes on the same cluster, the same merchant and data: "primary" has only
 * DATABASE_URL (HAProxy's write port); "replicas" also has DATABASE_REPLICA_URL. Phases
 * alternate (primary, replicas, primary, replicas, …) so the machine's other load falls on both
 * alike. In each phase `--writers` loops make wallet payments and `--readers` loops read the
 * lists and reports in turn, both through that phase's API. Reported per mode: reads and writes
 * per second, read latency, and the CPU seconds each PostgreSQL node spent, so where the reads ran
 * is measured, not assumed.
 *
 *   npx tsx bench/read-replicas.ts [--seconds 15] [--rounds 2] [--readers 16] [--writers 4]
 *   (HA_DIR, HA_PORT as for scripts/ha-cluster.sh; --keep leaves the cluster running)
 * The API runs from source (tsx), so the branch needs no build.
 */
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { type ApiProcess, startApiProcess } from "./lib/api-process.js";
import { postmasterPid, processCpu, treeCpu } from "./lib/cpu.js";
import { fmt, type JsonClient, jsonClient, loops, percentile } from "./lib/load.js";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "15" },
    rounds: { type: "string", default: "2" },
    readers: { type: "string", default: "16" },
    writers: { type: "string", default: "4" },
    /** Payments made before the phases, so lists and reports read real pages. */
    seed: { type: "string", default: "1500" },
    keep: { type: "boolean", default: false },
    /** Read from this URL instead of HAProxy's read port (e.g. the asynchronous replica alone, to keep reads off the synchronous standby). */
    "replica-url": { type: "string" },
  },
});
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const READERS = Number(values.readers);
const WRITERS = Number(values.writers);
const root = resolve(import.meta.dirname, "..");
const HA_DIR = process.env.HA_DIR ?? "/tmp/softrack-read-replicas-ha";
const HA_PORT = process.env.HA_PORT ?? "17300"; // below the ephemeral port range (see scripts/ha-cluster.sh)
const haEnv = { ...process.env, HA_DIR, HA_PORT };
const ha = (...args: string[]) => execFileSync("bash", [resolve(root, "scripts/ha-cluster.sh"), ...args], { env: haEnv, encoding: "utf8" });
const ADMIN_KEY = `sk_admin_${"r".repeat(40)}`;
const CARD = { number: "4242424242424242", exp_month: 12, exp_year: 2040, cvc: "123" };
const today = new Date().toISOString().slice(0, 10);
/** The lag-tolerant reads, taken in turn by every reader loop (docs/operations.md, "Read replicas"). */
const READS = [
  "/v1/payments?limit=100",
  "/v1/ledger/transactions?limit=100",
  "/v1/refunds?limit=100",
  `/v1/transit/reports/daily?date=${today}&timezone=UTC`,
  "/v1/buyer_reliability/summary",
  "/v1/payments?limit=100&status=succeeded",
];

interface Phase {
  mode: "primary" | "replicas";
  seconds: number;
  reads: number;
  readErrors: number;
  /** Failed reads by status and error code. */
  why: Map<string, number>;
  readMs: number[];
  writes: number;
  writeErrors: number;
  /** CPU seconds per node name during the phase, and the API process's. */
  nodeCpu: Map<string, number>;
  apiCpu: number;
  leader: string;
}

const apis: ApiProcess[] = [];
let failed = false;
try {
  const out = ha("start");
  const writeUrl = /DATABASE_URL=(\S+)/.exec(out)?.[1] as string;
  const readUrl = values["replica-url"] ?? (/DATABASE_REPLICA_URL=(\S+)/.exec(out)?.[1] as string);
  ha("wait-healthy", "180");
  console.log(`cluster up: writes ${writeUrl}, reads ${readUrl}`);
  const common = { adminKey: ADMIN_KEY, connections: 16, source: true };
  const onPrimary = await startApiProcess({ databaseUrl: writeUrl, ...common });
  apis.push(onPrimary);
  const onReplicas = await startApiProcess({ databaseUrl: writeUrl, ...common, env: { DATABASE_REPLICA_URL: readUrl } });
  apis.push(onReplicas);

  // One merchant, one wallet per writer, funded for the whole run.
  const admin = jsonClient(onPrimary.url, ADMIN_KEY, 2);
  const m = await admin.post<{ keys: { secret_key: string } }>("/v1/merchants", {
    name: "Readers",
    country: "KG",
    default_currency: "KGS",
  });
  const key = m.body.keys.secret_key;
  const seedClient = jsonClient(onPrimary.url, key, WRITERS);
  const customers: string[] = [];
  for (let i = 0; i < WRITERS; i++) {
    const c = await seedClient.post<{ id: string }>("/v1/customers", { name: `Payer ${i}` });
    const topup = await seedClient.post<{ id: string }>("/v1/payments", {
      amount: 1_000_000_000,
      currency: "KGS",
      purpose: { type: "wallet_topup", customer: c.body.id },
    });
    await seedClient.post(`/v1/payments/${topup.body.id}/confirm`, { payment_method_data: { type: "card", card: CARD } });
    customers.push(c.body.id);
  }
  const pay = async (client: JsonClient, loop: number) => {
    const r = await client.post<{ id: string; status: string }>("/v1/payments", {
      amount: 100 + Math.floor(Math.random() * 900),
      currency: "KGS",
      customer: customers[loop % customers.length],
      confirm: true,
      payment_method_data: { type: "wallet" },
    });
    return r.status === 200 && r.body.status === "succeeded";
  };
  let seeded = 0;
  await loops(
    WRITERS,
    () => seeded >= Number(values.seed),
    async (loop) => {
      if (await pay(seedClient, loop)) seeded++;
    },
  );
  // Refund every tenth seeded payment, so the refund list has pages too.
  const page = await seedClient.get<{ data: { id: string }[] }>("/v1/payments?limit=100");
  for (const p of page.body.data.filter((_, i) => i % 10 === 0)) await seedClient.post("/v1/refunds", { payment: p.id, amount: 50 });
  seedClient.close();
  console.log(`seeded ${seeded} payments`);

  const nodes = [1, 2, 3].map((i) => ({ name: `node${i}`, dataDir: `${HA_DIR}/node${i}/data` }));
  const nodeCpu = () => new Map(nodes.map((n) => [n.name, treeCpu(postmasterPid(n.dataDir))]));

  async function phase(mode: Phase["mode"], api: ApiProcess): Promise<Phase> {
    const readers = jsonClient(api.url, key, READERS);
    const writers = jsonClient(api.url, key, WRITERS);
    const r: Phase = {
      mode,
      seconds: 0,
      reads: 0,
      readErrors: 0,
      why: new Map(),
      readMs: [],
      writes: 0,
      writeErrors: 0,
      nodeCpu: new Map(),
      apiCpu: 0,
      leader: ha("leader").trim(),
    };
    const end = Date.now() + SECONDS * 1000;
    const cpu0 = nodeCpu();
    const api0 = processCpu(api.child.pid as number);
    const t0 = performance.now();
    let turn = 0;
    await Promise.all([
      loops(
        READERS,
        () => Date.now() > end,
        async () => {
          const res = await readers.get(READS[turn++ % READS.length] as string);
          if (res.status === 200) {
            r.reads++;
            r.readMs.push(res.ms);
          } else {
            r.readErrors++;
            const code = (res.body as { error?: { code?: string } } | undefined)?.error?.code ?? "";
            const why = `${res.status} ${code}`.trim();
            r.why.set(why, (r.why.get(why) ?? 0) + 1);
          }
        },
      ),
      loops(
        WRITERS,
        () => Date.now() > end,
        async (loop) => {
          if (await pay(writers, loop)) r.writes++;
          else r.writeErrors++;
        },
      ),
    ]);
    r.seconds = (performance.now() - t0) / 1000;
    const cpu1 = nodeCpu();
    for (const n of nodes) r.nodeCpu.set(n.name, (cpu1.get(n.name) ?? 0) - (cpu0.get(n.name) ?? 0));
    r.apiCpu = processCpu(api.child.pid as number) - api0;
    readers.close();
    writers.close();
    const others = [...r.nodeCpu].filter(([n]) => n !== r.leader).map(([, s]) => s);
    console.log(
      `${mode}: ${fmt(r.reads / r.seconds)} reads/s (p50 ${fmt(percentile(r.readMs, 50), 1)} ms, p99 ${fmt(percentile(r.readMs, 99), 1)} ms, ${r.readErrors} errors${r.readErrors ? `: ${[...r.why].map(([k, v]) => `${k} × ${v}`).join(", ")}` : ""}), ` +
        `${fmt(r.writes / r.seconds)} payments/s (${r.writeErrors} failed); CPU s: primary ${fmt(r.nodeCpu.get(r.leader) ?? 0, 1)}, ` +
        `replicas ${others.map((s) => fmt(s, 1)).join(" + ")}, API ${fmt(r.apiCpu, 1)}`,
    );
    return r;
  }

  // Both API processes warmed the same way (JIT, pools, prepared statements) before anything counts.
  const warm = async (api: ApiProcess) => {
    const c = jsonClient(api.url, key, 4);
    for (let i = 0; i < 50; i++) await Promise.all(READS.map((path) => c.get(path)));
    c.close();
  };
  await warm(onPrimary);
  await warm(onReplicas);
  const phases: Phase[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Each mode goes first in every other round, so a drift within a round falls on both.
    const order = round % 2 === 0 ? (["primary", "replicas"] as const) : (["replicas", "primary"] as const);
    for (const mode of order) phases.push(await phase(mode, mode === "primary" ? onPrimary : onReplicas));
  }

  // Totals per mode over its phases.
  const total = (mode: Phase["mode"]) => {
    const ps = phases.filter((p) => p.mode === mode);
    const seconds = ps.reduce((s, p) => s + p.seconds, 0);
    const reads = ps.reduce((s, p) => s + p.reads, 0);
    const primaryCpu = ps.reduce((s, p) => s + (p.nodeCpu.get(p.leader) ?? 0), 0);
    const replicaCpu = ps.reduce((s, p) => s + [...p.nodeCpu].filter(([n]) => n !== p.leader).reduce((a, [, c]) => a + c, 0), 0);
    return {
      seconds,
      reads,
      readsPerSecond: reads / seconds,
      readErrors: ps.reduce((s, p) => s + p.readErrors, 0),
      p50: percentile(
        ps.flatMap((p) => p.readMs),
        50,
      ),
      p99: percentile(
        ps.flatMap((p) => p.readMs),
        99,
      ),
      writesPerSecond: ps.reduce((s, p) => s + p.writes, 0) / seconds,
      writeErrors: ps.reduce((s, p) => s + p.writeErrors, 0),
      // Cores busy on average: where the work landed (the replicas' share includes replaying the writes).
      primaryCores: primaryCpu / seconds,
      replicaCores: replicaCpu / seconds,
      apiCores: ps.reduce((s, p) => s + p.apiCpu, 0) / seconds,
    };
  };
  const a = total("primary");
  const b = total("replicas");
  const row = (name: string, t: typeof a) =>
    `| ${name} | ${fmt(t.readsPerSecond)} | ${fmt(t.p50, 1)} / ${fmt(t.p99, 1)} | ${fmt(t.writesPerSecond)} | ${fmt(t.primaryCores, 2)} | ${fmt(t.replicaCores, 2)} | ${fmt(t.apiCores, 2)} | ${t.readErrors} / ${t.writeErrors} |`;
  console.log(`\n${READERS} readers and ${WRITERS} writers, ${ROUNDS} × ${SECONDS} s per mode, alternating\n`);
  console.log(
    "| reads from | reads/s | read p50 / p99 ms | payments/s (same write load) | primary: cores busy | two replicas: cores busy | API: cores busy | errors (reads / writes) |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
  console.log(row("the primary (DATABASE_URL only)", a));
  console.log(
    row(values["replica-url"] ? `replicas at ${values["replica-url"]}` : "two replicas (DATABASE_REPLICA_URL, HAProxy's read port)", b),
  );
  console.log(`\nread throughput, replicas / primary: ${fmt(b.readsPerSecond / a.readsPerSecond, 2)}×`);
  if (b.replicaCores <= a.replicaCores) {
    console.error("the replicas did not take the reads: their CPU did not rise");
    failed = true;
  }
  if (a.readErrors + b.readErrors > 0) failed = true;
} finally {
  for (const api of apis) api.stop();
  if (!values.keep) ha("stop");
}
if (failed) process.exit(1);
