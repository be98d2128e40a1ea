/**
 * CPU time used by processes, from /proc (Linux). On a shared machine, throughput drifts with
 * whatever else runs; CPU time per operation does much less, so benches report both.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const TICKS = 100; // USER_HZ: 100 on every mainstream Linux build

function stat(pid: number): { ppid: number; self: number; children: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
    const n = (i: number) => Number(f[i] ?? 0);
    // After "(comm) ": state ppid … utime(11) stime(12) cutime(13) cstime(14).
    return { ppid: n(1), self: (n(11) + n(12)) / TICKS, children: (n(13) + n(14)) / TICKS };
  } catch {
    return null;
  }
}

/** CPU seconds of one process (its own, plus children it has reaped). */
export function processCpu(pid: number): number {
  const s = stat(pid);
  return s ? s.self + s.children : 0;
}

/**
 * CPU seconds of the children `pid` has reaped, and their descendants' (the kernel adds a child's
 * total to its parent's when the parent waits for it): what a client run as a child to its end
 * (pgbench, wrk) cost, read before and after it.
 */
export function reapedCpu(pid: number): number {
  return stat(pid)?.children ?? 0;
}

/**
 * The machine's CPU seconds since boot, over all cores (/proc/stat): busy, and idle (waiting for
 * I/O included). Between two reads, idle / (busy + idle) is the share of the cores nothing ran on.
 */
export function machineCpu(): { busy: number; idle: number } {
  const [, ...ticks] = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").trim().split(/\s+/);
  // user nice system idle iowait irq softirq steal (guest time is inside user already).
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = ticks.map(Number);
  return { busy: (user + nice + system + irq + softirq + steal) / TICKS, idle: (idle + iowait) / TICKS };
}

/** The live children of `pid` (one level, as a postmaster's backends), each with its CPU seconds. */
function* childCpu(pid: number): Generator<{ pid: number; cpu: number }> {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const s = stat(Number(entry));
    if (s && s.ppid === pid) yield { pid: Number(entry), cpu: s.self + s.children };
  }
}

/** CPU seconds of a process tree rooted at `pid`: itself, its reaped children and its live children (one level, as a postmaster's backends). */
export function treeCpu(pid: number): number {
  let total = processCpu(pid);
  for (const child of childCpu(pid)) total += child.cpu;
  return total;
}

/** The postmaster's pid of a cluster, from its data directory. */
export function postmasterPid(dataDir: string): number {
  return Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
}

/** The ids of a process's threads now (/proc/<pid>/task); none once it has ended. */
export function threadIds(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return [];
  }
}

/**
 * A process's threads on the scheduler (Linux /proc/<pid>/task/<tid>/schedstat, in seconds): its
 * main thread's time on a core and time runnable but waiting for one, and its other threads' time
 * on a core (for Node: V8's garbage-collection helpers and libuv's pool). The main thread of a
 * Node server is its event loop, so `waiting` is how long requests stood still while the loop had
 * work: the time other threads held the cores.
 */
export function threadSchedule(pid: number): { running: number; waiting: number; others: number } {
  const read = (tid: number) => {
    try {
      const [run = "0", wait = "0"] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ");
      return { running: Number(run) / 1e9, waiting: Number(wait) / 1e9 };
    } catch {
      return { running: 0, waiting: 0 }; // the thread ended between the listing and the read
    }
  };
  const tids = threadIds(pid);
  if (tids.length === 0) return { running: 0, waiting: 0, others: 0 };
  const main = read(pid);
  const others = tids.filter((t) => t !== pid).reduce((sum, t) => sum + read(t).running, 0);
  return { ...main, others };
}

/** Read and write system calls a process has made (from /proc/<pid>/io): on loopback, each costs a wake-up of the other side. */
export function processSyscalls(pid: number): { reads: number; writes: number } {
  try {
    const text = readFileSync(`/proc/${pid}/io`, "utf8");
    const field = (name: string) => Number(text.match(new RegExp(`^${name}: (\\d+)`, "m"))?.[1] ?? 0);
    return { reads: field("syscr"), writes: field("syscw") };
  } catch {
    return { reads: 0, writes: 0 };
  }
}

/** One walk of /proc under a postmaster: its own CPU, what it has reaped, and each live child's role and CPU. */
export interface TreeSample {
  own: number;
  reaped: number;
  children: Map<number, { role: string; cpu: number }>;
}

/** The tree under `pid` now, for cpuByRole. */
export function sampleTree(pid: number): TreeSample {
  const s = stat(pid);
  const children = new Map<number, { role: string; cpu: number }>();
  for (const child of childCpu(pid)) children.set(child.pid, { role: processRole(child.pid), cpu: child.cpu });
  return { own: s?.self ?? 0, reaped: s?.children ?? 0, children };
}

/**
 * CPU seconds used between two samples of a postmaster's tree, by role: each live child under its
 * process title's role ("backend <database>", "checkpointer", "autovacuum worker", …), the
 * postmaster itself, and "ended in the slice" for children that exited between the samples. Tells
 * a statement's cost from the background work it leaves (page write-back, vacuum).
 *
 * An exited child's CPU moves into the postmaster's reaped total, all of it, the part used before
 * the first sample too: that part is taken back out, or a backend closed mid-slice (an idle
 * connection let go) would count its whole life in the slice. The roles add up to the tree's CPU.
 */
export function cpuByRole(before: TreeSample, after: TreeSample): Map<string, number> {
  const roles = new Map<string, number>([["postmaster", after.own - before.own]]);
  const add = (role: string, cpu: number) => roles.set(role, (roles.get(role) ?? 0) + cpu);
  for (const [pid, child] of after.children) add(child.role, child.cpu - (before.children.get(pid)?.cpu ?? 0));
  let endedBefore = 0;
  for (const [pid, child] of before.children) if (!after.children.has(pid)) endedBefore += child.cpu;
  const ended = after.reaped - before.reaped - endedBefore;
  if (ended !== 0) add("ended in the slice", ended);
  return roles;
}

function processRole(pid: number): string {
  let title = "";
  try {
    title = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
  } catch {
    return "gone";
  }
  const rest = title.replace(/^postgres:\s*/, "");
  // A backend's title is "<user> <database> <client> <state>"; background processes name themselves.
  const backend = rest.match(/^\S+ (\S+) (\[local\]|\d[\d.:()]*|\S+\(\d+\))/);
  if (backend) return `backend ${backend[1]}`;
  return rest.replace(/\s+(launcher|worker).*$/, " $1").replace(/\s+\S*\d.*$/, "");
}
