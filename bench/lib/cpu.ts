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

/**
 * CPU seconds of a postmaster's tree by role: each live child under its process title's role
 * ("backend <database>", "checkpointer", "walwriter", "autovacuum worker", …), and the postmaster
 * with what it reaped (exited autovacuum workers, backends) as "postmaster". Tells a
 * statement's cost from the background work it leaves (page write-back, vacuum).
 */
export function treeCpuByRole(pid: number): Map<string, number> {
  const roles = new Map<string, number>([["postmaster", processCpu(pid)]]);
  for (const child of childCpu(pid)) {
    const role = processRole(child.pid);
    roles.set(role, (roles.get(role) ?? 0) + child.cpu);
  }
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
