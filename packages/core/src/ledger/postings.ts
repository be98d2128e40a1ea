import { MAX_AMOUNT } from "../money/money.js";
import type { PaymentEffect } from "../payments/payment-machine.js";
import { type AccountSpec, clearingAccount, merchantAccount, merchantDebtAccount, revenueAccount, walletAccount } from "./accounts.js";
import { type AccountId, applyTransaction, type BatchResult, type LedgerAccount, type TransactionDraft } from "./ledger.js";

/**
 * The posting plan: one pure function per movement of money, returning the ledger entry the
 * API writes (LedgerStore turns it into SQL, and nothing else decides a posting). Amounts are
 * integer minor units; a posting's amount is signed (debit < 0, credit > 0, see ledger.ts).
 *
 * Orders have no movements of their own until their return window closes: an order is held,
 * handed over, returned, expired or failed by its payment, so those are the payment movements
 * below, with the merchant's share kept `pending` while the order can still be returned
 * (see `shareBucket`):
 *
 *   order held      → paymentAuthorized           (payer → escrow)
 *   handed over     → paymentCaptured, pending    (escrow → merchant pending + revenue, rest back)
 *   returned        → paymentRefunded, from pending (beyond the order's share: available) or available once settled
 *   expired         → paymentCaptured, available  (the no-show fee), or holdVoided without one
 *   failed          → holdVoided                  (escrow → payer)
 *   window closed   → orderSettled                (merchant pending → available)
 */
export interface EntryPosting {
  account: AccountSpec;
  amount: number;
}

export interface LedgerEntry {
  type: string;
  merchantId: string | null;
  livemode: boolean;
  description?: string;
  sourceId?: string;
  postings: EntryPosting[];
}

/** A posting plan asked for something no movement can be (a bug in the caller, not bad input). */
export class PostingError extends Error {
  override name = "PostingError";
}

function positive(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n <= 0) throw new PostingError(`${name} must be a positive integer, not ${n}`);
}
function nonNegative(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new PostingError(`${name} must be a non-negative integer, not ${n}`);
}

/** The entry as the core's ledger rules take it (see applyTransaction). */
export function entryDraft(e: LedgerEntry): TransactionDraft {
  return { postings: e.postings.map((p) => ({ account: p.account.id, amount: p.amount, currency: p.account.currency })) };
}

// ---------------------------------------------------------------- payments

/** What the posting plan needs to know of a payment. */
export interface PaymentRef {
  id: string;
  merchantId: string;
  livemode: boolean;
  currency: string;
  /** wallet, card, sms, qr; none yet is a card's clearing. */
  method: string | null;
  /** The paying customer of a wallet payment. */
  walletCustomer?: string | null;
  /** A wallet top-up: the customer whose wallet the captured money fills. */
  topUpCustomer?: string | null;
  /** The order this payment pays for. */
  orderId?: string | null;
}

/** Where a payment's money comes from, and goes back to: the customer's wallet or the method's clearing. */
export function paymentSource(p: PaymentRef): AccountSpec {
  if (p.method === "wallet") {
    if (!p.walletCustomer) throw new PostingError(`wallet payment ${p.id} names no paying customer`);
    return walletAccount(p.merchantId, p.walletCustomer, p.livemode, p.currency);
  }
  return clearingAccount(p.method ?? "card", p.livemode, p.currency, p.id);
}

/** Buyers' money in escrow, sharded by the payment so a hold and its capture meet in one row. */
function escrow(p: PaymentRef): AccountSpec {
  return merchantAccount(p.merchantId, p.livemode, "held", p.currency, p.id);
}

/**
 * Where the merchant's share of a capture lands, and a refund is taken from: an order's stays
 * pending until its return window closes (settled), anything else is available at once.
 */
export function shareBucket(p: Pick<PaymentRef, "orderId">, orderSettled = false): "available" | "pending" {
  return p.orderId && !orderSettled ? "pending" : "available";
}

const paymentBase = (p: PaymentRef) => ({ merchantId: p.merchantId, livemode: p.livemode, sourceId: p.id });

/** Authorised (manual capture, or an order held): the amount moves from the payer into escrow. */
export function paymentAuthorized(p: PaymentRef, amount: number): LedgerEntry {
  positive("hold amount", amount);
  return {
    ...paymentBase(p),
    type: "payment.authorize",
    description: `Hold for ${p.id}`,
    postings: [
      { account: paymentSource(p), amount: -amount },
      { account: escrow(p), amount },
    ],
  };
}

