import { describe, expect, it } from "vitest";
import { GroupCommit } from "../src/store/group-commit.js";

/** A GroupCommit whose decide() records each group and resolves only when the test says so. */
function recorder(opts: { maxGroup: number; inFlight: number; minGroup?: number }) {
  const groups: number[][] = [];
  const pending: (() => void)[] = [];
  const gc = new GroupCommit<number, number>(
    (group) =>
      new Promise((resolve) => {
        groups.push(group);
        pending.push(() => resolve(group.map((n) => n * 10)));
      }),
    opts,
  );
  return { gc, groups, commitFirst: () => pending.shift()?.() };
}

/** Lets the event loop run its current turn out (setImmediate callbacks included). */
const turn = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("GroupCommit: when a group starts, and with how many", () => {
  it("puts requests that arrive in one turn of the event loop into one group, not the first alone", async () => {
    const { gc, groups, commitFirst } = recorder({ maxGroup: 32, inFlight: 2 });
    const answers = [1, 2, 3, 4, 5].map((n) => gc.submit("mer_1:false", n));
    await turn();
    expect(groups).toEqual([[1, 2, 3, 4, 5]]);
    commitFirst();
    expect(await Promise.all(answers)).toEqual([10, 20, 30, 40, 50]);
  });

  it("starts a lone group at once, and beside one in flight waits for minGroup items or its commit", async () => {
    const { gc, groups, commitFirst } = recorder({ maxGroup: 32, inFlight: 2, minGroup: 3 });
    const first = gc.submit("mer_1:false", 1);
    await turn();
    expect(groups).toEqual([[1]]); // nothing in flight: no wait

    const second = [2, 3].map((n) => gc.submit("mer_1:false", n));
    await turn();
    expect(groups).toEqual([[1]]); // two beside a group in flight: they wait

    const third = gc.submit("mer_1:false", 4);
    await turn();
    expect(groups).toEqual([[1], [2, 3, 4]]); // three: the second slot is worth filling

    const fourth = gc.submit("mer_1:false", 5);
    await turn();
    expect(groups).toHaveLength(2); // both slots busy
    commitFirst();
    expect(await first).toBe(10);
    await turn();
    expect(groups).toHaveLength(2); // one slot free, one item, a group still in flight: it waits
    commitFirst();
    expect(await Promise.all([...second, third])).toEqual([20, 30, 40]);
    await turn();
    expect(groups).toEqual([[1], [2, 3, 4], [5]]); // nothing in flight any more: it goes alone
    commitFirst();
    expect(await fourth).toBe(50);
  });

  it("keeps merchants apart: one merchant's group in flight does not hold another's back", async () => {
    const { gc, groups, commitFirst } = recorder({ maxGroup: 32, inFlight: 2, minGroup: 3 });
    const a = gc.submit("mer_1:false", 1);
    await turn();
    const b = gc.submit("mer_2:false", 2);
    await turn();
    expect(groups).toEqual([[1], [2]]);
    commitFirst();
    commitFirst();
    expect(await Promise.all([a, b])).toEqual([10, 20]);
  });
});
