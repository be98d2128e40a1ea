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

/** CPU seconds of a process tree rooted at `pid`: itself, its reaped children and its live children (one level, as a postmaster's backends). */
export function treeCpu(pid: number): number {
  let total = processCpu(pid);
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const s = stat(Number(entry));
    if (s && s.ppid === pid) total += s.self + s.children;
  }
  return total;
}

/** The postmaster's pid of a cluster, from its data directory. */
export function postmasterPid(dataDir: string): number {
  return Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
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
