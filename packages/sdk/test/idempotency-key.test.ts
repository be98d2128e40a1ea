import { afterEach, describe, expect, it, vi } from "vitest";
import { idempotencyKey } from "../src/index.js";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("idempotencyKey", () => {
  it("is the prefix and a UUIDv7 as 32 hex digits: the time in milliseconds first", () => {
    vi.spyOn(Date, "now").mockReturnValue(Date.UTC(2026, 11, 3, 12, 0, 0, 5));
    const key = idempotencyKey();
    expect(key).toMatch(/^sdk_[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
    expect(Number.parseInt(key.slice(4, 16), 16)).toBe(Date.UTC(2026, 11, 3, 12, 0, 0, 5));
    expect(idempotencyKey("widget")).toMatch(/^widget_[0-9a-f]{32}$/);
  });

  it("sorts in the order the keys were made, so the server writes each at its index's right edge", () => {
    const now = vi.spyOn(Date, "now");
    const keys = [0xf, 0x10, 0xff, 0x100, 0x19_0000_0000, Date.UTC(2026, 0, 1), Date.UTC(2040, 0, 1)].map((ms) => {
      now.mockReturnValue(ms);
      return idempotencyKey();
    });
    expect([...keys].sort()).toEqual(keys);
  });

  it("never repeats within one millisecond", () => {
    vi.spyOn(Date, "now").mockReturnValue(Date.UTC(2026, 11, 3));
    const keys = Array.from({ length: 10_000 }, () => idempotencyKey());
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("keeps the variant digit without randomUUID (a browser page served over plain http)", () => {
    Object.defineProperty(crypto, "randomUUID", { value: undefined, configurable: true });
    try {
      for (let i = 0; i < 200; i++) expect(idempotencyKey()).toMatch(/^sdk_[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
    } finally {
      // The own property goes; the prototype's randomUUID shows again.
      delete (crypto as { randomUUID?: unknown }).randomUUID;
    }
    expect(typeof crypto.randomUUID).toBe("function");
  });
});
