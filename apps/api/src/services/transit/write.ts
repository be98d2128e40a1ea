import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { pgArray } from "../../lib/pg-array.js";
import type { LedgerStore } from "../../store/ledger-store.js";
import type { RoundContext, RoundDecision } from "./decide.js";
import type { TapRecord } from "./taps.js";

/**
 * A round's decision as statements, sent by the driver in one message (with the COMMIT in the
 * group commit): every new tap in one insert, then the ledger's write. The ledger goes last:
 * the operator's balance row is the hottest lock here, held from that statement to the commit.
 * The ledger decides the fares from the wallets the round locked (`lockedWallets`): no read.
 */
export async function roundWrites(
  ledger: LedgerStore,
  db: Db,
  ctx: Omit<RoundContext, "newTapId">,
  decision: RoundDecision,
  lockedWallets: ReadonlyMap<string, number>,
  debts?: ReadonlyMap<string, number>,
): Promise<SQL[]> {
  const writes: SQL[] = [];
  if (decision.taps.length > 0) writes.push(insertTaps(ctx, decision.taps));
  if (decision.entries.length > 0) {
    const posting = await ledger.prepare(db, decision.entries, lockedWallets, debts ?? new Map());
    const rejected = posting.results.findIndex((r) => !r.ok);
    // Cannot happen while the wallets stay locked; if it does, undo the whole round rather than record a fare not charged.
    if (rejected >= 0) {
      throw new Error(`ledger rejected fare ${decision.entries[rejected]?.sourceId}: ${JSON.stringify(posting.results[rejected])}`);
    }
    const ledgerWrite = posting.statement();
    if (ledgerWrite) writes.push(ledgerWrite);
  }
  return writes;
}

/**
 * One array per column (the round's constants once): a third of the bytes of a JSON
 * recordset, which the API spends system-call time sending and PostgreSQL parsing.
 */
function insertTaps(ctx: Omit<RoundContext, "newTapId">, rs: readonly TapRecord[]): SQL {
  const column = (value: (r: TapRecord) => string | number | boolean | null) => pgArray(rs.map(value));
  return sql`INSERT INTO taps (id, livemode, created_at, merchant_id, terminal_id, client_tap_id, content_hash, customer_id, route, tapped_at,
                            decision, reason, fare, full_fare, is_transfer, currency, tariff_code, tariff_version, wallet_balance, breakdown)
          SELECT id, ${ctx.livemode}::boolean, ${new Date(ctx.createdMs).toISOString()}::timestamptz, ${ctx.merchantId}::text, terminal_id, client_tap_id,
                 content_hash, customer_id, route, tapped_at, decision, reason, fare, full_fare, is_transfer, currency, tariff_code,
                 tariff_version, wallet_balance, breakdown
          FROM unnest(${column((r) => r.id)}::text[], ${column((r) => r.terminal_id)}::text[], ${column((r) => r.client_tap_id)}::text[],
                      ${column((r) => r.content_hash)}::text[], ${column((r) => r.customer_id)}::text[], ${column((r) => r.route)}::text[],
                      ${column((r) => new Date(r.tapped_ms).toISOString())}::timestamptz[], ${column((r) => r.decision)}::text[],
                      ${column((r) => r.reason)}::text[], ${column((r) => r.fare)}::bigint[], ${column((r) => r.full_fare)}::bigint[],
                      ${column((r) => r.is_transfer)}::boolean[], ${column((r) => r.currency)}::text[], ${column((r) => r.tariff_code)}::text[],
                      ${column((r) => r.tariff_version)}::integer[], ${column((r) => r.wallet_balance)}::bigint[],
                      ${column((r) => JSON.stringify(r.breakdown))}::jsonb[])
               AS r(id, terminal_id, client_tap_id, content_hash, customer_id, route, tapped_at, decision, reason, fare, full_fare,
                    is_transfer, currency, tariff_code, tariff_version, wallet_balance, breakdown)`;
}
