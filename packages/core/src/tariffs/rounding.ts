import type { TariffRounding } from "./types.js";

const BPS = 10_000n;

/**
 * round(amount × bps / 10 000) for a non-negative amount and bps, in integers only.
 * BigInt keeps the product exact past 2^53; the result fits back in a safe integer
 * whenever bps ≤ 10 000 or the amount is realistic.
 */
export function applyBps(amount: number, bps: number, rounding: TariffRounding): number {
  const n = BigInt(amount) * BigInt(bps);
  let q = n / BPS;
  const r = n % BPS;
  if (r !== 0n) {
    if (rounding === "up" || (rounding === "half_up" && r * 2n >= BPS)) q += 1n;
  }
  return Number(q);
}

/** "2.50%" from 250 basis points, without floats. */
export function formatBps(bps: number): string {
  const sign = bps < 0 ? "-" : "";
  const abs = Math.abs(bps);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, "0")}%`;
}
