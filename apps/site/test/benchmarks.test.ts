import { describe, expect, it } from "vitest";
import { cellHtml, extractKeyFigures, parseTables } from "../src/lib/benchmarks";

const report = `# Benchmarks

Measured side by side on one 2-core machine.

## Ledger throughput

| workload | result | ratio to pgbench |
|---|---:|---:|
| Softrack API, card payments | **4,210 payments/s** | 0.62× |
| PostgreSQL ceiling (pgbench ledger_transfer) | 6,800 tps | 1.00× |

## Transit

| scenario | taps/s |
| --- | --- |
| batch upload, 1000 taps | 18 300 |

\`\`\`
| not | a table |
|---|---|
\`\`\`

## Tests

| suite | tests |
|---|---|
| all packages | 1,042 |
`;

describe("BENCHMARKS.md tables", () => {
  it("parses every table with the heading above it, ignoring code fences", () => {
    const tables = parseTables(report);
    expect(tables.map((t) => t.heading)).toEqual(["Ledger throughput", "Transit", "Tests"]);
    expect(tables[0]?.headers).toEqual(["workload", "result", "ratio to pgbench"]);
    expect(tables[0]?.rows[1]).toEqual(["PostgreSQL ceiling (pgbench ledger_transfer)", "6,800 tps", "1.00×"]);
  });

  it("finds payments/s, taps/s, the ratio to PostgreSQL and the test count as written", () => {
    const f = extractKeyFigures(report);
    expect(f.paymentsPerSecond?.value).toBe("4,210");
    expect(f.tapsPerSecond?.value).toBe("18 300");
    expect(f.ratioToPostgres?.value).toBe("0.62×");
    expect(f.tests?.value).toBe("1,042");
  });

  it("takes Softrack's figure, not the PostgreSQL reference row above it", () => {
    const md = "| workload | payments/s |\n|---|---|\n| pgbench ceiling | 4,000 |\n| Softrack API | 1,300 |\n";
    expect(extractKeyFigures(md).paymentsPerSecond?.value).toBe("1,300");
  });

  it("reads a test count from prose when no table has one", () => {
    expect(extractKeyFigures("All green: 812 tests passed on CI.").tests?.value).toBe("812");
  });

  it("invents nothing when a figure is missing", () => {
    const f = extractKeyFigures("# Benchmarks\n\n| workload | tps |\n|---|---|\n| pgbench | 2,700 |\n");
    expect(f).toEqual({});
  });

  it("escapes HTML in cells and keeps code spans and bold", () => {
    expect(cellHtml("<b>x</b> `a|b` **c**")).toBe("&lt;b&gt;x&lt;/b&gt; <code>a|b</code> <strong>c</strong>");
  });
});
