import { type LedgerAccount, type LedgerRejection, applyBatch } from "@softrack/core";
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

/** Entries decided against locked balances, not yet written (see LedgerStore.prepare). */
export interface PreparedPosting {
  results: PostResult[];
  /** True when every entry was accepted. */
  ok: boolean;
  /** Writes the accepted entries: one statement. Call it last in the transaction. */
  write(): Promise<void>;
}

/**
 * Writes ledger transactions.
 *
 * Concurrency model. Only accounts that must never go negative (wallets, escrow) need their
 * balance read: they are locked with SELECT … ORDER BY id FOR UPDATE (id order, so writers
 * never deadlock on each other) and the core's pure rules decide every entry against them.
 * Accounts allowed to go negative (merchant balances, platform revenue and clearing — the
 * hot rows every payment touches) are never read: they get a blind `balance + delta` in the
 * final write. That write is ONE statement — transaction rows, postings, and balance upserts
 * in id order — and callers issue it last, right before COMMIT, so a hot row stays locked
 * for one statement and the commit, not for the whole request.
 */
export class LedgerStore {
  constructor(private readonly database: Database) {}

  /** Decide (locking what needs a balance check), then write at once. */
  async post(tx: Db, entries: readonly LedgerEntry[]): Promise<PostResult[]> {
    const prepared = await this.prepare(tx, entries);
    await prepared.write();
    return prepared.results;
  }

