import { cardSimulator } from "./card.js";
import type { PaymentConnector } from "./connector.js";
import type { LiveConnectors } from "./live.js";
import { qrSimulator } from "./qr.js";
import { smsSimulator } from "./sms.js";

export type { AuthorizeResult, PaymentConnector } from "./connector.js";
export type { LiveConnectors } from "./live.js";

/**
 * Connectors by method and mode. Test mode uses the simulators; live mode only the
 * providers the operator configured (LIVE_CONNECTORS, loaded at start into deps): none
 * ships in the open-source reference API, and a live method without one is unavailable.
 * The wallet is not a connector: it is Softrack's own ledger, handled by the payment service.
 */
const TEST: Record<string, PaymentConnector> = { card: cardSimulator, sms: smsSimulator, qr: qrSimulator };

export function connectorFor(live: LiveConnectors, method: string, livemode: boolean): PaymentConnector | undefined {
  const table: Record<string, PaymentConnector | undefined> = livemode ? live : TEST;
  return Object.hasOwn(table, method) ? table[method] : undefined;
}
