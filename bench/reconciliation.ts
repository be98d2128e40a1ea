/**
 * Reconciliation of a day's card settlement file (issue 20, item 5) on a real PostgreSQL:
 * LINES captured and refunded card movements, the simulated acquirer's file for the day
 * (GET /v1/test_helpers/settlement_files), doctored a little (lines removed, amounts and fees
 * changed, lines added), then POST /v1/reconciliations over HTTP. Prints lines reconciled per
 * second, and checks every finding is where it was put.
 *
 *   npx tsx bench/reconciliation.ts [--lines 100000]
 *
 * The movements are made fast, not through 100,000 HTTP payments: payment and refund rows are
 * inserted set-based, and their ledger entries are the core's own (paymentCaptured,
 * paymentRefunded) posted through the API's LedgerStore, 2,000 per transaction, exactly as the
 * payment service writes them. The API runs in this process (apps/api/src/testing.ts startApi),
 * on a private PostgreSQL 15 cluster (bench/lib/postgres.ts) with fsync on.
 */
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { paymentCaptured, paymentRefunded } from "@softrack/core";
import { sql } from "drizzle-orm";
import { payments, refunds } from "../apps/api/src/db/schema/index.js";
import { newId } from "../apps/api/src/lib/ids.js";
import { startApi } from "../apps/api/src/testing.js";
import { fmt } from "./lib/load.js";
import { startPostgres } from "./lib/postgres.js";

const { values } = parseArgs({ options: { lines: { type: "string", default: "100000" } } });
const LINES = Number(values.lines);
/** One movement in twenty is a refund of an earlier capture. */
const REFUND_EVERY = 20;
const BATCH = 2_000;