  async prepare(tx: Db, entries: readonly LedgerEntry[]): Promise<PreparedPosting> {
    const specs = new Map<string, AccountSpec>();
    for (const e of entries) for (const p of e.postings) specs.set(p.account.id, p.account);
    const { accounts, existing } = await this.lockGuarded(tx, specs);
    const drafts = entries.map((e) => ({ postings: e.postings.map((p) => ({ account: p.account.id, amount: p.amount, currency: p.account.currency })) }));
    const { results } = applyBatch(accounts, drafts);

    const out: PostResult[] = [];
    const txnRows: SQL[] = [];
    const postingRows: SQL[] = [];
    const deltas = new Map<string, number>();
    entries.forEach((e, i) => {
      const r = results[i];
      if (!r?.ok) {
        out.push({ ok: false, rejection: (r as { rejection: LedgerRejection }).rejection });
        return;
      }
      const id = newId("transaction");
      txnRows.push(sql`(${id}, ${e.merchantId}, ${e.livemode}, ${e.type}, ${e.description ?? null}, ${e.sourceId ?? null})`);
      for (const p of drafts[i]?.postings ?? []) {
        postingRows.push(sql`(${id}, ${p.account}, ${p.amount}::bigint, ${p.currency})`);
        deltas.set(p.account, (deltas.get(p.account) ?? 0) + p.amount);
      }
      out.push({ ok: true, transactionId: id });
    });
    const database = this.database;
    return {
      results: out,
      ok: out.every((r) => r.ok),
      async write() {
        if (txnRows.length === 0) return;
        // In id order. Guarded accounts that exist (locked above) get a plain UPDATE: PostgreSQL
        // checks CHECK constraints on an upsert's proposed row before it sees the conflict, so
        // a debit could not go through INSERT … ON CONFLICT. Everything else is upserted: a
        // first movement creates the account, later ones add to it.
        const sorted = [...deltas.entries()].filter(([, d]) => d !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        const updates = sorted.filter(([id]) => existing.has(id)).map(([id, d]) => sql`(${id}, ${d}::bigint)`);
        const inserts = sorted
          .filter(([id]) => !existing.has(id))
          .map(([id, d]) => {
            const a = specs.get(id) as AccountSpec;
            return sql`(${id}, ${a.merchantId}, ${a.kind}, ${a.currency}, ${a.livemode}, ${a.allowNegative}, ${d}::bigint)`;
          });
        let upsert = sql``;
        if (updates.length > 0) {
          upsert = sql`${upsert}, g AS (UPDATE ledger_accounts a SET balance = a.balance + d.delta, updated_at = now()
                FROM (VALUES ${sql.join(updates, sql`, `)}) AS d(id, delta) WHERE a.id = d.id RETURNING 1)`;
        }
        if (inserts.length > 0) {
          upsert = sql`${upsert}, u AS (INSERT INTO ledger_accounts AS a (id, merchant_id, kind, currency, livemode, allow_negative, balance)
                VALUES ${sql.join(inserts, sql`, `)}
                ON CONFLICT (id) DO UPDATE SET balance = a.balance + EXCLUDED.balance, updated_at = now() RETURNING 1)`;
        }
        await database.rows(
          sql`WITH t AS (INSERT INTO ledger_transactions (id, merchant_id, livemode, type, description, source_id)
                         VALUES ${sql.join(txnRows, sql`, `)} RETURNING 1),
                   p AS (INSERT INTO ledger_postings (transaction_id, account_id, amount, currency)
                         VALUES ${sql.join(postingRows, sql`, `)} RETURNING 1)
                   ${upsert}
              SELECT 1`,
          tx,
        );
      },
    };
  }

  /**
   * Locks and reads the accounts whose balance decides anything (allowNegative = false);
   * the others enter the core's rules as unbounded with balance 0, which is all the rules
   * need of them. A guarded account not created yet has balance 0.
   */
  private async lockGuarded(tx: Db, specs: Map<string, AccountSpec>): Promise<{ accounts: Map<string, LedgerAccount>; existing: Set<string> }> {
    const accounts = new Map<string, LedgerAccount>();
    const existing = new Set<string>();
    const guarded: string[] = [];
    for (const [id, a] of specs) {
      accounts.set(id, { id, currency: a.currency, allowNegative: a.allowNegative, balance: 0 });
      if (!a.allowNegative) guarded.push(id);
    }
    if (guarded.length === 0) return { accounts, existing };
    guarded.sort();
    const rows = await this.database.rows<{ id: string; balance: number }>(
      sql`SELECT id, balance FROM ledger_accounts WHERE id IN (${sql.join(guarded.map((id) => sql`${id}`), sql`, `)}) ORDER BY id FOR UPDATE`,
      tx,
    );
    for (const r of rows) {
      const a = accounts.get(r.id) as LedgerAccount;
      accounts.set(r.id, { ...a, balance: Number(r.balance) });
      existing.add(r.id);
    }
    // A guarded account seen for the first time is created here, at zero, and locked with the
    // others — not left to the final upsert. Otherwise one request would lock it in the write
    // (after its unguarded rows) while another, arriving after it exists, locks it here
    // (before them): opposite orders, and PostgreSQL's deadlock detector kills one.
    const missing = guarded.filter((id) => !existing.has(id));
    if (missing.length > 0) {
      const values = missing.map((id) => {
        const a = specs.get(id) as AccountSpec;
        return sql`(${id}, ${a.merchantId}, ${a.kind}, ${a.currency}, ${a.livemode}, false, 0::bigint)`;
      });
      await this.database.rows(
        sql`INSERT INTO ledger_accounts (id, merchant_id, kind, currency, livemode, allow_negative, balance)
            VALUES ${sql.join(values, sql`, `)} ON CONFLICT (id) DO NOTHING`,
        tx,
      );
      const created = await this.database.rows<{ id: string; balance: number }>(
        sql`SELECT id, balance FROM ledger_accounts WHERE id IN (${sql.join(missing.map((id) => sql`${id}`), sql`, `)}) ORDER BY id FOR UPDATE`,
        tx,
      );
      for (const r of created) {
        const a = accounts.get(r.id) as LedgerAccount;
        accounts.set(r.id, { ...a, balance: Number(r.balance) });
        existing.add(r.id);
      }
    }
    return { accounts, existing };
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
