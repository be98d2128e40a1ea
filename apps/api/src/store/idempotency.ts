import { hash } from "node:crypto";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { type SQL, sql } from "drizzle-orm";
import { type SecretBox, sha256Hex } from "../lib/crypto.js";
import { ApiError, invalid } from "../lib/errors.js";
import { canonicalJson } from "../lib/json.js";
import { pgArray } from "../lib/pg-array.js";

/**
 * An Idempotency-Key as a write claims it: in the transaction that makes the write's effect, it
 * takes the key (a transaction-scoped advisory lock: a second request with the key in flight
 * gets 409 at once, and a crash frees the key with the transaction), finds a stored response to
 * replay, and at commit seals its own response beside the effect. One implementation for every
 * driver: a write alone (the unit of work) and a group of writes (see store/writer.ts) run these
 * same statements.
 */
export interface IdempotencyClaim {
  /** The calling key, plus `:live` for a console session in live mode: a key has one mode for life. */
  scope: string;
  key: string;
  method: string;
  path: string;
  /** sha256 of the method, path and canonical JSON body: the same key with another request is 422. */
  requestHash: string;
  lock: bigint;
}

/** What a claim found: nothing stored yet (the write runs), a stored response, or a refusal. */
export type ClaimOutcome = { fresh: true } | { replay: StoredResponse } | { refused: ApiError };
export interface StoredResponse {
  status: number;
  body: string;
  /**
   * The renderer's word that the body's only secret, if it holds one, is this one, which the
   * server makes again from its name (SecretBox.derive; a payment's client secret). The body is
   * then stored in clear without it, and the secret is put back on replay: no cipher per write.
   * Any other body is sealed whole, since it may carry a key or a token.
   */
  derived?: { purpose: string; name: string; secret: string };
}

/** `d1.<purpose>.<name>.<offset>.<body without the secret>`; offset -1: the body does not hold it. */
const DERIVED = "d1.";

/** A response as its table row holds it. */
export function storedText(response: StoredResponse, box: SecretBox): string {
  const d = response.derived;
  if (!d || d.purpose.includes(".") || d.name.includes(".")) return box.seal(response.body);
  const at = response.body.indexOf(d.secret);
  // Twice in one body would leave one in clear: sealed whole instead.
  if (at >= 0 && response.body.indexOf(d.secret, at + 1) >= 0) return box.seal(response.body);
  const body = at < 0 ? response.body : response.body.slice(0, at) + response.body.slice(at + d.secret.length);
  // The separator of sealStatement's bodies never occurs in a stored text (base64 has none).
  if (body.includes(SEPARATOR)) return box.seal(response.body);
  return `${DERIVED}${d.purpose}.${d.name}.${at}.${body}`;
}

/**
 * A transaction's stored texts are compressed as one text cut at U+001E, a control character that
 * JSON always escapes and base64 never holds.
 */
const SEPARATOR = "\u001e";

/** The response a row holds: opened, or its derived secret made again and put back where it was. */
export function storedBody(text: string, box: SecretBox): string {
  if (!text.startsWith(DERIVED)) return box.open(text);
  const [purpose = "", name = "", offset = ""] = text.slice(DERIVED.length).split(".", 3);
  const rest = text.slice(DERIVED.length + purpose.length + name.length + offset.length + 3);
  const at = Number(offset);
  return at < 0 ? rest : rest.slice(0, at) + box.derive(purpose, name) + rest.slice(at);
}

/** `scope`: the calling key's (see middleware/unit-of-work.ts); one key's claims never meet another key's. */
export function claimOf(
  scope: string,
  header: string | undefined,
  request: { method: string; path: string; body: unknown; raw: string },
): IdempotencyClaim | undefined {
  if (header === undefined) return undefined;
  if (header.length === 0 || header.length > 255) {
    throw invalid("idempotency_key_invalid", "Idempotency-Key must be 1 to 255 characters.", "Idempotency-Key");
  }
  return {
    scope,
    key: header,
    method: request.method,
    path: request.path,
    requestHash: sha256Hex(`${request.method} ${request.path}\n${canonicalBody(request)}`),
    lock: hash("sha256", `${scope}\u0000${header}`, "buffer").readBigInt64BE(0),
  };
}

/**
 * The body as it is compared: canonical JSON, so keys in another order are the same request,
 * and no body at all is the same as `{}` (the routes read both alike). Malformed JSON, or JSON
 * nested too deep to walk, hashes as its raw text: the validator refuses it and nothing is
 * stored under it.
 */
