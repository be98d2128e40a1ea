import { type SQL, and, asc, desc, gt, lt } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";

/**
 * Cursor pagination over time-ordered ids (see ids.ts): newest first, `starting_after`
 * walks to older objects, `ending_before` to newer ones.
 */
export interface ListParams {
  limit: number;
  starting_after?: string | undefined;
  ending_before?: string | undefined;
}

export function pageWhere(id: PgColumn, p: ListParams): { where: SQL | undefined; order: SQL; reverse: boolean } {
  if (p.ending_before) return { where: gt(id, p.ending_before), order: asc(id), reverse: true };
  return { where: p.starting_after ? lt(id, p.starting_after) : undefined, order: desc(id), reverse: false };
}

export function toList<T>(rows: T[], p: ListParams, url: string) {
  const has_more = rows.length > p.limit;
  const page = rows.slice(0, p.limit);
  if (p.ending_before) page.reverse();
  return { object: "list" as const, data: page, has_more, url };
}

export { and };
