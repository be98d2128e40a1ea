/**
 * Who ran on the cores, read from the kernel's scheduler trace (`perf sched record`, Linux, as
 * root): what the cores did together, above all while one of them was idle, and when the API's
 * event loop was preempted. The bench's CPU figures say how much each process spent; this says
 * why a core was left idle while payments waited (PERF_SCHED=1 in bench/payments-http.ts).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** What a task is to the bench. */
export type Role = "idle" | "API event loop" | "API other threads" | "PostgreSQL" | "load generator" | "other";

/** Names a task (a thread) by its id and command name. */
export type Classify = (tid: number, comm: string) => Role;

export interface ScheduleShares {
  /** The traced span, seconds. */
  seconds: number;
  /** Shares of the span by how many cores were idle (index 0: none). */
  idleCores: number[];
  /** Shares of the span with at least one core idle, by what ran on the others ("API event loop", "nothing"). */
  whileIdle: Map<string, number>;
  /** The event loop's preemptions a second (switched out while still runnable), by who took its core. */
  preemptedBy: Map<Role, number>;
  /** Share of the span the event loop, preempted, waited for a core while another core was idle. */
  loopPreemptedBesideIdle: number;
}

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { maxBuffer: 512 << 20 }, (err, stdout, stderr) =>
      err ? reject(new Error(stderr || err.message)) : resolve(stdout),
    );
  });
}

/**
 * The scheduler's events on every core for `seconds`, as `perf script` prints them (one event a
 * line: `[cpu] time: sched:event: fields`), or why there are none (perf missing, not root, no
 * tracefs: `mount -t tracefs nodev /sys/kernel/tracing` where it is not mounted).
 */
export async function recordSchedule(seconds: number): Promise<{ trace: string } | { unavailable: string }> {
  const dir = mkdtempSync(join(tmpdir(), "sched-"));
  const file = join(dir, "perf.data");
  try {
    await run("perf", ["sched", "record", "-a", "-o", file, "--", "sleep", String(seconds)]);
    return { trace: await run("perf", ["script", "-i", file, "-F", "cpu,time,event,trace"]) };
  } catch (err) {
    return { unavailable: (err as Error).message.trim().split("\n")[0] ?? "perf failed" };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const EVENT = /^\s*\[(\d+)\]\s+([\d.]+):\s+sched:(\w+):\s+(.*)$/;
// A command name may hold spaces ("npm exec tsx be"): each field ends where the next one's name starts.
const SWITCH = /prev_comm=(.*) prev_pid=(\d+) prev_prio=\d+ prev_state=(\S+) ==> next_comm=(.*) next_pid=(\d+)/;

/**
 * Reads a trace of `cores` cores. A core's task is known from its first switch on, so the span
 * starts once every core has switched. The event loop `loopTid` is preempted when it is switched
 * out still runnable (state R), and waits until it is switched in again.
 */
export function scheduleShares(trace: string, cores: number, loopTid: number, classify: Classify): ScheduleShares {
  const onCore: (Role | undefined)[] = Array.from({ length: cores }, () => undefined);
  const idleCores = Array.from({ length: cores + 1 }, () => 0);
  const whileIdle = new Map<string, number>();
  const preempted = new Map<Role, number>();
  let loopPreempted = false;
  let waitedBesideIdle = 0;
  let start: number | undefined;
  let last = 0;
  for (const line of trace.split("\n")) {
    const e = EVENT.exec(line);
    if (e?.[3] !== "sched_switch") continue;
    const s = SWITCH.exec(e[4] as string);
    if (!s) continue;
    const cpu = Number(e[1]);
    const time = Number(e[2]);
    if (cpu >= cores) continue;
    if (start !== undefined) {
      const span = time - last;
      const idle = onCore.filter((r) => r === "idle").length;
      idleCores[idle] = (idleCores[idle] ?? 0) + span;
      if (idle > 0) {
        const busy = onCore.filter((r) => r !== "idle").sort();
        const key = busy.length === 0 ? "nothing" : busy.join(" + ");
        whileIdle.set(key, (whileIdle.get(key) ?? 0) + span);
        if (loopPreempted) waitedBesideIdle += span;
      }
    }
    last = time;
    const [, , prevTid, prevState, nextComm, nextTid] = s;
    const next = Number(nextTid) === 0 ? "idle" : classify(Number(nextTid), nextComm as string);
    onCore[cpu] = next;
    if (Number(prevTid) === loopTid && prevState?.startsWith("R")) {
      loopPreempted = true;
      preempted.set(next, (preempted.get(next) ?? 0) + 1);
    }
    if (Number(nextTid) === loopTid) loopPreempted = false;
    if (start === undefined && onCore.every((r) => r !== undefined)) start = last;
  }
  const seconds = start === undefined ? 0 : last - start;
  const share = (t: number) => (seconds > 0 ? t / seconds : 0);
  return {
    seconds,
    idleCores: idleCores.map(share),
    whileIdle: new Map([...whileIdle].map(([k, t]) => [k, share(t)])),
    preemptedBy: new Map([...preempted].map(([k, n]) => [k, seconds > 0 ? n / seconds : 0])),
    loopPreemptedBesideIdle: share(waitedBesideIdle),
  };
}