function canonicalBody(request: { body: unknown; raw: string }): string {
  if (request.raw.trim() === "") return "{}";
  if (request.body === undefined) return request.raw;
  try {
    return canonicalJson(request.body);
  } catch {
    return request.raw;
  }
}

/**
 * Two statements, sent in one message: the locks, then the stored responses. Two, not one: under
 * READ COMMITTED each statement reads a snapshot taken when it starts, so the read must start
 * after the lock is held, or it could miss the response a request that just let go committed.
 */
export function claimStatements(claims: readonly IdempotencyClaim[]): [SQL, SQL] {
  return [
    sql`SELECT pg_try_advisory_xact_lock(l) AS locked
        FROM unnest(${pgArray(claims.map((c) => String(c.lock)))}::bigint[]) WITH ORDINALITY AS t(l, i) ORDER BY i`,
    // One primary-key probe per key, whatever the table's statistics say: as `(scope, key) IN
    // (SELECT * FROM unnest(…))`, a generic plan made while the table was small walked the whole
    // key index once per group (Nested Loop Semi Join), a cost that grew with every key stored.
    // LIMIT 1 keeps the subquery a probe per key: PostgreSQL does not flatten it into a join.
    sql`SELECT k.scope, k.key, k.request_hash, k.response_status, k.response_body, k.response_index, k.bodies
        FROM unnest(${pgArray(claims.map((c) => c.scope))}::text[], ${pgArray(claims.map((c) => c.key))}::text[]) AS u(scope, key)
        CROSS JOIN LATERAL (SELECT i.scope, i.key, i.request_hash, i.response_status, i.response_body, i.response_index, r.bodies
                            FROM idempotency_keys i LEFT JOIN idempotency_responses r ON r.id = i.response_group
                            WHERE i.scope = u.scope AND i.key = u.key LIMIT 1) k`,
  ];
}

/** Each claim's outcome, in order, from the rows of claimStatements. */
export function claimOutcomes(
  claims: readonly IdempotencyClaim[],
  locks: readonly Record<string, unknown>[],
  stored: readonly Record<string, unknown>[],
  box: SecretBox,
): ClaimOutcome[] {
  const found = new Map(stored.map((r) => [`${r.scope}\u0000${r.key}`, r]));
  const seen = new Set<string>();
  return claims.map((claim, i) => {
    const id = `${claim.scope}\u0000${claim.key}`;
    // The lock is re-entrant within a transaction: a second claim of one key in one group is in flight too.
    const locked = locks[i]?.locked === true && !seen.has(id);
    seen.add(id);
    if (!locked) return { refused: requestInProgress() };
    const prior = found.get(id);
    if (!prior) return { fresh: true };
    if (prior.request_hash !== claim.requestHash) return { refused: reused() };
    return { replay: { status: Number(prior.response_status), body: storedBody(storedTextOf(prior), box) } };
  });
}

/** A key's row (joined to its group's): its own text (rows stored before groups), or its group's member. */
export function storedTextOf(row: Record<string, unknown>): string {
  if (typeof row.response_body === "string") return row.response_body;
  // A group outlives its keys (jobs/retention.ts), so a key's group is always there.
  const text = typeof row.bodies === "string" ? members(row.bodies)[Number(row.response_index)] : undefined;
  if (text === undefined) throw new Error("idempotency_keys: the stored response is missing");
  return text;
}

/**
 * The responses stored beside their effects (sealed, or without their derived secret: see
 * StoredResponse): one idempotency_responses row holds them all, compressed together, and each
 * key's row points at its own. A payment's answer, about 600 bytes as text, takes about 130 when
 * compressed alone (against the dictionary), and tens in a group of twenty, whose answers differ
 * in little but their ids and amounts.
 */
export function sealStatement(sealed: readonly { claim: IdempotencyClaim; response: StoredResponse }[], box: SecretBox): SQL {
  const col = <T extends string | number>(f: (s: (typeof sealed)[number]) => T) => pgArray(sealed.map(f));
  const bodies = compressed(sealed.map((s) => storedText(s.response, box)));
  return sql`WITH g AS (INSERT INTO idempotency_responses (bodies) VALUES (${bodies}) RETURNING id)
      INSERT INTO idempotency_keys (scope, key, method, path, request_hash, response_status, response_group, response_index)
      SELECT u.scope, u.key, u.method, u.path, u.request_hash, u.status, g.id, u.i - 1
      FROM g, unnest(${col((s) => s.claim.scope)}::text[], ${col((s) => s.claim.key)}::text[], ${col((s) => s.claim.method)}::text[],
                     ${col((s) => s.claim.path)}::text[], ${col((s) => s.claim.requestHash)}::text[],
                     ${col((s) => s.response.status)}::int[]) WITH ORDINALITY AS u(scope, key, method, path, request_hash, status, i)`;
}