/** A hold released (canceled, an order failed or expired without a fee): escrow back to the payer. */
export function holdVoided(p: PaymentRef, amount: number): LedgerEntry {
  positive("hold amount", amount);
  return {
    ...paymentBase(p),
    type: "payment.void",
    description: `Release of ${p.id}`,
    postings: [
      { account: escrow(p), amount: -amount },
      { account: paymentSource(p), amount },
    ],
  };
}

export interface CapturedAmounts {
  /** Captured: what the payer pays. */
  amount: number;
  /** Of the hold, what goes back to the payer (a partial capture). */
  release: number;
  /**
   * Whether the money was held first. An automatic capture authorises and captures in one
   * instant: the hold would net to nothing, so the money moves from the payer directly and
   * no escrow row is touched.
   */
  fromHold: boolean;
}

function captureFrom(p: PaymentRef, c: CapturedAmounts): EntryPosting[] {
  positive("capture amount", c.amount);
  nonNegative("release", c.release);
  if (!c.fromHold && c.release > 0) throw new PostingError("only a hold can release part of itself");
  return [{ account: c.fromHold ? escrow(p) : paymentSource(p), amount: -(c.amount + c.release) }];
}

function captureEntry(p: PaymentRef, c: CapturedAmounts, shares: EntryPosting[]): LedgerEntry {
  const postings = [...captureFrom(p, c), ...shares];
  if (c.release > 0) postings.push({ account: paymentSource(p), amount: c.release });
  return { ...paymentBase(p), type: "payment.capture", description: `Capture of ${p.id}`, postings };
}

/**
 * Captured: the merchant's share (amount − fee) into its bucket, the fee to the platform's
 * revenue, the rest of a hold back to the payer. The fee is the tariffs engine's quote.
 */
export function paymentCaptured(
  p: PaymentRef,
  c: CapturedAmounts & { fee: number; bucket: "available" | "pending"; shardKey?: string | undefined },
): LedgerEntry {
  nonNegative("fee", c.fee);
  if (c.fee > c.amount) throw new PostingError(`a fee of ${c.fee} exceeds the captured ${c.amount}`);
  const shares: EntryPosting[] = [];
  // Credits only, so any shard will do: the writer's batch shares one (see paymentPostings). A
  // pending share stays in its payment's shard, where its refunds and its settlement take it back.
  const shard = c.shardKey ?? p.id;
  // A fee that takes the whole amount leaves the merchant nothing: no zero posting.
  if (c.amount > c.fee) {
    const key = c.bucket === "available" ? shard : p.id;
    shares.push({ account: merchantAccount(p.merchantId, p.livemode, c.bucket, p.currency, key), amount: c.amount - c.fee });
  }
  if (c.fee > 0) shares.push({ account: revenueAccount(p.livemode, p.currency, shard), amount: c.fee });
  return captureEntry(p, c, shares);
}

/** A top-up captured: the customer's money in full (the platform takes no fee on it). */
export function walletToppedUp(p: PaymentRef, c: CapturedAmounts): LedgerEntry {
  if (!p.topUpCustomer) throw new PostingError(`${p.id} is not a wallet top-up`);
  return captureEntry(p, c, [{ account: walletAccount(p.merchantId, p.topUpCustomer, p.livemode, p.currency), amount: c.amount }]);
}

/**
 * Refunded: the money goes back the way it came, taken from the merchant (the fee is not
 * returned, as at Stripe), or from the wallet a top-up filled. From an unsettled order's pending,
 * up to what the order has there (`pending`), the rest as from available: taken from the shards
 * the writer locked (`available`, see takeFromAvailable), and what they cannot cover becomes the
 * merchant's debt.
 */
