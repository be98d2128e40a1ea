import type { PaymentMethodDetails } from "../db/schema/payments.js";

/**
 * One interface for every way of paying. A method is a module; a live provider is a new
 * module registered in place of the simulator, never an `if` inside the payment service.
 * Connectors only talk to the provider; the ledger work stays in the payment service.
 */
export interface AuthorizeInput {
  paymentId: string;
  amount: number;
  currency: string;
  livemode: boolean;
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

export interface PaymentConnector {
  readonly method: "card" | "sms" | "qr" | "wallet";
  /** Validates the method data and asks the provider to authorise. Throws ApiError(400) on bad data. */
  authorize(input: AuthorizeInput): Promise<AuthorizeResult>;
  /** The provider's side of capture / void / refund (simulators have nothing to do). */
  capture?(paymentId: string, amount: number): Promise<void>;
  void?(paymentId: string): Promise<void>;
  refund?(paymentId: string, amount: number): Promise<void>;
}
