import type { ReactiveController, ReactiveControllerHost, TemplateResult } from "lit";
import type { Theme } from "../elements/card/protocol.js";
import type { Payment, PaymentClient } from "../internal/api.js";
import type { Locale, MessageKey } from "../locales/index.js";

export type MethodId = "card" | "sms" | "qr" | "wallet";

/** What the checkout gives a method: the payment, the API, words and theme. */
export interface MethodContext extends ReactiveControllerHost {
  readonly payment: Payment | undefined;
  readonly client: PaymentClient | undefined;
  readonly apiBase: string;
  readonly clientSecret: string;
  readonly publishableKey: string;
  readonly locale: Locale;
  /** where the checkout renders the methods' fields (its shadow root) */
  readonly root: ParentNode;
  t(key: MessageKey, vars?: Record<string, string>): string;
  /** the payment's amount in the buyer's locale */
  amountText(): string;
  theme(): Theme;
  /** input changed; carries shape only (brand, complete), never what was typed */
  methodChanged(state: MethodState): void;
  /** the buyer pressed Enter inside a method's fields */
  requestSubmit(): void;
  /** a method's part loaded (card iframe), so the checkout may announce ready */
  methodReady(id: MethodId): void;
}

export interface MethodState {
  complete: boolean;
  empty: boolean;
  brand?: string;
}

/** One payment method, alive for as long as its checkout. */
export interface CheckoutMethod extends ReactiveController {
  readonly id: MethodId;
  readonly state: MethodState;
  /** true until the method's own parts are usable (the card iframe) */
  readonly loading: boolean;
  /** the method's fields; the checkout adds the pay button */
  render(): TemplateResult;
  /** text of the pay button */
  submitLabel(): string;
  /** validates and confirms; resolves with the payment as the API left it */
  confirm(): Promise<Payment>;
  /** a next_action this method draws itself (QR), instead of the shared code step */
  renderAction?(payment: Payment): TemplateResult | undefined;
  /** locale or theme changed: relabel without touching what was typed */
  refresh?(): void;
  focus?(): void;
}

export interface MethodDefinition {
  readonly id: MethodId;
  readonly label: MessageKey;
  /** can this payment be paid this way at all (e.g. wallet needs a customer) */
  available(payment: Payment): boolean;
  create(ctx: MethodContext): CheckoutMethod;
}
