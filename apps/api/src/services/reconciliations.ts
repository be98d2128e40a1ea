import { and, eq, getTableColumns, sql } from "drizzle-orm";
import { connectorFor } from "../connectors/index.js";
import type { AppEnv } from "../context.js";
import type { Db } from "../db/client.js";
import { type ReconciliationLine, reconciliations } from "../db/schema/reconciliations.js";
import { sha256Hex } from "../lib/crypto.js";
import { ApiError, invalid, notFound } from "../lib/errors.js";
import { idFloor, newId } from "../lib/ids.js";
import { checkCursorIn, type ListParams, pageWhere, toList } from "../lib/pagination.js";
import { pgArray } from "../lib/pg-array.js";
import { emptyCounts, type LedgerMovement, matchSettlement, type ReconciliationCounts } from "./reconciliation/match.js";
import { formatSettlementFile, type MovementType, movementKey, parseSettlementFile } from "./reconciliation/settlement-file.js";

type Vars = AppEnv["Variables"];
/** The providers that send settlement files: the card acquirer (its simulator in test mode). */
export const SETTLEMENT_PROVIDERS = ["card"] as const;
export type SettlementProvider = (typeof SETTLEMENT_PROVIDERS)[number];

const DAY_MS = 86_400_000;
/** Ids carry their creator's clock, created_at the database's: the id range is widened by this much. */
const CLOCK_SLACK_MS = 5 * 60_000;

interface MovementRow {
  type: MovementType;
  reference: string;
  amount: number | string;
  currency: string;
  date: string;
  /** The reconciliation that already accounted for it, if one did. */
  claimed_by: string | null;
}

const movement = (r: MovementRow): LedgerMovement & { date: string } => ({
  type: r.type,
  reference: r.reference,
  amount: Number(r.amount),
  currency: r.currency,
  date: r.date,
});

/**
 * The provider's movements the ledger holds for one UTC day and mode: each capture of one of
 * its payments (the amount captured) and each refund of one (the refund's amount), by the
 * ledger transaction's time. Ledger ids sort by creation time, so the day is a range of the
 * primary key, not a scan of the table.
 */
async function dayMovements(v: Vars, db: Db, provider: SettlementProvider, day: string, livemode: boolean) {
  const from = Date.parse(`${day}T00:00:00Z`);
  const to = from + DAY_MS;
  const window = sql`t.id >= ${idFloor("transaction", from - CLOCK_SLACK_MS)} AND t.id < ${idFloor("transaction", to + CLOCK_SLACK_MS)}
      AND t.created_at >= ${new Date(from).toISOString()}::timestamptz AND t.created_at < ${new Date(to).toISOString()}::timestamptz
      AND t.livemode = ${livemode}`;
  const rows = await v.deps.database.rows<MovementRow>(
    sql`SELECT 'capture' AS type, t.source_id AS reference, p.amount_captured AS amount, p.currency,
               to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS date, m.reconciliation_id AS claimed_by, t.id
          FROM ledger_transactions t JOIN payments p ON p.id = t.source_id
          ${claimJoin("capture")}
         WHERE ${window} AND t.type = 'payment.capture' AND p.method = ${provider}
        UNION ALL
        SELECT 'refund', t.source_id, r.amount, r.currency, to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), m.reconciliation_id, t.id
          FROM ledger_transactions t JOIN refunds r ON r.id = t.source_id JOIN payments p ON p.id = r.payment_id
          ${claimJoin("refund")}
         WHERE ${window} AND t.type = 'refund' AND p.method = ${provider}
        ORDER BY id`,
    db,
  );
  return rows;
}

/** A movement's claim by an earlier reconciliation, if any (see reconciled_movements). */
const claimJoin = (type: MovementType) =>
  sql`LEFT JOIN reconciled_movements m ON m.livemode = t.livemode AND m.provider = p.method AND m.type = ${type} AND m.reference = t.source_id`;

/** The ledger's movements of this provider and mode that the file names, whatever their day. */
async function namedMovements(v: Vars, db: Db, provider: SettlementProvider, livemode: boolean, captures: string[], refunds: string[]) {
  const rows = await v.deps.database.rows<MovementRow>(
    sql`SELECT 'capture' AS type, t.source_id AS reference, p.amount_captured AS amount, p.currency, '' AS date,
               m.reconciliation_id AS claimed_by
          FROM ledger_transactions t JOIN payments p ON p.id = t.source_id
          ${claimJoin("capture")}
         WHERE t.source_id = ANY(${pgArray(captures)}::text[]) AND t.type = 'payment.capture' AND t.livemode = ${livemode}
           AND p.method = ${provider}
        UNION ALL
        SELECT 'refund', t.source_id, r.amount, r.currency, '', m.reconciliation_id
          FROM ledger_transactions t JOIN refunds r ON r.id = t.source_id JOIN payments p ON p.id = r.payment_id
          ${claimJoin("refund")}
         WHERE t.source_id = ANY(${pgArray(refunds)}::text[]) AND t.type = 'refund' AND t.livemode = ${livemode}
           AND p.method = ${provider}`,
    db,
  );
  return rows;
}

