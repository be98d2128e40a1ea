import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { csvFile, csvText } from "./csv.js";
import type { ListParams } from "./pagination.js";

/**
 * `?format=csv` on a list: the same objects the JSON list shows for the same filters, as a file.
 * The export walks every page after (or before) the cursor, not one page, up to MAX_CSV_ROWS;
 * a longer export says so in `Softrack-Export-Truncated: true` and is continued with
 * `starting_after` = its last id.
 */
export const MAX_CSV_ROWS = 10_000;

export const FormatParam = {
  format: z
    .enum(["json", "csv"])
    .default("json")
    .openapi({ param: { name: "format", in: "query" }, description: "csv: every matching object (up to 10,000) as a CSV file" }),
};

/** A list's JSON or, for `format=csv`, its file: UTF-8 with a BOM, one header row, newest first. */
export function listResponse<T extends z.ZodType>(list: T) {
  return {
    content: {
      "application/json": { schema: list },
      "text/csv": { schema: z.string().openapi({ description: "UTF-8 with BOM, one header row; amounts in minor units, as in JSON" }) },
    },
    description: "OK",
  };
}

/** A CSV column: its header and the cell of one object. */
export type CsvColumn<T> = readonly [header: string, cell: (o: T) => string | number | boolean | null | undefined];

type Page<T> = { data: T[]; has_more: boolean };

/** Walks the list from the caller's cursor, with its filters, through the same service the JSON list uses. */
export async function allPages<T extends { id: string }, Q extends ListParams>(q: Q, list: (q: Q) => Promise<Page<T>>, max = MAX_CSV_ROWS) {
  const page = (cursor: Partial<ListParams>) => list({ ...q, starting_after: undefined, ending_before: undefined, limit: 100, ...cursor });
  const rows: T[] = [];
  const backwards = Boolean(q.ending_before);
  let cursor = backwards ? q.ending_before : q.starting_after;
  for (;;) {
    const p = await page(backwards ? { ending_before: cursor } : { starting_after: cursor });
    if (backwards) rows.unshift(...p.data);
    else rows.push(...p.data);
    if (!p.has_more || p.data.length === 0 || rows.length >= max) {
      const truncated = rows.length > max || (p.has_more && rows.length >= max);
      return { rows: backwards ? rows.slice(-max) : rows.slice(0, max), truncated };
    }
    cursor = backwards ? p.data[0]?.id : p.data[p.data.length - 1]?.id;
  }
}

/** The CSV answer of a list route. */
export async function csvListResponse<T extends { id: string }, Q extends ListParams>(
  c: Context,
  name: string,
  q: Q,
  list: (q: Q) => Promise<Page<T>>,
  columns: readonly CsvColumn<T>[],
  /** Rows at most; a report that must sum to its whole (a payout's) passes Infinity. */
  max = MAX_CSV_ROWS,
): Promise<Response> {
  const { rows, truncated } = await allPages(q, list, max);
  const cell = (v: string | number | boolean | null | undefined) =>
    typeof v === "number" ? v : typeof v === "boolean" ? String(v) : csvText(v ?? null);
  const body = csvFile(
    columns.map(([h]) => h),
    rows.map((o) => columns.map(([, get]) => cell(get(o)))),
  );
  return c.body(`\uFEFF${body}`, 200, {
    "Content-Type": "text/csv; charset=utf-8",
    "Content-Disposition": `attachment; filename="${name}.csv"`,
    ...(truncated ? { "Softrack-Export-Truncated": "true" } : {}),
  });
}
