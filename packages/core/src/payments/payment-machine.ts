/**
 * The payment status machine of the contract, as a pure reducer:
 *
 *   requires_payment_method → requires_action? → processing? → requires_capture (manual) → succeeded
 *                                                                         ↘ canceled / failed
 *
 * `transitionPayment` never throws: it returns the next state plus the ledger effects the
 * I/O layer must carry out in the same database transaction, or a rejection that says why
 * the action is not allowed (then nothing changes).
 */
export type PaymentStatus =
  | "requires_payment_method"
  | "requires_action"
  | "processing"
  | "requires_capture"
  | "succeeded"
  | "canceled"
  | "failed";

export type CaptureMethod = "automatic" | "manual";

export interface PaymentState {
  readonly status: PaymentStatus;
  readonly amount: number;
  readonly capture_method: CaptureMethod;
  readonly amount_capturable: number;
  readonly amount_captured: number;
  readonly amount_refunded: number;
}

/** What the provider said when the payment was confirmed or a challenge answered. */
export type ProviderOutcome = "authorized" | "requires_action" | "processing" | "declined";

export type PaymentAction =
  | { type: "confirm"; outcome: ProviderOutcome }
  | { type: "challenge_passed" }
  | { type: "challenge_failed" }
  | { type: "provider_settled"; outcome: "authorized" | "declined" }
  | { type: "capture"; amount?: number }
  | { type: "cancel" }
  | { type: "refund"; amount: number };

/** Ledger work the I/O layer performs for a transition (see the payments service). */
export type PaymentEffect =
  | { type: "open_hold"; amount: number }
  | { type: "capture_hold"; amount: number; release: number }
  | { type: "void_hold"; amount: number }
  | { type: "refund"; amount: number };

export type PaymentRejectionCode = "payment_unexpected_state" | "amount_too_large" | "invalid_amount";

export type PaymentTransition =
  | { ok: true; state: PaymentState; effects: PaymentEffect[] }
  | { ok: false; code: PaymentRejectionCode; message: string };

export function newPayment(amount: number, capture_method: CaptureMethod): PaymentState {
  return { status: "requires_payment_method", amount, capture_method, amount_capturable: 0, amount_captured: 0, amount_refunded: 0 };
}

const reject = (code: PaymentRejectionCode, message: string): PaymentTransition => ({ ok: false, code, message });
const unexpected = (s: PaymentState, action: string) =>
  reject("payment_unexpected_state", `cannot ${action} a payment whose status is ${s.status}`);

/** Money authorised: hold it, then capture at once (automatic) or wait (manual). */
function authorized(s: PaymentState): PaymentTransition {
  if (s.capture_method === "manual") {
    return {
      ok: true,
      state: { ...s, status: "requires_capture", amount_capturable: s.amount },
      effects: [{ type: "open_hold", amount: s.amount }],
    };
  }
  return {
    ok: true,
    state: { ...s, status: "succeeded", amount_capturable: 0, amount_captured: s.amount },
    effects: [
      { type: "open_hold", amount: s.amount },
      { type: "capture_hold", amount: s.amount, release: 0 },
    ],
  };
}

function settle(s: PaymentState, outcome: ProviderOutcome): PaymentTransition {
  switch (outcome) {
    case "authorized":
      return authorized(s);
    case "declined":
      return { ok: true, state: { ...s, status: "failed" }, effects: [] };
    case "requires_action":
      return { ok: true, state: { ...s, status: "requires_action" }, effects: [] };
    case "processing":
      return { ok: true, state: { ...s, status: "processing" }, effects: [] };
  }
}

export function transitionPayment(s: PaymentState, action: PaymentAction): PaymentTransition {
  switch (action.type) {
    case "confirm":
      if (s.status !== "requires_payment_method") return unexpected(s, "confirm");
      return settle(s, action.outcome);
    case "challenge_passed":
      if (s.status !== "requires_action") return unexpected(s, "verify");
      return authorized(s);
    case "challenge_failed":
      if (s.status !== "requires_action") return unexpected(s, "verify");
      return { ok: true, state: { ...s, status: "failed" }, effects: [] };
    case "provider_settled":
      if (s.status !== "processing" && s.status !== "requires_action") return unexpected(s, "complete");
      return settle(s, action.outcome);
    case "capture": {
      if (s.status !== "requires_capture") return unexpected(s, "capture");
      const amount = action.amount ?? s.amount_capturable;
      if (!Number.isSafeInteger(amount) || amount <= 0) return reject("invalid_amount", "capture amount must be a positive integer");
      if (amount > s.amount_capturable) {
        return reject("amount_too_large", `capture amount ${amount} exceeds amount_capturable ${s.amount_capturable}`);
      }
      return {
        ok: true,
        state: { ...s, status: "succeeded", amount_capturable: 0, amount_captured: amount },
        effects: [{ type: "capture_hold", amount, release: s.amount_capturable - amount }],
      };
    }
    case "cancel": {
      if (s.status === "requires_capture") {
        return {
          ok: true,
          state: { ...s, status: "canceled", amount_capturable: 0 },
          effects: [{ type: "void_hold", amount: s.amount_capturable }],
        };
      }
      if (s.status === "requires_payment_method" || s.status === "requires_action") {
        return { ok: true, state: { ...s, status: "canceled" }, effects: [] };
      }
      return unexpected(s, "cancel");
    }
    case "refund": {
      if (s.status !== "succeeded") return unexpected(s, "refund");
      if (!Number.isSafeInteger(action.amount) || action.amount <= 0)
        return reject("invalid_amount", "refund amount must be a positive integer");
      const refundable = s.amount_captured - s.amount_refunded;
      if (action.amount > refundable) {
        return reject("amount_too_large", `refund amount ${action.amount} exceeds the refundable ${refundable}`);
      }
      return {
        ok: true,
        state: { ...s, amount_refunded: s.amount_refunded + action.amount },
        effects: [{ type: "refund", amount: action.amount }],
      };
    }
  }
}

export const TERMINAL_PAYMENT_STATUSES: readonly PaymentStatus[] = ["succeeded", "canceled", "failed"];
