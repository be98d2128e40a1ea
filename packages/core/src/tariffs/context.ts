import { TariffError } from "./errors.js";
import { MAX_TARIFF_AMOUNT } from "./validate.js";

/** Runtime checks for quote contexts, which arrive as JSON from the API. */

export function contextObject(value: unknown, path = ""): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TariffError("invalid_context", `${path || "context"} must be an object`, path || undefined);
  }
  return value as Record<string, unknown>;
}

export function contextAmount(value: unknown, path: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0 || value > MAX_TARIFF_AMOUNT) {
    throw new TariffError(
      "invalid_context",
      `${path} must be a non-negative integer amount in minor units (at most ${MAX_TARIFF_AMOUNT})`,
      path,
    );
  }
  return value;
}

export function contextString(value: unknown, path: string): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 256) {
    throw new TariffError("invalid_context", `${path} must be a non-empty string`, path);
  }
  return value;
}
