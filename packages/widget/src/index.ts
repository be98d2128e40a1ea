/** @softrack/widget: the <softrack-checkout> element, registered on import. */
import "./define.js";

export { SoftrackCheckout } from "./checkout/checkout.js";
export * from "./checkout/events.js";
export { TAG } from "./define.js";
export { type ApiErrorBody, type NextAction, type Payment, type PaymentStatus, SoftrackError } from "./internal/api.js";
export { formatAmount, minorToDecimal } from "./internal/money.js";
export { LOCALES, type Locale, type MessageKey, type Messages } from "./locales/index.js";
export * from "./methods/card/validators.js";
export { defaultMethods } from "./methods/index.js";
export * from "./methods/sms/phone.js";
export type { CheckoutMethod, MethodContext, MethodDefinition, MethodId, MethodState } from "./methods/types.js";