export function paymentRefunded(
  p: PaymentRef,
  r: {
    refundId: string;
    amount: number;
    bucket: "available" | "pending";
    available?: readonly ShardBalance[];
    /** bucket pending: what the payment's order still has there (orderPendingShare before this refund). */
    pending?: number;
  },
): LedgerEntry {
  positive("refund amount", r.amount);
  let from: EntryPosting[];
  if (p.topUpCustomer) from = [{ account: walletAccount(p.merchantId, p.topUpCustomer, p.livemode, p.currency), amount: -r.amount }];
  else if (r.bucket === "pending") {
    if (r.pending === undefined || !Number.isSafeInteger(r.pending) || r.pending < 0)
      throw new PostingError(`a refund of ${p.id} from pending needs what its order has there`);
    // The fee stays with the platform, so a full return refunds more than the order left in
    // pending: the rest comes from available, then as debt, as for any refund (never below zero).
    const fromPending = Math.min(r.amount, r.pending);
    from =
      fromPending > 0 ? [{ account: merchantAccount(p.merchantId, p.livemode, "pending", p.currency, p.id), amount: -fromPending }] : [];
    if (fromPending < r.amount) {
      if (!r.available)
        throw new PostingError(`a refund of ${p.id} beyond its pending share needs the merchant's locked available balance`);
      from.push(...fromAvailable(p, r.available, r.amount - fromPending));
    }
  } else {
    if (!r.available) throw new PostingError(`a refund of ${p.id} from available needs the merchant's locked available balance`);
    from = fromAvailable(p, r.available, r.amount);
  }
  return {
    merchantId: p.merchantId,
    livemode: p.livemode,
    sourceId: r.refundId,
    type: "refund",
    description: `Refund ${r.refundId} of ${p.id}`,
    postings: [...from, { account: paymentSource(p), amount: r.amount }],
  };
}

/**
 * The entries for a payment transition's effects (see transitionPayment), in order. `fee` is
 * the capture's quoted fee (0 when there is no capture); `bucket` overrides `shareBucket`
 * (an expired order's no-show fee is the merchant's at once). `shardKey` picks the shard of a
 * capture's credits to the merchant's available balance and the platform's revenue (default: the
 * payment's id): a writer that commits a batch of payments together gives them one, so the batch
 * updates one row of each, and two batches in flight rarely wait for each other's COMMIT (transit
 * fares do the same). A refund effect has its own entry, `paymentRefunded`, which needs the
 * refund's id.
 */
export function paymentPostings(
  p: PaymentRef,
  effects: readonly PaymentEffect[],
  opts: { fee: number; bucket?: "available" | "pending" | undefined; shardKey?: string | undefined },
): LedgerEntry[] {
  const immediate =
    effects.length === 2 && effects[0]?.type === "open_hold" && effects[1]?.type === "capture_hold" && effects[1].release === 0;
  const entries: LedgerEntry[] = [];
  for (const e of immediate ? effects.slice(1) : effects) {
    if (e.type === "open_hold") entries.push(paymentAuthorized(p, e.amount));
    else if (e.type === "void_hold") entries.push(holdVoided(p, e.amount));
    else if (e.type === "capture_hold") {
      const c = { amount: e.amount, release: e.release, fromHold: !immediate };
      entries.push(
        p.topUpCustomer
          ? walletToppedUp(p, c)
          : paymentCaptured(p, { ...c, fee: opts.fee, bucket: opts.bucket ?? shareBucket(p), shardKey: opts.shardKey }),
      );
    }
  }
  return entries;
}

// ---------------------------------------------------------------- orders

/**
 * What an order left in pending: the merchant's share of the capture, less the refunds of
 * returns. Never below zero: a refund takes what the order has there and the rest from available
 * (paymentRefunded), since the fee stays with the platform.
 */
export function orderPendingShare(payment: { captured: number; fee: number; refunded: number }): number {
  return Math.max(0, payment.captured - payment.fee - payment.refunded);
}

/**
 * The return window closed: what the order holds in pending (`pending`, as the ledger has it)
 * becomes available. Below zero only for an order returned before a return's refund took the kept
 * fee from available (paymentRefunded): that is taken from the shards the writer locked
 * (`available`), what they cannot cover as the merchant's debt. Nothing held: null.
 */
export function orderSettled(
  o: { orderId: string; paymentId: string; merchantId: string; livemode: boolean; currency: string },
  pending: number,
  available?: readonly ShardBalance[],
): LedgerEntry | null {
  if (!Number.isSafeInteger(pending)) throw new PostingError(`order ${o.orderId} left ${pending} pending`);
  if (pending === 0) return null;
  const account = merchantAccount(o.merchantId, o.livemode, "pending", o.currency, o.paymentId);
  let postings: EntryPosting[];
  if (pending > 0) {
    postings = [
      { account, amount: -pending },
      { account: merchantAccount(o.merchantId, o.livemode, "available", o.currency, o.paymentId), amount: pending },
    ];
  } else {
    if (!available) throw new PostingError(`order ${o.orderId} settles ${pending}: that needs the merchant's locked available balance`);
    postings = [{ account, amount: -pending }, ...fromAvailable(o, available, -pending)];
  }
  return {
    type: "order.settle",
    merchantId: o.merchantId,
    livemode: o.livemode,
    sourceId: o.orderId,
    description: `Return window of ${o.orderId} closed`,
    postings,
  };
}

