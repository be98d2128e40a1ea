import { sql } from "drizzle-orm";
import type { MerchantPrincipal } from "../context.js";
import type { Database, Db } from "../db/client.js";
import { ledgerTransactions } from "../db/schema/index.js";
import { checkCursorIn, ownedBy } from "../lib/pagination.js";

/** The merchant's balance, read straight from its ledger accounts (never a separate counter). */
export async function merchantBalance(database: Database, db: Db, p: MerchantPrincipal) {
  // A balance is the sum of the account's shards (see store/accounts.ts).
  const rows = await database.rows<{ kind: string; currency: string; balance: number }>(
    sql`SELECT kind, currency, sum(balance)::bigint AS balance FROM ledger_accounts
        WHERE merchant_id = ${p.merchantId} AND livemode = ${p.livemode} AND kind LIKE 'merchant_%'
        GROUP BY kind, currency ORDER BY currency`,
    db,
  );
  const bucket = (kind: string) => rows.filter((r) => r.kind === kind).map((r) => ({ amount: Number(r.balance), currency: r.currency }));
  return {
    object: "balance" as const,
    livemode: p.livemode,
    available: bucket("merchant_available"),
    pending: bucket("merchant_pending"),
    held: bucket("merchant_held"),
    // What the merchant owes (a receivable, stored ≤ 0), shown as the positive amount owed.
    debt: bucket("merchant_debt").map((d) => ({ amount: -d.amount || 0, currency: d.currency })),
  };
}

/** The merchant's ledger transactions with every posting of each (the other side included). */
export async function listLedgerTransactions(
  database: Database,
  db: Db,
  p: MerchantPrincipal,
  q: { limit: number; starting_after?: string | undefined; ending_before?: string | undefined; source?: string | undefined },
) {
  await checkCursorIn(db, ledgerTransactions, ownedBy(ledgerTransactions, p), q);
  const cursor = q.ending_before ? sql`AND t.id > ${q.ending_before}` : q.starting_after ? sql`AND t.id < ${q.starting_after}` : sql``;
  const source = q.source ? sql`AND t.source_id = ${q.source}` : sql``;
  const txns = await database.rows<{
    id: string;
    type: string;
    description: string | null;
    source_id: string | null;
    created_at: Date | string;
    livemode: boolean;
  }>(
    sql`SELECT t.id, t.type, t.description, t.source_id, t.created_at, t.livemode FROM ledger_transactions t
        WHERE t.merchant_id = ${p.merchantId} AND t.livemode = ${p.livemode} ${cursor} ${source}
        ORDER BY t.id ${q.ending_before ? sql`ASC` : sql`DESC`} LIMIT ${q.limit + 1}`,
    db,
  );
  const has_more = txns.length > q.limit;
  const page = txns.slice(0, q.limit);
  if (q.ending_before) page.reverse();
  const ids = page.map((t) => t.id);
  const postings =
    ids.length === 0
      ? []
      : await database.rows<{ transaction_id: string; account_id: string; amount: number; currency: string }>(
          sql`SELECT transaction_id, account_id, amount, currency FROM ledger_postings
              WHERE transaction_id IN (${sql.join(
                ids.map((id) => sql`${id}`),
                sql`, `,
              )}) ORDER BY transaction_id, line`,
          db,
        );
  return {
    object: "list" as const,
    url: "/v1/ledger/transactions",
    has_more,
    data: page.map((t) => ({
      id: t.id,
      object: "ledger_transaction" as const,
      created: new Date(t.created_at).toISOString(),
      livemode: t.livemode,
      type: t.type,
      description: t.description,
      source: t.source_id,
      postings: postings
        .filter((x) => x.transaction_id === t.id)
        .map((x) => ({ account: x.account_id, amount: Number(x.amount), currency: x.currency })),
    })),
  };
}
