import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { newPayment, type PaymentAction, type PaymentState, transitionPayment } from "../src/index.js";

const run = (s: PaymentState, ...actions: PaymentAction[]) =>
  actions.reduce((state, a) => {
    const t = transitionPayment(state, a);
    if (!t.ok) throw new Error(t.message);
    return t.state;
  }, s);

describe("payment status machine", () => {
  it("automatic capture: confirm → succeeded, with hold and capture", () => {
    const t = transitionPayment(newPayment(1_000, "automatic"), { type: "confirm", outcome: "authorized" });
    expect(t.ok && t.state).toMatchObject({ status: "succeeded", amount_captured: 1_000, amount_capturable: 0 });
    expect(t.ok && t.effects).toEqual([
      { type: "open_hold", amount: 1_000 },
      { type: "capture_hold", amount: 1_000, release: 0 },
    ]);
  });

  it("manual capture: partial capture releases the rest", () => {
    const held = run(newPayment(1_000, "manual"), { type: "confirm", outcome: "authorized" });
    expect(held).toMatchObject({ status: "requires_capture", amount_capturable: 1_000 });
    const t = transitionPayment(held, { type: "capture", amount: 600 });
    expect(t.ok && t.effects).toEqual([{ type: "capture_hold", amount: 600, release: 400 }]);
    expect(t.ok && t.state).toMatchObject({ status: "succeeded", amount_captured: 600, amount_capturable: 0 });
  });

  it("challenge: requires_action → verify → succeeded, or failed", () => {
    const pending = run(newPayment(500, "automatic"), { type: "confirm", outcome: "requires_action" });
    expect(pending.status).toBe("requires_action");
    expect(run(pending, { type: "challenge_passed" }).status).toBe("succeeded");
    expect(run(pending, { type: "challenge_failed" }).status).toBe("failed");
  });

  it.each<[string, PaymentAction[], PaymentAction]>([
    ["capture twice", [{ type: "confirm", outcome: "authorized" }, { type: "capture" }], { type: "capture" }],
    ["confirm a canceled payment", [{ type: "cancel" }], { type: "confirm", outcome: "authorized" }],
    ["confirm twice", [{ type: "confirm", outcome: "authorized" }], { type: "confirm", outcome: "authorized" }],
    ["capture more than capturable", [{ type: "confirm", outcome: "authorized" }], { type: "capture", amount: 1_001 }],
    ["refund before capture", [{ type: "confirm", outcome: "authorized" }], { type: "refund", amount: 1 }],
    ["cancel a succeeded payment", [{ type: "confirm", outcome: "authorized" }, { type: "capture" }], { type: "cancel" }],
    ["verify without a challenge", [], { type: "challenge_passed" }],
    [
      "refund more than captured",
      [
        { type: "confirm", outcome: "authorized" },
        { type: "capture", amount: 300 },
      ],
      { type: "refund", amount: 301 },
    ],
    ["confirm a failed payment", [{ type: "confirm", outcome: "declined" }], { type: "confirm", outcome: "authorized" }],
  ])("forbids: %s", (_name, before, action) => {
    const s = run(newPayment(1_000, "manual"), ...before);
    expect(transitionPayment(s, action).ok).toBe(false);
  });

  it("refunds never exceed what was captured, whatever the sequence (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.array(fc.integer({ min: 1, max: 50_000 }), { maxLength: 20 }),
        (amount, refunds) => {
          let s = run(newPayment(amount, "automatic"), { type: "confirm", outcome: "authorized" });
          for (const r of refunds) {
            const t = transitionPayment(s, { type: "refund", amount: r });
            if (t.ok) s = t.state;
            else expect(s.amount_refunded + r).toBeGreaterThan(s.amount_captured);
          }
          expect(s.amount_refunded).toBeLessThanOrEqual(s.amount_captured);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