// ---------------------------------------------------------------- transit

/**
 * A tap charged: the fare from the rider's wallet to the operator's available balance. The
 * operator's balance is sharded by `shardKey` (one per batch, so concurrent uploads mostly
 * credit different rows).
 */
export function tapCharged(t: {
  tapId: string;
  merchantId: string;
  livemode: boolean;
  customerId: string;
  currency: string;
  route: string;
  fare: number;
  shardKey?: string | undefined;
}): LedgerEntry {
  positive("fare", t.fare);
  return {
    type: "transit_fare",
    merchantId: t.merchantId,
    livemode: t.livemode,
    description: `Fare, route ${t.route}`,
    sourceId: t.tapId,
    postings: [
      { account: walletAccount(t.merchantId, t.customerId, t.livemode, t.currency), amount: -t.fare },
      { account: merchantAccount(t.merchantId, t.livemode, "available", t.currency, t.shardKey), amount: t.fare },
    ],
  };
}

// ---------------------------------------------------------------- available balance

/** One account of a merchant's available balance (see availableAccounts), as the writer locked it. */
export interface ShardBalance {
  account: AccountSpec;
  balance: number;
}

/**
 * Take `amount` from a merchant's available balance, which lives in shards: largest first, so
 * a debit touches few rows and leaves none below zero. What the shards cannot cover is the
 * shortfall: the caller refuses it (a payout) or books it as the merchant's debt (a dispute).
 */
export function takeFromAvailable(shards: readonly ShardBalance[], amount: number): { postings: EntryPosting[]; shortfall: number } {
  positive("amount", amount);
  const postings: EntryPosting[] = [];
  let left = amount;
  for (const s of [...shards].sort((a, b) => b.balance - a.balance || (a.account.id < b.account.id ? -1 : 1))) {
    if (left === 0 || s.balance <= 0) break;
    const take = Math.min(left, s.balance);
    postings.push(...debits(s.account, take));
    left -= take;
  }
  return { postings, shortfall: left };
}

/**
 * A debit as postings of at most MAX_AMOUNT each: a dispute's amount and fee together (or a
 * debt they leave) may pass the largest amount one posting carries; the ledger nets them per account.
 */
function debits(account: AccountSpec, amount: number): EntryPosting[] {
  const out: EntryPosting[] = [];
  for (let left = amount; left > 0; left -= MAX_AMOUNT) out.push({ account, amount: -Math.min(left, MAX_AMOUNT) });
  return out;
}

/**
 * A debit of a merchant's available balance that must happen whatever the balance (a refund, a
 * dispute, a returned order's kept fee): taken from the locked shards, the shortfall booked as
 * the merchant's debt, so no available account goes below zero.
 */
export function fromAvailable(
  owner: { merchantId: string; livemode: boolean; currency: string },
  shards: readonly ShardBalance[],
  amount: number,
): EntryPosting[] {
  for (const s of shards) {
    const a = s.account;
    if (
      a.kind !== "merchant_available" ||
      a.merchantId !== owner.merchantId ||
      a.livemode !== owner.livemode ||
      a.currency !== owner.currency
    )
      throw new PostingError(`${a.id} is not an available balance of ${owner.merchantId} in ${owner.currency}`);
  }
  const { postings, shortfall } = takeFromAvailable(shards, amount);
  if (shortfall > 0) postings.push(...debits(merchantDebtAccount(owner.merchantId, owner.livemode, owner.currency), shortfall));
  return postings;
}

// ---------------------------------------------------------------- merchant debt

const isAvailable = (a: AccountSpec) => a.kind === "merchant_available";

/** The debt an entry would repay: that of the merchant whose available balance it credits (null: it credits none). */
export function repaidDebtAccount(entry: LedgerEntry): AccountSpec | null {
  const credit = entry.postings.find((p) => p.amount > 0 && isAvailable(p.account));
  if (!credit) return null;
  const a = credit.account;
  return merchantDebtAccount(a.merchantId as string, a.livemode, a.currency);
}

