import { describe, expect, it } from "vitest";
import { turns } from "./load.js";

/** Each participant's mean slot over the whole run (round × participants + place in the round). */
function meanSlots<T>(participants: readonly T[], rounds: number): Map<T, number> {
  const sums = new Map<T, number>();
  for (const [round, order] of turns(participants, rounds).entries()) {
    for (const [place, p] of order.entries()) sums.set(p, (sums.get(p) ?? 0) + round * participants.length + place);
  }
  return new Map([...sums].map(([p, sum]) => [p, sum / rounds]));
}

describe("turns: the order in which the bench's paths and pgbench take their slices", () => {
  it("gives every participant one slice a round", () => {
    const paths = ["a", "a-raw", "a-wrk", "b", "b-wrk", "c", "c-raw", "c-wrk", "pgbench"];
    const rounds = turns(paths, 4);
    expect(rounds).toHaveLength(4);
    for (const order of rounds) expect([...order].sort()).toEqual([...paths].sort());
  });

  it("places every participant at the same mean time over an even number of rounds", () => {
    // A database that slows as it fills, or a machine that speeds up, then weighs on each alike:
    // the bench's ratios (keyed against keyless, every path against pgbench) compare these slices.
    for (const [n, rounds] of [
      [9, 4],
      [4, 2],
      [3, 6],
    ] as const) {
      const participants = Array.from({ length: n }, (_, i) => i);
      const means = [...meanSlots(participants, rounds).values()];
      for (const m of means) expect(m).toBe(means[0]);
    }
  });

  it("varies who runs next to whom from one pair of rounds to the next", () => {
    const [first, , third] = turns(["a", "b", "c", "pgbench"], 4);
    expect(third).not.toEqual(first);
  });
});
