import { describe, expect, it } from "vitest";
import { type Classify, scheduleShares } from "./sched.js";

const LOOP = 100;
const classify: Classify = (tid, comm) =>
  tid === LOOP ? "API event loop" : comm === "postgres" ? "PostgreSQL" : comm === "wrk" ? "load generator" : "other";

/** One sched_switch line as `perf script -F cpu,time,event,trace` prints it. */
const sw = (cpu: number, time: number, prev: [string, number, string], next: [string, number]) =>
  `[00${cpu}] ${time.toFixed(6)}:       sched:sched_switch: prev_comm=${prev[0]} prev_pid=${prev[1]} prev_prio=120 prev_state=${prev[2]} ==> next_comm=${next[0]} next_pid=${next[1]} next_prio=120`;

describe("scheduleShares", () => {
  // Two cores over 10 ms, starting once both have switched (t = 1.000):
  //  1.000–1.004 the loop runs alone (core 1 idle);
  //  1.004–1.006 wrk preempts the loop on core 0, core 1 still idle: the loop waits beside an idle core;
  //  1.006–1.008 the loop runs again, PostgreSQL on core 1: both busy;
  //  1.008–1.010 both idle.
  const trace = [
    sw(0, 0.999, ["swapper/0", 0, "R"], ["node", LOOP]),
    `[001] 0.999500:       sched:sched_waking: comm=postgres pid=300 prio=120 target_cpu=001`,
    sw(1, 1.0, ["npm exec tsx be", 7, "S"], ["swapper/1", 0]),
    sw(0, 1.004, ["node", LOOP, "R"], ["wrk", 200]),
    sw(0, 1.006, ["wrk", 200, "S"], ["node", LOOP]),
    sw(1, 1.006, ["swapper/1", 0, "R"], ["postgres", 300]),
    sw(0, 1.008, ["node", LOOP, "S"], ["swapper/0", 0]),
    sw(1, 1.008, ["postgres", 300, "S"], ["swapper/1", 0]),
    sw(1, 1.01, ["swapper/1", 0, "R"], ["postgres", 300]),
  ].join("\n");
  const s = scheduleShares(trace, 2, LOOP, classify);

  it("splits the span by how many cores were idle", () => {
    expect(s.seconds).toBeCloseTo(0.01, 9);
    expect(s.idleCores[0]).toBeCloseTo(0.2, 6);
    expect(s.idleCores[1]).toBeCloseTo(0.6, 6);
    expect(s.idleCores[2]).toBeCloseTo(0.2, 6);
  });

  it("names what ran while a core was idle", () => {
    expect(s.whileIdle.get("API event loop")).toBeCloseTo(0.4, 6);
    expect(s.whileIdle.get("load generator")).toBeCloseTo(0.2, 6);
    expect(s.whileIdle.get("nothing")).toBeCloseTo(0.2, 6);
    expect([...s.whileIdle.values()].reduce((a, b) => a + b, 0)).toBeCloseTo(s.idleCores[1]! + s.idleCores[2]!, 6);
  });

  it("counts the event loop's preemptions and its wait beside an idle core", () => {
    expect(s.preemptedBy.get("load generator")).toBeCloseTo(100, 6); // once in 10 ms
    expect(s.preemptedBy.size).toBe(1); // going to sleep (state S) is no preemption
    expect(s.loopPreemptedBesideIdle).toBeCloseTo(0.2, 6);
  });

  it("reads nothing from a trace without switches", () => {
    const none = scheduleShares("[000] 1.0: sched:sched_waking: comm=x pid=1 prio=120 target_cpu=000", 2, LOOP, classify);
    expect(none.seconds).toBe(0);
    expect(none.whileIdle.size).toBe(0);
  });
});
