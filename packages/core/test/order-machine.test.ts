import { describe, expect, it } from "vitest";
import { newOrder, type OrderAction, type OrderState, returnWindowEnds, transitionOrder } from "../src/index.js";

const order = () =>
  newOrder({
    items: [
      { sku: "dress", name: "Dress", amount: 3_000, quantity: 1 },
      { sku: "shoes", name: "Shoes", amount: 2_000, quantity: 2 },
    ],
    no_show_fee: 700,
    collect_by: "2026-12-01T00:00:00.000Z",
    return_window_days: 14,
  });
const apply = (s: OrderState, ...a: OrderAction[]) =>
  a.reduce((st, x) => {
    const t = transitionOrder(st, x);
    if (!t.ok) throw new Error(t.message);
    return t.state;
  }, s);
const held = () => apply(order(), { type: "payment_authorized" });

describe("order machine", () => {
  it("partial buyout captures the kept items and releases the rest", () => {
    const t = transitionOrder(held(), { type: "handover", accepted: [{ sku: "shoes", quantity: 1 }], at: "2026-11-25T10:00:00.000Z" });
    expect(t.ok && t.effects).toEqual([{ type: "capture", amount: 2_000, release: 5_000 }]);
    expect(t.ok && t.state.status).toBe("delivered");
  });

  it("nothing accepted refunds everything", () => {
    const t = transitionOrder(held(), { type: "handover", accepted: [], at: "2026-11-25T10:00:00.000Z" });
    expect(t.ok && t.state.status).toBe("refunded");
    expect(t.ok && t.effects).toEqual([{ type: "void" }]);
  });

  it("expiry keeps the no-show fee for the merchant, only once due", () => {
    expect(transitionOrder(held(), { type: "expire", now: "2026-11-30T23:59:59.000Z" }).ok).toBe(false);
    const t = transitionOrder(held(), { type: "expire", now: "2026-12-01T00:00:00.000Z" });
    expect(t.ok && t.effects).toEqual([{ type: "capture", amount: 700, release: 6_300 }]);
  });

  it("returns: inside the window, never more than kept", () => {
    const delivered = apply(held(), { type: "handover", accepted: [{ sku: "shoes", quantity: 2 }], at: "2026-11-25T10:00:00.000Z" });
    expect(returnWindowEnds(delivered)).toBe("2026-12-09T10:00:00.000Z");
    const r = transitionOrder(delivered, { type: "return", items: [{ sku: "shoes", quantity: 1 }], now: "2026-12-01T00:00:00.000Z" });
    expect(r.ok && r.effects).toEqual([{ type: "refund", amount: 2_000 }]);
    expect(transitionOrder(delivered, { type: "return", items: [{ sku: "shoes", quantity: 3 }], now: "2026-12-01T00:00:00.000Z" }).ok).toBe(
      false,
    );
    expect(transitionOrder(delivered, { type: "return", items: [{ sku: "dress", quantity: 1 }], now: "2026-12-01T00:00:00.000Z" }).ok).toBe(
      false,
    );
    const late = transitionOrder(delivered, { type: "return", items: [{ sku: "shoes", quantity: 1 }], now: "2026-12-09T10:00:00.000Z" });
    expect(!late.ok && late.code).toBe("return_window_closed");
  });

  it("fail only while held", () => {
    expect(transitionOrder(held(), { type: "fail" }).ok).toBe(true);
    const delivered = apply(held(), { type: "handover", accepted: [{ sku: "dress", quantity: 1 }], at: "2026-11-25T10:00:00.000Z" });
    expect(transitionOrder(delivered, { type: "fail" }).ok).toBe(false);
  });
});

describe("an on_pickup order", () => {
  const onPickup = () =>
    newOrder({
      items: [{ sku: "dress", name: "Dress", amount: 3_000, quantity: 1 }],
      no_show_fee: 700,
      collect_by: "2026-12-01T00:00:00.000Z",
      return_window_days: 14,
      payment_timing: "on_pickup",
    });

  it("waits at the point holding nothing, and cannot be handed over before its payment", () => {
    const s = onPickup();
    expect(s.status).toBe("awaiting_pickup");
    expect(s.amount_captured).toBe(0);
    const t = transitionOrder(s, { type: "handover", accepted: [{ sku: "dress", quantity: 1 }], at: "2026-11-30T00:00:00.000Z" });
    expect(t.ok).toBe(false);
  });

  it("is held once paid at the point, then delivered like a prepaid one", () => {
    const s = apply(
      onPickup(),
      { type: "payment_authorized" },
      { type: "handover", accepted: [{ sku: "dress", quantity: 1 }], at: "2026-11-30T00:00:00.000Z" },
    );
    expect(s.status).toBe("delivered");
    expect(s.amount_captured).toBe(3_000);
  });

  it("expires uncollected with no fee kept (nothing was paid), and a failed delivery cancels it", () => {
    const expired = transitionOrder(onPickup(), { type: "expire", now: "2026-12-02T00:00:00.000Z" });
    expect(expired.ok && expired.state.status).toBe("expired");
    expect(expired.ok && expired.state.amount_captured).toBe(0);
    expect(expired.ok && expired.effects).toEqual([{ type: "void" }]);
    const failed = transitionOrder(onPickup(), { type: "fail" });
    expect(failed.ok && failed.state.status).toBe("canceled");
  });
});
