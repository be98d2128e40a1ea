import { sql } from "drizzle-orm";

/**
 * A parsed JSON body with its object keys sorted, so two bodies that mean the same hash the same. Most bodies list
 * their keys in order already (the SDK's do): the runtime's own serialiser then writes the same
 * text, without a sorted copy of every object.
 */
export function canonicalJson(value: unknown): string {
  return inOrder(value) ? (JSON.stringify(value) ?? "null") : sortedJson(value);
}

/** Whether the keys of every object in `value` come in sorted order. */
function inOrder(value: unknown): boolean {
  if (value === null || typeof value !== "object") return true;
  if (Array.isArray(value)) return value.every(inOrder);
  let last: string | undefined;
  for (const key in value) {
    if (last !== undefined && !(last < key)) return false;
    last = key;
    if (!inOrder((value as Record<string, unknown>)[key])) return false;
  }
  return true;
}

function sortedJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${sortedJson(v)}`).join(",")}}`;
}

export const iso = (d: Date | string | number) => new Date(d).toISOString();

/**
 * A timestamp parameter for raw SQL. Passed as ISO text with a cast, because the two
 * drivers serialise a JS Date differently inside drizzle's raw `sql`.
 */
export const at = (d: Date) => sql`${d.toISOString()}::timestamptz`;
