// The tone of a status badge, one table for the whole console, so a status looks the same on
// every screen (Overview, lists, detail pages). Pure, so Node tests import it.

/** Finished well (green). */
const GOOD = new Set(["succeeded", "paid", "won", "delivered", "held"]);
/** Finished badly, or waiting on the merchant (red). */
const BAD = new Set(["failed", "lost", "needs_response", "expired"]);

/** "good" | "bad" | "neutral": the badge class of a payment, order, refund, payout or dispute status. */
export function statusTone(status: string): "good" | "bad" | "neutral" {
  return GOOD.has(status) ? "good" : BAD.has(status) ? "bad" : "neutral";
}
