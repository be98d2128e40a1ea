import type { PaymentMethodDetails } from "../db/schema/payments.js";

/**
 * One interface for every way of paying. A method is a module; a live provider is a new
 * module registered in place of the simulator, never an `if` inside the payment service.
 * Connectors only talk to the provider; the ledger work stays in the payment service.
 *
 * Plugging in a live provider (see docs/configuration.md, "Live payment providers"): write a
 * module that exports a PaymentConnector (`export default` or `export const connector`) and
 * name it in LIVE_CONNECTORS, e.g. `card=/opt/softrack/acquirer.js`. The test simulators in
 * this folder (card.ts, sms.ts, qr.ts) are worked examples of the same interface.
 */

/** The methods a connector can serve. Wallets are Softrack's own ledger and transit fares are paid from them: no connector. */
export const LIVE_METHODS = ["card", "sms", "qr"] as const;
export type ConnectorMethod = (typeof LIVE_METHODS)[number];

export interface AuthorizeInput {
  /** Softrack's payment id (pay_…): send it to the provider as the idempotency / reference key. */
  paymentId: string;
  /** Minor units, an integer (15000 KGS = 150.00 KGS). */
  amount: number;
  /** Upper-case ISO 4217. */
  currency: string;
  /** Always true for a live connector; the simulators also serve test mode. */
  livemode: boolean;
  /** The request's payment_method_data (e.g. { type: "card", card: { number, exp_month, exp_year, cvc } }). Never store or log it. */
  data: Record<string, unknown>;
  now: Date;
}

export type AuthorizeResult =
  | { outcome: "authorized"; details: PaymentMethodDetails }
  | {
      outcome: "requires_action";
      details: PaymentMethodDetails;
      nextAction: Record<string, unknown>;
      /** SHA-256 of the one-time code the payer must send back (never the code). */
      challengeHash?: string;
    }
  | { outcome: "declined"; details: PaymentMethodDetails | null; code: string; message: string };

/**
 * What a connector outside this repository throws for bad method data (it cannot import the
 * API's ApiError): answered as 400 invalid_request_error with this code and param. Any other
 * error a live connector throws is answered 502 `provider_error`, and only its message is logged.
 */
export interface ConnectorInputError {
  type: "invalid_request_error";
  code: string;
  message: string;
  /** e.g. "payment_method_data.card.number" */
  param?: string;
}

export function isConnectorInputError(e: unknown): e is ConnectorInputError {
  const x = e as Partial<ConnectorInputError> | null;
  return (
    typeof x === "object" && x !== null && x.type === "invalid_request_error" && typeof x.code === "string" && typeof x.message === "string"
  );
}

export interface PaymentConnector {
  readonly method: ConnectorMethod | "wallet";
  /** True for the test simulators: production refuses one as a live provider (it approves anything well-formed). */
  readonly simulator?: boolean;
  /** Validates the method data and asks the provider to authorise. Throws ApiError(400) (or a ConnectorInputError) on bad data. */
  authorize(input: AuthorizeInput): Promise<AuthorizeResult>;
  /*
   * The provider's side of every later movement of the payment's money. The payment service
   * calls them (see reachProvider in services/payments.ts) inside the request's transaction,
   * after the ledger has accepted the movement and before it is written: a throw leaves the
   * payment and the ledger as they were. Use the ids as the provider's idempotency keys.
   */
  /** Takes `amount` of the authorisation and releases the rest: at once after an automatic authorisation (or a passed challenge), or at POST /capture. */
  capture(paymentId: string, amount: number): Promise<void>;
  /** Releases a held authorisation (a canceled requires_capture payment). */
  void(paymentId: string): Promise<void>;
  /** Sends `amount` of a captured payment back to the payer; `refundId` names this refund (a payment can have several). */
  refund(paymentId: string, amount: number, refundId: string): Promise<void>;
  /**
   * Optional: the provider's own fee on one settled movement, by its published schedule, in
   * minor units. Reconciliation checks each line of the provider's settlement file against it;
   * a provider without one has its fees taken as they come (never a fee_mismatch).
   */
  settlementFee?(movement: SettlementMovement): number;
}

/** One movement as a provider settles it (a line of its settlement file). */
export interface SettlementMovement {
  type: "capture" | "refund";
  /** Minor units, positive. */
  amount: number;
  currency: string;
}
