import type { LogFn, Logger } from "pino";

/**
 * Keeps `rate` (0..1) of the successful request lines ("request", status < 400) and every
 * other line: errors, 4xx and background work are never sampled. Deterministic (a credit
 * counter, not a coin toss): at 0.1 exactly one success line in ten is written, and each
 * kept line carries `sample_rate` so Graylog can scale counts back up.
 */
export function successSampler(rate: number): ((this: Logger, args: Parameters<LogFn>, method: LogFn, level: number) => void) | undefined {
  if (rate >= 1) return undefined;
  let credit = 0;
  return function sampleSuccess(args, method, level) {
    const [first, message] = args as unknown[];
    if (level === 30 && message === "request" && isSuccess(first)) {
      credit += rate;
      if (credit < 1 - 1e-9) return;
      credit -= 1;
      (args as unknown[])[0] = { ...(first as object), sample_rate: rate };
    }
    return method.apply(this, args);
  };
}

function isSuccess(line: unknown): boolean {
  const status = (line as { status?: unknown } | null)?.status;
  return typeof status === "number" && status < 400;
}
