// "Softrack in numbers": each figure on the built pages is one the measurement reports contain,
// read from a named place; a reworded or missing report figure fails here instead of vanishing.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "node-html-parser";
import { describe, expect, it } from "vitest";
import { extractFigures, integerOf, loadReports, reportFiles } from "../src/lib/numbers";
import { repoRoot } from "../src/lib/repo";
import { dist } from "./helpers";

const doc = (path: string) => parse(readFileSync(join(dist, path, "index.html"), "utf8"));
/** The integer as any report may write it: 20000, 20,000, 20 000 (digit groups of three). */
function writtenForms(n: number): RegExp {
  const groups = n.toLocaleString("en-US").split(",");
  return new RegExp(`(?<![\\d.,])(?:${groups.join("[, \\u00a0\\u202f]?")})(?![\\d]|[.,]\\d)`);
}

const sample = {
  benchmarks: `# Benchmarks

### Issue 18: the path the SDK takes, next to the keyless one

| path (one run, 64 connections) | payments/s | p50 / p99 ms | API CPU µs per payment |
|---|---:|---|---:|
| (a) SDK, create + confirm, keyed | 768 | 82 / 162 | 864 |
| (c) SDK, one request (\`confirm: true\`), keyed | 1,257 | 48 / 117 | 500 |

## Crash test, database restart and scale-out (issue 11)

| figure | value |
|---|---|
| kill -9 of the API | 20 (restart to ready: median 5,354 ms, max 7,004 ms) |

Fuzzing: 20,000 requests from the OpenAPI document with hostile mutations, zero 5xx.
`,
  sdkSize: `## What a bundler ships (min and min+gzip)

| package | version | min | min+gzip | vs @softrack/sdk (gzip) |
|---|---|---:|---:|---:|
| @softrack/sdk (full client) | 0.1.0 | 12 000 B | **3 998 B** | 1× |
| stripe | 23.1.0 | 243 280 B | 32 859 B | 8.2× |
`,
  widgetSize: `# Size of the script-tag bundle

| file | minified | min+gzip -9 | min+brotli |
| --- | ---: | ---: | ---: |
| dist/cdn/softrack-checkout.js (Lit, client) | 72008 B | **24678 B** | 21558 B |
`,
};

describe("figures read from the reports", () => {
  it("reads each figure from its named place, as written", () => {
    expect(extractFigures(sample).map((f) => [f.key, f.value, f.source])).toEqual([
      ["throughput", 1257, "benchmarks"],
      ["p99", 117, "benchmarks"],
      ["crashKills", 20, "benchmarks"],
      ["fuzzRequests", 20000, "benchmarks"],
      ["sdkSize", 3998, "sdkSize"],
      ["widgetSize", 24678, "widgetSize"],
    ]);
  });

  it("leaves a figure out when its place is gone, instead of taking another number", () => {
    const moved = { ...sample, benchmarks: sample.benchmarks.replace("kill -9 of the API", "restarts") };
    expect(extractFigures(moved).map((f) => f.key)).not.toContain("crashKills");
    expect(extractFigures({ sdkSize: sample.sdkSize }).map((f) => f.key)).toEqual(["sdkSize"]);
    expect(extractFigures({})).toEqual([]);
  });

  it("takes only whole numbers written with digit groups", () => {
    expect(integerOf("1,257")).toBe(1257);
    expect(integerOf("3 998")).toBe(3998);
    expect(integerOf("**24678**")).toBe(24678);
    expect(integerOf("0.71×")).toBeUndefined();
    expect(integerOf("48 / 117")).toBeUndefined();
    expect(integerOf("12,34")).toBeUndefined();
  });

  it("finds all six figures in this repository's reports", () => {
    expect(extractFigures(loadReports()).map((f) => f.key)).toEqual([
      "throughput",
      "p99",
      "crashKills",
      "fuzzRequests",
      "sdkSize",
      "widgetSize",
    ]);
  });
});

describe("figures on the built site", () => {
  const reports = Object.fromEntries(
    Object.values(reportFiles).map((file) => [file, readFileSync(join(repoRoot(), file), "utf8")]),
  ) as Record<string, string>;

  for (const [path, id] of [
    ["/en/", "numbers"],
    ["/", "numbers"],
    ["/en/achievements/", "key-figures"],
    ["/achievements/", "key-figures"],
  ] as const) {
    it(`shows on ${path} only figures its named report contains`, () => {
      const stats = doc(path).querySelectorAll(`[data-testid="${id}"] .stat`);
      expect(stats.length, path).toBe(6);
      for (const stat of stats) {
        const source = stat.getAttribute("data-source") ?? "";
        const shown = stat.querySelector("dd")?.text ?? "";
        const n = Number(shown.replace(/\D/g, ""));
        expect(reports[source], `${stat.getAttribute("data-figure")} from ${source}`).toBeDefined();
        expect(reports[source], `${shown} in ${source}`).toMatch(writtenForms(n));
      }
    });
  }

  it("names every report the figures come from in the caption, and only those", () => {
    for (const path of ["/en/", "/"]) {
      const page = doc(path);
      const sources = new Set(page.querySelectorAll('[data-testid="numbers"] .stat').map((s) => s.getAttribute("data-source")));
      const named = page.querySelectorAll('[data-testid="figures-caption"] code').map((c) => c.text);
      expect(new Set(named), path).toEqual(sources);
    }
    expect(doc("/en/").querySelector('[data-testid="figures-caption"]')?.text).not.toMatch(/projects delivered|content/i);
  });

  it("groups digits the way each language reads them", () => {
    const shown = (path: string) => doc(path).querySelector('[data-figure="fuzzRequests"] dd')?.text.trim();
    expect(shown("/en/")).toBe("20,000");
    expect(shown("/")?.replace(/\s/g, " ")).toBe("20 000");
  });
});

describe("the check itself", () => {
  it("refuses a figure the report does not contain", () => {
    expect("| x | 1,257 |").toMatch(writtenForms(1257));
    expect("| x | 1,2570 |").not.toMatch(writtenForms(1257));
    expect("| x | 21,257 |").not.toMatch(writtenForms(1257));
    expect("p99 1,175 ms").not.toMatch(writtenForms(117));
  });
});
