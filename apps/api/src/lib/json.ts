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
  // Built by concatenation: no array of entries, pairs and member texts per object.
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += (i > 0 ? "," : "") + sortedJson(value[i]);
    return `${out}]`;
  }
  const object = value as Record<string, unknown>;
  let out = "";
  // sort() without a comparator orders by UTF-16 code units, as `<` does.
  for (const key of Object.keys(object).sort()) {
    const member = object[key];
    if (member !== undefined) out += `${out === "" ? "" : ","}${JSON.stringify(key)}:${sortedJson(member)}`;
  }
  return `{${out}}`;
}

export const iso = (d: Date | string | number) => new Date(d).toISOString();

/**
 * A timestamp parameter for raw SQL. Passed as ISO text with a cast, because the two
 * drivers serialise a JS Date differently inside drizzle's raw `sql`.
 */
export const at = (d: Date) => sql`${d.toISOString()}::timestamptz`;
