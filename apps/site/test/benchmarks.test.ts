import { describe, expect, it } from "vitest";
import { cellHtml, parseTables } from "../src/lib/benchmarks";

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

  it("escapes HTML in cells and keeps code spans and bold", () => {
    expect(cellHtml("<b>x</b> `a|b` **c**")).toBe("&lt;b&gt;x&lt;/b&gt; <code>a|b</code> <strong>c</strong>");
  });
});
