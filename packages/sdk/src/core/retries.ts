/** When and how long to wait before trying a request again. */

const INITIAL_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;
/** A Retry-After longer than this is not waited out in-process; backoff applies instead. */
const MAX_RETRY_AFTER_MS = 60_000;

/**
 * A response worth retrying with the same Idempotency-Key: the API is busy (429), failed
 * (5xx), or the first attempt with this key is still running (409 request_in_progress).
 * Every other 4xx would fail again, so it is not retried.
 */
export function isRetryable(status: number, body: unknown): boolean {
  if (status === 409) {
    return (body as { error?: { code?: string } } | undefined)?.error?.code === "request_in_progress";
  }
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Milliseconds to wait before retry number `attempt` (0-based). A server's `Retry-After`
 * (seconds or an HTTP date) or `retry-after-ms` wins when it is between 0 and 60 s;
 * otherwise exponential backoff from 0.5 s, capped at 8 s, with jitter so that many
 * clients failing together do not come back together.
 */
export function retryDelay(attempt: number, headers?: Headers, random: () => number = Math.random): number {
  const serverMs = retryAfterMs(headers);
  if (serverMs !== undefined && serverMs >= 0 && serverMs <= MAX_RETRY_AFTER_MS) return serverMs;
  const backoff = Math.min(INITIAL_DELAY_MS * 2 ** attempt, MAX_DELAY_MS);
  // Equal jitter: half fixed, half random, so the wait still grows with each attempt.
  return backoff / 2 + (backoff / 2) * random();
}

function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = headers?.get("retry-after-ms");
  if (ms && Number.isFinite(Number(ms))) return Number(ms);
  const after = headers?.get("retry-after");
  if (!after) return undefined;
  const seconds = Number(after);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
