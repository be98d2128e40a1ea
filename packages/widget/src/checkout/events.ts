import type { ApiErrorBody, Payment } from "../internal/api.js";
import type { MethodId } from "../methods/types.js";

/** Every event bubbles and crosses shadow roots, so a listener on document hears it. */
const INIT = { bubbles: true, composed: true } as const;

export interface ReadyDetail {
  payment: Payment;
  methods: MethodId[];
}
export interface ChangeDetail {
  method: MethodId;
  /** the selected method's fields are filled in and valid */
  complete: boolean;
  empty: boolean;
  /** card brand ("visa", "mir", …); never any digits */
  brand?: string;
}
export interface SubmitDetail {
  method: MethodId;
}
export interface SuccessDetail {
  payment: Payment;
}
export interface ErrorDetail {
  /** the contract's error object; validation errors use type "validation_error" */
  error: ApiErrorBody;
  payment?: Payment;
}
export interface CancelDetail {
  payment?: Payment;
}
export interface PayOnPickupDetail {
  /** the payment the checkout was opened with; it stays unpaid (cancel it or let it expire) */
  payment: Payment;
}

/** The payment loaded and the form is usable. */
export class SoftrackReadyEvent extends CustomEvent<ReadyDetail> {
  constructor(detail: ReadyDetail) {
    super("softrack-ready", { ...INIT, detail });
  }
}
/** The buyer changed the method or what they typed. */
export class SoftrackChangeEvent extends CustomEvent<ChangeDetail> {
  constructor(detail: ChangeDetail) {
    super("softrack-change", { ...INIT, detail });
  }
}
/** The buyer (or el.submit()) started paying. */
export class SoftrackSubmitEvent extends CustomEvent<SubmitDetail> {
  constructor(detail: SubmitDetail) {
    super("softrack-submit", { ...INIT, detail });
  }
}
/** The payment succeeded (or was authorized, for manual capture). */
export class SoftrackSuccessEvent extends CustomEvent<SuccessDetail> {
  constructor(detail: SuccessDetail) {
    super("softrack-success", { ...INIT, detail });
  }
}
/** A step failed; the buyer may usually try again. */
export class SoftrackErrorEvent extends CustomEvent<ErrorDetail> {
  constructor(detail: ErrorDetail) {
    super("softrack-error", { ...INIT, detail });
  }
}
/** The buyer left a code or QR step. */
export class SoftrackCancelEvent extends CustomEvent<CancelDetail> {
  constructor(detail: CancelDetail) {
    super("softrack-cancel", { ...INIT, detail });
  }
}

/**
 * The buyer chose to pay on pickup (offered only with pickup-requirement="none"): no payment was
 * made; the shop's server now creates its order with payment_timing "on_pickup".
 */
export class SoftrackPayOnPickupEvent extends CustomEvent<PayOnPickupDetail> {
  constructor(detail: PayOnPickupDetail) {
    super("softrack-pay-on-pickup", { ...INIT, detail });
  }
}

export interface SoftrackEventMap {
  "softrack-ready": SoftrackReadyEvent;
  "softrack-change": SoftrackChangeEvent;
  "softrack-submit": SoftrackSubmitEvent;
  "softrack-success": SoftrackSuccessEvent;
  "softrack-error": SoftrackErrorEvent;
  "softrack-cancel": SoftrackCancelEvent;
  "softrack-pay-on-pickup": SoftrackPayOnPickupEvent;
}