const pg = await startPostgres({ name: "reconciliation" });
let api: Awaited<ReturnType<typeof startApi>> | undefined;
try {
  await pg.createDatabase("api");
  api = await startApi({ databaseUrl: pg.url("api"), env: { WORKERS: "off", DB_POOL_SIZE: "8" } });
  const { database, ledger } = api.runtime.deps;
  const merchantId = api.merchant.id;
  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model}), Node ${process.version}; ${fmt(LINES)} settlement lines`);

  // ---- the day's movements
  const made = performance.now();
  let lines = 0;
  while (lines < LINES) {
    const n = Math.min(BATCH, LINES - lines);
    const refundCount = Math.floor(n / REFUND_EVERY);
    const captureCount = n - refundCount;
    const pays = Array.from({ length: captureCount }, () => {
      const amount = 1_000 + Math.floor(Math.random() * 5_000_000);
      return { id: newId("payment"), amount, fee: Math.floor(amount / 40) };
    });
    const res = pays.slice(0, refundCount).map((p) => ({ id: newId("refund"), payment: p, amount: 1 + Math.floor(p.amount / 3) }));
    await database.db.transaction(async (tx) => {
      await tx.insert(payments).values(
        pays.map((p) => ({
          id: p.id,
          merchantId,
          amount: p.amount,
          currency: "KGS",
          status: "succeeded" as const,
          captureMethod: "automatic" as const,
          method: "card" as const,
          amountCaptured: p.amount,
          amountRefunded: res.find((r) => r.payment === p)?.amount ?? 0,
          fee: p.fee,
          clientSecretHash: "bench",
          clientSecretSealed: "bench",
        })),
      );
      if (res.length > 0)
        await tx
          .insert(refunds)
          .values(
            res.map((r) => ({ id: r.id, merchantId, paymentId: r.payment.id, amount: r.amount, currency: "KGS", status: "succeeded" })),
          );
      const ref = (id: string) => ({ id, merchantId, livemode: false, currency: "KGS", method: "card" });
      const results = await ledger.post(tx, [
        ...pays.map((p) => paymentCaptured(ref(p.id), { amount: p.amount, release: 0, fromHold: false, fee: p.fee, bucket: "available" })),
        ...res.map((r) => paymentRefunded(ref(r.payment.id), { refundId: r.id, amount: r.amount, bucket: "available" })),
      ]);
      if (!results.every((r) => r.ok)) throw new Error("a bench movement was refused by the ledger");
    });
    lines += n;
  }
  const madeSeconds = (performance.now() - made) / 1000;
  console.log(`movements: ${fmt(LINES)} in ${madeSeconds.toFixed(1)} s (${fmt(LINES / madeSeconds)}/s), through LedgerStore.post`);
  await database.rows(sql`ANALYZE`);

  const admin = (path: string, init: RequestInit = {}) =>
    fetch(api?.url + path, { ...init, headers: { Authorization: `Bearer ${api?.adminKey}`, "Content-Type": "application/json" } });
  const date = new Date().toISOString().slice(0, 10);

  // ---- the acquirer's file
  let t = performance.now();
  const file = await (await admin(`/v1/test_helpers/settlement_files?provider=card&date=${date}`)).text();
  const fileSeconds = (performance.now() - t) / 1000;
  const [header, ...rows] = file.trim().split("\r\n");
  if (rows.length !== LINES) throw new Error(`the file has ${rows.length} lines, not ${LINES}`);
  console.log(`settlement file: ${fmt(rows.length)} lines, ${(file.length / 1048576).toFixed(1)} MiB in ${fileSeconds.toFixed(2)} s`);

  // ---- doctored: 10 removed, 10 amounts and 10 fees changed, 10 lines the ledger never saw
  const DOCTORED = 10;
  const cells = rows.map((r) => r.split(","));
  const kept = cells.slice(DOCTORED);
  for (const c of kept.slice(0, DOCTORED)) c[2] = String(Number(c[2]) + 1);
  for (const c of kept.slice(DOCTORED, 2 * DOCTORED)) c[4] = String(Number(c[4]) + 1);
  for (let i = 0; i < DOCTORED; i++) kept.push([`pay_GHOST${String(i).padStart(20, "0")}`, "capture", "5000", "KGS", "75", date]);
  const content = `${[header, ...kept.map((c) => c.join(","))].join("\r\n")}\r\n`;

  t = performance.now();
  // The API runs in this process: its CPU time for the request says what a quiet machine would take (PostgreSQL's own is apart).
  const cpu = process.cpuUsage();
  const res = await admin("/v1/reconciliations", { method: "POST", body: JSON.stringify({ provider: "card", date, content }) });
  const rec = (await res.json()) as Record<string, number | string>;
  const recSeconds = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  if (res.status !== 200) throw new Error(`reconciliation answered ${res.status}: ${JSON.stringify(rec).slice(0, 300)}`);
  const want = {
    line_count: LINES,
    matched: LINES - 3 * DOCTORED,
    missing_in_ledger: DOCTORED,
    missing_in_file: DOCTORED,
    amount_mismatch: DOCTORED,
    fee_mismatch: DOCTORED,
    already_reconciled: 0,
  };
  const got = Object.fromEntries(Object.keys(want).map((k) => [k, rec[k]]));
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`findings ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
  console.log(
    `reconciliation: ${fmt(LINES)} lines in ${recSeconds.toFixed(2)} s = ${fmt(LINES / recSeconds)} lines/s (HTTP, parse, match, claim, store, answer); findings as planted`,
  );
  console.log(
    `  the API's CPU for it: ${cpuSeconds.toFixed(2)} s (${fmt(LINES / cpuSeconds)} lines per CPU second); load average ${loadavg()[0]?.toFixed(1)}`,
  );

  t = performance.now();
  const again = await admin("/v1/reconciliations", { method: "POST", body: JSON.stringify({ provider: "card", date, content }) });
  const replay = (await again.json()) as Record<string, unknown>;
  const replaySeconds = (performance.now() - t) / 1000;
  if (again.headers.get("idempotent-replayed") !== "true" || replay.id !== rec.id)
    throw new Error("the same file was not answered by its reconciliation");
  console.log(`same file again: the same ${rec.id} in ${replaySeconds.toFixed(2)} s, nothing counted twice`);
} finally {
  await api?.close();
  await pg.stop();
}
