import { describe, expect, it } from "vitest";
import { issue18Targets, type PathFigures, roundRatios, targetsTable } from "./targets.js";

const pgbench = { tps: 1_000, cpuUs: 500 };
const path = (id: PathFigures["id"], over: Partial<PathFigures> = {}): PathFigures => ({
  id,
  paymentsPerSecond: 1_000,
  p99Ms: 50,
  failed: 0,
  apiUs: 300,
  pgUs: 300,
  ...over,
});
const verdict = (rows: ReturnType<typeof issue18Targets>, start: string) => rows.find((r) => r.target.startsWith(start));

describe("issue 18 targets", () => {
  it("passes (a) at 0.9× (b) and fails it just below", () => {
    const at = issue18Targets([path("a", { paymentsPerSecond: 900 }), path("b")], pgbench, true, 64);
    expect(verdict(at, "(a) ≥ 0.9× (b)")).toMatchObject({ measured: "0.90×", pass: true });
    const below = issue18Targets([path("a", { paymentsPerSecond: 899 }), path("b")], pgbench, true, 64);
    expect(verdict(below, "(a) ≥ 0.9× (b)")?.pass).toBe(false);
  });

  it("shows beside the whole run's (a) / (b) how sure its rounds make it", () => {
    const rows = issue18Targets(
      [path("a", { paymentsPerSecond: 910, rates: [880, 940] }), path("b", { rates: [1_000, 1_000] })],
      pgbench,
      true,
      64,
    );
    const { mean, interval } = roundRatios([880, 940], [1_000, 1_000]);
    const [lo, hi] = interval as [number, number];
    expect(verdict(rows, "(a) ≥ 0.9× (b)")).toMatchObject({
      measured: `0.91× (rounds: geometric mean ${mean.toFixed(2)}×, 95 % ${lo.toFixed(2)}–${hi.toFixed(2)}×)`,
      pass: true,
    });
  });

  it("judges (a) driven by the SDK and (a) sent raw against (b) each on its own", () => {
    const rows = issue18Targets(
      [path("a", { paymentsPerSecond: 850 }), path("a-raw", { paymentsPerSecond: 950 }), path("b")],
      pgbench,
      true,
      64,
    );
    expect(verdict(rows, "(a) ≥ 0.9× (b)")).toMatchObject({ measured: "0.85×", pass: false });
    expect(verdict(rows, "(a-raw) ≥ 0.9× (b)")).toMatchObject({ measured: "0.95×", pass: true });
    const noB = issue18Targets([path("a-raw")], pgbench, true, 64);
    expect(verdict(noB, "(a-raw) ≥")).toEqual({ target: "(a-raw) ≥ 0.9× (b), payments/s", measured: "needs path b" });
  });

  it("judges the best keyed path against pgbench, never the keyless one", () => {
    const rows = issue18Targets(
      [path("a", { paymentsPerSecond: 400 }), path("b", { paymentsPerSecond: 5_000 }), path("c", { paymentsPerSecond: 1_000 })],
      pgbench,
      true,
      64,
    );
    expect(verdict(rows, "best keyed path")).toMatchObject({ measured: "c: 1.00×", pass: true });
    const slow = issue18Targets([path("a", { paymentsPerSecond: 999 }), path("b", { paymentsPerSecond: 5_000 })], pgbench, true, 64);
    expect(verdict(slow, "best keyed path")).toMatchObject({ measured: "a: 1.00×", pass: false });
  });

  it("judges (a) sent by wrk against (b) sent by wrk, and leaves a payment's p99 it did not time unjudged", () => {
    const rows = issue18Targets(
      [path("b", { paymentsPerSecond: 2_000 }), path("a-wrk", { paymentsPerSecond: 910, perRequest: true, p99Ms: 40 }), path("b-wrk")],
      pgbench,
      true,
      64,
    );
    expect(verdict(rows, "(a-wrk) ≥")).toEqual({ target: "(a-wrk) ≥ 0.9× (b-wrk), payments/s", measured: "0.91×", pass: true });
    expect(verdict(rows, "a-wrk: p99")).toEqual({
      target: "a-wrk: p99 < 100 ms at 64 connections",
      measured: "a payment's not measured (a request's: 40.0 ms)",
    });
    expect(verdict(rows, "best keyed path")).toMatchObject({ measured: "a-wrk: 0.91×" });
    const alone = issue18Targets([path("b"), path("a-wrk")], pgbench, true, 64);
    expect(verdict(alone, "(a-wrk) ≥")).toEqual({ target: "(a-wrk) ≥ 0.9× (b-wrk), payments/s", measured: "needs path b-wrk" });
  });

  it("counts the request of (c) sent by wrk as a keyed path, not as (a)", () => {
    const rows = issue18Targets(
      [path("b"), path("c-raw", { paymentsPerSecond: 800 }), path("c-wrk", { paymentsPerSecond: 1_100 })],
      pgbench,
      true,
      64,
    );
    expect(verdict(rows, "best keyed path")).toMatchObject({ measured: "c-wrk: 1.10×", pass: true });
    expect(verdict(rows, "(a) ≥")).toEqual({ target: "(a) ≥ 0.9× (b), payments/s", measured: "needs paths a and b" });
  });

  it("says what is missing instead of passing or failing a ratio it cannot compute", () => {
    const rows = issue18Targets([path("b")], pgbench, true, 64);
    expect(verdict(rows, "(a) ≥")).toEqual({ target: "(a) ≥ 0.9× (b), payments/s", measured: "needs paths a and b" });
    expect(verdict(rows, "best keyed")?.pass).toBeUndefined();
    expect(targetsTable(rows)).toContain("| best keyed path ≥ 1.0× pgbench tps | needs path a or c | — |");
  });

  it("holds each path to the CPU, p99 and failure limits, at their edges", () => {
    const edge = issue18Targets([path("c", { apiUs: 300, pgUs: 300, p99Ms: 99.9 })], pgbench, true, 64);
    expect(edge.filter((r) => r.target.startsWith("c:")).map((r) => r.pass)).toEqual([true, true, true, true]);
    const over = issue18Targets([path("c", { apiUs: 301, pgUs: 301, p99Ms: 100, failed: 1 })], pgbench, false, 64);
    expect(over.filter((r) => r.target.startsWith("c:")).map((r) => r.pass)).toEqual([false, false, false, false]);
    expect(verdict(over, "ledger balanced")?.pass).toBe(false);
    expect(verdict(over, "c: p99")?.target).toBe("c: p99 < 100 ms at 64 connections");
  });

  it("marks failures in bold in the markdown", () => {
    const table = targetsTable(issue18Targets([path("a", { apiUs: 4_731 })], pgbench, true, 64));
    expect(table).toContain("| a: API CPU ≤ 300 µs per payment | 4,731 µs | **fail** |");
    expect(table).toContain("| ledger balanced at the end | balanced | pass |");
  });
});

