import {
  type AccountSpec,
  applyEntries,
  availableAccounts,
  entryDraft,
  type LedgerAccount,
  type LedgerEntry,
  type LedgerRejection,
  repaidDebtAccount,
  type ShardBalance,
} from "@softrack/core";
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
  /** Writes the accepted entries: one statement. Call it last in the transaction (a capture: see closingWrites). */
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
 *
 * A merchant's available balance is guarded too, but only a debit needs its balance: a batch that
 * only credits it adds blindly like the others (every payment credits it: locking it would queue
 * a merchant's payments). A debit that must happen whatever the balance (a refund, a dispute)
 * locks all of it first (lockAvailable) and takes what it holds (core takeFromAvailable), the
 * rest as the merchant's debt. Credits to available repay that debt first (core applyEntries):
 * the debt is read, and locked with the available rows the batch credits only when it is not zero.
 */
export class LedgerStore {
  constructor(private readonly database: Database) {}

  /** Decide (locking what needs a balance check), then write at once. */
  async post(tx: Db, entries: readonly LedgerEntry[], locked?: ReadonlyMap<string, number>): Promise<PostResult[]> {
    const prepared = await this.prepare(tx, entries, locked);
    await prepared.write();
    return prepared.results;
  }

  /**
   * `locked`: balances of guarded accounts the caller has already locked FOR UPDATE in this
   * transaction (transit reads the riders' wallets with its other reads); those are not read again.
   * `debts`: the merchants' debt balances the caller read (unlocked) with its other reads, an
   * absent one being zero; without it, the debts the entries would repay are read here.
   */
  async prepare(
    tx: Db,
    given: readonly LedgerEntry[],
    locked?: ReadonlyMap<string, number>,
    debts?: ReadonlyMap<string, number>,
  ): Promise<PreparedPosting> {
    const specs = new Map<string, AccountSpec>();
    const debited = new Set<string>();
    const repaying = new Map<string, AccountSpec>();
    for (const e of given) {
      for (const p of e.postings) {
        if (p.account.creditOnly && p.amount < 0) throw new Error(`ledger: ${p.account.id} is only ever credited (${e.type})`);
        specs.set(p.account.id, p.account);
        if (p.amount < 0) debited.add(p.account.id);
      }
      const debt = repaidDebtAccount(e);
      if (debt) repaying.set(debt.id, debt);
    }
    // A debt is locked (with the available rows its repayment credits, in the same id order as
    // every lock) only when it is not zero: a merchant without debt pays nothing for it.
    const owing = await this.owing(tx, [...repaying.keys()], locked, debts);
    const force = new Set<string>();
    for (const id of owing) {
      specs.set(id, repaying.get(id) as AccountSpec);
      force.add(id);
      for (const e of given)
        if (repaidDebtAccount(e)?.id === id)
          for (const p of e.postings) if (p.amount > 0 && p.account.kind === "merchant_available") force.add(p.account.id);
    }
    const { accounts, existing } = await this.lockGuarded(tx, specs, debited, force, locked);
    // A debt not owed is not in the rules' balances (or at 0 when this batch books it): applyEntries
    // repays only what it sees owed.
    const { results, entries } = applyEntries(accounts, given);
    const drafts = entries.map(entryDraft);

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

  /** Of the debts `ids`, those not zero: from the caller's locks or reads, else read here (unlocked). */
  private async owing(tx: Db, ids: string[], locked?: ReadonlyMap<string, number>, debts?: ReadonlyMap<string, number>): Promise<string[]> {
    if (ids.length === 0) return [];
    const balance = new Map<string, number>();
    const unknown = ids.filter((id) => {
      const known = locked?.get(id) ?? debts?.get(id) ?? (debts ? 0 : undefined);
      if (known !== undefined) balance.set(id, known);
      return known === undefined;
    });
    if (unknown.length > 0) {
      const rows = await this.database.rows<{ id: string; balance: number }>(
        sql`SELECT id, balance FROM ledger_accounts WHERE id = ANY(${pgArray(unknown)}::text[]) AND balance <> 0`,
        tx,
      );
      for (const r of rows) balance.set(r.id, Number(r.balance));
    }
    return ids.filter((id) => (balance.get(id) ?? 0) !== 0);
  }

  /**
   * A merchant's whole available balance in a currency, locked for a debit that takes what it
   * holds (core takeFromAvailable, fromAvailable), with `also`: the other guarded accounts the
   * write touches (a wallet a refund credits, a dispute's reserve), all in one statement in id
   * order, as every lock in the ledger is taken. Pass `locked` on to prepare.
   */
  async lockAvailable(
    tx: Db,
    owner: { merchantId: string; livemode: boolean; currency: string },
    also: readonly AccountSpec[] = [],
  ): Promise<{ shards: ShardBalance[]; locked: Map<string, number> }> {
    const shards = availableAccounts(owner.merchantId, owner.livemode, owner.currency);
    const locked = await this.lockRows(tx, [...shards, ...also.filter((a) => !a.allowNegative && !a.creditOnly)]);
    return { shards: shards.map((account) => ({ account, balance: locked.get(account.id) ?? 0 })), locked };
  }

  /**
   * Locks and reads the accounts whose balance decides anything (allowNegative = false, not
   * credit-only; available only when debited), and `force` (a debt being repaid and the rows that
   * repay it); the others enter the core's rules as unbounded with balance 0, which is all the
   * rules need of them. A guarded account not created yet has balance 0.
   */
  private async lockGuarded(
    tx: Db,
    specs: Map<string, AccountSpec>,
    debited: ReadonlySet<string>,
    force: ReadonlySet<string>,
    locked?: ReadonlyMap<string, number>,
  ): Promise<{ accounts: Map<string, LedgerAccount>; existing: Set<string> }> {
    const accounts = new Map<string, LedgerAccount>();
    const existing = new Set<string>();
    const guarded: string[] = [];
    for (const [id, a] of specs) {
      const known = locked?.get(id);
      // A credit-only account, and an available balance only credited here, enter the rules as
      // unbounded: credits cannot take them below zero (the table's CHECK still holds them).
      const unbounded = a.creditOnly === true || (a.kind === "merchant_available" && !debited.has(id) && !force.has(id));
      accounts.set(id, { id, currency: a.currency, allowNegative: a.allowNegative || unbounded, balance: known ?? 0 });
      if ((a.allowNegative || unbounded) && !force.has(id)) continue;
      if (known === undefined) guarded.push(id);
      else existing.add(id);
    }
    if (guarded.length === 0) return { accounts, existing };
    const balances = await this.lockRows(
      tx,
      guarded.map((id) => specs.get(id) as AccountSpec),
    );
    for (const [id, balance] of balances) {
      accounts.set(id, { ...(accounts.get(id) as LedgerAccount), balance });
      existing.add(id);
    }
    return { accounts, existing };
  }

  /**
   * Locks the accounts' rows in id order and takes their balances; a guarded one not created yet
   * is created at zero. Both in one pass, in id order: an upsert whose update never applies
   * (`WHERE false`) still locks the row it meets, and creates the row it does not. Locking the
   * rows that exist and then creating the missing ones (they sort anywhere among them: a new
   * merchant's unsharded balance before its shards) took locks out of order, and so did creating
   * first and then locking (a wallet sorts before the balance a refund to it creates): each time,
   * another writer taking the same rows in id order waited on this one while it waited on that
   * one, and PostgreSQL's deadlock detector ended one of them after a second. The balances are
   * read after, unlocked: this transaction holds every row.
   */
  private async lockRows(tx: Db, specs: readonly AccountSpec[]): Promise<Map<string, number>> {
    const byId = new Map(specs.map((a) => [a.id, a]));
    const ids = [...byId.keys()].sort();
    const column = <T extends string | boolean | null>(f: (a: AccountSpec) => T) =>
      pgArray(ids.map((id) => f(byId.get(id) as AccountSpec)));
    await this.database.rows(
      sql`INSERT INTO ledger_accounts AS a (id, merchant_id, kind, currency, livemode, allow_negative, balance)
          SELECT r.id, r.merchant_id, r.kind, r.currency, r.livemode, r.allow_negative, 0
          FROM unnest(${pgArray(ids)}::text[], ${column((a) => a.merchantId)}::text[], ${column((a) => a.kind)}::text[],
                      ${column((a) => a.currency)}::text[], ${column((a) => a.livemode)}::boolean[], ${column((a) => a.allowNegative)}::boolean[])
                 WITH ORDINALITY AS r(id, merchant_id, kind, currency, livemode, allow_negative, n)
          ORDER BY r.n
          ON CONFLICT (id) DO UPDATE SET balance = a.balance WHERE false`,
      tx,
    );
    const rows = await this.database.rows<{ id: string; balance: number }>(
      sql`SELECT id, balance FROM ledger_accounts WHERE id = ANY(${pgArray(ids)}::text[])`,
      tx,
    );
    return new Map(rows.map((r) => [r.id, Number(r.balance)]));
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
