import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AccountSpec,
  applyBatch,
  applyEntries,
  availableAccounts,
  checkTransactionShape,
  disputeFromWallet,
  disputeLost,
  disputeOpened,
  disputeWon,
  entryDraft,
  holdVoided,
  type LedgerAccount,
  type LedgerEntry,
  MAX_AMOUNT,
  merchantAccount,
  merchantDebtAccount,
  newPayment,
  orderPendingShare,
  orderSettled,
  type PaymentAction,
  type PaymentRef,
  type PaymentState,
  PostingError,
  paymentAuthorized,
  paymentCaptured,
  paymentPostings,
  paymentRefunded,
  payoutCreated,
  payoutReturned,
  repaidDebtAccount,
  repayDebtFirst,
  SHARDS,
  shardSuffix,
  shareBucket,
  takeFromAvailable,
  tapCharged,
  transitionPayment,
  walletAccount,
  walletToppedUp,
} from "../src/index.js";

/** An entry as `[account id, amount]` pairs: what LedgerStore writes, line by line. */
const lines = (e: LedgerEntry | null) => e?.postings.map((p) => [p.account.id, p.amount]);
const s = (key: string) => shardSuffix(key);

const card: PaymentRef = { id: "pay_1", merchantId: "mer_1", livemode: false, currency: "KGS", method: "card" };
const wallet: PaymentRef = { ...card, id: "pay_2", method: "wallet", walletCustomer: "cus_payer" };
const topUp: PaymentRef = { ...card, id: "pay_3", topUpCustomer: "cus_rider" };
const order: PaymentRef = { ...card, id: "pay_4", orderId: "ord_1" };

describe("account names", () => {
  it("spell the ids the ledger has always stored", () => {
    expect(merchantAccount("mer_1", true, "available", "KGS").id).toBe("merchant:mer_1:live:available:KGS");
    expect(merchantAccount("mer_1", false, "held", "KGS", "pay_1")).toMatchObject({
      id: `merchant:mer_1:test:held:KGS${s("pay_1")}`,
      kind: "merchant_held",
      allowNegative: false,
    });
    expect(walletAccount("mer_1", "cus_1", true, "USD")).toMatchObject({ id: "customer:cus_1:wallet:USD", allowNegative: false });
    expect(shardSuffix("")).toBe("");
    expect(shardSuffix("pay_1")).toMatch(new RegExp(`^:s[0-${SHARDS - 1}]$`));
  });

  it("keep a dispute's reserve and the available balance from going below zero, like escrow", () => {
    expect(merchantAccount("mer_1", false, "disputed", "KGS")).toMatchObject({ kind: "merchant_disputed", allowNegative: false });
    expect(merchantAccount("mer_1", false, "available", "KGS", "pay_1")).toMatchObject({
      kind: "merchant_available",
      allowNegative: false,
    });
    for (const a of availableAccounts("mer_1", false, "KGS")) expect(a.allowNegative).toBe(false);
    // Pending alone may dip below zero: a returned order's fee, until the order settles.
    expect(merchantAccount("mer_1", false, "pending", "KGS").allowNegative).toBe(true);
  });
});

