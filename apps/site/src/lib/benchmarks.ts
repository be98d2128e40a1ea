// Reads the repository's BENCHMARKS.md at build time: its tables, shown whole on the achievements
// page. The headline figures are read from named places by src/lib/numbers.ts.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./repo";

export interface MdTable {
  /** The closest Markdown heading above the table. */
  heading: string | null;
  headers: string[];
  rows: string[][];
}

export const benchmarksPath = process.env.BENCHMARKS_PATH ?? join(repoRoot(), "BENCHMARKS.md");

function splitRow(line: string): string[] {
  const inner = line.trim().replace(/^\|/, "").replace(/\|$/, "");
  // split on pipes that are not escaped
  return inner.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, "|"));
}

const separator = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/;

export function parseTables(markdown: string): MdTable[] {
  const lines = markdown.split(/\r?\n/);
  const tables: MdTable[] = [];
  let heading: string | null = null;
  let inFence = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    if (inFence) continue;
    const h = line.match(/^#{1,6}\s+(.+?)\s*#*\s*$/);
    if (h?.[1]) {
      heading = h[1];
      continue;
    }
    const next = lines[i + 1] ?? "";
    if (line.includes("|") && separator.test(next)) {
      const headers = splitRow(line);
      const rows: string[][] = [];
      i += 2;
      while (i < lines.length && (lines[i] ?? "").includes("|") && (lines[i] ?? "").trim() !== "") {
        rows.push(splitRow(lines[i] ?? ""));
        i++;
      }
      i--;
      tables.push({ heading, headers, rows });
    }
  }
  return tables;
}

export interface Benchmarks {
  found: boolean;
  tables: MdTable[];
}

export function loadBenchmarks(path = benchmarksPath): Benchmarks {
  if (!existsSync(path)) return { found: false, tables: [] };
  return { found: true, tables: parseTables(readFileSync(path, "utf8")) };
}

/** Inline Markdown of a table cell to safe HTML: code spans, bold, links' text. */
export function cellHtml(cell: string): string {
  const esc = cell.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  return esc
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
    .replace(/\[([^\]]+)\]\([^)]+\)/g, "$1");
}
