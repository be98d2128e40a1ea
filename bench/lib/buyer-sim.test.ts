import { describe, expect, it } from "vitest";
import { policyAt, prng, simulateMonth } from "./buyer-sim.js";

describe("buyer reliability simulation", () => {
  it("is deterministic: the same seed gives the same month, another seed another", () => {
    const a = simulateMonth({ seed: 7, buyers: 2_000, policy: policyAt(85) });
    expect(simulateMonth({ seed: 7, buyers: 2_000, policy: policyAt(85) })).toEqual(a);
    expect(simulateMonth({ seed: 8, buyers: 2_000, policy: policyAt(85) })).not.toEqual(a);
    const r = prng(1);
    const s = prng(1);
    expect([r(), r(), r()]).toEqual([s(), s(), s()]);
  });

  it("a policy changes only what it decides: with nobody under the threshold, the month is the same", () => {
    const none = simulateMonth({ seed: 7, buyers: 2_000, policy: null });
    const idle = simulateMonth({ seed: 7, buyers: 2_000, policy: policyAt(0) });
    expect(idle).toEqual(none);
    const strict = simulateMonth({ seed: 7, buyers: 2_000, policy: policyAt(85) });
    expect(strict.askedToPrepay).toBeGreaterThan(0);
    expect(strict.netLoss).toBeLessThan(none.netLoss);
  });
});