describe("payment movements", () => {
  const held = `merchant:mer_1:test:held:KGS${s("pay_1")}`;
  const clearing = `platform:test:clearing_card:KGS${s("pay_1")}`;

  it("authorised: payer to escrow", () => {
    const e = paymentAuthorized(card, 1_000);
    expect(e).toMatchObject({ type: "payment.authorize", description: "Hold for pay_1", sourceId: "pay_1", merchantId: "mer_1" });
    expect(lines(e)).toEqual([
      [clearing, -1_000],
      [held, 1_000],
    ]);
  });

  it("captured in part: merchant share and fee out of escrow, the rest back to the payer", () => {
    const e = paymentCaptured(card, { amount: 600, release: 400, fromHold: true, fee: 20, bucket: "available" });
    expect(e.type).toBe("payment.capture");
    expect(lines(e)).toEqual([
      [held, -1_000],
      [`merchant:mer_1:test:available:KGS${s("pay_1")}`, 580],
      [`platform:test:revenue:KGS${s("pay_1")}`, 20],
      [clearing, 400],
    ]);
  });

  it("captured at once (automatic): one transfer from the payer, no escrow row", () => {
    const t = transitionPayment(newPayment(500, "automatic"), { type: "confirm", outcome: "authorized" });
    if (!t.ok) throw new Error(t.message);
    const entries = paymentPostings(wallet, t.effects, { fee: 10 });
    expect(entries.map((e) => e.type)).toEqual(["payment.capture"]);
    expect(lines(entries[0] as LedgerEntry)).toEqual([
      ["customer:cus_payer:wallet:KGS", -500],
      [`merchant:mer_1:test:available:KGS${s("pay_2")}`, 490],
      [`platform:test:revenue:KGS${s("pay_2")}`, 10],
    ]);
  });

  it("a fee of the whole amount leaves no zero posting; no fee, no revenue posting", () => {
    expect(lines(paymentCaptured(card, { amount: 50, release: 0, fromHold: false, fee: 50, bucket: "available" }))).toEqual([
      [clearing, -50],
      [`platform:test:revenue:KGS${s("pay_1")}`, 50],
    ]);
    expect(lines(paymentCaptured(card, { amount: 50, release: 0, fromHold: false, fee: 0, bucket: "available" }))).toEqual([
      [clearing, -50],
      [`merchant:mer_1:test:available:KGS${s("pay_1")}`, 50],
    ]);
  });

  it("voided: escrow back to the payer", () => {
    const e = holdVoided(wallet, 300);
    expect(e).toMatchObject({ type: "payment.void", description: "Release of pay_2" });
    expect(lines(e)).toEqual([
      [`merchant:mer_1:test:held:KGS${s("pay_2")}`, -300],
      ["customer:cus_payer:wallet:KGS", 300],
    ]);
  });

  it("refunded: in full from the merchant's bucket, back the way it came", () => {
    const shards = availableAccounts("mer_1", false, "KGS").map((account, i) => ({ account, balance: i === 3 ? 500 : 0 }));
    const e = paymentRefunded(card, { refundId: "re_1", amount: 200, bucket: "available", available: shards });
    expect(e).toMatchObject({ type: "refund", sourceId: "re_1", description: "Refund re_1 of pay_1" });
    expect(lines(e)).toEqual([
      ["merchant:mer_1:test:available:KGS:s2", -200],
      [clearing, 200],
    ]);
    // What available cannot cover becomes the merchant's debt.
    expect(lines(paymentRefunded(card, { refundId: "re_1", amount: 700, bucket: "available", available: shards }))).toEqual([
      ["merchant:mer_1:test:available:KGS:s2", -500],
      ["merchant:mer_1:test:debt:KGS", -200],
      [clearing, 700],
    ]);
    expect(() => paymentRefunded(card, { refundId: "re_1", amount: 200, bucket: "available" })).toThrow(/locked available/);
  });

  it("top-up: the whole amount fills the wallet (no fee), and its refund empties it", () => {
    const c = walletToppedUp(topUp, { amount: 700, release: 0, fromHold: false });
    expect(lines(c)).toEqual([
      [`platform:test:clearing_card:KGS${s("pay_3")}`, -700],
      ["customer:cus_rider:wallet:KGS", 700],
    ]);
    const t = transitionPayment(newPayment(700, "automatic"), { type: "confirm", outcome: "authorized" });
    if (!t.ok) throw new Error(t.message);
    expect(paymentPostings(topUp, t.effects, { fee: 0 })).toEqual([c]);
    expect(lines(paymentRefunded(topUp, { refundId: "re_2", amount: 100, bucket: "available" }))).toEqual([
      ["customer:cus_rider:wallet:KGS", -100],
      [`platform:test:clearing_card:KGS${s("pay_3")}`, 100],
    ]);
  });

  it("refuses what no movement can be", () => {
    expect(() => paymentAuthorized(card, 0)).toThrow(PostingError);
    expect(() => paymentAuthorized(card, 1.5)).toThrow(PostingError);
    expect(() => paymentCaptured(card, { amount: 10, release: 0, fromHold: true, fee: 11, bucket: "available" })).toThrow(/exceeds/);
    expect(() => paymentCaptured(card, { amount: 10, release: 5, fromHold: false, fee: 0, bucket: "available" })).toThrow(PostingError);
    expect(() => paymentCaptured(card, { amount: 10, release: -1, fromHold: true, fee: 0, bucket: "available" })).toThrow(PostingError);
    expect(() => walletToppedUp(card, { amount: 10, release: 0, fromHold: false })).toThrow(/not a wallet top-up/);
    expect(() => paymentAuthorized({ ...wallet, walletCustomer: null }, 10)).toThrow(/names no paying customer/);
    expect(() => paymentRefunded(card, { refundId: "re_1", amount: -5, bucket: "available", available: [] })).toThrow(PostingError);
  });
});

