import { randomBytesInto } from "./crypto.js";

/**
 * Opaque, type-prefixed ids (`pay_…`). The first 10 characters after the prefix encode the
 * creation time (Crockford base32 of milliseconds), so ids sort by creation and the lists'
 * "newest first" and `starting_after` cursors can use the primary key alone.
 */
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export const ID_PREFIXES = {
  merchant: "mer",
  payment: "pay",
  refund: "re",
  order: "ord",
  customer: "cus",
  transaction: "txn",
  event: "evt",
  /** An entry of an order's own history: not an event (`evt_`), which GET /v1/events serves. */
  orderEvent: "oev",
  webhookEndpoint: "we",
  terminal: "term",
  tap: "tap",
  tariff: "trf",
  apiKey: "key",
  account: "acc",
  pickupPoint: "pp",
  delivery: "wd",
  lead: "lead",
  buyerEvent: "bev",
  buyerPolicy: "bpol",
  job: "job",
  request: "req",
  reconciliation: "rec",
  bankAccount: "ba",
  payout: "po",
  dispute: "dp",
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

let lastMs = 0;
let seq = 0;
const CODES = Array.from(ALPHABET, (c) => c.charCodeAt(0));
/** An id's 24 characters after its prefix, as character codes: one string made per id, not one per character. */
const chars: number[] = new Array(24).fill(0);

export function newId(kind: IdKind, now = Date.now()): string {
  // Within one millisecond a counter keeps ids from one process in creation order.
  if (now === lastMs) seq++;
  else {
    lastMs = now;
    seq = 0;
  }
  timeCodes(now, chars);
  chars[10] = CODES[(seq >> 5) & 31] as number;
  chars[11] = CODES[seq & 31] as number;
  randomBytesInto(chars, 12, 12);
  for (let i = 12; i < 24; i++) chars[i] = CODES[(chars[i] as number) & 31] as number;
  return `${ID_PREFIXES[kind]}_${String.fromCharCode(...chars)}`;
}

/** `ms` as the codes of 10 Crockford base32 characters, most significant first, into `into` from index 0. */
function timeCodes(ms: number, into: number[]): void {
  let t = ms;
  for (let i = 9; i >= 0; i--) {
    into[i] = CODES[t % 32] as number;
    t = Math.floor(t / 32);
  }
}

/** The creation time (ms) an id carries in its first 10 characters after the prefix. */
export function idTime(id: string): number {
  const time = id.slice(id.indexOf("_") + 1, id.indexOf("_") + 11);
  let ms = 0;
  for (const ch of time) ms = ms * 32 + ALPHABET.indexOf(ch);
  return ms;
}

/** The smallest id of `kind` made at `ms` or later: a lower bound for a range over time-ordered ids. */
export function idFloor(kind: IdKind, ms: number): string {
  const time: number[] = new Array(10);
  timeCodes(Math.max(0, Math.floor(ms)), time);
  return `${ID_PREFIXES[kind]}_${String.fromCharCode(...time)}`;
}

export function hasPrefix(id: unknown, kind: IdKind): id is string {
  return typeof id === "string" && id.startsWith(`${ID_PREFIXES[kind]}_`) && id.length <= 64 && /^[a-z]+_[0-9A-Za-z_]+$/.test(id);
}
