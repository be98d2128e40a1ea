// The CSV export of a console list. Pure (no DOM), so Node tests it.

/** What pages a list, not what filters it: the file holds every page, so these stay out of its address. */
const PAGING = new Set(["limit", "starting_after", "ending_before"]);

/**
 * The address of a list's CSV file: the same API path as its JSON list, `format=csv`, and the
 * list's current filters (status, route, …), without the cursor or page size. Same origin, so
 * the session cookie goes with it and `<a download>` saves what the API answers.
 */
export function csvHref(path: string, query: Readonly<Record<string, string | number | undefined>>): string {
  const q = new URLSearchParams({ format: "csv" });
  for (const [name, value] of Object.entries(query))
    if (value !== undefined && value !== "" && !PAGING.has(name)) q.set(name, String(value));
  return `${path}?${q}`;
}
