/**
 * The courier payment guarantee as a pure reducer. The buyer's money is held in escrow
 * until the handover decides how much of it the merchant earns:
 *
 *   requires_payment → held → delivered (some items kept; returns inside the window)
 *                          ↘ refunded (failed delivery, or nothing kept)
 *                          ↘ expired  (never collected: refund minus the no-show fee)
 *
 * An `on_pickup` order holds no money: it waits at the point (`awaiting_pickup`) and its payment
 * is confirmed there at handover, which holds it like a prepaid one (then `held` → `delivered`):
 *
 *   awaiting_pickup → held (paid at the point) → delivered
 *                   ↘ expired  (never collected: nothing was paid, the loss is the merchant's)
 *                   ↘ canceled (the delivery failed: nothing to refund)
 *
 * Amounts are integer minor units; items are priced per unit.
 */
export type OrderStatus = "requires_payment" | "awaiting_pickup" | "held" | "delivered" | "refunded" | "expired" | "canceled";

/** When the buyer pays: before delivery (held in escrow), or at the point, at handover. */
export type PaymentTiming = "prepaid" | "on_pickup";

export interface OrderItem {
  readonly sku: string;
  readonly name: string;
  readonly amount: number;
  readonly quantity: number;
}

export interface OrderLine extends OrderItem {
  readonly accepted: number;
  readonly returned: number;
}

export interface OrderState {
  readonly status: OrderStatus;
  readonly payment_timing: PaymentTiming;
  readonly lines: readonly OrderLine[];
  readonly no_show_fee: number;
  readonly collect_by: string;
  readonly return_window_days: number;
  readonly delivered_at: string | null;
  readonly amount_captured: number;
  readonly amount_refunded: number;
  /** True once the return window closed and the merchant's pending money became available. */
  readonly settled: boolean;
}

export type OrderAction =
  | { type: "payment_authorized" }
  | { type: "handover"; accepted: readonly { sku: string; quantity: number }[]; at: string }
  | { type: "fail" }
  | { type: "expire"; now: string }
  | { type: "return"; items: readonly { sku: string; quantity: number }[]; now: string }
  | { type: "settle"; now: string };

export type OrderEffect =
  | { type: "capture"; amount: number; release: number }
  | { type: "void" }
  | { type: "refund"; amount: number }
  | { type: "settle" };

export type OrderTransition =
  | { ok: true; state: OrderState; effects: OrderEffect[] }
  | { ok: false; code: "order_unexpected_state" | "invalid_items" | "return_window_closed" | "not_due"; message: string; param?: string };

export function orderAmount(items: readonly OrderItem[]): number {
  return items.reduce((sum, i) => sum + i.amount * i.quantity, 0);
}

export function newOrder(input: {
  items: readonly OrderItem[];
  no_show_fee: number;
  collect_by: string;
  return_window_days: number;
  payment_timing?: PaymentTiming;
}): OrderState {
  const timing = input.payment_timing ?? "prepaid";
  return {
    status: timing === "on_pickup" ? "awaiting_pickup" : "requires_payment",
    payment_timing: timing,
    lines: input.items.map((i) => ({ ...i, accepted: 0, returned: 0 })),
    no_show_fee: input.no_show_fee,
    collect_by: input.collect_by,
    return_window_days: input.return_window_days,
    delivered_at: null,
    amount_captured: 0,
    amount_refunded: 0,
    settled: false,
  };
}

const DAY_MS = 86_400_000;

export function returnWindowEnds(s: OrderState): string | null {
  if (!s.delivered_at) return null;
  return new Date(Date.parse(s.delivered_at) + s.return_window_days * DAY_MS).toISOString();
}

/** Adds quantities per SKU and checks them against what each line allows. */
function pick(
  lines: readonly OrderLine[],
  wanted: readonly { sku: string; quantity: number }[],
  limit: (l: OrderLine) => number,
): { ok: true; bySku: Map<string, number>; amount: number } | { ok: false; message: string; param: string } {
  const bySku = new Map<string, number>();
  for (const [i, w] of wanted.entries()) {
    if (!Number.isSafeInteger(w.quantity) || w.quantity <= 0)
      return { ok: false, message: "quantity must be a positive integer", param: `items[${i}].quantity` };
    bySku.set(w.sku, (bySku.get(w.sku) ?? 0) + w.quantity);
  }
  let amount = 0;
  for (const [sku, qty] of bySku) {
    const line = lines.find((l) => l.sku === sku);
    if (!line) return { ok: false, message: `the order has no item ${sku}`, param: "items" };
    if (qty > limit(line)) return { ok: false, message: `only ${limit(line)} of ${sku} can be taken here, not ${qty}`, param: "items" };
    amount += line.amount * qty;
  }
  return { ok: true, bySku, amount };
}

