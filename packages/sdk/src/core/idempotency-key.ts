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
  // randomUUID where there is one (Node draws it from a pool: a fifth of getRandomValues' cost);
  // browsers lack it outside secure contexts. Either way the 17th digit is an RFC 9562 variant (8–b).
  const random =
    crypto.randomUUID?.().replaceAll("-", "") ??
    Array.from(crypto.getRandomValues(new Uint8Array(16)), (b, i) => ((i === 8 ? 128 | (b & 63) : b) | 256).toString(16).slice(1)).join("");
  return `${prefix}_${Date.now().toString(16).padStart(12, "0")}7${random.slice(13)}`;
}