/** Which of these movements an earlier reconciliation accounted for (movementKey → its id). */
async function claimedMovements(v: Vars, db: Db, provider: string, livemode: boolean, keys: Iterable<{ type: string; reference: string }>) {
  const captures: string[] = [];
  const refunds: string[] = [];
  for (const k of keys) (k.type === "refund" ? refunds : captures).push(k.reference);
  const rows = await v.deps.database.rows<{ type: string; reference: string; reconciliation_id: string }>(
    sql`SELECT type, reference, reconciliation_id FROM reconciled_movements
         WHERE livemode = ${livemode} AND provider = ${provider}
           AND ((type = 'capture' AND reference = ANY(${pgArray(captures)}::text[]))
             OR (type = 'refund' AND reference = ANY(${pgArray(refunds)}::text[])))`,
    db,
  );
  return new Map(rows.map((r) => [movementKey(r), r.reconciliation_id]));
}

/** The provider's fee schedule for this mode: the simulator's in test mode, the operator's connector's in live mode. */
function feeSchedule(v: Vars, provider: SettlementProvider, livemode: boolean) {
  const connector = connectorFor(v.deps.liveConnectors, provider, livemode);
  if (!connector)
    throw invalid("method_unavailable", `No live ${provider} provider is configured, so there is nothing to reconcile.`, "provider");
  const fee = connector.settlementFee?.bind(connector);
  return fee ? (m: LedgerMovement) => fee({ type: m.type, amount: m.amount, currency: m.currency }) : undefined;
}

/**
 * The file the simulated card acquirer sends for one UTC day: test mode only (the simulator
 * settles nothing live; a live acquirer sends its own).
 */
export async function settlementFile(v: Vars, provider: SettlementProvider, day: string): Promise<string> {
  const fee = feeSchedule(v, provider, false);
  const rows = (await dayMovements(v, v.db, provider, day, false)).map(movement);
  return formatSettlementFile(rows.map((m) => ({ ...m, fee: fee ? fee(m) : 0 })));
}

type ReconciliationRow = typeof reconciliations.$inferSelect;

export function reconciliationObject(r: ReconciliationRow, withLines = true) {
  const counts = r.counts as ReconciliationCounts;
  return {
    id: r.id,
    object: "reconciliation" as const,
    created: r.createdAt.toISOString(),
    livemode: r.livemode,
    provider: r.provider,
    date: r.settlementDate,
    line_count: r.lineCount,
    matched: counts.matched,
    missing_in_ledger: counts.missing_in_ledger,
    missing_in_file: counts.missing_in_file,
    amount_mismatch: counts.amount_mismatch,
    fee_mismatch: counts.fee_mismatch,
    already_reconciled: counts.already_reconciled,
    ...(withLines ? { lines: r.lines as ReconciliationLine[] } : {}),
  };
}

/**
 * An error from the database names the statement's parameters (drizzle's "params: …"), which
 * here are the file's lines: only the driver's own message and code go on to the logs.
 */
function withoutParams(e: unknown): unknown {
  if (e instanceof ApiError) return e;
  const cause = (e as { cause?: { message?: unknown; code?: unknown } } | null)?.cause;
  if (!cause) return e;
  const err = new Error(`reconciliation: ${String(cause.message ?? "database error")}`);
  return Object.assign(err, { cause: { code: cause.code, message: cause.message } });
}

export interface CreateReconciliation {
  provider: SettlementProvider;
  date: string;
  content: string;
  livemode?: boolean | undefined;
}

/**
 * Matches a settlement file against the ledger in the request's transaction. One per file
 * content: the same file again answers the first reconciliation (`replayed`), and a movement
 * another file's reconciliation already accounted for is reported `already_reconciled`, never
 * matched twice, whichever of two concurrent uploads claims it first.
 */
