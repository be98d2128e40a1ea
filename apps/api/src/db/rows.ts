import { getTableColumns } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";

/**
 * Reads a table's rows as fetched by raw SQL (`SELECT *`: snake_case columns, values as the
 * driver parsed them, or as text) into the objects drizzle's own selects return: the same
 * keys and the same column decoders (timestamps as Date, int8 as number, jsonb parsed). For hot
 * paths that send their SQL themselves (InlineTransaction), so a row has one shape everywhere.
 */
export function rowReader<T extends PgTable>(table: T): (raw: Record<string, unknown>) => T["$inferSelect"] {
  const columns = Object.entries(getTableColumns(table));
  return (raw) => {
    const out: Record<string, unknown> = {};
    for (const [key, column] of columns) {
      const value = raw[column.name];
      out[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
    }
    return out as T["$inferSelect"];
  };
}

/**
 * The reverse, for `json_populate_recordset(NULL::table, …)`: a row as drizzle types it, keyed by
 * column name, dates as ISO instants, jsonb values as themselves (nested JSON, not a string). A
 * missing key reads as NULL there, so nulls and the columns in `omit` (stamped by the database)
 * are left out: one object a row, made in one pass.
 */
export function rowWriter<T extends PgTable>(table: T, omit: readonly string[] = []): (row: T["$inferSelect"]) => Record<string, unknown> {
  const columns = Object.entries(getTableColumns(table))
    .filter(([, column]) => !omit.includes(column.name))
    .map(([key, column]) => ({ key, name: column.name }));
  return (row) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) {
      const { key, name } = columns[i] as { key: string; name: string };
      const value = (row as Record<string, unknown>)[key];
      if (value !== null && value !== undefined) out[name] = value instanceof Date ? value.toISOString() : value;
    }
    return out;
  };
}
