import { parseInstant } from "./time.js";

/**
 * The version in effect at `at`: the latest `effective_from` not after `at`, and of
 * those the highest `version` (a correction published for the same instant wins).
 * Undefined when none is in effect yet. Works on stored rows as well as documents.
 */
export function selectTariffVersion<T extends { version: number; effective_from: string }>(
  versions: readonly T[],
  at: Date,
): T | undefined {
  const now = at.getTime();
  let best: T | undefined;
  let bestFrom = Number.NEGATIVE_INFINITY;
  for (const candidate of versions) {
    const from = parseInstant(candidate.effective_from);
    if (from === null || from > now) continue;
    if (best === undefined || from > bestFrom || (from === bestFrom && candidate.version > best.version)) {
      best = candidate;
      bestFrom = from;
    }
  }
  return best;
}
