// Reads the repository's BENCHMARKS.md at build time. Figures are copied, never computed or
// rounded up: when a figure is not found, the site shows nothing for it.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./repo";

export interface MdTable {
  /** The closest Markdown heading above the table. */
  heading: string | null;
  headers: string[];
  rows: string[][];
}

export interface Figure {
  value: string;
  /** Row label or column header the value came from, shown as the figure's caption source. */
  context: string;
}

export interface KeyFigures {
  paymentsPerSecond?: Figure;
  tapsPerSecond?: Figure;
  ratioToPostgres?: Figure;
  tests?: Figure;
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

const plain = (s: string) => s.replace(/[`*_]/g, "").trim();
const numberLike = /^[~≈]?\s*\d[\d\s,. ]*(?:\s*[kKM])?$/;
const ratioLike = /^[~≈]?\s*\d+(?:[.,]\d+)?\s*(?:×|x|%)$/;

interface Rule {
  /** matches the row label, the column header or the heading above the table */
  context: RegExp;
  /** matches the value cell itself (after stripping Markdown emphasis) */
  value: RegExp;
  /** the value may carry its unit inline, e.g. "12,400 payments/s" */
  inline?: RegExp;
}

const rules: Record<keyof KeyFigures, Rule> = {
  paymentsPerSecond: {
    context: /payments?\s*\/\s*s\b|payments? per second/i,
    value: numberLike,
    inline: /^([~≈]?\s*\d[\d\s,. ]*)\s*payments?\s*\/\s*s\b/i,
  },
  tapsPerSecond: {
    context: /taps?\s*\/\s*s\b|taps? per second/i,
    value: numberLike,
    inline: /^([~≈]?\s*\d[\d\s,. ]*)\s*taps?\s*\/\s*s\b/i,
  },
  ratioToPostgres: {
    context: /(ratio|ceiling|of\s+postgres|vs\.?\s+postgres|postgres(?:ql)?['’]?s?\s+(?:own\s+)?ceiling|÷\s*pgbench|\/\s*pgbench)/i,
    value: ratioLike,
  },
  tests: {
    context: /^(?:tests?|test count|tests passed|passing tests)$/i,
    value: /^\d[\d,\s ]*$/,
  },
};

/** The reference rows (PostgreSQL's own ceiling, pgbench, a bare framework) are not Softrack's figures. */
const reference = /postgres|pgbench|ceiling|bare|naive|baseline/i;

function findInTables(tables: MdTable[], rule: Rule, skipReference: boolean): Figure | undefined {
  for (const t of tables) {
    for (const row of t.rows) {
      const label = plain(row[0] ?? "");
      if (skipReference && reference.test(label)) continue;
      for (let c = 1; c < row.length; c++) {
        const cell = plain(row[c] ?? "");
        const header = plain(t.headers[c] ?? "");
        if (skipReference && reference.test(header) && !rule.context.test(header)) continue;
        if (rule.inline) {
          const m = cell.match(rule.inline);
          if (m?.[1]) return { value: m[1].trim(), context: label || header };
        }
        if (!rule.value.test(cell)) continue;
        if (rule.context.test(header)) return { value: cell, context: label ? `${label} — ${header}` : header };
        if (rule.context.test(label)) return { value: cell, context: header ? `${label} — ${header}` : label };
      }
    }
  }
  return undefined;
}

export function extractKeyFigures(markdown: string): KeyFigures {
  const tables = parseTables(markdown);
  const figures: KeyFigures = {};
  for (const key of Object.keys(rules) as (keyof KeyFigures)[]) {
    // Softrack's own rows first; the ratio itself is about the ceiling, so it may name it
    const found = key === "ratioToPostgres" ? findInTables(tables, rules[key], false) : findInTables(tables, rules[key], true);
    if (found) figures[key] = found;
  }
  if (!figures.tests) {
    // prose such as "1,234 tests pass" or "Tests: 1234 passed"
    const m =
      markdown.match(/\b(\d[\d,  ]*\d|\d)\s+(?:automated\s+)?tests?\s+(?:pass|passed|passing|green)\b/i) ??
      markdown.match(/\btests?\s*:\s*(\d[\d,  ]*\d|\d)\s+passed\b/i);
    if (m?.[1]) figures.tests = { value: m[1].trim(), context: m[0].trim() };
  }
  return figures;
}

export interface Benchmarks {
  found: boolean;
  tables: MdTable[];
  figures: KeyFigures;
}

export function loadBenchmarks(path = benchmarksPath): Benchmarks {
  if (!existsSync(path)) return { found: false, tables: [], figures: {} };
  const md = readFileSync(path, "utf8");
  return { found: true, tables: parseTables(md), figures: extractKeyFigures(md) };
}

/** Inline Markdown of a table cell to safe HTML: code spans, bold, links' text. */
export function cellHtml(cell: string): string {
  const esc = cell.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  return esc
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
    .replace(/\[([^\]]+)\]\([^)]+\)/g, "$1");
}