describe("order movements (through the order's payment)", () => {
  const held = `merchant:mer_1:test:held:KGS${s("pay_4")}`;
  const clearing = `platform:test:clearing_card:KGS${s("pay_4")}`;
  const pending = `merchant:mer_1:test:pending:KGS${s("pay_4")}`;
  const available = `merchant:mer_1:test:available:KGS${s("pay_4")}`;
  const run = (state: PaymentState, action: PaymentAction, fee = 0, bucket?: "available" | "pending") => {
    const t = transitionPayment(state, action);
    if (!t.ok) throw new Error(t.message);
    return { state: t.state, entries: paymentPostings(order, t.effects, { fee, bucket }).map(lines) };
  };
  const heldOrder = run(newPayment(1_000, "manual"), { type: "confirm", outcome: "authorized" });

  it("held: the buyer's money into escrow", () => {
    expect(heldOrder.entries).toEqual([
      [
        [clearing, -1_000],
        [held, 1_000],
      ],
    ]);
  });

  it("handed over: the kept items' share pending until the return window closes", () => {
    expect(shareBucket(order)).toBe("pending");
    expect(run(heldOrder.state, { type: "capture", amount: 800 }, 16).entries).toEqual([
      [
        [held, -1_000],
        [pending, 784],
        [`platform:test:revenue:KGS${s("pay_4")}`, 16],
        [clearing, 200],
      ],
    ]);
  });

  it("returned: from pending while the window is open, from available once settled", () => {
    expect(shareBucket(order, false)).toBe("pending");
    expect(shareBucket(order, true)).toBe("available");
    expect(shareBucket(card)).toBe("available");
    expect(
      lines(paymentRefunded(order, { refundId: "re_9", amount: 300, bucket: shareBucket(order, false), pending: 1_000 }))?.[0],
    ).toEqual([pending, -300]);
  });

  it("expired: the no-show fee is the merchant's at once, the rest goes back", () => {
    expect(run(heldOrder.state, { type: "capture", amount: 100 }, 2, "available").entries).toEqual([
      [
        [held, -1_000],
        [available, 98],
        [`platform:test:revenue:KGS${s("pay_4")}`, 2],
        [clearing, 900],
      ],
    ]);
  });

  it("failed, or expired without a fee: the hold is released in full", () => {
    expect(run(heldOrder.state, { type: "cancel" }).entries).toEqual([
      [
        [held, -1_000],
        [clearing, 1_000],
      ],
    ]);
  });

  it("window closed: what the order holds in pending becomes available; returned in full, nothing is left", () => {
    const o = { orderId: "ord_1", paymentId: "pay_4", merchantId: "mer_1", livemode: false, currency: "KGS" };
    expect(orderPendingShare({ captured: 800, fee: 16, refunded: 300 })).toBe(484);
    expect(orderPendingShare({ captured: 800, fee: 16, refunded: 800 })).toBe(0);
    const e = orderSettled(o, orderPendingShare({ captured: 800, fee: 16, refunded: 300 }));
    expect(e).toMatchObject({ type: "order.settle", sourceId: "ord_1", description: "Return window of ord_1 closed" });
    expect(lines(e)).toEqual([
      [pending, -484],
      [available, 484],
    ]);
    // Everything returned: the refund took the kept fee from available, so pending holds nothing.
    expect(orderSettled(o, orderPendingShare({ captured: 800, fee: 16, refunded: 800 }))).toBeNull();
    // An order returned before that held the fee below zero in pending: squared from available, the rest as debt.
    expect(() => orderSettled(o, -16)).toThrow(/locked available/);
    const shards = availableAccounts("mer_1", false, "KGS").map((account, i) => ({ account, balance: i === 0 ? 10 : 0 }));
    expect(lines(orderSettled(o, -16, shards))).toEqual([
      [pending, 16],
      ["merchant:mer_1:test:available:KGS", -10],
      ["merchant:mer_1:test:debt:KGS", -6],
    ]);
  });

  it("a return beyond the order's pending share takes the rest from available, then as debt: pending never below zero", () => {
    const p: PaymentRef = { ...card, id: "pay_4", orderId: "ord_1" };
    const r = { refundId: "re_9", amount: 800, bucket: "pending" as const };
    expect(() => paymentRefunded(p, r)).toThrow(/what its order has there/);
    expect(() => paymentRefunded(p, { ...r, pending: 784 })).toThrow(/locked available/);
    const shards = availableAccounts("mer_1", false, "KGS").map((account, i) => ({ account, balance: i === 0 ? 10 : 0 }));
    expect(lines(paymentRefunded(p, { ...r, pending: 784, available: shards }))).toEqual([
      [pending, -784],
      ["merchant:mer_1:test:available:KGS", -10],
      ["merchant:mer_1:test:debt:KGS", -6],
      [`platform:test:clearing_card:KGS${s("pay_4")}`, 800],
    ]);
    // Within the share, pending alone.
    expect(lines(paymentRefunded(p, { ...r, amount: 300, pending: 784 }))).toEqual([
      [pending, -300],
      [`platform:test:clearing_card:KGS${s("pay_4")}`, 300],
    ]);
  });
});

