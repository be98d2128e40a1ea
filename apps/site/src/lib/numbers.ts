// "Softrack in numbers": each figure is read at build time from one named place in this
// repository's measurement reports (BENCHMARKS.md, the SDK's and the widget's SIZE.md) and copied
// as written — parsed to an integer only so each language can group its digits. A figure whose
// place is not found is left out (never guessed); test/numbers.test.ts fails when one goes missing.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { benchmarksPath, type MdTable, parseTables } from "./benchmarks";
import { repoRoot } from "./repo";

export type FigureKey = "throughput" | "p99" | "crashKills" | "fuzzRequests" | "sdkSize" | "widgetSize";

/** The report files, by the name the site shows as the source (relative to the repository). */
export const reportFiles = {
  benchmarks: "BENCHMARKS.md",
  sdkSize: "packages/sdk/SIZE.md",
  widgetSize: "packages/widget/SIZE.md",
} as const;
export type ReportName = keyof typeof reportFiles;

export interface MeasuredFigure {
  key: FigureKey;
  /** the number as an integer, e.g. 1257 for "1,257" */
  value: number;
  /** exactly as the report writes it, e.g. "1,257" or "3 998 B" */
  written: string;
  source: ReportName;
}

/** "1,257" / "3 998" / "24678" → 1257 / 3998 / 24678; anything else (decimals, ranges) → undefined. */
export function integerOf(written: string): number | undefined {
  const s = written.replace(/[*`]/g, "").trim();
  if (!/^\d{1,3}(?:[, \u00a0\u202f]\d{3})*$|^\d+$/.test(s)) return undefined;
  return Number(s.replace(/\D/g, ""));
}

const plain = (s: string) => s.replace(/[`*_]/g, "").trim();

/** The cell at (row whose first cell matches `row`, column whose header matches `column`) of the first table under a heading matching `heading`. */
export function cellAt(tables: MdTable[], heading: RegExp, row: RegExp, column: RegExp): string | undefined {
  for (const t of tables) {
    if (!heading.test(t.heading ?? "")) continue;
    const c = t.headers.findIndex((h) => column.test(plain(h)));
    const r = t.rows.find((cells) => row.test(plain(cells[0] ?? "")));
    if (c < 0 || !r) continue;
    return plain(r[c] ?? "");
  }
  return undefined;
}

function figure(key: FigureKey, source: ReportName, written: string | undefined, pick: (s: string) => string | undefined = (s) => s) {
  const part = written === undefined ? undefined : pick(written);
  const value = part === undefined ? undefined : integerOf(part);
  return value === undefined || part === undefined ? undefined : { key, value, written: part, source };
}

/** The figures found in the three reports' text; missing text or a moved figure yields fewer figures. */
export function extractFigures(reports: Partial<Record<ReportName, string>>): MeasuredFigure[] {
  const out: (MeasuredFigure | undefined)[] = [];
  const bench = reports.benchmarks;
  if (bench !== undefined) {
    const tables = parseTables(bench);
    // Issue 18's run: the SDK's one-request path (create with confirm: true, keyed), the fastest
    // keyed path of the latest HTTP measurement, with its p99 from the same row.
    const sdkPath = /SDK takes/i;
    const oneRequest = /^\(c\)/;
    out.push(figure("throughput", "benchmarks", cellAt(tables, sdkPath, oneRequest, /^payments\/s$/i)));
    out.push(figure("p99", "benchmarks", cellAt(tables, sdkPath, oneRequest, /^p50 \/ p99 ms$/i), (s) => s.split("/")[1]?.trim()));
    // the crash test: "kill -9 of the API | 20 (restart to ready: …)"
    out.push(
      figure("crashKills", "benchmarks", cellAt(tables, /crash test/i, /^kill -9 of the API$/i, /^value$/i), (s) => s.match(/^\S+/)?.[0]),
    );
    // fuzzing is prose: "20,000 requests from the OpenAPI document with hostile mutations, zero 5xx"
    out.push(
      figure(
        "fuzzRequests",
        "benchmarks",
        bench.match(/([\d,]+) requests from the OpenAPI document with hostile mutations, zero 5xx/)?.[1],
      ),
    );
  }
  if (reports.sdkSize !== undefined) {
    const tables = parseTables(reports.sdkSize);
    out.push(
      figure("sdkSize", "sdkSize", cellAt(tables, /min and min\+gzip/i, /full client/i, /^min\+gzip$/i), (s) => s.replace(/\s*B$/, "")),
    );
  }
  if (reports.widgetSize !== undefined) {
    const tables = parseTables(reports.widgetSize);
    out.push(
      figure("widgetSize", "widgetSize", cellAt(tables, /script-tag bundle/i, /softrack-checkout\.js/, /^min\+gzip -9$/i), (s) =>
        s.replace(/\s*B$/, ""),
      ),
    );
  }
  return out.filter((f): f is MeasuredFigure => f !== undefined);
}

function read(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, "utf8") : undefined;
}

/** Reads the reports from the repository (BENCHMARKS_PATH overrides BENCHMARKS.md, as for the achievements page). */
export function loadReports(root = repoRoot()): Partial<Record<ReportName, string>> {
  return {
    benchmarks: read(benchmarksPath),
    sdkSize: read(join(root, reportFiles.sdkSize)),
    widgetSize: read(join(root, reportFiles.widgetSize)),
  };
}

export function loadFigures(): MeasuredFigure[] {
  return extractFigures(loadReports());
}
