import { and, eq, sql } from "drizzle-orm";
import type { AppEnv } from "../../context.js";
import { taps as tapRows, terminals } from "../../db/schema/index.js";
import { ApiError, invalid, notFound } from "../../lib/errors.js";
import { newId } from "../../lib/ids.js";
import { checkCursorIn, type ListParams, ownedBy, toList } from "../../lib/pagination.js";
import { merchantOf } from "../../middleware/auth.js";
import { getTariff } from "../tariffs.js";
import { localDay } from "./report.js";
import { TAP_COLUMNS, type TapRecord, tapObject } from "./taps.js";

type Vars = AppEnv["Variables"];
export type TerminalRow = typeof terminals.$inferSelect;

export function terminalObject(r: TerminalRow) {
  return {
    id: r.id,
    object: "terminal" as const,
    created: r.createdAt.toISOString(),
    livemode: r.livemode,
    kind: r.kind,
    route: r.route,
    fare_tariff: r.fareTariff,
    metadata: r.metadata,
  };
}

export async function createTerminal(
  v: Vars,
  input: { kind: "bus_validator" | "turnstile"; route: string; fare_tariff: string; metadata?: Record<string, string> | undefined },
) {
  const p = merchantOf(v);
  const tariff = await getTariff(v.db, p, input.fare_tariff, v.deps.now()).catch((err: unknown) => {
    if (err instanceof ApiError && err.status === 404) throw notFound("tariff", input.fare_tariff, "fare_tariff");
    throw err;
  });
  if (tariff.kind !== "fare")
    throw invalid(
      "tariff_kind_mismatch",
      `Tariff '${input.fare_tariff}' is a ${tariff.kind} tariff; a terminal needs a fare tariff.`,
      "fare_tariff",
    );
  const [row] = await v.db
    .insert(terminals)
    .values({
      id: newId("terminal"),
      merchantId: p.merchantId,
      livemode: p.livemode,
      kind: input.kind,
      route: input.route,
      fareTariff: input.fare_tariff,
      metadata: input.metadata ?? {},
    })
    .returning();
  return row as TerminalRow;
}

export async function findTerminal(v: Vars, id: string): Promise<TerminalRow> {
  const p = merchantOf(v);
  const [row] = await v.db
    .select()
    .from(terminals)
    .where(and(eq(terminals.id, id), eq(terminals.merchantId, p.merchantId), eq(terminals.livemode, p.livemode)));
  if (!row) throw notFound("terminal", id);
  return row;
}

/** One page of the operator's taps, newest first (tap ids sort by time), optionally of one terminal, route or decision. */
export async function listTaps(
  v: Vars,
  q: ListParams & {
    terminal?: string | undefined;
    route?: string | undefined;
    decision?: "accepted" | "declined" | undefined;
    date?: string | undefined;
    timezone?: string | undefined;
  },
) {
  const p = merchantOf(v);
  await checkCursorIn(v.db, tapRows, ownedBy(tapRows, p), q);
  // The daily report's day: the same bounds, so its export holds the taps it counted.
  const day = q.date === undefined ? undefined : localDay(q.date, q.timezone ?? "Asia/Bishkek");
  const filters = [
    sql`merchant_id = ${p.merchantId}`,
    sql`livemode = ${p.livemode}`,
    q.terminal === undefined ? undefined : sql`terminal_id = ${q.terminal}`,
    q.route === undefined ? undefined : sql`route = ${q.route}`,
    q.decision === undefined ? undefined : sql`decision = ${q.decision}`,
    day === undefined
      ? undefined
      : sql`tapped_at >= ${day.start.toISOString()}::timestamptz AND tapped_at < ${day.end.toISOString()}::timestamptz`,
    q.starting_after === undefined ? undefined : sql`id < ${q.starting_after}`,
    q.ending_before === undefined ? undefined : sql`id > ${q.ending_before}`,
  ].filter((f) => f !== undefined);
  const rows = await v.deps.database.rows<TapRecord>(
    sql`SELECT ${TAP_COLUMNS} FROM taps WHERE ${sql.join(filters, sql` AND `)}
        ORDER BY id ${q.ending_before === undefined ? sql`DESC` : sql`ASC`} LIMIT ${q.limit + 1}`,
    v.db,
  );
  // An unknown rider is whatever the terminal sent (it may be another mode's customer id): a list
  // of the operator's taps does not repeat it back.
  const taps = rows.map((r) => ({ ...tapObject(r), customer: r.reason === "unknown_rider" ? null : r.customer_id }));
  return toList(taps, q, "/v1/transit/taps");
}

export async function findTap(v: Vars, id: string) {
  const p = merchantOf(v);
  const [row] = await v.deps.database.rows<TapRecord>(
    sql`SELECT ${TAP_COLUMNS} FROM taps WHERE id = ${id} AND merchant_id = ${p.merchantId} AND livemode = ${p.livemode}`,
    v.db,
  );
  if (!row) throw notFound("tap", id);
  return tapObject(row);
}