describe("transit, payouts, disputes", () => {
  it("tap charged: the fare from the rider's wallet to the operator's shard", () => {
    const e = tapCharged({
      tapId: "tap_1",
      merchantId: "mer_1",
      livemode: true,
      customerId: "cus_1",
      currency: "KGS",
      route: "12",
      fare: 25,
      shardKey: "batch",
    });
    expect(e).toMatchObject({ type: "transit_fare", sourceId: "tap_1", description: "Fare, route 12", livemode: true });
    expect(lines(e)).toEqual([
      ["customer:cus_1:wallet:KGS", -25],
      [`merchant:mer_1:live:available:KGS${s("batch")}`, 25],
    ]);
    expect(() =>
      tapCharged({ ...{ tapId: "t", merchantId: "m", livemode: false, customerId: "c", currency: "KGS", route: "1" }, fare: 0 }),
    ).toThrow(PostingError);
  });

  it("payout: available to the payout clearing, and back if it fails or is canceled", () => {
    const po = { payoutId: "po_1", merchantId: "mer_1", livemode: false, currency: "KGS", amount: 5_000 };
    const out = [`merchant:mer_1:test:available:KGS${s("po_1")}`, `platform:test:clearing_payout:KGS${s("po_1")}`];
    // Taken from the shards that hold it (largest first), returned to one shard.
    const shards = availableAccounts("mer_1", false, "KGS").map((account, i) => ({ account, balance: [3_000, 0, 4_000][i] ?? 0 }));
    expect(lines(payoutCreated(po, shards))).toEqual([
      ["merchant:mer_1:test:available:KGS:s1", -4_000],
      ["merchant:mer_1:test:available:KGS", -1_000],
      [out[1], 5_000],
    ]);
    expect(lines(payoutReturned(po))).toEqual([
      [out[1], -5_000],
      [out[0], 5_000],
    ]);
    expect(() => payoutCreated({ ...po, amount: 0 }, shards)).toThrow(PostingError);
    // More than the shards hold is the caller's to refuse first: here it is a bug.
    expect(() => payoutCreated({ ...po, amount: 7_001 }, shards)).toThrow(PostingError);
  });

  it("dispute: amount and fee leave available; won returns the amount, lost sends it to the payer", () => {
    const d = { disputeId: "dp_1", amount: 400, fee: 150 };
    const available = `merchant:mer_1:test:available:KGS${s("pay_1")}`;
    const reserve = "merchant:mer_1:test:disputed:KGS";
    const shards = availableAccounts("mer_1", false, "KGS").map((account) => ({ account, balance: account.id === available ? 300 : 100 }));
    expect(lines(disputeOpened(card, d, shards))).toEqual([
      [available, -300],
      ["merchant:mer_1:test:available:KGS", -100],
      ["merchant:mer_1:test:available:KGS:s0", -100],
      ["merchant:mer_1:test:available:KGS:s1", -50],
      [reserve, 400],
      [`platform:test:revenue:KGS${s("pay_1")}`, 150],
    ]);
    // Nothing available: amount and fee are the merchant's debt.
    expect(lines(disputeOpened(card, d, []))).toEqual([
      ["merchant:mer_1:test:debt:KGS", -550],
      [reserve, 400],
      [`platform:test:revenue:KGS${s("pay_1")}`, 150],
    ]);
    // Another merchant's shards are no one's to take.
    expect(() =>
      disputeOpened(
        card,
        d,
        availableAccounts("mer_2", false, "KGS").map((account) => ({ account, balance: 1 })),
      ),
    ).toThrow(PostingError);
    expect(lines(disputeWon(card, d))).toEqual([
      [reserve, -400],
      [available, 400],
    ]);
    expect(lines(disputeLost(card, d))).toEqual([
      [reserve, -400],
      [`platform:test:clearing_card:KGS${s("pay_1")}`, 400],
    ]);
    expect(() => disputeOpened(card, { ...d, fee: -1 }, shards)).toThrow(PostingError);
  });

  it("dispute of a wallet top-up: the wallet's part back from the wallet, the rest and the fee from available", () => {
    const topup: PaymentRef = { ...card, topUpCustomer: "cus_1" };
    const wallet = walletAccount("mer_1", "cus_1", false, "KGS").id;
    const reserve = "merchant:mer_1:test:disputed:KGS";
    expect(disputeFromWallet(topup, 400, 250)).toBe(250);
    expect(disputeFromWallet(topup, 400, 900)).toBe(400);
    expect(disputeFromWallet(card, 400, 900)).toBe(0);
    const opened = disputeOpened(topup, { disputeId: "dp_3", amount: 400, fee: 150, fromWallet: 250 }, []);
    expectWellFormed(opened, "KGS");
    expect(lines(opened)).toEqual([
      [wallet, -250],
      ["merchant:mer_1:test:debt:KGS", -300],
      [reserve, 400],
      [`platform:test:revenue:KGS${s("pay_1")}`, 150],
    ]);
    expect(lines(disputeWon(topup, { disputeId: "dp_3", amount: 400, fromWallet: 250 }))).toEqual([
      [reserve, -400],
      [wallet, 250],
      [`merchant:mer_1:test:available:KGS${s("pay_1")}`, 150],
    ]);
    expect(() => disputeOpened(topup, { disputeId: "dp_3", amount: 400, fee: 0, fromWallet: 401 }, [])).toThrow(PostingError);
    expect(() => disputeOpened(card, { disputeId: "dp_3", amount: 400, fee: 0, fromWallet: 1 }, [])).toThrow(PostingError);
  });

  it("dispute of the largest payment with its fee: every posting within MAX_AMOUNT, the debt whole", () => {
    const d = { disputeId: "dp_2", amount: MAX_AMOUNT, fee: 1_500 };
    const big = availableAccounts("mer_1", false, "KGS").map((account, i) => ({ account, balance: i === 0 ? 3 * MAX_AMOUNT : 0 }));
    for (const shards of [[], big]) {
      const e = disputeOpened(card, d, shards);
      expectWellFormed(e, "KGS");
      expect(e.postings.every((p) => Math.abs(p.amount) <= MAX_AMOUNT)).toBe(true);
      const taken = e.postings.filter((p) => p.amount < 0).reduce((t, p) => t + p.amount, 0);
      expect(taken).toBe(-(MAX_AMOUNT + 1_500));
    }
    const debt = disputeOpened(card, d, []).postings.filter((p) => p.account.id === "merchant:mer_1:test:debt:KGS");
    expect(debt.map((p) => p.amount)).toEqual([-MAX_AMOUNT, -1_500]);
  });
});

/** A ledger in memory that creates accounts as postings first touch them, like LedgerStore. */
function memoryLedger(opening: Record<string, { balance: number; spec: AccountSpec }> = {}) {
  let accounts = new Map<string, LedgerAccount>();
  const specs = new Map<string, AccountSpec>();
  for (const [id, o] of Object.entries(opening)) {
    accounts.set(id, { id, currency: o.spec.currency, allowNegative: o.spec.allowNegative, balance: o.balance });
    specs.set(id, o.spec);
  }
  return {
    /** One request's entries: all or nothing. */
    commit(entries: readonly LedgerEntry[]): boolean {
      for (const e of entries)
        for (const p of e.postings) {
          specs.set(p.account.id, p.account);
          if (!accounts.has(p.account.id))
            accounts.set(p.account.id, {
              id: p.account.id,
              currency: p.account.currency,
              allowNegative: p.account.allowNegative,
              balance: 0,
            });
        }
      const { results, accounts: next } = applyBatch(accounts, entries.map(entryDraft));
      if (!results.every((r) => r.ok)) return false;
      accounts = next;
      return true;
    },
    /** As the API's LedgerStore writes: each entry repays its merchant's debt first (applyEntries). Returns what was written. */
    commitRepaying(entries: readonly LedgerEntry[]): LedgerEntry[] | null {
      for (const e of entries)
        for (const p of e.postings) {
          specs.set(p.account.id, p.account);
          if (!accounts.has(p.account.id))
            accounts.set(p.account.id, {
              id: p.account.id,
              currency: p.account.currency,
              allowNegative: p.account.allowNegative,
              balance: 0,
            });
        }
      const r = applyEntries(accounts, entries);
      if (!r.results.every((x) => x.ok)) return null;
      for (const e of r.entries) for (const p of e.postings) specs.set(p.account.id, p.account);
      accounts = r.accounts;
      return r.entries;
    },
    /** Sum of the balances of the accounts whose spec matches (all shards of an account). */
    sum(match: (a: AccountSpec) => boolean): number {
      let total = 0;
      for (const a of accounts.values()) if (match(specs.get(a.id) as AccountSpec)) total += a.balance;
      return total;
    },
    accounts: () => [...accounts.values()],
    /** A merchant's available shards as the writer would lock them. */
    available: (o: { merchantId: string; livemode: boolean; currency: string }) =>
      availableAccounts(o.merchantId, o.livemode, o.currency).map((account) => ({
        account,
        balance: accounts.get(account.id)?.balance ?? 0,
      })),
  };
}

