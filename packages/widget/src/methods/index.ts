import { cardMethod } from "./card/card.js";
import { qrMethod } from "./qr/qr.js";
import { smsMethod } from "./sms/sms.js";
import type { MethodDefinition } from "./types.js";
import { walletMethod } from "./wallet/wallet.js";

export type { CheckoutMethod, MethodContext, MethodDefinition, MethodId, MethodState } from "./types.js";

/** The methods a checkout offers, in display order. Adding a method is adding its folder and a line here. */
export const defaultMethods: readonly MethodDefinition[] = [cardMethod, smsMethod, qrMethod, walletMethod];
