import { sql } from "drizzle-orm";

/** JSON with object keys sorted, so two bodies that mean the same hash the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

export const iso = (d: Date | string | number) => new Date(d).toISOString();

/**
 * A timestamp parameter for raw SQL. Passed as ISO text with a cast, because the two
 * drivers serialise a JS Date differently inside drizzle's raw `sql`.
 */
export const at = (d: Date) => sql`${d.toISOString()}::timestamptz`;
