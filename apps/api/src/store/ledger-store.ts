import { type LedgerAccount, type LedgerRejection, applyBatch, checkTransactionShape } from "@softrack/core";
import { type SQL, sql } from "drizzle-orm";
import type { Database, Db } from "../db/client.js";
import { newId } from "../lib/ids.js";
import type { AccountSpec } from "./accounts.js";

export interface LedgerEntry {
  type: string;
  merchantId: string | null;
  livemode: boolean;
  description?: string;
  sourceId?: string;
  postings: { account: AccountSpec; amount: number }[];
}

export type PostResult = { ok: true; transactionId: string } | { ok: false; rejection: LedgerRejection };

/**
 * Writes ledger transactions. Concurrency model: the accounts a batch touches are locked
 * with SELECT … ORDER BY id FOR UPDATE (always in id order, so two writers can never
 * deadlock on each other), the core's pure rules decide each transaction against the
 * locked balances, and the accepted ones are written in ONE statement: transaction rows,
 * postings and balance updates together. Three round trips per batch whatever its size,
 * which is what lets a group commit amortise them over many requests.
 * Must run inside the caller's database transaction (the locks live until it commits).
 */
export class LedgerStore {
  constructor(private readonly database: Database) {}

  async post(tx: Db, entries: readonly LedgerEntry[]): Promise<PostResult[]> {
    const specs = new Map<string, AccountSpec>();
    for (const e of entries) for (const p of e.postings) specs.set(p.account.id, p.account);
    const locked = await this.lock(tx, specs);
    const drafts = entries.map((e) => ({ postings: e.postings.map((p) => ({ account: p.account.id, amount: p.amount, currency: p.account.currency })) }));
    const { results, accounts } = applyBatch(locked, drafts);

    const txnRows: SQL[] = [];
    const postingRows: SQL[] = [];
    const out: PostResult[] = [];
    entries.forEach((e, i) => {
      const r = results[i];
      if (!r?.ok) {
        out.push({ ok: false, rejection: (r as { rejection: LedgerRejection }).rejection });
        return;
      }
      const id = newId("transaction");
      txnRows.push(sql`(${id}, ${e.merchantId}, ${e.livemode}, ${e.type}, ${e.description ?? null}, ${e.sourceId ?? null})`);
      for (const p of drafts[i]?.postings ?? []) postingRows.push(sql`(${id}, ${p.account}, ${p.amount}::bigint, ${p.currency})`);
      out.push({ ok: true, transactionId: id });
    });
    if (txnRows.length === 0) return out;

    const deltas: SQL[] = [];
    for (const [id, account] of accounts) {
      const before = locked.get(id) as LedgerAccount;
      if (account.balance !== before.balance) deltas.push(sql`(${id}, ${account.balance - before.balance}::bigint)`);
    }
    const updates =
      deltas.length > 0
        ? sql`, u AS (UPDATE ledger_accounts a SET balance = a.balance + d.delta, updated_at = now()
              FROM (VALUES ${sql.join(deltas, sql`, `)}) AS d(id, delta) WHERE a.id = d.id RETURNING 1)`
        : sql``;
    await this.database.rows(
      sql`WITH t AS (INSERT INTO ledger_transactions (id, merchant_id, livemode, type, description, source_id)
                     VALUES ${sql.join(txnRows, sql`, `)} RETURNING 1),
               p AS (INSERT INTO ledger_postings (transaction_id, account_id, amount, currency)
                     VALUES ${sql.join(postingRows, sql`, `)} RETURNING 1)
               ${updates}
          SELECT (SELECT count(*) FROM t) AS transactions`,
      tx,
    );
    return out;
  }

  /** Posts one entry and throws the rejection, for callers that treat a rejection as their error. */
  async postOne(tx: Db, entry: LedgerEntry): Promise<PostResult> {
    const shape = checkTransactionShape({ postings: entry.postings.map((p) => ({ account: p.account.id, amount: p.amount, currency: p.account.currency })) });
    if (shape) return { ok: false, rejection: shape };
    return (await this.post(tx, [entry]))[0] as PostResult;
  }

  private async lock(tx: Db, specs: Map<string, AccountSpec>): Promise<Map<string, LedgerAccount>> {
    const ids = [...specs.keys()].sort();
    const select = () =>
      this.database.rows<{ id: string; currency: string; allow_negative: boolean; balance: number }>(
        sql`SELECT id, currency, allow_negative, balance FROM ledger_accounts
            WHERE id IN (${sql.join(ids.map((id) => sql`${id}`), sql`, `)}) ORDER BY id FOR UPDATE`,
        tx,
      );
    let rows = await select();
    if (rows.length < ids.length) {
      // First movement on these accounts: create them (idempotently: another writer may race us), then lock.
      const have = new Set(rows.map((r) => r.id));
      const missing = ids.filter((id) => !have.has(id)).map((id) => specs.get(id) as AccountSpec);
      await this.database.rows(
        sql`INSERT INTO ledger_accounts (id, merchant_id, kind, currency, livemode, allow_negative)
            VALUES ${sql.join(missing.map((a) => sql`(${a.id}, ${a.merchantId}, ${a.kind}, ${a.currency}, ${a.livemode}, ${a.allowNegative})`), sql`, `)}
            ON CONFLICT (id) DO NOTHING`,
        tx,
      );
      rows = await select();
    }
    return new Map(rows.map((r) => [r.id, { id: r.id, currency: r.currency, allowNegative: r.allow_negative, balance: Number(r.balance) }]));
  }

  /** The check behind GET /v1/admin/ledger/verify. */
  async verify(executor?: Db) {
    const accounts = await this.database.rows<{ id: string; currency: string; balance: number; postings: number }>(
      sql`SELECT a.id, a.currency, a.balance, COALESCE(p.total, 0)::bigint AS postings
          FROM ledger_accounts a
          LEFT JOIN (SELECT account_id, sum(amount) AS total FROM ledger_postings GROUP BY account_id) p ON p.account_id = a.id
          ORDER BY a.id`,
      executor,
    );
    const unbalancedTxns = await this.database.rows<{ transaction_id: string; currency: string; total: number }>(
      sql`SELECT transaction_id, currency, sum(amount)::bigint AS total FROM ledger_postings
          GROUP BY transaction_id, currency HAVING sum(amount) <> 0 LIMIT 20`,
      executor,
    );
    const totals: Record<string, number> = {};
    const mismatches: Record<string, unknown>[] = [];
    for (const a of accounts) {
      totals[a.currency] = (totals[a.currency] ?? 0) + Number(a.balance);
      if (Number(a.balance) !== Number(a.postings)) mismatches.push({ account: a.id, stored: Number(a.balance), postings: Number(a.postings) });
    }
    for (const t of unbalancedTxns) mismatches.push({ transaction: t.transaction_id, currency: t.currency, sum: Number(t.total) });
    return {
      balanced: mismatches.length === 0 && Object.values(totals).every((t) => t === 0),
      totals,
      accounts_checked: accounts.length,
      mismatches,
    };
  }
}
