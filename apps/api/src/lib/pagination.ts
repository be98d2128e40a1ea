import { and, asc, desc, eq, getTableName, gt, lt, type SQL } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import type { MerchantPrincipal } from "../context.js";
import type { Db } from "../db/client.js";
import { notFound } from "./errors.js";

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

/**
 * A cursor names an object of the list it pages, or the request is a 404 naming the cursor's
 * parameter (Stripe: "No such customer", param `starting_after`). Without the check an id of
 * another merchant, of the other mode or of nothing at all would quietly start a page from
 * wherever that id sorts. `exists` looks the id up in the list's own scope.
 */
export async function checkCursor(p: ListParams, what: string, exists: (id: string) => Promise<boolean>): Promise<void> {
  const [param, id] = p.ending_before ? (["ending_before", p.ending_before] as const) : (["starting_after", p.starting_after] as const);
  if (id !== undefined && id !== "" && !(await exists(id))) throw notFound(what, id, param);
}

export function toList<T>(rows: T[], p: ListParams, url: string) {
  const has_more = rows.length > p.limit;
  const page = rows.slice(0, p.limit);
  if (p.ending_before) page.reverse();
  return { object: "list" as const, data: page, has_more, url };
}

/**
 * One page of a list already read whole, newest first (a tariff's versions: a handful): the
 * same cursors, 404s and `has_more` as a list read page by page from its table.
 */
export function pageOf<T extends { id: string }>(rows: readonly T[], p: ListParams, what: string, url: string) {
  const cursor = p.ending_before ?? p.starting_after;
  const at = cursor ? rows.findIndex((r) => r.id === cursor) : -1;
  if (cursor && at === -1) throw notFound(what, cursor, p.ending_before ? "ending_before" : "starting_after");
  if (p.ending_before) {
    const from = Math.max(0, at - p.limit);
    return { object: "list" as const, data: rows.slice(from, at), has_more: from > 0, url };
  }
  const from = at + 1;
  return { object: "list" as const, data: rows.slice(from, from + p.limit), has_more: rows.length > from + p.limit, url };
}

/** A table of objects that belong to a merchant in one mode (test or live). */
type OwnedTable = PgTable & { id: PgColumn; merchantId: PgColumn; livemode: PgColumn };

/**
 * One page of the calling merchant's objects in its mode, with optional extra filters:
 * the shape every list route of the contract shares.
 */
export function listOwned<T extends OwnedTable>(
  db: Db,
  p: MerchantPrincipal,
  table: T,
  q: ListParams,
  url: string,
  ...filters: (SQL | undefined)[]
): Promise<{ object: "list"; data: T["$inferSelect"][]; has_more: boolean; url: string }> {
  return listIn(db, table, ownedBy(table, p), q, url, ...filters);
}

/** The rows of `table` that are the merchant's, in its mode. */
export const ownedBy = (table: OwnedTable, p: MerchantPrincipal): SQL | undefined =>
  and(eq(table.merchantId, p.merchantId), eq(table.livemode, p.livemode));

/** checkCursor against `table`'s rows in `scope`. */
export function checkCursorIn(db: Db, table: PgTable & { id: PgColumn }, scope: SQL | undefined, q: ListParams): Promise<void> {
  // "pickup_points" → "pickup point": the noun of the 404's message.
  const noun = getTableName(table).replace(/s$/, "").replaceAll("_", " ");
  return checkCursor(
    q,
    noun,
    async (id) =>
      (
        await db
          .select({ id: table.id })
          .from(table as PgTable)
          .where(and(eq(table.id, id), scope))
          .limit(1)
      ).length > 0,
  );
}

/**
 * One page of `table`'s rows in `scope` (whose they are: a merchant and mode, an endpoint's),
 * filtered further by `filters`; the cursor must be a row of that scope.
 */
export async function listIn<T extends PgTable & { id: PgColumn }>(
  db: Db,
  table: T,
  scope: SQL | undefined,
  q: ListParams,
  url: string,
  ...filters: (SQL | undefined)[]
): Promise<{ object: "list"; data: T["$inferSelect"][]; has_more: boolean; url: string }> {
  await checkCursorIn(db, table, scope, q);
  const page = pageWhere(table.id, q);
  const rows = await db
    .select()
    .from(table as PgTable)
    .where(and(scope, page.where, ...filters))
    .orderBy(page.order)
    .limit(q.limit + 1);
  return toList(rows as T["$inferSelect"][], q, url);
}
