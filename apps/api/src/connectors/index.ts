import { cardSimulator } from "./card.js";
import type { PaymentConnector } from "./connector.js";
import { qrSimulator } from "./qr.js";
import { smsSimulator } from "./sms.js";

export type { AuthorizeResult, PaymentConnector } from "./connector.js";

/**
 * Connectors by method and mode. Test mode uses the simulators; live providers register
 * here (none ships in the open-source reference API). The wallet is not a connector: it
 * is Softrack's own ledger, handled by the payment service.
 */
const TEST: Record<string, PaymentConnector> = { card: cardSimulator, sms: smsSimulator, qr: qrSimulator };
const LIVE: Record<string, PaymentConnector> = {};

export function connectorFor(method: string, livemode: boolean): PaymentConnector | undefined {
  return (livemode ? LIVE : TEST)[method];
}
