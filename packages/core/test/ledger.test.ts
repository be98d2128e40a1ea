import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyBatch, applyTransaction, type LedgerAccount, transfer, verifyLedger } from "../src/index.js";

const accounts = (list: [string, string, boolean, number][]) =>
  new Map<string, LedgerAccount>(list.map(([id, currency, allowNegative, balance]) => [id, { id, currency, allowNegative, balance }]));

describe("applyTransaction", () => {
  const book = accounts([
    ["world", "KGS", true, 0],
    ["wallet", "KGS", false, 100],
    ["merchant", "KGS", false, 0],
    ["usd", "USD", false, 0],
  ]);

  it("moves money and returns the new balances", () => {
    const r = applyTransaction(book, transfer("wallet", "merchant", 60, "KGS"));
    expect(r).toEqual({
      ok: true,
      balances: new Map([
        ["wallet", 40],
        ["merchant", 60],
      ]),
    });
  });

  it.each([
    [
      "an unbalanced transaction",
      {
        postings: [
          { account: "wallet", amount: -5, currency: "KGS" },
          { account: "merchant", amount: 4, currency: "KGS" },
        ],
      },
      "unbalanced",
    ],
    ["a debit below zero", transfer("wallet", "merchant", 101, "KGS"), "insufficient_funds"],
    ["a currency mismatch", transfer("wallet", "usd", 1, "KGS"), "currency_mismatch"],
    ["a float amount", transfer("wallet", "merchant", 1.5, "KGS"), "invalid_amount"],
    ["an unknown currency", transfer("wallet", "merchant", 1, "XXX"), "unknown_currency"],
    ["an unknown account", transfer("nobody", "merchant", 1, "KGS"), "unknown_account"],
    ["a single posting", { postings: [{ account: "wallet", amount: 1, currency: "KGS" }] }, "empty_transaction"],
  ])("rejects %s", (_name, draft, code) => {
    const r = applyTransaction(book, draft);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.rejection.code).toBe(code);
  });

  it("lets an outside-facing account go negative", () => {
    const r = applyTransaction(book, transfer("world", "wallet", 1_000, "KGS"));
    expect(r.ok && r.balances.get("world")).toBe(-1_000);
  });
});

/**
 * Invariants under any sequence of transfers: postings sum to zero, non-negative accounts
 * stay non-negative, stored balances equal the sum of postings. The holds, captures, voids
 * and refunds production posts are checked the same way in postings.test.ts.
 */
describe("ledger invariants (property)", () => {
  const ids = ["world", "w1", "w2", "w3", "m1", "rev"];
  const op = fc.record({
    from: fc.constantFrom(...ids),
    to: fc.constantFrom(...ids),
    amount: fc.integer({ min: 1, max: 500 }),
  });

  it("no sequence of operations breaks them", () => {
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 1_000 }), { minLength: 3, maxLength: 3 }),
        (ops, opening) => {
          let book = accounts(ids.map((id) => [id, "KGS", id === "world", 0]));
          const postingSums = new Map<string, number>();
          const commit = (draft: { postings: readonly { account: string; amount: number; currency: string }[] }) => {
            const { results, accounts: next } = applyBatch(book, [draft]);
            if (results[0]?.ok) {
              book = next;
              for (const p of draft.postings) postingSums.set(p.account, (postingSums.get(p.account) ?? 0) + p.amount);
            }
            return results[0]?.ok ?? false;
          };
          opening.forEach((amount, i) => {
            if (amount > 0) commit(transfer("world", `w${i + 1}`, amount, "KGS"));
          });
          for (const o of ops) if (o.from !== o.to) commit(transfer(o.from, o.to, o.amount, "KGS"));
          for (const a of book.values()) if (!a.allowNegative) expect(a.balance).toBeGreaterThanOrEqual(0);
          const report = verifyLedger({ accounts: [...book.values()], postingSums });
          expect(report.balanced).toBe(true);
          expect(report.totals).toEqual({ KGS: 0 });
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("a batch accepts exactly the debits the balance covers, in order", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.array(fc.integer({ min: 1, max: 1_000 }), { maxLength: 50 }),
        (opening, debits) => {
          const book = accounts([
            ["wallet", "KGS", false, opening],
            ["m", "KGS", false, 0],
          ]);
          const { results, accounts: after } = applyBatch(
            book,
            debits.map((d) => transfer("wallet", "m", d, "KGS")),
          );
          let expected = opening;
          debits.forEach((d, i) => {
            const fits = d <= expected;
            if (fits) expected -= d;
            expect(results[i]?.ok).toBe(fits);
          });
          expect(after.get("wallet")?.balance).toBe(expected);
          expect((after.get("wallet")?.balance ?? 0) + (after.get("m")?.balance ?? 0)).toBe(opening);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
