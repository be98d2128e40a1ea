import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  applyBatch,
  assignToPayout,
  availableAccounts,
  entryDraft,
  ibanCheckDigits,
  isValidIbanChecksum,
  type LedgerAccount,
  type OpenMovement,
  payoutCreated,
  payoutReturned,
  validateBankAccount,
} from "../src/index.js";

describe("bank accounts", () => {
  it("takes real Kazakh IBANs with a KZ BIC, written with spaces or not", () => {
    // The IBAN registry's example for Kazakhstan, and Halyk Bank's BIC.
    const r = validateBankAccount({ country: "KZ", account_number: "KZ86 125K ZT50 0410 0100", bank_code: "hsbkkzkx" });
    expect(r).toEqual({ ok: true, country: "KZ", accountNumber: "KZ86125KZT5004100100", bankCode: "HSBKKZKX", last4: "0100" });
    expect(validateBankAccount({ country: "KZ", account_number: "KZ86125KZT5004100100", bank_code: "KCJBKZKXXXX" }).ok).toBe(true);
  });

  it.each([
    ["KZ87125KZT5004100100", "HSBKKZKX", "account_number", "account_number_checksum"], // check digits off by one
    ["KZ86125KZT500410010", "HSBKKZKX", "account_number", "account_number_invalid"], // 19 characters
    ["DE89370400440532013000", "HSBKKZKX", "account_number", "account_number_invalid"], // a German IBAN
    ["KZ86125KZT5004100100", "HSBKKZK", "bank_code", "bank_code_invalid"], // 7-character BIC
    ["KZ86125KZT5004100100", "DEUTDEFF", "bank_code", "bank_code_invalid"], // a German BIC
  ])("refuses KZ %s / %s on %s", (account_number, bank_code, param, code) => {
    expect(validateBankAccount({ country: "KZ", account_number, bank_code })).toMatchObject({ ok: false, param, code });
  });

  it("checks Kyrgyz 16-digit accounts with a 6-digit BIK, and Uzbek 20-digit accounts with a 5-digit MFO", () => {
    expect(validateBankAccount({ country: "KG", account_number: "1240 0200 0012 3456", bank_code: "124002" })).toMatchObject({
      ok: true,
      last4: "3456",
    });
    expect(validateBankAccount({ country: "KG", account_number: "124002000012345", bank_code: "124002" })).toMatchObject({
      param: "account_number",
    });
    expect(validateBankAccount({ country: "KG", account_number: "1240020000123456", bank_code: "12400" })).toMatchObject({
      param: "bank_code",
    });
    expect(validateBankAccount({ country: "UZ", account_number: "20208000900123456001", bank_code: "00014" })).toMatchObject({
      ok: true,
      last4: "6001",
    });
    expect(validateBankAccount({ country: "UZ", account_number: "2020800090012345600A", bank_code: "00014" })).toMatchObject({
      param: "account_number",
    });
    expect(validateBankAccount({ country: "UZ", account_number: "20208000900123456001", bank_code: "000140" })).toMatchObject({
      param: "bank_code",
    });
    expect(validateBankAccount({ country: "RU", account_number: "1", bank_code: "1" })).toMatchObject({ param: "country" });
  });

  const bban = fc.tuple(fc.stringMatching(/^\d{3}$/), fc.stringMatching(/^[0-9A-Z]{13}$/)).map(([b, a]) => b + a);

  it("every IBAN made with its check digits passes; one digit changed fails (property)", () => {
    fc.assert(
      fc.property(bban, fc.nat(), fc.integer({ min: 1, max: 9 }), (body, at, delta) => {
        const iban = `KZ${ibanCheckDigits("KZ", body)}${body}`;
        expect(isValidIbanChecksum(iban)).toBe(true);
        expect(validateBankAccount({ country: "KZ", account_number: iban, bank_code: "HSBKKZKX" }).ok).toBe(true);
        // Change one digit (any position after "KZ" that holds a digit) to another digit.
        const digits = [...iban].map((ch, i) => (i >= 2 && /\d/.test(ch) ? i : -1)).filter((i) => i >= 0);
        const i = digits[at % digits.length] as number;
        const changed = `${iban.slice(0, i)}${(Number(iban[i]) + delta) % 10}${iban.slice(i + 1)}`;
        expect(validateBankAccount({ country: "KZ", account_number: changed, bank_code: "HSBKKZKX" })).toMatchObject({
          ok: false,
          param: "account_number",
        });
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("settlement assignment", () => {
  const m = (remaining: number[]): OpenMovement[] => remaining.map((r, i) => ({ transactionId: `txn_${i}`, remaining: r }));

  it("takes the oldest first, debits whole, and splits the credit that reaches the amount", () => {
    const r = assignToPayout(m([0, 1_000, -300, 2_000, 500]), 1_500);
    expect(r.items).toEqual([
      { transactionId: "txn_1", amount: 1_000 },
      { transactionId: "txn_2", amount: -300 },
      { transactionId: "txn_3", amount: 800 },
    ]);
    expect(r.covered).toBe(true);
    expect(r.settledThrough).toBe("txn_2");
  });

  it("takes every open debit, a dispute after the credit it splits too, so the report shows it", () => {
    // A capture of 9,750, then a dispute of 3,500 (amount and fee): 6,250 available, paid out whole.
    const r = assignToPayout(m([9_750, -3_500]), 6_250);
    expect(r.items).toEqual([
      { transactionId: "txn_0", amount: 9_750 },
      { transactionId: "txn_1", amount: -3_500 },
    ]);
    expect(r).toMatchObject({ covered: true, settledThrough: "txn_1" });
  });

  it("says when the open movements cannot cover the amount", () => {
    expect(assignToPayout(m([100, 200]), 1_000)).toMatchObject({ covered: false, settledThrough: "txn_1" });
  });

  it("sums exactly to the payout, never takes more than a movement's rest (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -50_000, max: 100_000 }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 500_000 }),
        (rs, amount) => {
          const open = m(rs);
          const total = rs.reduce((t, r) => t + r, 0);
          const r = assignToPayout(open, amount);
          const sum = r.items.reduce((t, x) => t + x.amount, 0);
          // Whatever leads the list above the amount covers it: the payout is never short or long.
          if (r.covered) expect(sum).toBe(amount);
          else expect(sum).toBeLessThan(amount);
          // Any amount up to what the open movements add up to is covered.
          expect(r.covered).toBe(total >= amount);
          for (const it of r.items) {
            const rest = open.find((o) => o.transactionId === it.transactionId)?.remaining as number;
            expect(it.amount).not.toBe(0);
            if (rest < 0) expect(it.amount).toBe(rest);
            else expect(it.amount).toBeLessThanOrEqual(rest);
          }
          // Every open debit is in the payout, whole: its report explains every debit.
          for (const o of open)
            if (o.remaining < 0) expect(r.items).toContainEqual({ transactionId: o.transactionId, amount: o.remaining });
          // In order, and at most one credit split.
          const ids = r.items.map((x) => Number(x.transactionId.slice(4)));
          expect([...ids].sort((a, b) => a - b)).toEqual(ids);
          expect(r.items.filter((x) => x.amount !== open[Number(x.transactionId.slice(4))]?.remaining).length).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 3_000 },
    );
  });
});

describe("payouts on the ledger", () => {
  it("payouts and returns are zero-sum and never take available below zero (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 9, maxLength: 9 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 300_000 }), fc.boolean()), { maxLength: 20 }),
        (opening, asks) => {
          const shards = availableAccounts("mer_1", false, "KGS");
          let accounts = new Map<string, LedgerAccount>();
          for (const [i, a] of shards.entries())
            accounts.set(a.id, { id: a.id, currency: "KGS", allowNegative: true, balance: opening[i] as number });
          const start = opening.reduce((t, x) => t + x, 0);
          let paidOut = 0;
          asks.forEach(([amount, fails], n) => {
            const locked = shards.map((account) => ({ account, balance: accounts.get(account.id)?.balance ?? 0 }));
            const available = locked.reduce((t, s) => t + s.balance, 0);
            // The API's refusal: never more than available.
            if (amount > available) return;
            const po = { payoutId: `po_${n}`, merchantId: "mer_1", livemode: false, currency: "KGS", amount };
            const entries = [payoutCreated(po, locked), ...(fails ? [payoutReturned(po)] : [])];
            for (const e of entries)
              for (const q of e.postings)
                if (!accounts.has(q.account.id))
                  accounts.set(q.account.id, { id: q.account.id, currency: "KGS", allowNegative: q.account.allowNegative, balance: 0 });
            const out = applyBatch(accounts, entries.map(entryDraft));
            expect(out.results.every((r) => r.ok)).toBe(true);
            accounts = out.accounts;
            if (!fails) paidOut += amount;
            for (const a of accounts.values()) {
              if (a.id.includes(":available:")) expect(a.balance).toBeGreaterThanOrEqual(0);
            }
            expect([...accounts.values()].reduce((t, a) => t + a.balance, 0)).toBe(start);
          });
          const left = shards.reduce((t, a) => t + (accounts.get(a.id)?.balance ?? 0), 0);
          expect(left).toBe(start - paidOut);
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
