import { sha256Hex } from "../lib/crypto.js";
import { invalid } from "../lib/errors.js";
import { SIMULATED_MOVEMENTS, TEST_CHALLENGE_CODE } from "./card.js";
import type { PaymentConnector } from "./connector.js";

/** Mobile numbers of the operators Softrack bills through: Kyrgyzstan, Kazakhstan/Russia, Uzbekistan. */
const PHONE = /^\+(996\d{9}|7\d{10}|998\d{9})$/;

/**
 * SMS payment (charged to the mobile balance), test-mode simulator: the operator "sends"
 * a one-time code; in test mode it is always 000000. Only the code's hash is kept.
 */
export const smsSimulator: PaymentConnector = {
  method: "sms",
  simulator: true,
  ...SIMULATED_MOVEMENTS,
  async authorize({ data }) {
    const phone = typeof data.phone === "string" ? data.phone.replace(/[\s()-]/g, "") : "";
    if (!PHONE.test(phone)) {
      throw invalid(
        "invalid_phone",
        "phone must be a mobile number in international format: +996…, +7… or +998….",
        "payment_method_data.phone",
      );
    }
    return {
      outcome: "requires_action",
      details: { type: "sms", sms: { phone_last4: phone.slice(-4) } },
      nextAction: { type: "sms_code", sms_code: { phone_last4: phone.slice(-4), code_length: 6 } },
      challengeHash: sha256Hex(TEST_CHALLENGE_CODE),
    };
  },
};
