import { isCurrency } from "../money/currency.js";
import { isMinorUnits } from "../money/money.js";

/**
 * Double-entry ledger rules, pure. Sign convention (as in the reference bench):
 * a posting's amount is signed, debit < 0, credit > 0, and an account's balance is the
 * sum of its postings. Liability accounts (wallets, merchant balances) therefore carry a
 * positive balance; the platform's accounts facing the outside world (card clearing,
 * SMS operators) run negative and are the only ones allowed to.
 *
 * Invariants (checked by property tests):
 *  1. every transaction's postings sum to zero per currency;
 *  2. a posting's currency equals its account's currency;
 *  3. an account that may not go negative never does, whatever the order of transactions;
 *  4. a transaction is all or nothing.
 */

export type AccountId = string;

export interface LedgerAccount {
  readonly id: AccountId;
  readonly currency: string;
  /** Platform accounts that face the outside world may go negative; customer and merchant accounts may not. */
  readonly allowNegative: boolean;
  readonly balance: number;
}

export interface Posting {
  readonly account: AccountId;
  /** Signed minor units: debit < 0, credit > 0. */
  readonly amount: number;
  readonly currency: string;
}

export interface TransactionDraft {
  readonly postings: readonly Posting[];
}

export type LedgerRejection =
  | { code: "empty_transaction"; message: string }
  | { code: "invalid_amount"; message: string; account: AccountId }
  | { code: "unknown_currency"; message: string; currency: string }
  | { code: "unbalanced"; message: string; currency: string; sum: number }
  | { code: "unknown_account"; message: string; account: AccountId }
  | { code: "currency_mismatch"; message: string; account: AccountId }
  | { code: "insufficient_funds"; message: string; account: AccountId; balance: number; delta: number }
  | { code: "balance_overflow"; message: string; account: AccountId };

/** Shape checks that need no account state: amounts, currencies, zero sum per currency. */
export function checkTransactionShape(draft: TransactionDraft): LedgerRejection | null {
  if (draft.postings.length < 2) {
    return { code: "empty_transaction", message: "a transaction needs at least two postings" };
  }
  const sums = new Map<string, number>();
  for (const p of draft.postings) {
    if (!isMinorUnits(p.amount) || p.amount === 0) {
      return { code: "invalid_amount", message: "posting amounts are non-zero integer minor units", account: p.account };
    }
    if (!isCurrency(p.currency)) {
      return { code: "unknown_currency", message: `unknown currency ${p.currency}`, currency: p.currency };
    }
    sums.set(p.currency, (sums.get(p.currency) ?? 0) + p.amount);
  }
  for (const [currency, sum] of sums) {
    if (sum !== 0) return { code: "unbalanced", message: `postings in ${currency} sum to ${sum}, not 0`, currency, sum };
  }
  return null;
}

/** Net change per account; several postings to one account are netted before the balance check. */
export function netDeltas(draft: TransactionDraft): Map<AccountId, number> {
  const deltas = new Map<AccountId, number>();
  for (const p of draft.postings) deltas.set(p.account, (deltas.get(p.account) ?? 0) + p.amount);
  return deltas;
}

const MAX_BALANCE = Number.MAX_SAFE_INTEGER / 2;

/**
 * Applies one transaction to a set of account states. Returns the new balances of the
 * touched accounts, or the first rule the transaction breaks (then nothing changes).
 */
export function applyTransaction(
  accounts: ReadonlyMap<AccountId, LedgerAccount>,
  draft: TransactionDraft,
): { ok: true; balances: Map<AccountId, number> } | { ok: false; rejection: LedgerRejection } {
  const shape = checkTransactionShape(draft);
  if (shape) return { ok: false, rejection: shape };
  for (const p of draft.postings) {
    const account = accounts.get(p.account);
    if (!account) return { ok: false, rejection: { code: "unknown_account", message: `unknown account ${p.account}`, account: p.account } };
    if (account.currency !== p.currency) {
      return {
        ok: false,
        rejection: {
          code: "currency_mismatch",
          message: `account ${p.account} holds ${account.currency}, not ${p.currency}`,
          account: p.account,
        },
      };
    }
  }
  const balances = new Map<AccountId, number>();
  for (const [id, delta] of netDeltas(draft)) {
    const account = accounts.get(id) as LedgerAccount;
    const next = account.balance + delta;
    if (Math.abs(next) > MAX_BALANCE) {
      return { ok: false, rejection: { code: "balance_overflow", message: `balance of ${id} out of range`, account: id } };
    }
    if (next < 0 && !account.allowNegative) {
      return {
        ok: false,
        rejection: {
          code: "insufficient_funds",
          message: `account ${id} has ${account.balance}, cannot move ${-delta}`,
          account: id,
          balance: account.balance,
          delta,
        },
      };
    }
    balances.set(id, next);
  }
  return { ok: true, balances };
}

export type BatchResult = { ok: true } | { ok: false; rejection: LedgerRejection };

/**
 * Applies transactions in order against one set of balances, the way a group commit does:
 * each is accepted or rejected on its own (a rejected one changes nothing), and every later
 * transaction sees the balances the accepted ones left. Pure: returns the final balances.
 */
export function applyBatch(
  accounts: ReadonlyMap<AccountId, LedgerAccount>,
  drafts: readonly TransactionDraft[],
): { results: BatchResult[]; accounts: Map<AccountId, LedgerAccount> } {
  const state = new Map(accounts);
  const results: BatchResult[] = [];
  for (const draft of drafts) {
    const r = applyTransaction(state, draft);
    if (!r.ok) {
      results.push(r);
      continue;
    }
    for (const [id, balance] of r.balances) state.set(id, { ...(state.get(id) as LedgerAccount), balance });
    results.push({ ok: true });
  }
  return { results, accounts: state };
}

/** Convenience for the common two-legged movement. */
export function transfer(from: AccountId, to: AccountId, amount: number, currency: string): TransactionDraft {
  return {
    postings: [
      { account: from, amount: -amount, currency },
      { account: to, amount, currency },
    ],
  };
}

/** The check `GET /v1/admin/ledger/verify` runs: totals per currency and stored vs. derived balances. */
export function verifyLedger(input: {
  accounts: readonly { id: AccountId; currency: string; balance: number }[];
  postingSums: ReadonlyMap<AccountId, number>;
}): {
  balanced: boolean;
  totals: Record<string, number>;
  accounts_checked: number;
  mismatches: { account: AccountId; stored: number; postings: number }[];
} {
  const totals: Record<string, number> = {};
  const mismatches: { account: AccountId; stored: number; postings: number }[] = [];
  for (const a of input.accounts) {
    totals[a.currency] = (totals[a.currency] ?? 0) + a.balance;
    const derived = input.postingSums.get(a.id) ?? 0;
    if (derived !== a.balance) mismatches.push({ account: a.id, stored: a.balance, postings: derived });
  }
  const balanced = mismatches.length === 0 && Object.values(totals).every((t) => t === 0);
  return { balanced, totals, accounts_checked: input.accounts.length, mismatches };
}
