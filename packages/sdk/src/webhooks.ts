/**
 * Standard Webhooks (https://www.standardwebhooks.com) verification with Web Crypto only,
 * so the same code runs in Node, Deno, Bun, browsers and edge workers. Import it alone
 * from `@softrack/sdk/webhooks` to leave the API client out of a worker's bundle.
 */
import { SoftrackSignatureVerificationError } from "./core/error.js";
import { type HeaderInput, header } from "./internal/utils.js";
import type { SoftrackEvent } from "./resources/events.js";

export interface VerifyOptions {
  /** Seconds a delivery may be older (or newer) than now. Default 300, as the standard advises. */
  tolerance?: number;
  /** Current time in Unix seconds; for tests only. */
  now?: number;
}

// A type alias (not an interface) so it is assignable to a header record.
export type WebhookHeaders = {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
};

// Pure: a bundle that takes only the error classes from the shared chunk drops it.
const encoder = /* @__PURE__ */ new TextEncoder();

const fail = (code: string, message: string): never => {
  throw new SoftrackSignatureVerificationError(`Softrack webhook: ${message}`, {
    code,
  });
};

async function hmacKey(secret: string): Promise<CryptoKey> {
  let bytes: Uint8Array;
  try {
    // The secret is `whsec_` + base64 key bytes, as Standard Webhooks defines it.
    bytes = Uint8Array.from(atob(secret.replace(/^whsec_/, "")), (c) => c.charCodeAt(0));
  } catch {
    return fail("invalid_secret", "the secret is not a whsec_… value");
  }
  return crypto.subtle.importKey("raw", bytes as BufferSource, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

const toBytes = (payload: string | Uint8Array | ArrayBuffer): Uint8Array =>
  typeof payload === "string" ? encoder.encode(payload) : new Uint8Array(payload);

const signedContent = (id: string, timestamp: string, body: Uint8Array): Uint8Array => {
  const prefix = encoder.encode(`${id}.${timestamp}.`);
  const out = new Uint8Array(prefix.length + body.length);
  out.set(prefix);
  out.set(body, prefix.length);
  return out;
};

/**
 * Checks a delivery and returns its event. Pass the body exactly as received (string or
 * bytes, before any JSON parsing). Throws `SoftrackSignatureVerificationError` when a
 * header is missing, the timestamp is outside the tolerance, or no `v1` signature matches.
 * Signatures are compared by `crypto.subtle.verify`, which takes constant time.
 */
export async function verify(
  rawBody: string | Uint8Array | ArrayBuffer,
  headers: HeaderInput,
  secret: string,
  options: VerifyOptions = {},
): Promise<SoftrackEvent> {
  if (typeof rawBody !== "string" && !(rawBody instanceof Uint8Array) && !(rawBody instanceof ArrayBuffer)) {
    fail("invalid_payload", "pass the raw request body (string or bytes), not parsed JSON");
  }
  const id = header(headers, "webhook-id");
  const timestamp = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature");
  if (!id || !timestamp || !signatures) {
    return fail("missing_headers", "webhook-id, webhook-timestamp and webhook-signature are required");
  }
  const sent = Number(timestamp);
  if (!/^\d+$/.test(timestamp)) fail("invalid_timestamp", "webhook-timestamp is not Unix seconds");
  const now = options.now ?? Math.floor(Date.now() / 1000);
  // Replays of an old delivery (and clocks far in the future) are refused.
  if (Math.abs(now - sent) > (options.tolerance ?? 300)) {
    fail("timestamp_outside_tolerance", "webhook-timestamp is outside the tolerance");
  }
  const body = toBytes(rawBody);
  const key = await hmacKey(secret);
  const content = signedContent(id, timestamp, body);
  for (const entry of signatures.split(" ")) {
    const [version, sig] = entry.split(",");
    if (version !== "v1" || !sig) continue;
    let bytes: Uint8Array;
    try {
      bytes = Uint8Array.from(atob(sig), (c) => c.charCodeAt(0));
    } catch {
      continue;
    }
    if (await crypto.subtle.verify("HMAC", key, bytes as BufferSource, content as BufferSource)) {
      try {
        return JSON.parse(new TextDecoder().decode(body)) as SoftrackEvent;
      } catch {
        return fail("invalid_payload", "the body is not JSON");
      }
    }
  }
  return fail("no_matching_signature", "no signature matches the body and secret");
}

/**
 * Signs a payload the way the API does, giving the three headers of a delivery. For
 * testing your webhook handler without the API.
 */
export async function sign(
  rawBody: string | Uint8Array,
  secret: string,
  { id = `msg_${crypto.getRandomValues(new Uint32Array(2)).join("")}`, timestamp = Math.floor(Date.now() / 1000) } = {},
): Promise<WebhookHeaders> {
  const ts = String(timestamp);
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), signedContent(id, ts, toBytes(rawBody)) as BufferSource);
  return {
    "webhook-id": id,
    "webhook-timestamp": ts,
    "webhook-signature": `v1,${btoa(String.fromCharCode(...new Uint8Array(mac)))}`,
  };
}

export const webhooks = { verify, sign };
export { SoftrackSignatureVerificationError } from "./core/error.js";
export type { SoftrackEvent } from "./resources/events.js";
