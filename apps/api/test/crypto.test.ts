import { describe, expect, it } from "vitest";
import { randomBytesPooled, randomToken, SecretBox } from "../src/lib/crypto.js";
import { idTime, newId } from "../src/lib/ids.js";

describe("random bytes drawn from a pool", () => {
  it("never hands out the same bytes twice, across a refill of the pool", () => {
    const seen = new Set<string>();
    // 4 KiB a pool: 2,000 draws of 12 bytes cross several refills.
    for (let i = 0; i < 2_000; i++) seen.add(randomBytesPooled(12).toString("hex"));
    expect(seen.size).toBe(2_000);
    const tokens = new Set(Array.from({ length: 500 }, () => randomToken()));
    expect(tokens.size).toBe(500);
    expect([...tokens].every((t) => /^[A-Za-z0-9_-]{43}$/.test(t))).toBe(true);
    const ids = new Set(Array.from({ length: 2_000 }, () => newId("payment")));
    expect(ids.size).toBe(2_000);
  });

  it("makes ids that carry their instant and sort in the order they were made, within a millisecond too", () => {
    const at = Date.UTC(2026, 11, 6, 12, 0, 0, 123);
    const made = Array.from({ length: 300 }, (_, i) => newId("payment", at + Math.floor(i / 100)));
    for (const id of made) expect(id).toMatch(/^pay_[0-9A-HJKMNP-TV-Z]{24}$/);
    expect(made.map(idTime)).toEqual(made.map((_, i) => at + Math.floor(i / 100)));
    expect([...made].sort()).toEqual(made);
    // An id's random tail and a drawn view come from one pool: no bytes handed out twice.
    const tails = new Set<string>();
    for (let i = 0; i < 1_000; i++) {
      tails.add(newId("event").slice(-12));
      tails.add(randomBytesPooled(8).toString("hex"));
    }
    expect(tails.size).toBe(2_000);
  });

  it("refuses a draw larger than the pool instead of repeating bytes", () => {
    expect(() => randomBytesPooled(4097)).toThrow(RangeError);
  });
});

describe("SecretBox", () => {
  it("opens what it sealed, and what another process with the same key sealed", () => {
    const a = new SecretBox("material-0123456789abcdef0123456789");
    const b = new SecretBox("material-0123456789abcdef0123456789");
    const secret = `pay_x_secret_${randomToken()}`;
    const sealed = a.seal(secret);
    expect(sealed.startsWith("v1.")).toBe(true);
    expect(sealed).not.toContain(secret);
    expect(a.open(sealed)).toBe(secret);
    // b never saw it sealed: it decrypts.
    expect(b.open(sealed)).toBe(secret);
    // Two seals of one secret differ (fresh IV each time).
    expect(a.seal(secret)).not.toBe(sealed);
  });

  it("remembers recent seals without growing, and still opens the ones it forgot", () => {
    const box = new SecretBox("material-0123456789abcdef0123456789");
    const sealed = Array.from({ length: 3_000 }, (_, i) => [box.seal(`secret-${i}`), `secret-${i}`] as const);
    for (const [s, plain] of sealed) expect(box.open(s)).toBe(plain);
  });

  it("refuses a sealed text that was tampered with, and a key it does not hold", () => {
    const box = new SecretBox("material-0123456789abcdef0123456789");
    const other = new SecretBox("another-material-0123456789abcdef");
    const sealed = box.seal("secret");
    const raw = Buffer.from(sealed.slice(3), "base64");
    raw[raw.length - 1] = (raw[raw.length - 1] as number) ^ 1;
    expect(() => box.open(`v1.${raw.toString("base64")}`)).toThrow();
    expect(() => other.open(sealed)).toThrow();
  });
});
