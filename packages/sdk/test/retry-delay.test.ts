import { describe, expect, it } from "vitest";
import { isRetryable, retryDelay } from "../src/index.js";

const h = (init: Record<string, string>) => new Headers(init);

describe("retryDelay", () => {
  it("honours Retry-After in seconds, as an HTTP date, and retry-after-ms", () => {
    expect(retryDelay(0, h({ "retry-after": "2" }))).toBe(2000);
    expect(retryDelay(3, h({ "retry-after": "0" }))).toBe(0);
    expect(retryDelay(0, h({ "retry-after-ms": "150", "retry-after": "9" }))).toBe(150);
    const inFiveSeconds = new Date(Date.now() + 5000).toUTCString();
    const ms = retryDelay(0, h({ "retry-after": inFiveSeconds }));
    expect(ms).toBeGreaterThan(3000);
    expect(ms).toBeLessThanOrEqual(5000);
  });

  it("falls back to backoff when Retry-After is absent, garbage, or longer than a minute", () => {
    const noJitter = () => 1;
    expect(retryDelay(0, h({ "retry-after": "soon" }), noJitter)).toBe(500);
    expect(retryDelay(0, h({ "retry-after": "3600" }), noJitter)).toBe(500);
    expect(retryDelay(0, undefined, noJitter)).toBe(500);
  });

  it("backs off exponentially from 0.5 s to a cap of 8 s, jitter taking at most half", () => {
    const max = (n: number) => retryDelay(n, undefined, () => 1);
    const min = (n: number) => retryDelay(n, undefined, () => 0);
    expect([0, 1, 2, 3, 4, 5, 10].map(max)).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
    expect([0, 1, 4].map(min)).toEqual([250, 500, 4000]);
    for (let i = 0; i < 100; i++) {
      const d = retryDelay(1, undefined);
      expect(d).toBeGreaterThanOrEqual(500);
      expect(d).toBeLessThanOrEqual(1000);
    }
  });
});

describe("isRetryable", () => {
  const body = (code: string) => ({
    error: { type: "idempotency_error", code, message: code },
  });
  it("retries 409 request_in_progress, 408, 429 and 5xx, and nothing else", () => {
    expect(isRetryable(409, body("request_in_progress"))).toBe(true);
    expect(isRetryable(409, body("idempotency_key_reused"))).toBe(false);
    expect([408, 429, 500, 502, 503, 504].every((s) => isRetryable(s, undefined))).toBe(true);
    expect([400, 401, 402, 403, 404, 422].some((s) => isRetryable(s, undefined))).toBe(false);
  });
});
