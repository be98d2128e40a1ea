/**
 * Issue 18's targets for the payments bench, judged from one run's figures. Pure, so the
 * thresholds are unit-tested (targets.test.ts); the bench prints them, nothing asserts them.
 */
import { fmt } from "./load.js";

/**
 * A measured path of bench/payments-http.ts. (b) is the keyless path; (a) and (c) send keys. A
 * `-raw` path sends the SDK's requests byte for byte (its headers, body and key format), built by
 * the bench instead of by the SDK: the API gets the same path, the load generator, on the same
 * two cores, pays less per request. A `-wrk` path sends them from wrk, a load generator in C.
 */
export type PathId = "a" | "a-raw" | "a-wrk" | "b" | "b-wrk" | "c" | "c-raw" | "c-wrk";

/** What goes over the wire: the SDK-driven path and its twins are one. */
const wireOf = (id: PathId): "a" | "b" | "c" => id.slice(0, 1) as "a" | "b" | "c";

/** The keyless path an (a) path is judged against: the one with the same load generator. */
const keylessOf = (id: PathId): PathId => (id === "a-wrk" ? "b-wrk" : "b");

/** One measured path's figures. */
export interface PathFigures {
  id: PathId;
  paymentsPerSecond: number;
  p99Ms: number;
  failed: number;
  /** CPU µs per payment. */
  apiUs: number;
  pgUs: number;
  /** p99Ms is per request (wrk times requests, and a create + confirm path makes two a payment). */
  perRequest?: boolean;
  /** payments/s slice by slice, one a round (see roundRatios). */
  rates?: readonly number[];
}

export interface TargetRow {
  target: string;
  measured: string;
  /** undefined: the run did not measure what the target needs. */
  pass?: boolean;
}

export const TARGETS = {
  /** (a) payments/s at least this share of (b)'s. */
  sdkToKeyless: 0.9,
  /** The best keyed path's payments/s at least this multiple of pgbench's ledger_transfer tps. */
  keyedToPgbench: 1.0,
  apiCpuUs: 300,
  /** PostgreSQL CPU per payment at most this multiple of pgbench's per transfer. */
  pgCpuToPgbench: 0.6,
  p99Ms: 100,
} as const;

export function issue18Targets(
  paths: readonly PathFigures[],
  pgbench: { tps: number; cpuUs: number },
  ledgerBalanced: boolean,
  connections: number,
): TargetRow[] {
  const rows: TargetRow[] = [];
  const sdkTarget = (id: PathId) => `(${id}) ≥ ${TARGETS.sdkToKeyless}× (${keylessOf(id)}), payments/s`;
  const as = paths.filter((p) => wireOf(p.id) === "a");
  for (const a of as) {
    const b = paths.find((p) => p.id === keylessOf(a.id));
    if (!b) {
      rows.push({ target: sdkTarget(a.id), measured: `needs path ${keylessOf(a.id)}` });
      continue;
    }
    const ratio = a.paymentsPerSecond / b.paymentsPerSecond;
    // Judged on the whole run; its rounds say how sure that is.
    const rounds = a.rates && b.rates && a.rates.length === b.rates.length ? roundRatios(a.rates, b.rates) : undefined;
    const sure = rounds?.interval ? ` (rounds: ${howSure(rounds)})` : "";
    rows.push({ target: sdkTarget(a.id), measured: `${ratio.toFixed(2)}×${sure}`, pass: ratio >= TARGETS.sdkToKeyless });
  }
  if (as.length === 0) rows.push({ target: sdkTarget("a"), measured: "needs paths a and b" });
  const keyedTarget = `best keyed path ≥ ${TARGETS.keyedToPgbench.toFixed(1)}× pgbench tps`;
  const best = paths.filter((p) => wireOf(p.id) !== "b").sort((x, y) => y.paymentsPerSecond - x.paymentsPerSecond)[0];
  if (best) {
    const ratio = best.paymentsPerSecond / pgbench.tps;
    rows.push({ target: keyedTarget, measured: `${best.id}: ${ratio.toFixed(2)}×`, pass: ratio >= TARGETS.keyedToPgbench });
  } else rows.push({ target: keyedTarget, measured: "needs path a or c" });
  for (const p of paths) {
    rows.push(
      {
        target: `${p.id}: API CPU ≤ ${TARGETS.apiCpuUs} µs per payment`,
        measured: `${fmt(p.apiUs)} µs`,
        pass: p.apiUs <= TARGETS.apiCpuUs,
      },
      {
        target: `${p.id}: PostgreSQL CPU ≤ ${TARGETS.pgCpuToPgbench}× pgbench's per transfer`,
        measured: `${(p.pgUs / pgbench.cpuUs).toFixed(2)}×`,
        pass: p.pgUs <= TARGETS.pgCpuToPgbench * pgbench.cpuUs,
      },
      p.perRequest
        ? {
            target: `${p.id}: p99 < ${TARGETS.p99Ms} ms at ${connections} connections`,
            measured: `a payment's not measured (a request's: ${fmt(p.p99Ms, 1)} ms)`,
          }
        : {
            target: `${p.id}: p99 < ${TARGETS.p99Ms} ms at ${connections} connections`,
            measured: `${fmt(p.p99Ms, 1)} ms`,
            pass: p.p99Ms < TARGETS.p99Ms,
          },
      { target: `${p.id}: zero failed payments`, measured: String(p.failed), pass: p.failed === 0 },
    );
  }
  rows.push({ target: "ledger balanced at the end", measured: ledgerBalanced ? "balanced" : "not balanced", pass: ledgerBalanced });
  return rows;
}

