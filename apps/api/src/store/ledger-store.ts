import { type AccountSpec, applyBatch, entryDraft, type LedgerAccount, type LedgerEntry, type LedgerRejection } from "@softrack/core";
import { type SQL, sql } from "drizzle-orm";
import type { Database, Db } from "../db/client.js";
import { newId } from "../lib/ids.js";
import { pgArray } from "../lib/pg-array.js";

/** The posting plan's entries (packages/core/src/ledger/postings.ts): this store only turns them into SQL. */
export type { LedgerEntry };

export type PostResult = { ok: true; transactionId: string } | { ok: false; rejection: LedgerRejection };

/** Entries decided against locked balances, not yet written (see LedgerStore.prepare). */
export interface PreparedPosting {
  results: PostResult[];
  /** True when every entry was accepted. */
  ok: boolean;
  /** Writes the accepted entries: one statement. Call it last in the transaction. */
  write(): Promise<void>;
  /** That statement, for a caller that sends it itself (undefined: nothing to write). */
  statement(): SQL | undefined;
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

  /**
   * `locked`: balances of guarded accounts the caller has already locked FOR UPDATE in this
   * transaction (transit reads the riders' wallets with its other reads); those are not read again.
   */
  async prepare(tx: Db, entries: readonly LedgerEntry[], locked?: ReadonlyMap<string, number>): Promise<PreparedPosting> {
    const specs = new Map<string, AccountSpec>();
    for (const e of entries)
      for (const p of e.postings) {
        if (p.account.creditOnly && p.amount < 0) throw new Error(`ledger: ${p.account.id} is only ever credited (${e.type})`);
        specs.set(p.account.id, p.account);
      }
    const { accounts, existing } = await this.lockGuarded(tx, specs, locked);
    const drafts = entries.map(entryDraft);
    const { results } = applyBatch(accounts, drafts);

    const out: PostResult[] = [];
    // Column arrays for one set-based write (see lib/pg-array.ts).
    const txn = {
      id: [] as string[],
      merchant: [] as (string | null)[],
      livemode: [] as boolean[],
      type: [] as string[],
      description: [] as (string | null)[],
      source: [] as (string | null)[],
    };
    const posting = {
      txn: [] as string[],
      line: [] as number[],
      account: [] as string[],
      amount: [] as number[],
      currency: [] as string[],
    };
    const deltas = new Map<string, number>();
    entries.forEach((e, i) => {
      const r = results[i];
      if (!r?.ok) {
        out.push({ ok: false, rejection: (r as { rejection: LedgerRejection }).rejection });
        return;
      }
      const id = newId("transaction");
      txn.id.push(id);
      txn.merchant.push(e.merchantId);
      txn.livemode.push(e.livemode);
      txn.type.push(e.type);
      txn.description.push(e.description ?? null);
      txn.source.push(e.sourceId ?? null);
      for (const [line, p] of (drafts[i]?.postings ?? []).entries()) {
        posting.txn.push(id);
        posting.line.push(line);
        posting.account.push(p.account);
        posting.amount.push(p.amount);
        posting.currency.push(p.currency);
        deltas.set(p.account, (deltas.get(p.account) ?? 0) + p.amount);
      }
      out.push({ ok: true, transactionId: id });
    });
    const database = this.database;
    const statement = (): SQL | undefined => {
      if (txn.id.length === 0) return undefined;
      // In id order. Guarded accounts (locked in prepare, so they exist) get a plain UPDATE:
      // PostgreSQL checks CHECK constraints on an upsert's proposed row before it sees the
      // conflict, so a debit could not go through INSERT … ON CONFLICT. Everything else is
      // upserted: a first movement creates the account, later ones add to it.
      const sorted = [...deltas.entries()].filter(([, d]) => d !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const update = { id: [] as string[], delta: [] as number[] };
      const upsert = {
        id: [] as string[],
        merchant: [] as (string | null)[],
        kind: [] as string[],
        currency: [] as string[],
        livemode: [] as boolean[],
        allowNegative: [] as boolean[],
        delta: [] as number[],
      };
      for (const [id, delta] of sorted) {
        if (existing.has(id)) {
          update.id.push(id);
          update.delta.push(delta);
          continue;
        }
        const a = specs.get(id) as AccountSpec;
        upsert.id.push(id);
        upsert.merchant.push(a.merchantId);
        upsert.kind.push(a.kind);
        upsert.currency.push(a.currency);
        upsert.livemode.push(a.livemode);
        upsert.allowNegative.push(a.allowNegative);
        upsert.delta.push(delta);
      }
      // One statement whose text never changes whatever the number of rows.
      return sql`WITH t AS (INSERT INTO ledger_transactions (id, merchant_id, livemode, type, description, source_id)
                         SELECT * FROM unnest(${pgArray(txn.id)}::text[], ${pgArray(txn.merchant)}::text[], ${pgArray(txn.livemode)}::boolean[],
                                              ${pgArray(txn.type)}::text[], ${pgArray(txn.description)}::text[], ${pgArray(txn.source)}::text[])),
                   p AS (INSERT INTO ledger_postings (transaction_id, line, account_id, amount, currency)
                         SELECT * FROM unnest(${pgArray(posting.txn)}::text[], ${pgArray(posting.line)}::integer[], ${pgArray(posting.account)}::text[],
                                              ${pgArray(posting.amount)}::bigint[],
                                              ${pgArray(posting.currency)}::text[])),
                   g AS (UPDATE ledger_accounts a SET balance = a.balance + d.delta, updated_at = now()
                         FROM unnest(${pgArray(update.id)}::text[], ${pgArray(update.delta)}::bigint[]) AS d(id, delta)
                         WHERE a.id = d.id AND a.id = ANY(${pgArray(update.id)}::text[])),
                   u AS (INSERT INTO ledger_accounts AS a (id, merchant_id, kind, currency, livemode, allow_negative, balance)
                         SELECT r.id, r.merchant_id, r.kind, r.currency, r.livemode, r.allow_negative, r.balance
                         FROM unnest(${pgArray(upsert.id)}::text[], ${pgArray(upsert.merchant)}::text[], ${pgArray(upsert.kind)}::text[],
                                              ${pgArray(upsert.currency)}::text[], ${pgArray(upsert.livemode)}::boolean[], ${pgArray(upsert.allowNegative)}::boolean[],
                                              ${pgArray(upsert.delta)}::bigint[]) WITH ORDINALITY AS r(id, merchant_id, kind, currency, livemode, allow_negative, balance, n)
                         ORDER BY r.n
                         ON CONFLICT (id) DO UPDATE SET balance = a.balance + EXCLUDED.balance, updated_at = now())
              SELECT 1`;
    };
    return {
      results: out,
      ok: out.every((r) => r.ok),
      statement,
      async write() {
        const q = statement();
        if (q) await database.rows(q, tx);
      },
    };
  }

  /**
   * Locks and reads the accounts whose balance decides anything (allowNegative = false, not credit-only);
   * the others enter the core's rules as unbounded with balance 0, which is all the rules
   * need of them. A guarded account not created yet has balance 0.
   */
  private async lockGuarded(
    tx: Db,
    specs: Map<string, AccountSpec>,
    locked?: ReadonlyMap<string, number>,
  ): Promise<{ accounts: Map<string, LedgerAccount>; existing: Set<string> }> {
    const accounts = new Map<string, LedgerAccount>();
    const existing = new Set<string>();
    const guarded: string[] = [];
    for (const [id, a] of specs) {
      const known = locked?.get(id);
      // A credit-only account enters the rules as unbounded: only credits ever reach it.
      accounts.set(id, { id, currency: a.currency, allowNegative: a.allowNegative || a.creditOnly === true, balance: known ?? 0 });
      if (a.allowNegative || a.creditOnly) continue;
      if (known === undefined) guarded.push(id);
      else existing.add(id);
    }
    if (guarded.length === 0) return { accounts, existing };
    guarded.sort();
    /** Locks the rows in id order and takes their balances. */
    const lockAndRead = async (ids: string[]) => {
      const rows = await this.database.rows<{ id: string; balance: number }>(
        sql`SELECT id, balance FROM ledger_accounts WHERE id = ANY(${pgArray(ids)}::text[]) ORDER BY id FOR UPDATE`,
        tx,
      );
      for (const r of rows) {
        const a = accounts.get(r.id) as LedgerAccount;
        accounts.set(r.id, { ...a, balance: Number(r.balance) });
        existing.add(r.id);
      }
    };
    await lockAndRead(guarded);
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
      await lockAndRead(missing);
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
      if (Number(a.balance) !== Number(a.postings))
        mismatches.push({ account: a.id, stored: Number(a.balance), postings: Number(a.postings) });
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
