/**
 * A PostgreSQL array literal for one bound parameter (`${pgArray(ids)}::text[]`).
 *
 * Set-based statements take their rows as a few arrays (`unnest($1::text[], $2::bigint[])`)
 * rather than one parameter per value: the statement's text no longer depends on how many
 * rows it carries, so the server prepares and plans it once per connection, and a batch of a
 * thousand rows binds a handful of parameters instead of thousands. Unlike a JSON list, the
 * planner sees an array for `= ANY(…)` and probes the index. Works the same on both drivers
 * (the literal is a plain string).
 */
export function pgArray(values: readonly (string | number | boolean | null)[]): string {
  return `{${values.map(element).join(",")}}`;
}

function element(v: string | number | boolean | null): string {
  if (v === null) return "NULL";
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) throw new TypeError(`not a safe integer: ${v}`);
    return String(v);
  }
  if (typeof v === "boolean") return v ? "t" : "f";
  // Most values (ids, codes, instants) hold neither character and are returned as they are.
  if (v.includes("\\")) v = v.replaceAll("\\", "\\\\");
  return v.includes('"') ? `"${v.replaceAll('"', '\\"')}"` : `"${v}"`;
}
