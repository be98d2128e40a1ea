import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const apiDir = fileURLToPath(new URL("..", import.meta.url));
const entry = fileURLToPath(new URL("../src/index.ts", import.meta.url));
const tsx = fileURLToPath(new URL("../../../node_modules/tsx/dist/cli.mjs", import.meta.url));

/** The API processes this test file started, for stopApiProcesses(). */
const started: ChildProcess[] = [];

/**
 * A real API process, the production entry point run through tsx, with exactly `env`. Resolves
 * with its URL once it prints "ready on", and rejects if it exits first. It is spawned as the
 * leader of a process group of its own, because tsx runs the API in a child process:
 * stopApiProcesses() then reaches both.
 */
export function startApiProcess(env: Record<string, string>): Promise<{ url: string; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsx, entry], { cwd: apiDir, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    started.push(child);
    let out = "";
    const timer = setTimeout(() => reject(new Error(`API process did not start: ${out}`)), 60_000);
    child.stdout?.on("data", (d) => {
      out += d;
      const m = /ready on (http:\/\/[\d.:]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1] as string, output: () => out });
      }
    });
    child.stderr?.on("data", (d) => (out += d));
    child.on("exit", (code) => reject(new Error(`API process exited with ${code}: ${out}`)));
  });
}

const groupAlive = (pid: number) => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};
const signalGroup = (pid: number, signal: NodeJS.Signals) => {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
};

/**
 * Ends every API process this file started, tsx and the API alike: SIGTERM to each process group,
 * SIGKILL to any still there after `graceMs`. Resolves once all are gone, so that a test removes
 * a data directory only after the process that used it. (A SIGTERM to tsx alone once left both
 * running after a CI run.)
 */
export async function stopApiProcesses(graceMs = 5_000): Promise<void> {
  // Taken out of the list: a later call must not signal a group whose id the system has reused.
  const pids = started.splice(0).flatMap((c) => (c.pid === undefined ? [] : [c.pid]));
  for (const pid of pids) signalGroup(pid, "SIGTERM");
  const killAt = Date.now() + graceMs;
  while (pids.some(groupAlive)) {
    if (Date.now() >= killAt) for (const pid of pids.filter(groupAlive)) signalGroup(pid, "SIGKILL");
    await new Promise((r) => setTimeout(r, 50));
  }
}