describe("round ratios", () => {
  it("pairs each round's keyed rate with that round's keyless rate, and takes their median", () => {
    const r = roundRatios([900, 800, 1_000, 700], [1_000, 1_000, 1_000, 1_000]);
    expect(r.ratios).toEqual([0.9, 0.8, 1, 0.7]);
    expect(r.median).toBeCloseTo(0.85, 10);
    expect(roundRatios([850, 950, 880], [1_000, 1_000, 1_000]).median).toBeCloseTo(0.88, 10);
  });

  it("averages the rounds' ratios geometrically, with a 95 % interval from Student's t", () => {
    // Ratios 0.8 and 1.25 are one slower and one faster round by the same factor: they average to 1.
    expect(roundRatios([800, 1_250], [1_000, 1_000]).mean).toBeCloseTo(1, 10);
    // ln ratios 0, ±0.1 (sd 0.1, n 3, t 4.303): exp(±4.303 × 0.1 / √3).
    const r = roundRatios([1_000, 1_000 * Math.exp(0.1), 1_000 * Math.exp(-0.1)], [1_000, 1_000, 1_000]);
    expect(r.mean).toBeCloseTo(1, 10);
    expect(r.interval?.[0]).toBeCloseTo(Math.exp((-4.303 * 0.1) / Math.sqrt(3)), 10);
    expect(r.interval?.[1]).toBeCloseTo(Math.exp((4.303 * 0.1) / Math.sqrt(3)), 10);
    // More rounds of the same spread narrow it; one round has none.
    const wide = roundRatios([900, 1_000], [1_000, 1_000]).interval as [number, number];
    const narrow = roundRatios([900, 1_000, 900, 1_000, 900, 1_000, 900, 1_000], Array(8).fill(1_000)).interval as [number, number];
    expect(narrow[1] - narrow[0]).toBeLessThan(wide[1] - wide[0]);
    expect(roundRatios([900], [1_000]).interval).toBeUndefined();
    expect(roundRatios([0, 900], [1_000, 1_000]).interval).toBeUndefined();
  });

  it("refuses paths with different numbers of rounds", () => {
    expect(() => roundRatios([900], [1_000, 1_000])).toThrow(/one rate per round/);
  });
});