/** Every entry is a valid transaction: balanced per currency, non-zero integer amounts, in the entry's one currency. */
function expectWellFormed(e: LedgerEntry, currency: string) {
  expect(checkTransactionShape(entryDraft(e))).toBeNull();
  for (const p of e.postings) {
    expect(p.account.currency).toBe(currency);
    expect(Number.isSafeInteger(p.amount) && p.amount !== 0).toBe(true);
    // Revenue is only ever credited.
    if (p.account.creditOnly) expect(p.amount).toBeGreaterThan(0);
  }
}

describe("payment postings (property)", () => {
  const ref = fc
    .record({
      method: fc.constantFrom("wallet", "card", "sms", "qr"),
      topUp: fc.boolean(),
      order: fc.boolean(),
      livemode: fc.boolean(),
      currency: fc.constantFrom("KGS", "USD", "UZS"),
    })
    .map(
      (r): PaymentRef => ({
        id: "pay_prop",
        merchantId: "mer_prop",
        livemode: r.livemode,
        currency: r.currency,
        method: r.method,
        walletCustomer: r.method === "wallet" ? "cus_payer" : null,
        // A wallet cannot top itself up, and an order's payment is no top-up.
        topUpCustomer: r.topUp && r.method !== "wallet" && !r.order ? "cus_topup" : null,
        orderId: r.order ? "ord_prop" : null,
      }),
    );
  const action = fc.oneof(
    fc.record({ type: fc.constant("capture" as const), amount: fc.option(fc.integer({ min: -5, max: 2_500 }), { nil: undefined }) }),
    fc.record({ type: fc.constant("cancel" as const) }),
    fc.record({ type: fc.constant("refund" as const), amount: fc.integer({ min: -5, max: 2_500 }), settled: fc.boolean() }),
  );

  it("hold, capture, void and refund conserve money, never capture more than held nor refund more than captured", () => {
    fc.assert(
      fc.property(
        ref,
        fc.integer({ min: 1, max: 2_000 }),
        fc.constantFrom("automatic" as const, "manual" as const),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(action, { maxLength: 8 }),
        (p, amount, captureMethod, feeRate, actions) => {
          const payer = walletAccount(p.merchantId, "cus_payer", p.livemode, p.currency);
          const world = { ...payer, id: "world", kind: "world", allowNegative: true };
          const ledger = memoryLedger({ [payer.id]: { balance: amount, spec: payer }, world: { balance: -amount, spec: world } });
          const isPayer = (a: AccountSpec) => a.id === payer.id || a.kind === "platform_clearing";
          const isEscrow = (a: AccountSpec) => a.kind === "merchant_held";
          const isMerchantSide = (a: AccountSpec) =>
            a.kind === "merchant_available" ||
            a.kind === "merchant_pending" ||
            a.kind === "merchant_debt" ||
            a.kind === "platform_revenue" ||
            a.kind === "customer_wallet";
          const payerStart = ledger.sum(isPayer);
          let state = newPayment(amount, captureMethod);
          let fee = 0;
          let refundedInLedger = 0;
          const step = (a: PaymentAction, bucket?: "available" | "pending") => {
            const t = transitionPayment(state, a);
            if (!t.ok) return;
            const capture = t.effects.find((e) => e.type === "capture_hold");
            if (capture) fee = p.topUpCustomer ? 0 : Math.floor(capture.amount * feeRate);
            const entries = paymentPostings(p, t.effects, { fee });
            const refund = t.effects.find((e) => e.type === "refund");
            if (refund) {
              entries.push(
                paymentRefunded(p, {
                  refundId: "re_prop",
                  amount: refund.amount,
                  bucket: bucket ?? "available",
                  available: ledger.available(p),
                  pending: Math.max(0, t.state.amount_captured - fee - refundedInLedger),
                }),
              );
              refundedInLedger += refund.amount;
            }
            for (const e of entries) expectWellFormed(e, p.currency);
            // Every transition the machine allows, the ledger accepts: no guarded account (the
            // payer's wallet, escrow, a topped-up wallet) goes below zero.
            expect(ledger.commit(entries)).toBe(true);
            state = t.state;
          };
          step({ type: "confirm", outcome: "authorized" });
          for (const a of actions) {
            if (a.type === "refund") step({ type: "refund", amount: a.amount }, shareBucket(p, a.settled));
            else step(a.type === "capture" ? { type: "capture", ...(a.amount === undefined ? {} : { amount: a.amount }) } : a);
            // Escrow holds exactly what is still capturable: a capture takes the whole hold and
            // returns what it did not capture; a void returns all of it.
            expect(ledger.sum(isEscrow)).toBe(state.amount_capturable);
            expect(state.amount_captured).toBeLessThanOrEqual(amount);
            expect(refundedInLedger).toBe(state.amount_refunded);
            expect(state.amount_refunded).toBeLessThanOrEqual(state.amount_captured);
            // The payer is out what is held or captured and not refunded; the merchant, the
            // platform (and a topped-up wallet) hold exactly that.
            const out = state.amount_capturable + state.amount_captured - state.amount_refunded;
            expect(payerStart - ledger.sum(isPayer)).toBe(out);
            expect(ledger.sum((a) => isMerchantSide(a) && a.id !== payer.id)).toBe(state.amount_captured - state.amount_refunded);
            expect(ledger.sum((a) => a.kind === "platform_revenue")).toBe(state.amount_captured > 0 ? fee : 0);
            expect(ledger.accounts().reduce((t, a) => t + a.balance, 0)).toBe(0);
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

/** A merchant's available shards holding `total` between them (spread over the first three). */
function shardsOf(b: { merchantId: string; livemode: boolean; currency: string }, total: number) {
  return availableAccounts(b.merchantId, b.livemode, b.currency).map((account, i) => ({
    account,
    balance: i < 3 ? Math.floor(total / 3) + (i === 0 ? total % 3 : 0) : 0,
  }));
}

describe("every movement (property)", () => {
  const amount = fc.integer({ min: 1, max: 1_000_000 });
  const base = fc.record({
    merchantId: fc.stringMatching(/^mer_[a-z0-9]{1,8}$/),
    livemode: fc.boolean(),
    currency: fc.constantFrom("KGS", "KZT", "RUB", "USD", "UZS"),
    method: fc.constantFrom("wallet", "card", "sms", "qr"),
    id: fc.stringMatching(/^[a-z0-9_]{1,12}$/),
  });

  it("is a balanced transaction of non-zero integer postings in one currency", () => {
    fc.assert(
      fc.property(base, amount, amount, fc.integer({ min: 0, max: 1_000_000 }), fc.boolean(), (b, x, y, f, flag) => {
        const p: PaymentRef = { ...b, id: `pay_${b.id}`, walletCustomer: "cus_w", topUpCustomer: flag ? "cus_t" : null };
        const fee = Math.min(f, x);
        const po = { payoutId: `po_${b.id}`, merchantId: b.merchantId, livemode: b.livemode, currency: b.currency, amount: x };
        const o = { orderId: `ord_${b.id}`, paymentId: p.id, merchantId: b.merchantId, livemode: b.livemode, currency: b.currency };
        const entries: (LedgerEntry | null)[] = [
          paymentAuthorized(p, x),
          holdVoided(p, x),
          paymentCaptured(p, { amount: x, release: y, fromHold: true, fee, bucket: flag ? "pending" : "available" }),
          paymentCaptured(p, { amount: x, release: 0, fromHold: false, fee, bucket: "available" }),
          flag ? walletToppedUp(p, { amount: x, release: y, fromHold: true }) : null,
          paymentRefunded(p, { refundId: `re_${b.id}`, amount: x, bucket: "available", available: shardsOf(b, y) }),
          orderSettled(o, orderPendingShare({ captured: x, fee, refunded: Math.min(y, x) })),
          paymentRefunded(
            { ...p, orderId: o.orderId },
            { refundId: `re_o${b.id}`, amount: x, bucket: "pending", pending: Math.max(0, x - fee - y), available: shardsOf(b, y) },
          ),
          tapCharged({
            tapId: `tap_${b.id}`,
            merchantId: b.merchantId,
            livemode: b.livemode,
            customerId: "cus_r",
            currency: b.currency,
            route: "1",
            fare: x,
          }),
          payoutCreated(po, [{ account: merchantAccount(b.merchantId, b.livemode, "available", b.currency), balance: x }]),
          payoutReturned(po),
          disputeOpened(p, { disputeId: `dp_${b.id}`, amount: x, fee: f }, shardsOf(b, y)),
          disputeWon(p, { disputeId: `dp_${b.id}`, amount: x }),
          disputeLost(p, { disputeId: `dp_${b.id}`, amount: x }),
        ];
        for (const e of entries) {
          if (!e) continue;
          expectWellFormed(e, b.currency);
          // Mode and owner never cross: every account is the entry's mode and, when a merchant's, its merchant.
          for (const q of e.postings) {
            expect(q.account.livemode).toBe(b.livemode);
            if (q.account.merchantId !== null) expect(q.account.merchantId).toBe(b.merchantId);
          }
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it("a payout and its return, a dispute and its close, leave nothing behind", () => {
    fc.assert(
      fc.property(base, amount, fc.integer({ min: 0, max: 10_000 }), fc.boolean(), (b, x, fee, won) => {
        const p: PaymentRef = { ...b, id: `pay_${b.id}`, walletCustomer: "cus_w" };
        const po = { payoutId: `po_${b.id}`, merchantId: b.merchantId, livemode: b.livemode, currency: b.currency, amount: x };
        // Available never goes below zero: a payout takes what the shards hold, and its return
        // puts exactly that back, to the shard it was taken from here.
        const only = availableAccounts(b.merchantId, b.livemode, b.currency).map((account) => ({ account, balance: 0 }));
        const shard = only.find((s) => s.account.id === merchantAccount(b.merchantId, b.livemode, "available", b.currency, po.payoutId).id);
        if (!shard) throw new Error("no payout shard");
        shard.balance = x;
        const world = { ...shard.account, id: "world", kind: "world", allowNegative: true };
        const funded = memoryLedger({ [shard.account.id]: { balance: x, spec: shard.account }, world: { balance: -x, spec: world } });
        expect(funded.commit([payoutCreated(po, only), payoutReturned(po)])).toBe(true);
        expect(funded.sum((a) => a.id === shard.account.id)).toBe(x);
        const ledger = memoryLedger();
        const d = { disputeId: `dp_${b.id}`, amount: x, fee };
        // Nothing available: the amount and the fee are the merchant's debt.
        expect(ledger.commit([disputeOpened(p, d, [])])).toBe(true);
        expect(ledger.sum((a) => a.kind === "merchant_disputed")).toBe(x);
        expect(ledger.sum((a) => a.kind === "merchant_debt")).toBe(-(x + fee));
        // A dispute cannot be closed twice: the second close would take the reserve below zero.
        expect(ledger.commit([won ? disputeWon(p, d) : disputeLost(p, d)])).toBe(true);
        expect(ledger.commit([disputeWon(p, d)])).toBe(false);
        expect(ledger.sum((a) => a.kind === "merchant_disputed")).toBe(0);
        // Won: the amount is back on available (the writer's applyEntries would repay the debt with it).
        expect(ledger.sum((a) => a.kind === "merchant_available")).toBe(won ? x : 0);
        expect(ledger.sum((a) => a.kind === "platform_revenue")).toBe(fee);
        expect(ledger.accounts().reduce((t, a) => t + a.balance, 0)).toBe(0);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("takeFromAvailable", () => {
  const shards = (balances: number[]) =>
    availableAccounts("mer_1", false, "KGS").map((account, i) => ({ account, balance: balances[i] ?? 0 }));

  it("takes from the largest shards first and leaves none below zero", () => {
    const r = takeFromAvailable(shards([100, 0, 500, 30]), 550);
    expect(r.shortfall).toBe(0);
    expect(r.postings.map((p) => [p.account.id, p.amount])).toEqual([
      ["merchant:mer_1:test:available:KGS:s1", -500],
      ["merchant:mer_1:test:available:KGS", -50],
    ]);
  });

  it("says what the balance cannot cover", () => {
    const r = takeFromAvailable(shards([10, 20]), 100);
    expect(r.shortfall).toBe(70);
    expect(r.postings.reduce((t, p) => t + p.amount, 0)).toBe(-30);
  });

  it("never takes more than it is asked, nor more than a shard holds (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -1_000, max: 1_000_000 }), { maxLength: SHARDS + 1 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        (balances, amount) => {
          const given = shards(balances);
          const r = takeFromAvailable(given, amount);
          const taken = -r.postings.reduce((t, p) => t + p.amount, 0);
          const held = given.reduce((t, s) => t + Math.max(0, s.balance), 0);
          expect(taken + r.shortfall).toBe(amount);
          expect(r.shortfall).toBe(Math.max(0, amount - held));
          for (const p of r.postings) {
            const before = given.find((s) => s.account.id === p.account.id)?.balance ?? 0;
            expect(p.amount).toBeLessThan(0);
            expect(before + p.amount).toBeGreaterThanOrEqual(0);
          }
        },
      ),
    );
  });

  it("names the debt account once per merchant, mode and currency", () => {
    expect(merchantDebtAccount("mer_1", true, "KZT")).toMatchObject({ id: "merchant:mer_1:live:debt:KZT", kind: "merchant_debt" });
  });
});

describe("merchant debt", () => {
  const debt = "merchant:mer_1:test:debt:KGS";
  const captured = (id: string, amount: number, fee = 0) =>
    paymentCaptured({ ...card, id }, { amount, release: 0, fromHold: false, fee, bucket: "available" });

  it("repayDebtFirst: a credit to available repays the debt first, the rest becomes available", () => {
    const e = captured("pay_1", 1_000, 30);
    expect(repaidDebtAccount(e)?.id).toBe(debt);
    const part = repayDebtFirst(e, 400);
    expect(part.repaid).toBe(400);
    expect(lines(part.entry)).toEqual([
      [`platform:test:clearing_card:KGS${s("pay_1")}`, -1_000],
      [`merchant:mer_1:test:available:KGS${s("pay_1")}`, 570],
      [`platform:test:revenue:KGS${s("pay_1")}`, 30],
      [debt, 400],
    ]);
    // Owed more than the credit: all of it repays, no zero posting to available.
    const all = repayDebtFirst(e, 5_000);
    expect(all.repaid).toBe(970);
    expect(lines(all.entry)).toEqual([
      [`platform:test:clearing_card:KGS${s("pay_1")}`, -1_000],
      [`platform:test:revenue:KGS${s("pay_1")}`, 30],
      [debt, 970],
    ]);
    // Nothing owed, or nothing credited to available: the entry as it was.
    expect(repayDebtFirst(e, 0)).toEqual({ entry: e, repaid: 0 });
    const refund = paymentRefunded(card, { refundId: "re_1", amount: 10, bucket: "pending", pending: 10 });
    expect(repaidDebtAccount(refund)).toBeNull();
    expect(repayDebtFirst(refund, 100)).toEqual({ entry: refund, repaid: 0 });
    expect(() => repayDebtFirst(e, -1)).toThrow(PostingError);
  });

  it("applyEntries repays by the balance the earlier entries left, and only what is owed", () => {
    const d = merchantDebtAccount("mer_1", false, "KGS");
    const opening = new Map<string, LedgerAccount>([[d.id, { id: d.id, currency: "KGS", allowNegative: true, balance: -500 }]]);
    for (const e of [captured("pay_1", 300), captured("pay_2", 300)])
      for (const p of e.postings)
        if (!opening.has(p.account.id))
          opening.set(p.account.id, { id: p.account.id, currency: "KGS", allowNegative: p.account.allowNegative, balance: 0 });
    const r = applyEntries(opening, [captured("pay_1", 300), captured("pay_2", 300)]);
    expect(r.results.every((x) => x.ok)).toBe(true);
    expect(r.entries.map((e) => e.postings.find((p) => p.account.id === debt)?.amount)).toEqual([300, 200]);
    expect(r.accounts.get(d.id)?.balance).toBe(0);
    // A debt absent from the balances is owed nothing (the writer did not lock it).
    const free = applyEntries(new Map([...opening].filter(([id]) => id !== d.id)), [captured("pay_1", 300)]);
    expect(free.entries[0]?.postings.some((p) => p.account.id === debt)).toBe(false);
  });

  it("dispute, debt and repayment are zero-sum; available never below zero, debt never above, repayment never more than owed (property)", () => {
    const op = fc.oneof(
      fc.record({ type: fc.constant("pay" as const), amount: fc.integer({ min: 1, max: 5_000 }), fee: fc.integer({ min: 0, max: 200 }) }),
      fc.record({ type: fc.constant("refund" as const), amount: fc.integer({ min: 1, max: 5_000 }) }),
      fc.record({
        type: fc.constant("dispute" as const),
        amount: fc.integer({ min: 1, max: 8_000 }),
        fee: fc.integer({ min: 0, max: 1_500 }),
      }),
      fc.record({ type: fc.constant("close" as const), won: fc.boolean() }),
      fc.record({
        type: fc.constant("settle" as const),
        captured: fc.integer({ min: 1, max: 3_000 }),
        fee: fc.integer({ min: 0, max: 300 }),
      }),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 30 }), (ops) => {
        const ledger = memoryLedger();
        const m = { merchantId: "mer_1", livemode: false, currency: "KGS" };
        const open: { p: PaymentRef; d: { disputeId: string; amount: number } }[] = [];
        // What the merchant has earned net of everything taken: available minus what it owes.
        let net = 0;
        let n = 0;
        for (const o of ops) {
          n++;
          const p: PaymentRef = { ...card, id: `pay_${n}` };
          const owedBefore = 0 - ledger.sum((a) => a.kind === "merchant_debt");
          let entries: LedgerEntry[] = [];
          if (o.type === "pay") {
            const fee = Math.min(o.fee, o.amount);
            entries = [paymentCaptured(p, { amount: o.amount, release: 0, fromHold: false, fee, bucket: "available" })];
            net += o.amount - fee;
          } else if (o.type === "refund") {
            entries = [paymentRefunded(p, { refundId: `re_${n}`, amount: o.amount, bucket: "available", available: ledger.available(m) })];
            net -= o.amount;
          } else if (o.type === "dispute") {
            const d = { disputeId: `dp_${n}`, amount: o.amount, fee: o.fee };
            entries = [disputeOpened(p, d, ledger.available(m))];
            open.push({ p, d });
            net -= o.amount + o.fee;
          } else if (o.type === "close") {
            const c = open.shift();
            if (!c) continue;
            entries = [o.won ? disputeWon(c.p, c.d) : disputeLost(c.p, c.d)];
            if (o.won) net += c.d.amount;
          } else {
            // An order returned in full: the refund takes its pending share, and the kept fee from available (or as debt).
            const fee = Math.min(o.fee, o.captured);
            const ord = { orderId: `ord_${n}`, paymentId: p.id, ...m };
            const share = { captured: o.captured, fee, refunded: o.captured };
            const captured = paymentCaptured(
              { ...p, orderId: ord.orderId },
              { amount: o.captured, release: 0, fromHold: false, fee, bucket: "pending" },
            );
            expect(ledger.commitRepaying([captured])).not.toBeNull();
            const refund = paymentRefunded(
              { ...p, orderId: ord.orderId },
              { refundId: `re_${n}`, amount: o.captured, bucket: "pending", pending: o.captured - fee, available: ledger.available(m) },
            );
            expect(ledger.commitRepaying([refund])).not.toBeNull();
            const settle = orderSettled(ord, orderPendingShare(share));
            entries = settle ? [settle] : [];
            net -= fee;
          }
          const written = ledger.commitRepaying(entries);
          // Every movement goes through: nothing is refused for want of available money.
          expect(written).not.toBeNull();
          const repaid = (written ?? []).reduce(
            (t, e) => t + e.postings.filter((q) => q.account.kind === "merchant_debt" && q.amount > 0).reduce((u, q) => u + q.amount, 0),
            0,
          );
          expect(repaid).toBeLessThanOrEqual(owedBefore);
          for (const a of ledger.accounts()) {
            if (a.id.includes(":available:") || a.id.includes(":disputed:") || a.id.includes(":pending:"))
              expect(a.balance).toBeGreaterThanOrEqual(0);
            if (a.id.includes(":debt:")) expect(a.balance).toBeLessThanOrEqual(0);
          }
          const available = ledger.sum((a) => a.kind === "merchant_available");
          const owed = 0 - ledger.sum((a) => a.kind === "merchant_debt") || 0;
          // Debt and available money never stand side by side: a debit takes available before it
          // books debt, and a credit repays the debt before it becomes available.
          expect(Math.min(available, owed)).toBe(0);
          expect(available - owed + ledger.sum((a) => a.kind === "merchant_pending")).toBe(net);
          expect(ledger.accounts().reduce((t, a) => t + a.balance, 0)).toBe(0);
        }
      }),
      { numRuns: 1_000 },
    );
  });
});
