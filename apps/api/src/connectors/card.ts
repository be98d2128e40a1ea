import { cardBrand, cardExpired, luhnValid } from "@softrack/core";
import { sha256Hex } from "../lib/crypto.js";
import { invalid } from "../lib/errors.js";
import type { AuthorizeResult, PaymentConnector, SettlementMovement } from "./connector.js";

/** The contract's test cards. */
const DECLINES: Record<string, { code: string; message: string }> = {
  "4000000000000002": { code: "card_declined", message: "Your card was declined." },
  "4000000000009995": { code: "insufficient_funds", message: "Your card has insufficient funds." },
};
const THREE_D_SECURE = "4000000000003220";
/** Test mode's one-time code for SMS and 3-D Secure challenges. */
export const TEST_CHALLENGE_CODE = "000000";

/**
 * A simulator holds no money, so capture, void and refund have nothing to tell: the ledger is
 * the whole story in test mode. They record nothing (there is nothing sensitive to keep either).
 */
export const SIMULATED_MOVEMENTS: Pick<PaymentConnector, "capture" | "void" | "refund"> = {
  async capture() {},
  async void() {},
  async refund() {},
};

/**
 * The simulated acquirer's fee, as its settlement file shows it: 1.5% of a capture (in basis
 * points, rounded half up to the minor unit), nothing on a refund (its fee is not returned,
 * and it charges none for sending money back).
 */
export const SIMULATED_ACQUIRER_FEE_BPS = 150;
export function simulatedAcquirerFee(m: SettlementMovement): number {
  if (m.type === "refund") return 0;
  return Math.floor((m.amount * SIMULATED_ACQUIRER_FEE_BPS + 5_000) / 10_000);
}

/**
 * Card simulator (test mode). Validates like a real acquirer would (Luhn, expiry, CVC)
 * and keeps only brand, last4 and expiry: the number and CVC leave with this function.
 */
export const cardSimulator: PaymentConnector = {
  method: "card",
  simulator: true,
  ...SIMULATED_MOVEMENTS,
  settlementFee: simulatedAcquirerFee,
  async authorize({ data, now }): Promise<AuthorizeResult> {
    const card = (data.card ?? {}) as Record<string, unknown>;
    const number = typeof card.number === "string" ? card.number.replace(/[\s-]/g, "") : "";
    if (!/^\d{12,19}$/.test(number) || !luhnValid(number)) {
      throw invalid("invalid_number", "The card number is not a valid card number.", "payment_method_data.card.number");
    }
    const month = card.exp_month;
    const year = card.exp_year;
    if (!Number.isInteger(month) || (month as number) < 1 || (month as number) > 12) {
      throw invalid("invalid_expiry_month", "The card's expiration month is invalid.", "payment_method_data.card.exp_month");
    }
    if (!Number.isInteger(year) || (year as number) < 2000 || (year as number) > 2100) {
      throw invalid("invalid_expiry_year", "The card's expiration year is invalid.", "payment_method_data.card.exp_year");
    }
    if (cardExpired(month as number, year as number, now)) {
      throw invalid("expired_card", "The card has expired.", "payment_method_data.card.exp_year");
    }
    if (typeof card.cvc !== "string" || !/^\d{3,4}$/.test(card.cvc)) {
      throw invalid("invalid_cvc", "The card's security code is invalid.", "payment_method_data.card.cvc");
    }
    const details = {
      type: "card" as const,
      card: { brand: cardBrand(number), last4: number.slice(-4), exp_month: month as number, exp_year: year as number },
    };
    const decline = DECLINES[number];
    if (decline) return { outcome: "declined", details, ...decline };
    if (number === THREE_D_SECURE) {
      return { outcome: "requires_action", details, nextAction: { type: "three_d_secure" }, challengeHash: sha256Hex(TEST_CHALLENGE_CODE) };
    }
    return { outcome: "authorized", details };
  },
};
