import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { cpus } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { cpuByRole, machineCpu, processCpu, reapedCpu, sampleTree, threadSchedule } from "./cpu.js";

/**
 * A program's `burn(ms)`: ms of CPU on its main thread, measured by its own CPU clock (user and
 * system time, not the wall clock): the clock is a system call, and on a loaded machine the system
 * time spent reading it can pass the user time burnt (the bounds below assume both).
 */
const BURN =
  "const used = () => { const u = process.cpuUsage(); return u.user + u.system; };" +
  "const burn = (ms) => { const end = used() + ms * 1000; while (used() < end); };";

/**
 * A parent process with one child that burns 300 ms of CPU on command, and exits on command. The
 * parent reaps it, as a postmaster reaps a backend, and its reaped total then holds the child's
 * whole life.
 */
const PARENT = `
const { spawn } = require("node:child_process");
const CHILD = ${JSON.stringify(BURN)} +
  "process.stdin.on('data', (d) => { for (const c of String(d)) { if (c === 'b') { burn(300); process.stdout.write('.'); } else if (c === 'q') process.exit(0); } });";
const child = spawn(process.execPath, ["-e", CHILD], { stdio: ["pipe", "pipe", "inherit"] });
child.stdout.on("data", () => process.stdout.write("."));
child.on("exit", () => setTimeout(() => process.stdout.write("x"), 50));
process.stdin.on("data", (d) => child.stdin.write(d));
process.stdout.write("r");
`;

let parent: ChildProcess | undefined;
afterEach(() => parent?.kill());

async function until(p: ChildProcess, mark: string) {
  let seen = "";
  while (!seen.includes(mark)) seen += String((await once(p.stdout as NodeJS.ReadableStream, "data"))[0]);
}

describe("cpuByRole", () => {
  it("counts a child that exits mid-slice for its CPU in the slice only, and the roles add up to the tree", async () => {
    parent = spawn(process.execPath, ["-e", PARENT], { stdio: ["pipe", "pipe", "inherit"] });
    await until(parent, "r");
    // 300 ms of CPU before the first sample, 300 more within the slice, then the child exits.
    parent.stdin?.write("b");
    await until(parent, ".");
    const before = sampleTree(parent.pid as number);
    expect(before.children.size).toBe(1);
    const lifeBefore = [...before.children.values()][0]?.cpu ?? 0;
    expect(lifeBefore).toBeGreaterThanOrEqual(0.25);
    parent.stdin?.write("bq");
    await until(parent, "x");
    const after = sampleTree(parent.pid as number);
    expect(after.children.size).toBe(0);

    const roles = cpuByRole(before, after);
    const ended = roles.get("ended in the slice") ?? 0;
    // The slice's 300 ms, not the child's 600 ms life (ticks are 10 ms; the node start-up adds little).
    expect(ended).toBeGreaterThanOrEqual(0.25);
    expect(ended).toBeLessThan(0.25 + lifeBefore);
    // The postmaster's own share holds nothing of the child's.
    expect(roles.get("postmaster") ?? 0).toBeLessThan(0.2);
    const sum = [...roles.values()].reduce((a, b) => a + b, 0);
    const tree = (s: typeof before) => s.own + s.reaped + [...s.children.values()].reduce((a, c) => a + c.cpu, 0);
    expect(sum).toBeCloseTo(tree(after) - tree(before), 6);
    expect(tree(after)).toBeCloseTo(processCpu(parent.pid as number), 1);
  });
});

describe("threadSchedule", () => {
  it("puts a process's main-thread work on its main thread, and counts the other threads apart", async () => {
    // A child whose main thread burns 300 ms of CPU on command.
    const child = spawn(
      process.execPath,
      ["-e", `${BURN}process.stdin.on('data', () => { burn(300); process.stdout.write('.'); }); process.stdout.write('r');`],
      { stdio: ["pipe", "pipe", "inherit"] },
    );
    parent = child;
    await until(child, "r");
    const before = threadSchedule(child.pid as number);
    child.stdin?.write("b");
    await until(child, ".");
    const after = threadSchedule(child.pid as number);
    const ran = after.running - before.running;
    // The burn's 300 ms are the main thread's (some of its clock reads are system time, counted too).
    expect(ran).toBeGreaterThanOrEqual(0.25);
    expect(after.waiting).toBeGreaterThanOrEqual(before.waiting);
    // The other threads (V8's, libuv's) did next to nothing meanwhile.
    expect(after.others - before.others).toBeLessThan(ran / 2);
    // A process that is gone reads as nothing, not as an error.
    child.kill();
    await once(child, "exit");
    expect(threadSchedule(child.pid as number)).toEqual({ running: 0, waiting: 0, others: 0 });
  });
});

describe("reapedCpu and machineCpu", () => {
  it("count a child's CPU once it has ended and been reaped, and the machine's cores as busy while it burns", async () => {
    const child = spawn(
      process.execPath,
      [
        "-e",
        `${BURN}process.stdin.on('data', (d) => { if (String(d) === 'b') { burn(300); process.stdout.write('.'); } else process.exit(0); }); process.stdout.write('r');`,
      ],
      { stdio: ["pipe", "pipe", "inherit"] },
    );
    parent = child;
    await until(child, "r");
    const reaped0 = reapedCpu(process.pid);
    const machine0 = machineCpu();
    const wall0 = performance.now();
    child.stdin?.write("b");
    await until(child, ".");
    const machine1 = machineCpu();
    const wall = (performance.now() - wall0) / 1000;
    // Still running: its burn is its own, not yet its parent's.
    expect(reapedCpu(process.pid) - reaped0).toBeLessThan(0.15);
    // The burn kept one core busy; the cores' busy and idle time add up to the wall time.
    expect(machine1.busy - machine0.busy).toBeGreaterThanOrEqual(0.25);
    const total = machine1.busy - machine0.busy + (machine1.idle - machine0.idle);
    expect(total).toBeGreaterThan(0.8 * cpus().length * wall - 0.05);
    expect(total).toBeLessThan(1.2 * cpus().length * wall + 0.05);
    child.stdin?.write("q");
    await once(child, "exit");
    // Reaped (Node waits for a child before its exit event): its whole CPU is now its parent's.
    expect(reapedCpu(process.pid) - reaped0).toBeGreaterThanOrEqual(0.25);
    expect(reapedCpu(-1)).toBe(0);
  });
});
