import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  hash,
  hkdfSync,
  type KeyObject,
  randomFillSync,
  timingSafeEqual,
} from "node:crypto";

export function sha256Hex(value: string | Buffer): string {
  // One-shot: no Hash object per call (about a third cheaper for the short inputs hashed per request).
  return hash("sha256", value, "hex");
}

/**
 * Random bytes from the CSPRNG, drawn 4 KiB at a time: a call into it costs about 5 µs whatever
 * its size, and a payment needs several small draws (its id, its client secret, two IVs). Each
 * byte is handed out once; the view is only valid until the next call, so copy what you keep.
 */
const POOL = Buffer.alloc(4096);
let poolAt = POOL.length;
export function randomBytesPooled(n: number): Buffer {
  const at = take(n);
  return POOL.subarray(at, at + n);
}

/** `n` random bytes from the same pool into `out` from index `at`: no view made, for the per-request ids. */
export function randomBytesInto(out: number[], at: number, n: number): void {
  const from = take(n);
  for (let i = 0; i < n; i++) out[at + i] = POOL[from + i] as number;
}

/** Where the next `n` unused bytes of the pool start. */
function take(n: number): number {
  if (n > POOL.length) throw new RangeError(`randomBytesPooled: ${n} bytes is more than the pool`);
  if (poolAt + n > POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  poolAt += n;
  return poolAt - n;
}

/** ≥ 32 random bytes, URL-safe. */
export function randomToken(bytes = 32): string {
  return randomBytesPooled(bytes).toString("base64url");
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function hmacSha256Base64(key: Buffer | string, message: string): string {
  return createHmac("sha256", key).update(message).digest("base64");
}

/** Seals remembered for open(): short secrets (a client secret), not sealed responses. */
const RECENT_SEALS = 1024;
const RECENT_MAX_LENGTH = 256;

/**
 * Seals secrets the server must read again (webhook signing secrets, replayable
 * idempotent responses that contain a key or client secret): AES-256-GCM, so the table
 * holds ciphertext only.
 */
export class SecretBox {
  // A KeyObject, not a Buffer: made once, where a Buffer is imported again by every cipher.
  private readonly key: KeyObject;
  /** derive()'s key: from the same material, under a label of its own. */
  private readonly deriveKey: KeyObject;
  /** derive()'s latest answers, two generations like the seals' (a payment's secret is shown as it is made). */
  private derivedRecent = new Map<string, string>();
  private derivedOlder = new Map<string, string>();
  /**
   * What this process sealed last, by sealed text: a payment's client secret is sealed when the
   * payment is made and shown in the same request's answer, and opening it again costs a cipher.
   * Two generations, so forgetting is O(1): when `recent` is full it becomes `older`.
   */
  private recent = new Map<string, string>();
  private older = new Map<string, string>();

  constructor(material: string) {
    this.key = createSecretKey(Buffer.from(hkdfSync("sha256", material, "softrack", "secret-box-v1", 32)));
    this.deriveKey = createSecretKey(Buffer.from(hkdfSync("sha256", material, "softrack", "derived-v1", 32)));
  }

  /**
   * A secret the server can make again from a public name instead of storing it: 32 base64url
   * characters (192 bits) of HMAC-SHA256 over the purpose and the name. A payment's client secret
   * is one: nothing in a table can be read back as it, and making it costs a quarter of a seal.
   */
  derive(purpose: string, name: string): string {
    const at = `${purpose}\u0000${name}`;
    const known = this.derivedRecent.get(at) ?? this.derivedOlder.get(at);
    if (known !== undefined) return known;
    const derived = createHmac("sha256", this.deriveKey).update(at).digest("base64url").slice(0, 32);
    if (this.derivedRecent.size >= RECENT_SEALS) {
      this.derivedOlder = this.derivedRecent;
      this.derivedRecent = new Map();
    }
    this.derivedRecent.set(at, derived);
    return derived;
  }

  seal(plain: string): string {
    const iv = randomBytesPooled(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    const sealed = `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64")}`;
    if (plain.length <= RECENT_MAX_LENGTH) {
      if (this.recent.size >= RECENT_SEALS) {
        this.older = this.recent;
        this.recent = new Map();
      }
      this.recent.set(sealed, plain);
    }
    return sealed;
  }

  open(sealed: string): string {
    const recent = this.recent.get(sealed) ?? this.older.get(sealed);
    if (recent !== undefined) return recent;
    const raw = Buffer.from(sealed.slice(3), "base64");
    const decipher = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
  }
}