/**
 * Later payments repay first: what `entry` credits to a merchant's available balance goes to
 * the merchant's debt account instead, until `owed` (what the merchant owes, ≥ 0) is repaid;
 * only the rest becomes available. Never repays more than is owed nor more than the entry
 * credits; the entry stays balanced (the debt posting replaces what it takes from credits).
 */
export function repayDebtFirst(entry: LedgerEntry, owed: number): { entry: LedgerEntry; repaid: number } {
  nonNegative("debt owed", owed);
  const debt = repaidDebtAccount(entry);
  if (owed === 0 || !debt) return { entry, repaid: 0 };
  let left = owed;
  const postings: EntryPosting[] = [];
  for (const p of entry.postings) {
    if (left === 0 || p.amount <= 0 || !isAvailable(p.account)) {
      postings.push(p);
      continue;
    }
    const own = merchantDebtAccount(p.account.merchantId as string, p.account.livemode, p.account.currency);
    if (own.id !== debt.id) throw new PostingError(`${entry.type} credits the available balance of more than one merchant or currency`);
    const take = Math.min(left, p.amount);
    left -= take;
    if (p.amount > take) postings.push({ ...p, amount: p.amount - take });
  }
  const repaid = owed - left;
  postings.push({ account: debt, amount: repaid });
  return { entry: { ...entry, postings }, repaid };
}

/**
 * applyBatch for entries, each first repaying its merchant's debt (repayDebtFirst) by what the
 * debt account's balance in `accounts` says is owed after the entries before it. A debt account
 * absent from `accounts` is owed nothing (the writer reads and locks a debt only when it is not
 * zero). Returns the entries as they are to be written, and each one's result.
 */
export function applyEntries(
  accounts: ReadonlyMap<AccountId, LedgerAccount>,
  entries: readonly LedgerEntry[],
): { results: BatchResult[]; entries: LedgerEntry[]; accounts: Map<AccountId, LedgerAccount> } {
  const state = new Map(accounts);
  const results: BatchResult[] = [];
  const written: LedgerEntry[] = [];
  for (const e of entries) {
    const debt = repaidDebtAccount(e);
    const owed = debt ? -Math.min(0, state.get(debt.id)?.balance ?? 0) : 0;
    const entry = owed > 0 ? repayDebtFirst(e, owed).entry : e;
    written.push(entry);
    if (owed > 0 && debt && !state.has(debt.id))
      state.set(debt.id, { id: debt.id, currency: debt.currency, allowNegative: true, balance: 0 });
    const r = applyTransaction(state, entryDraft(entry));
    if (!r.ok) {
      results.push(r);
      continue;
    }
    for (const [id, balance] of r.balances) state.set(id, { ...(state.get(id) as LedgerAccount), balance });
    results.push({ ok: true });
  }
  return { results, entries: written, accounts: state };
}

// ---------------------------------------------------------------- payouts

export interface PayoutRef {
  payoutId: string;
  merchantId: string;
  livemode: boolean;
  currency: string;
  amount: number;
}

const payoutAccounts = (po: PayoutRef) => ({
  available: merchantAccount(po.merchantId, po.livemode, "available", po.currency, po.payoutId),
  // The bank transfers out: money on its way to (or at) the merchant's bank.
  clearing: clearingAccount("payout", po.livemode, po.currency, po.payoutId),
});

/**
 * A payout created: its amount leaves the merchant's available balance at once, taken from
 * the shards the caller locked (`takeFromAvailable`), never more than they hold: a shortfall
 * is the caller's to refuse before it asks (balance_insufficient), so here it is a bug.
 */
export function payoutCreated(po: PayoutRef, shards: readonly ShardBalance[]): LedgerEntry {
  positive("payout amount", po.amount);
  const taken = takeFromAvailable(shards, po.amount);
  if (taken.shortfall > 0) throw new PostingError(`payout ${po.payoutId} of ${po.amount} exceeds available by ${taken.shortfall}`);
  return {
    type: "payout",
    merchantId: po.merchantId,
    livemode: po.livemode,
    sourceId: po.payoutId,
    description: `Payout ${po.payoutId}`,
    postings: [...taken.postings, { account: payoutAccounts(po).clearing, amount: po.amount }],
  };
}

/** A payout failed or canceled: its amount comes back to available. A paid one moves nothing more. */
export function payoutReturned(po: PayoutRef): LedgerEntry {
  positive("payout amount", po.amount);
  const a = payoutAccounts(po);
  return {
    type: "payout.return",
    merchantId: po.merchantId,
    livemode: po.livemode,
    sourceId: po.payoutId,
    description: `Return of payout ${po.payoutId}`,
    postings: [
      { account: a.clearing, amount: -po.amount },
      { account: a.available, amount: po.amount },
    ],
  };
}

