/**
 * A fresh Idempotency-Key: `<prefix>_` and a UUIDv7 (RFC 9562) as 32 hex digits: 48 bits of Unix
 * time in milliseconds, the version digit, then 74 random bits.
 *
 * Time first, because the server keeps every key in a B-tree for days (7 by default). Keys that
 * grow with time are written at the index's right edge, so a key costs the same however many came
 * before; random keys land on a random page each, and after every checkpoint each such page goes
 * to the write-ahead log whole (bench/idempotency-keys.ts, 1.5 million stored keys: 2,335 bytes
 * of WAL per random key, 1,300 per time-ordered one). 74 random bits a millisecond do not repeat.
 */
export function idempotencyKey(prefix = "sdk"): string {
  const now = Date.now();
  // The time's digits once a millisecond: a server making thousands of calls a second reuses them.
  if (now !== stamp.ms) {
    stamp.ms = now;
    stamp.hex = now.toString(16).padStart(12, "0");
  }
  return `${prefix}_${stamp.hex}7${randomDigits()}`;
}

const stamp = { ms: -1, hex: "" };

/**
 * 19 random hex digits, the first three then an RFC 9562 variant digit (8–b): a UUIDv4's digits
 * after its version. From randomUUID where there is one (Node draws it from a pool: a fifth of
 * getRandomValues' cost), cut around its dashes (xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx);
 * browsers lack it outside secure contexts.
 */
function randomDigits(): string {
  const uuid = crypto.randomUUID?.();
  if (uuid !== undefined) return uuid.slice(15, 18) + uuid.slice(19, 23) + uuid.slice(24);
  const hex = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b, i) =>
    ((i === 8 ? 128 | (b & 63) : b) | 256).toString(16).slice(1),
  );
  return hex.join("").slice(13);
}
