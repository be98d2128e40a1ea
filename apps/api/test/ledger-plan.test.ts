import {
  availableAccounts,
  newPayment,
  type PaymentAction,
  type PaymentEffect,
  type PaymentRef,
  paymentPostings,
  paymentRefunded,
  shardSuffix,
  transitionPayment,
} from "@softrack/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../src/context.js";
import { ledgerEntries, type PaymentRow, paymentEntries, refundEntry } from "../src/services/payments.js";
import { FeeVolumes } from "../src/store/fee-volumes.js";

/**
 * The API's ledger code path for payments (ledgerEntries → paymentEntries, refundEntry) writes
 * exactly what the core's posting plan returns, so the core's property tests
 * (packages/core/test/postings.test.ts) cover the postings production writes. No database:
 * the plan is pure, and only a capture's fee lookup needs one.
 */

/** The columns of a payment row the posting plan reads; the rest is never looked at. */
function row(f: {
  id: string;
  merchantId: string;
  livemode: boolean;
  currency: string;
  method: PaymentRow["method"];
  walletCustomer: string;
  topUpCustomer: string | null;
  orderId: string | null;
}): PaymentRow {
  return {
    id: f.id,
    merchantId: f.merchantId,
    livemode: f.livemode,
    currency: f.currency,
    method: f.method,
    paymentMethodDetails: f.method === "wallet" ? { type: "wallet", wallet: { customer: f.walletCustomer } } : null,
    purpose: f.topUpCustomer ? { type: "wallet_topup", customer: f.topUpCustomer } : null,
    orderId: f.orderId,
  } as PaymentRow;
}

const fields = fc.record({
  id: fc.stringMatching(/^pay_[A-Za-z0-9]{1,20}$/),
  merchantId: fc.stringMatching(/^mer_[A-Za-z0-9]{1,20}$/),
  livemode: fc.boolean(),
  currency: fc.constantFrom("KGS", "KZT", "RUB", "USD", "UZS"),
  method: fc.constantFrom("card", "sms", "qr", "wallet", null),
  walletCustomer: fc.stringMatching(/^cus_[A-Za-z0-9]{1,20}$/),
  topUpCustomer: fc.option(fc.stringMatching(/^cus_[A-Za-z0-9]{1,20}$/), { nil: null }),
  orderId: fc.option(fc.stringMatching(/^ord_[A-Za-z0-9]{1,20}$/), { nil: null }),
});

/** The same payment as the core takes it, written out here rather than by the API's own mapping. */
const refOf = (f: Parameters<typeof row>[0]): PaymentRef => ({
  id: f.id,
  merchantId: f.merchantId,
  livemode: f.livemode,
  currency: f.currency,
  method: f.method,
  walletCustomer: f.method === "wallet" ? f.walletCustomer : null,
  topUpCustomer: f.topUpCustomer,
  orderId: f.orderId,
});

/** The effects of a confirmation and one more action, as the payment machine gives them. */
const transitions = fc
  .record({
    amount: fc.integer({ min: 1, max: 1_000_000 }),
    manual: fc.boolean(),
    next: fc.constantFrom<PaymentAction["type"]>("capture", "cancel"),
    part: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ amount, manual, next, part }) => {
    const confirmed = transitionPayment(newPayment(amount, manual ? "manual" : "automatic"), { type: "confirm", outcome: "authorized" });
    if (!confirmed.ok) throw new Error(confirmed.message);
    const out: PaymentEffect[][] = [confirmed.effects];
    if (manual) {
      const then = transitionPayment(
        confirmed.state,
        next === "capture" ? { type: "capture", amount: Math.max(1, Math.floor(amount * part)) } : { type: "cancel" },
      );
      if (then.ok) out.push(then.effects);
    }
    return out;
  });

const base = {
  id: "pay_01",
  merchantId: "mer_01",
  livemode: false,
  currency: "KGS",
  method: "card" as PaymentRow["method"],
  walletCustomer: "",
  topUpCustomer: null,
  orderId: null,
};