/** `z1.` and base64 of the texts, cut at SEPARATOR, in raw deflate with DICTIONARY_Z1 preset. */
const COMPRESSED = "z1.";

/**
 * Level 1: a group's texts repeat each other, and the dictionary the rest; more effort finds little
 * more. Synchronous, on purpose: the group holds its wallets' locks until its COMMIT, and a hop to
 * the thread pool held them longer (BENCHMARKS.md, issue 18, session 34).
 */
export function compressed(texts: readonly string[]): string {
  return COMPRESSED + deflateRawSync(texts.join(SEPARATOR), { dictionary: DICTIONARY_Z1, level: 1 }).toString("base64");
}

/** The stored texts of a compressed group, in the order they were sealed. */
export function members(bodies: string): string[] {
  if (!bodies.startsWith(COMPRESSED)) throw new Error("idempotency_responses: unknown encoding");
  const raw = Buffer.from(bodies.slice(COMPRESSED.length), "base64");
  return inflateRawSync(raw, { dictionary: DICTIONARY_Z1 }).toString("utf8").split(SEPARATOR);
}

/**
 * What the first answers of a group, or a write alone, are compressed against: the answers the API
 * stores most, as storedText leaves them (a payment's, without the secret part of its client
 * secret; other answers are sealed, and compress not at all), with their ids and times cut to
 * their prefixes, most common last. Frozen: rows stored under `z1.` are read with it for as long as
 * they are kept; a better dictionary is a new prefix.
 */
const DICTIONARY_Z1 = Buffer.from(
  [
    // A wallet confirmation declined, then one that succeeded, then a payment as created.
    'd1.client_secret.pay_.900.{"error":{"type":"payment_error","code":"insufficient_funds","message":"The wallet\'s balance is too low for this payment.","payment":',
    '{"id":"pay_","object":"payment","created":"2026-","livemode":false,"amount":1500,"currency":"KGS","status":"failed","capture_method":"automatic","method":"wallet",',
    '"payment_method_details":{"type":"wallet","wallet":{"customer":"cus_"}},"amount_capturable":0,"amount_captured":0,"amount_refunded":0,"fee":null,"fee_tariff":null,',
    '"customer":"cus_","description":null,"purpose":null,"order":null,"next_action":null,',
    '"last_payment_error":{"code":"insufficient_funds","message":"The wallet\'s balance is too low for this payment."},',
    '"retry_of":null,"canceled_at":null,"metadata":{},"client_secret":"pay__secret_"},"request_id":"req_"}}',
    'd1.client_secret.pay_.600.{"id":"pay_","object":"payment","created":"2026-","livemode":false,"amount":1500,"currency":"KGS","status":"succeeded",',
    '"capture_method":"automatic","method":"wallet","payment_method_details":{"type":"wallet","wallet":{"customer":"cus_"}},',
    '"amount_capturable":0,"amount_captured":1500,"amount_refunded":0,"fee":15,"fee_tariff":{"code":"standard","version":1},',
    '"customer":"cus_","description":null,"purpose":null,"order":null,"next_action":null,"last_payment_error":null,',
    '"retry_of":null,"canceled_at":null,"metadata":{},"client_secret":"pay__secret_"}',
    'd1.client_secret.pay_.600.{"id":"pay_","object":"payment","created":"2026-","livemode":false,"amount":1500,"currency":"KGS",',
    '"status":"requires_payment_method","capture_method":"automatic","method":null,"payment_method_details":null,',
    '"amount_capturable":0,"amount_captured":0,"amount_refunded":0,"fee":null,"fee_tariff":null,',
    '"customer":"cus_","description":null,"purpose":null,"order":null,"next_action":null,"last_payment_error":null,',
    '"retry_of":null,"canceled_at":null,"metadata":{},"client_secret":"pay__secret_"}',
  ].join(""),
);

/** 409 request_in_progress: a request with this key is still running. */
export function requestInProgress(): ApiError {
  return new ApiError(
    409,
    "idempotency_error",
    "request_in_progress",
    "A request with this Idempotency-Key is still being processed; retry shortly.",
    undefined,
    {},
    { "Retry-After": "1" },
  );
}

function reused(): ApiError {
  return new ApiError(
    422,
    "idempotency_error",
    "idempotency_key_reused",
    "This Idempotency-Key was already used with a different request body or path.",
  );
}