/** The rows as a markdown table with a pass column. */
export function targetsTable(rows: readonly TargetRow[]): string[] {
  return [
    "| target (issue 18; reported, not asserted) | measured | pass |",
    "|---|---:|:---:|",
    ...rows.map((r) => `| ${r.target} | ${r.measured} | ${r.pass === undefined ? "—" : r.pass ? "pass" : "**fail**"} |`),
  ];
}

/**
 * A keyed path against its keyless pair round by round: a round is one turn of every path, so its
 * two slices ran seconds apart and its ratio is free of what the machine's neighbours did between
 * rounds. Their spread is how far one run's ratio can be trusted on this machine.
 *
 * `mean` is the rounds' geometric mean (a ratio of rates: 0.8× and 1.25× average to 1×), and
 * `interval` its 95 % confidence interval, Student's t on the logarithms: with the ±20 % a round
 * moves here, the interval says whether a run's ratio is above a target or only next to it.
 */
export function roundRatios(
  keyed: readonly number[],
  keyless: readonly number[],
): { ratios: number[]; median: number; mean: number; interval?: [number, number] } {
  if (keyed.length !== keyless.length) throw new Error("roundRatios: one rate per round for each path");
  const ratios = keyed.map((k, i) => k / (keyless[i] as number));
  const sorted = [...ratios].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length === 0
      ? Number.NaN
      : sorted.length % 2
        ? (sorted[mid] as number)
        : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  const logs = ratios.map(Math.log);
  const n = logs.length;
  const meanLog = logs.reduce((sum, x) => sum + x, 0) / n;
  // One round has no spread; a round with no payments on either side has no ratio to average.
  if (n < 2 || !logs.every(Number.isFinite)) return { ratios, median, mean: Math.exp(meanLog) };
  const sd = Math.sqrt(logs.reduce((sum, x) => sum + (x - meanLog) ** 2, 0) / (n - 1));
  const half = tQuantile975(n - 1) * (sd / Math.sqrt(n));
  return { ratios, median, mean: Math.exp(meanLog), interval: [Math.exp(meanLog - half), Math.exp(meanLog + half)] };
}

/** `geometric mean 0.91×, 95 % 0.85–0.97×` (without the interval for a single round): how the bench prints a pair's rounds. */
export function howSure(r: { mean: number; interval?: [number, number] | undefined }): string {
  const within = r.interval ? `, 95 % ${r.interval[0].toFixed(2)}–${r.interval[1].toFixed(2)}×` : "";
  return `geometric mean ${r.mean.toFixed(2)}×${within}`;
}

/** Student's t at 97.5 % (a two-sided 95 % interval) for `df` ≥ 1 degrees of freedom; between rows, the lower df's (wider). */
function tQuantile975(df: number): number {
  const i = T_DF.findLastIndex((d) => df >= d);
  return T_975[Math.max(0, i)] as number;
}
const T_DF = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 25, 30, 40, 60, 120];
const T_975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086,
  2.06, 2.042, 2.021, 2.0, 1.98,
];