// ---------------------------------------------------------------- disputes

const disputed = (p: PaymentRef) => merchantAccount(p.merchantId, p.livemode, "disputed", p.currency);
const available = (p: PaymentRef) => merchantAccount(p.merchantId, p.livemode, "available", p.currency, p.id);

/**
 * What a dispute of a wallet top-up takes back from the wallet it filled: as much of the amount
 * as the wallet still holds (`walletBalance`, locked by the writer). The money went there, not
 * to the merchant, as its refund would come from there; only what the buyer already spent falls
 * on the merchant. Any other payment: nothing.
 */
export function disputeFromWallet(p: PaymentRef, amount: number, walletBalance: number): number {
  return p.topUpCustomer ? Math.min(amount, Math.max(0, walletBalance)) : 0;
}

/** The wallet a top-up filled. */
const toppedUpWallet = (p: PaymentRef): AccountSpec => {
  if (!p.topUpCustomer) throw new PostingError(`${p.id} is not a wallet top-up`);
  return walletAccount(p.merchantId, p.topUpCustomer, p.livemode, p.currency);
};

/**
 * A dispute opened: the disputed amount and the dispute fee leave the merchant's available
 * balance at once (from the shards the writer locked, `shards`; what they cannot cover becomes
 * the merchant's debt); the amount waits in the dispute's reserve, the fee is the platform's.
 * A top-up's amount comes first from its wallet (`fromWallet`, see disputeFromWallet).
 */
export function disputeOpened(
  p: PaymentRef,
  d: { disputeId: string; amount: number; fee: number; fromWallet?: number },
  shards: readonly ShardBalance[],
): LedgerEntry {
  positive("disputed amount", d.amount);
  nonNegative("dispute fee", d.fee);
  const wallet = d.fromWallet ?? 0;
  if (!Number.isSafeInteger(wallet) || wallet < 0 || wallet > d.amount)
    throw new PostingError(`dispute ${d.disputeId}: bad wallet part ${wallet}`);
  const merchantPart = d.amount - wallet + d.fee;
  const postings: EntryPosting[] = [
    ...(wallet > 0 ? [{ account: toppedUpWallet(p), amount: -wallet }] : []),
    ...(merchantPart > 0 ? fromAvailable(p, shards, merchantPart) : []),
    { account: disputed(p), amount: d.amount },
  ];
  if (d.fee > 0) postings.push({ account: revenueAccount(p.livemode, p.currency, p.id), amount: d.fee });
  return {
    type: "dispute",
    merchantId: p.merchantId,
    livemode: p.livemode,
    sourceId: d.disputeId,
    description: `Dispute ${d.disputeId} of ${p.id}`,
    postings,
  };
}

/** Won: the amount comes back where it was taken from (a top-up's wallet part to its wallet, the rest to the merchant); the fee does not. */
export function disputeWon(p: PaymentRef, d: { disputeId: string; amount: number; fromWallet?: number }): LedgerEntry {
  const wallet = d.fromWallet ?? 0;
  const entry = disputeClosed(p, d, "won", available(p));
  if (wallet <= 0) return entry;
  const [reserve] = entry.postings as [EntryPosting];
  const back: EntryPosting[] = [{ account: toppedUpWallet(p), amount: wallet }];
  if (d.amount > wallet) back.push({ account: available(p), amount: d.amount - wallet });
  return { ...entry, postings: [reserve, ...back] };
}

/** Lost: the amount goes back to the payer, the way the payment came. */
export function disputeLost(p: PaymentRef, d: { disputeId: string; amount: number }): LedgerEntry {
  return disputeClosed(p, d, "lost", paymentSource(p));
}

/** A dispute closed: its reserve goes to `to`. */
function disputeClosed(p: PaymentRef, d: { disputeId: string; amount: number }, outcome: "won" | "lost", to: AccountSpec): LedgerEntry {
  positive("disputed amount", d.amount);
  return {
    type: `dispute.${outcome}`,
    merchantId: p.merchantId,
    livemode: p.livemode,
    sourceId: d.disputeId,
    description: `Dispute ${d.disputeId} of ${p.id} ${outcome}`,
    postings: [
      { account: disputed(p), amount: -d.amount },
      { account: to, amount: d.amount },
    ],
  };
}
