import type { Deps } from "../context.js";
import { runDueJobs } from "./runner.js";
import { deliverDueWebhooks } from "./webhook-dispatcher.js";

/**
 * The background loop of one API process: delivers due webhooks and runs due jobs every
 * second, and at once after a write commits. Safe to run in every process at the same time.
 */
export function startWorker(deps: Deps, intervalMs = 1_000) {
  let running = false;
  let again = false;
  let stopped = false;
  const tick = async () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        const now = deps.now();
        await deliverDueWebhooks(deps, { now });
        await runDueJobs(deps, { now });
      } while (again && !stopped);
    } catch (err) {
      deps.logger.error({ err: { message: (err as Error).message } }, "background worker tick failed");
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  // A burst of commits wakes the worker once, 25 ms later, not once per commit.
  let soon: NodeJS.Timeout | undefined;
  const off = deps.committed.on(() => {
    soon ??= setTimeout(() => {
      soon = undefined;
      void tick();
    }, 25);
  });
  void tick();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (soon) clearTimeout(soon);
      off();
      while (running) await new Promise((r) => setTimeout(r, 20));
    },
  };
}