describe("the API's ledger code is the core's posting plan", () => {
  it("payment transitions: paymentEntries returns what paymentPostings returns", () => {
    fc.assert(
      fc.property(
        fields,
        transitions,
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.constantFrom("available", "pending", undefined),
        (f, steps, fee, bucket) => {
          for (const effects of steps) {
            const capture = effects.find((e) => e.type === "capture_hold");
            const quoted = Math.min(fee, capture?.amount ?? 0);
            expect(paymentEntries(row(f), effects, quoted, bucket)).toEqual(paymentPostings(refOf(f), effects, { fee: quoted, bucket }));
          }
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it("refunds: refundEntry returns what paymentRefunded returns", () => {
    fc.assert(
      fc.property(
        fields,
        fc.stringMatching(/^re_[A-Za-z0-9]{1,20}$/),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.constantFrom("available" as const, "pending" as const),
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { maxLength: 9 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (f, refundId, amount, bucket, balances, pending) => {
          // From available, both take the merchant's locked shards (what they cannot cover is debt);
          // from pending, what the order has there and the rest from those shards.
          const available = availableAccounts(f.merchantId, f.livemode, f.currency).map((account, i) => ({
            account,
            balance: balances[i] ?? 0,
          }));
          expect(refundEntry(row(f), amount, refundId, bucket, available, pending)).toEqual(
            paymentRefunded(refOf(f), { refundId, amount, bucket, available, pending }),
          );
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it("ledgerEntries, which every payment write calls, gives the same entries where no fee is priced", async () => {
    // Holds, voids and top-ups price no fee: nothing is read, so no database stands behind `v`.
    const v = {} as AppEnv["Variables"];
    const volumes = new FeeVolumes(() => {
      throw new Error("no fee priced: no volume read");
    });
    const wallet = { ...base, method: "wallet" as const, walletCustomer: "cus_payer" };
    const hold = [{ type: "open_hold", amount: 900 }] as PaymentEffect[];
    const release = [{ type: "void_hold", amount: 900 }] as PaymentEffect[];
    expect(await ledgerEntries(v, row(wallet), hold, volumes)).toEqual({ entries: paymentPostings(refOf(wallet), hold, { fee: 0 }) });
    expect(await ledgerEntries(v, row(wallet), release, volumes)).toEqual({ entries: paymentPostings(refOf(wallet), release, { fee: 0 }) });
    const topUp = { ...base, topUpCustomer: "cus_rider" };
    const captured = [
      { type: "open_hold", amount: 500 },
      { type: "capture_hold", amount: 500, release: 0 },
    ] as PaymentEffect[];
    expect(await ledgerEntries(v, row(topUp), captured, volumes)).toEqual({
      entries: paymentPostings(refOf(topUp), captured, { fee: 0 }),
      fee: { fee: 0, tariff: { code: "wallet_topup", version: 1 } },
    });
  });
});

/**
 * The rows the ledger held before the plan moved into the core, written out by hand: the
 * same account ids, amounts, types and descriptions, line by line.
 */
describe("the ledger rows are today's", () => {
  const s = shardSuffix("pay_01");
  const lines = (e: { postings: { account: { id: string }; amount: number }[] } | undefined) =>
    e?.postings.map((p) => `${p.account.id} ${p.amount}`);

  it("a manual card payment: hold, then a partial capture with a fee", () => {
    const [hold] = paymentEntries(row(base), [{ type: "open_hold", amount: 1_000 }], 0);
    expect(hold).toMatchObject({ type: "payment.authorize", description: "Hold for pay_01", sourceId: "pay_01", merchantId: "mer_01" });
    expect(lines(hold)).toEqual([`platform:test:clearing_card:KGS${s} -1000`, `merchant:mer_01:test:held:KGS${s} 1000`]);
    const [capture] = paymentEntries(row(base), [{ type: "capture_hold", amount: 700, release: 300 }], 21);
    expect(capture).toMatchObject({ type: "payment.capture", description: "Capture of pay_01" });
    expect(lines(capture)).toEqual([
      `merchant:mer_01:test:held:KGS${s} -1000`,
      `merchant:mer_01:test:available:KGS${s} 679`,
      `platform:test:revenue:KGS${s} 21`,
      `platform:test:clearing_card:KGS${s} 300`,
    ]);
  });

  it("a live wallet payment captured at once, for an order (pending), and its refund", () => {
    const p = { ...base, livemode: true, method: "wallet" as const, walletCustomer: "cus_01", orderId: "ord_01" };
    const entries = paymentEntries(
      row(p),
      [
        { type: "open_hold", amount: 400 },
        { type: "capture_hold", amount: 400, release: 0 },
      ],
      8,
    );
    expect(entries.map(lines)).toEqual([
      ["customer:cus_01:wallet:KGS -400", `merchant:mer_01:live:pending:KGS${s} 392`, `platform:live:revenue:KGS${s} 8`],
    ]);
    const refund = refundEntry(row(p), 150, "re_01", "pending", undefined, 392);
    expect(refund).toMatchObject({ type: "refund", sourceId: "re_01", description: "Refund re_01 of pay_01" });
    expect(lines(refund)).toEqual([`merchant:mer_01:live:pending:KGS${s} -150`, "customer:cus_01:wallet:KGS 150"]);
  });

  it("a top-up by SMS fills the wallet in full; its void releases the hold", () => {
    const p = { ...base, method: "sms" as const, topUpCustomer: "cus_02" };
    const [capture] = paymentEntries(row(p), [{ type: "capture_hold", amount: 250, release: 50 }], 0);
    expect(lines(capture)).toEqual([
      `merchant:mer_01:test:held:KGS${s} -300`,
      "customer:cus_02:wallet:KGS 250",
      `platform:test:clearing_sms:KGS${s} 50`,
    ]);
    const [release] = paymentEntries(row(p), [{ type: "void_hold", amount: 300 }], 0);
    expect(release).toMatchObject({ type: "payment.void", description: "Release of pay_01" });
    expect(lines(release)).toEqual([`merchant:mer_01:test:held:KGS${s} -300`, `platform:test:clearing_sms:KGS${s} 300`]);
  });
});