const unexpected = (s: OrderState, what: string): OrderTransition => ({
  ok: false,
  code: "order_unexpected_state",
  message: `cannot ${what} an order whose status is ${s.status}`,
});

export function transitionOrder(s: OrderState, action: OrderAction): OrderTransition {
  const total = orderAmount(s.lines);
  switch (action.type) {
    case "payment_authorized":
      if (s.status !== "requires_payment" && s.status !== "awaiting_pickup") return unexpected(s, "hold");
      return { ok: true, state: { ...s, status: "held" }, effects: [] };
    case "handover": {
      if (s.status === "awaiting_pickup")
        return {
          ok: false,
          code: "order_unexpected_state",
          message: "an on_pickup order is paid at the point first: confirm its payment, then hand it over",
        };
      if (s.status !== "held") return unexpected(s, "hand over");
      const picked = pick(s.lines, action.accepted, (l) => l.quantity);
      if (!picked.ok)
        return { ok: false, code: "invalid_items", message: picked.message, param: picked.param.replace("items", "accepted") };
      const lines = s.lines.map((l) => ({ ...l, accepted: picked.bySku.get(l.sku) ?? 0 }));
      if (picked.amount === 0) {
        return { ok: true, state: { ...s, lines, status: "refunded", amount_refunded: total }, effects: [{ type: "void" }] };
      }
      return {
        ok: true,
        state: {
          ...s,
          lines,
          status: "delivered",
          delivered_at: action.at,
          amount_captured: picked.amount,
          amount_refunded: total - picked.amount,
        },
        effects: [{ type: "capture", amount: picked.amount, release: total - picked.amount }],
      };
    }
    case "fail":
      // Nothing was paid for an on_pickup order still at the point: nothing to refund.
      if (s.status === "awaiting_pickup") return { ok: true, state: { ...s, status: "canceled" }, effects: [{ type: "void" }] };
      if (s.status !== "held") return unexpected(s, "fail");
      return { ok: true, state: { ...s, status: "refunded", amount_refunded: total }, effects: [{ type: "void" }] };
    case "expire": {
      if (s.status !== "held" && s.status !== "awaiting_pickup") return unexpected(s, "expire");
      if (Date.parse(action.now) < Date.parse(s.collect_by))
        return { ok: false, code: "not_due", message: "the order can still be collected" };
      // Not collected and never paid: no fee can be kept, the delivery is the merchant's loss.
      if (s.status === "awaiting_pickup") return { ok: true, state: { ...s, status: "expired" }, effects: [{ type: "void" }] };
      const fee = Math.min(s.no_show_fee, total);
      if (fee === 0) return { ok: true, state: { ...s, status: "expired", amount_refunded: total }, effects: [{ type: "void" }] };
      return {
        ok: true,
        state: { ...s, status: "expired", amount_captured: fee, amount_refunded: total - fee },
        effects: [{ type: "capture", amount: fee, release: total - fee }],
      };
    }
    case "return": {
      if (s.status !== "delivered") return unexpected(s, "return items of");
      const ends = returnWindowEnds(s) as string;
      if (s.settled || Date.parse(action.now) >= Date.parse(ends)) {
        return { ok: false, code: "return_window_closed", message: `the return window closed at ${ends}` };
      }
      const picked = pick(s.lines, action.items, (l) => l.accepted - l.returned);
      if (!picked.ok) return { ok: false, code: "invalid_items", message: picked.message, param: picked.param };
      const lines = s.lines.map((l) => ({ ...l, returned: l.returned + (picked.bySku.get(l.sku) ?? 0) }));
      return {
        ok: true,
        state: { ...s, lines, amount_refunded: s.amount_refunded + picked.amount },
        effects: [{ type: "refund", amount: picked.amount }],
      };
    }
    case "settle": {
      if (s.status !== "delivered" || s.settled) return unexpected(s, "settle");
      if (Date.parse(action.now) < Date.parse(returnWindowEnds(s) as string))
        return { ok: false, code: "not_due", message: "the return window is still open" };
      return { ok: true, state: { ...s, settled: true }, effects: [{ type: "settle" }] };
    }
  }
}
