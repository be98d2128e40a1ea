/**
 * The bank transfer behind a payout: the same connector idea as the payment methods
 * (connector.ts), one interface, the test simulator here, a live rail a module of its own.
 * The rail only talks to the bank; the payout service keeps the ledger.
 *
 * Live mode uses only the rail the operator configured (deps.livePayoutRail); none ships in
 * the open-source reference API, and a live payout without one is refused with 400
 * `method_unavailable`, as a live payment method without a provider is.
 */
export interface PayoutTransfer {
  /** Softrack's payout id (po_…): the bank's idempotency / reference key. */
  payoutId: string;
  amount: number;
  currency: string;
  livemode: boolean;
  /** The destination, opened from its sealed form only for this call: never store or log it. */
  account: { country: string; accountNumber: string; bankCode: string; holderName: string };
}

export type PayoutOutcome = { status: "paid" } | { status: "failed"; failureCode: string; failureMessage: string };

export interface PayoutRail {
  /** True for the test simulator: it pays anything well-formed. */
  readonly simulator?: boolean;
  /** When money sent at `now` reaches the bank account (the payout's arrival_date). */
  arrivalDate(now: Date, currency: string): Date;
  /** Hands the transfer to the bank (pending → in_transit). */
  submit(t: PayoutTransfer): Promise<void>;
  /** The bank's answer once the arrival date has passed (in_transit → paid or failed). */
  outcome(t: PayoutTransfer): Promise<PayoutOutcome>;
}

const DAY_MS = 86_400_000;

/**
 * Test mode: a transfer arrives the next day; an account number ending in 0000 is a closed
 * account, whose transfer the bank sends back (`account_closed`), as in the contract.
 */
export const payoutSimulator: PayoutRail = {
  simulator: true,
  arrivalDate: (now) => new Date(now.getTime() + DAY_MS),
  async submit() {},
  async outcome(t) {
    if (t.account.accountNumber.endsWith("0000"))
      return { status: "failed", failureCode: "account_closed", failureMessage: "The bank account has been closed." };
    return { status: "paid" };
  },
};

/** The rail for a mode: the simulator in test mode, the configured one (or none) in live mode. */
export function payoutRailFor(live: PayoutRail | undefined, livemode: boolean): PayoutRail | undefined {
  return livemode ? live : payoutSimulator;
}
