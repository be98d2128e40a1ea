import { SIMULATED_MOVEMENTS } from "./card.js";
import type { PaymentConnector } from "./connector.js";

/**
 * QR payment: the payer's banking app scans a payload and completes the payment on its
 * side (in test mode: POST /v1/test_helpers/payments/:id/complete_qr).
 */
export const qrSimulator: PaymentConnector = {
  method: "qr",
  simulator: true,
  ...SIMULATED_MOVEMENTS,
  async authorize({ paymentId, amount, currency }) {
    const payload = `softrack://pay?payment=${paymentId}&amount=${amount}&currency=${currency}`;
    return { outcome: "requires_action", details: { type: "qr", qr: {} }, nextAction: { type: "qr", payload } };
  },
};