export async function createReconciliation(v: Vars, input: CreateReconciliation): Promise<{ row: ReconciliationRow; replayed: boolean }> {
  const livemode = input.livemode ?? false;
  const expectedFee = feeSchedule(v, input.provider, livemode);
  const db = v.db;
  try {
    const contentHash = sha256Hex(input.content);
    const sameFile = and(
      eq(reconciliations.livemode, livemode),
      eq(reconciliations.provider, input.provider),
      eq(reconciliations.settlementDate, input.date),
      eq(reconciliations.contentHash, contentHash),
    );
    // The same file again: its reconciliation, without reading the file a second time.
    const [seen] = await db.select().from(reconciliations).where(sameFile);
    if (seen) return { row: seen, replayed: true };
    // Bad CSV is a 400 before anything is written.
    const file = parseSettlementFile(input.content);

    const now = new Date();
    const base = {
      id: newId("reconciliation", now.getTime()),
      livemode,
      createdAt: now,
      provider: input.provider,
      settlementDate: input.date,
      contentHash,
      lineCount: file.length,
    };
    const inserted = await db
      .insert(reconciliations)
      .values({ ...base, counts: emptyCounts() })
      .onConflictDoNothing()
      .returning({ id: reconciliations.id });
    if (inserted.length === 0) {
      // A concurrent upload of the same file committed first.
      const [first] = await db.select().from(reconciliations).where(sameFile);
      if (!first) throw new Error("reconciliation: the file's first reconciliation vanished");
      return { row: first, replayed: true };
    }
    const id = base.id;

    const captures = file.filter((f) => f.type === "capture").map((f) => f.reference);
    const refunds = file.filter((f) => f.type === "refund").map((f) => f.reference);
    const namedRows = await namedMovements(v, db, input.provider, livemode, captures, refunds);
    const dayRows = await dayMovements(v, db, input.provider, input.date, livemode);
    const claimed = new Map<string, string>();
    for (const r of [...namedRows, ...dayRows]) if (r.claimed_by) claimed.set(movementKey(r), r.claimed_by);
    const named = new Map(namedRows.map((r) => [movementKey(r), movement(r)]));
    const day = dayRows.map(movement);
    let result = matchSettlement({ file, named, day, claimed, expectedFee });

    // Claim in key order (two uploads never wait on each other in a circle). A movement a
    // concurrent upload claimed first is theirs: match again knowing it.
    const claims = [...result.claims].sort((a, b) => (movementKey(a) < movementKey(b) ? -1 : 1));
    const won = await v.deps.database.rows<{ type: string; reference: string }>(
      sql`INSERT INTO reconciled_movements (livemode, provider, type, reference, reconciliation_id)
          SELECT ${livemode}, ${input.provider}, c.type, c.reference, ${id}
            FROM unnest(${pgArray(claims.map((c) => c.type))}::text[], ${pgArray(claims.map((c) => c.reference))}::text[])
                 WITH ORDINALITY AS c(type, reference, n)
           ORDER BY c.n
          ON CONFLICT DO NOTHING
          RETURNING type, reference`,
      db,
    );
    if (won.length < claims.length) {
      const ours = new Set(won.map(movementKey));
      const lost = claims.filter((c) => !ours.has(movementKey(c)));
      const theirs = await claimedMovements(v, db, input.provider, livemode, lost);
      result = matchSettlement({ file, named, day, claimed: new Map([...claimed, ...theirs]), expectedFee });
    }

    // Matched lines are counted, not kept: the findings are what a bookkeeper works through, and
    // a clean day of 100,000 lines stays a small row and a small answer.
    const findings = result.lines.filter((l) => l.status !== "matched");
    await db.update(reconciliations).set({ counts: result.counts, lines: findings }).where(eq(reconciliations.id, id));
    return { row: { ...base, counts: result.counts, lines: findings }, replayed: false };
  } catch (e) {
    throw withoutParams(e);
  }
}

export async function getReconciliation(db: Db, id: string): Promise<ReconciliationRow> {
  const [row] = await db.select().from(reconciliations).where(eq(reconciliations.id, id));
  if (!row) throw notFound("reconciliation", id);
  return row;
}

/** Newest first, without their lines (retrieve one for its lines). */
export async function listReconciliations(db: Db, q: ListParams, url: string) {
  await checkCursorIn(db, reconciliations, undefined, q);
  const page = pageWhere(reconciliations.id, q);
  const { lines: _lines, ...summary } = getTableColumns(reconciliations);
  const rows = await db
    .select(summary)
    .from(reconciliations)
    .where(page.where)
    .orderBy(page.order)
    .limit(q.limit + 1);
  return toList(
    rows.map((r) => ({ ...r, lines: [] })),
    q,
    url,
  );
}
