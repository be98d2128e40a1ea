import { hash } from "node:crypto";
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
 * The stored texts travel as one text cut at U+001E (a control character JSON always escapes),
 * not as an array literal: an array escapes each of a JSON body's quotes with a backslash, and the
 * statement's literal then doubles every backslash, about 8 µs a body against 0.5.
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
    sql`SELECT k.scope, k.key, k.request_hash, k.response_status, k.response_body
        FROM unnest(${pgArray(claims.map((c) => c.scope))}::text[], ${pgArray(claims.map((c) => c.key))}::text[]) AS u(scope, key)
        CROSS JOIN LATERAL (SELECT i.scope, i.key, i.request_hash, i.response_status, i.response_body FROM idempotency_keys i
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
    return { replay: { status: Number(prior.response_status), body: storedBody(String(prior.response_body), box) } };
  });
}

/** The responses stored beside their effects (sealed, or without their derived secret: see StoredResponse). */
export function sealStatement(sealed: readonly { claim: IdempotencyClaim; response: StoredResponse }[], box: SecretBox): SQL {
  const col = <T extends string | number>(f: (s: (typeof sealed)[number]) => T) => pgArray(sealed.map(f));
  return sql`INSERT INTO idempotency_keys (scope, key, method, path, request_hash, response_status, response_body)
      SELECT * FROM unnest(${col((s) => s.claim.scope)}::text[], ${col((s) => s.claim.key)}::text[], ${col((s) => s.claim.method)}::text[],
                           ${col((s) => s.claim.path)}::text[], ${col((s) => s.claim.requestHash)}::text[],
                           ${col((s) => s.response.status)}::int[],
                           string_to_array(${sealed.map((s) => storedText(s.response, box)).join(SEPARATOR)}::text, chr(30)))`;
}

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
