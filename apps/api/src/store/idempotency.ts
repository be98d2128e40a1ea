import { inflateRawSync } from "node:zlib";
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
  /**
   * sha256 of the method, path and canonical JSON body: the same key with another request is 422.
   * The method and path are in it, and nowhere else in the key's row: nothing reads them back.
   */
  requestHash: string;
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
 * A transaction's stored texts travel to PostgreSQL as one text cut at U+001E (a `z1.` group was
 * compressed as one), a control character that JSON always escapes and base64 never holds.
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
    requestHash: sha256Hex(`${request.method} ${request.path}\n${canonicalBody(request)}`),
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
 *
 * A key's lock is PostgreSQL's 64-bit hash of the key, seeded with its scope's: made where it is
 * taken, so a request hashes nothing for it. Two keys that met on one lock would only wait for
 * each other (409 for the second while the first runs); the primary key stays the backstop.
 */
export function claimStatements(claims: readonly IdempotencyClaim[]): [SQL, SQL] {
  const scopes = pgArray(claims.map((c) => c.scope));
  const keys = pgArray(claims.map((c) => c.key));
  return [
    sql`SELECT pg_try_advisory_xact_lock(hashtextextended(u.key, hashtextextended(u.scope, 0))) AS locked
        FROM unnest(${scopes}::text[], ${keys}::text[]) WITH ORDINALITY AS u(scope, key, i) ORDER BY i`,
    // One primary-key probe per key, whatever the table's statistics say: as `(scope, key) IN
    // (SELECT * FROM unnest(…))`, a generic plan made while the table was small walked the whole
    // key index once per group (Nested Loop Semi Join), a cost that grew with every key stored.
    // LIMIT 1 keeps the subquery a probe per key: PostgreSQL does not flatten it into a join.
    sql`SELECT k.scope, k.key, k.request_hash, k.response_status, k.response_body, k.response_index, k.bodies
        FROM unnest(${scopes}::text[], ${keys}::text[]) AS u(scope, key)
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

/** A key's row (joined to its group's, for rows stored in groups): its response's stored text. */
export function storedTextOf(row: Record<string, unknown>): string {
  if (typeof row.response_body === "string") return untemplated(row.response_body);
  // Rows of sessions 31 to 34: a group outlives its keys (jobs/retention.ts), so it is always there.
  const text = typeof row.bodies === "string" ? members(row.bodies)[Number(row.response_index)] : undefined;
  if (text === undefined) throw new Error("idempotency_keys: the stored response is missing");
  return text;
}

/**
 * The responses stored beside their effects (sealed, or without their derived secret: see
 * StoredResponse), each in its key's row, as it differs from the frozen answer it is most like
 * (templated). A payment's answer, about 600 bytes as text, is stored in about 200: its ids, its
 * time and its amounts. Nothing is compressed: deflating a group's answers together (sessions 31
 * to 34) saved bytes that cost the API's event loop more than PostgreSQL spends on them.
 */
export function sealStatement(sealed: readonly { claim: IdempotencyClaim; response: StoredResponse }[], box: SecretBox): SQL {
  const col = <T extends string | number>(f: (s: (typeof sealed)[number]) => T) => pgArray(sealed.map(f));
  // One text cut at SEPARATOR, which no stored text holds: no array quoting of the JSON.
  const bodies = sealed.map((s) => templated(storedText(s.response, box))).join(SEPARATOR);
  return sql`INSERT INTO idempotency_keys (scope, key, request_hash, response_status, response_body)
      SELECT * FROM unnest(${col((s) => s.claim.scope)}::text[], ${col((s) => s.claim.key)}::text[], ${col((s) => s.claim.requestHash)}::text[],
                           ${col((s) => s.response.status)}::int[], string_to_array(${bodies}::text, ${SEPARATOR}::text))`;
}

/** `t1.<template>.<d1 header><parts>`: a derived text as it differs from TEMPLATES_T1[template]. */
const TEMPLATED = "t1.";
/**
 * A JSON text is cut into parts where an object's next member starts (`,"`). In a templated text,
 * a run of k parts equal to the template's at their places is k SAME; a part whose member the
 * template's part names is VALUE and its value only; the text's own name (a payment id, in its
 * header, repeated in its id and client secret) is NAME after the header. JSON escapes all three
 * control characters, and base64 holds none, so none is ever a stored text's own.
 */
const FIELD = ',"';
const SAME = "\u001f";
const VALUE = "\u001d";
const NAME = "\u001c";
const holdsMarker = (text: string) => text.includes(SAME) || text.includes(VALUE) || text.includes(NAME);

/** A template's parts, and each part's member name up to its value (`amount":`; "" if none). */
type Template = { part: string; member: string }[];
const templateOf = (body: string): Template =>
  body.split(FIELD).map((part) => {
    const at = part.indexOf('":');
    return { part, member: at < 0 ? "" : part.slice(0, at + 2) };
  });

/** `d1.<purpose>.<name>.<offset>.`'s length and its name; none for another text. */
function derivedHeader(text: string): { length: number; name: string } | undefined {
  if (!text.startsWith(DERIVED)) return undefined;
  const purposeEnd = text.indexOf(".", DERIVED.length);
  const nameEnd = purposeEnd < 0 ? -1 : text.indexOf(".", purposeEnd + 1);
  const offsetEnd = nameEnd < 0 ? -1 : text.indexOf(".", nameEnd + 1);
  if (offsetEnd < 0) return undefined;
  return { length: offsetEnd + 1, name: text.slice(purposeEnd + 1, nameEnd) };
}

/** Where the part of `text` that starts at `pos` ends (a FIELD, or the text's end). */
function partEnd(text: string, pos: number): number {
  const at = text.indexOf(FIELD, pos);
  return at < 0 ? text.length : at;
}

/**
 * Whether the part of `text` from `pos` to `end` is the template part `t`: compared in place. By
 * indexOf, which V8 runs about three times as fast as startsWith from a position; a part of the
 * same length that differs (rare: a value of the template's length) makes it look further on.
 */
const isPart = (text: string, pos: number, end: number, t: Template[number] | undefined) =>
  t !== undefined && end - pos === t.part.length && text.indexOf(t.part, pos) === pos;

/** How many of the parts of `text` from `from` on are the template's at their places. */
function sameParts(text: string, from: number, template: Template): number {
  let same = 0;
  for (let i = 0, pos = from; ; i++) {
    const end = partEnd(text, pos);
    if (isPart(text, pos, end, template[i])) same++;
    if (end === text.length || i >= template.length) return same;
    pos = end + FIELD.length;
  }
}

/**
 * A stored text as its key's row holds it: a derived one against the template it is most like; any
 * other as it is. This runs for every keyed write, on the event loop, inside its transaction, so
 * the text is walked once, in place: the template is the one of the text's status (a payment's
 * answer, as every template is), and only a text of no template's status is compared with each.
 */
export function templated(text: string): string {
  const header = derivedHeader(text);
  if (!header || holdsMarker(text)) return text;
  let best = TEMPLATE_OF_STATUS.get(statusOf(text) ?? "") ?? -1;
  if (best < 0) {
    let most = -1;
    for (let t = 0; t < TEMPLATES_T1.length; t++) {
      const same = sameParts(text, header.length, TEMPLATES_T1[t] as Template);
      if (same > most) [best, most] = [t, same];
    }
  }
  const template = TEMPLATES_T1[best] as Template;
  const pieces: string[] = [];
  let run = 0;
  for (let i = 0, pos = header.length; ; i++) {
    const end = partEnd(text, pos);
    const t = template[i];
    if (isPart(text, pos, end, t)) run++;
    else {
      if (run > 0) pieces.push(SAME.repeat(run));
      run = 0;
      // A member name holds no FIELD and ends in `":`, so when it starts the part it ends inside it.
      pieces.push(
        t && t.member !== "" && text.indexOf(t.member, pos) === pos ? VALUE + text.slice(pos + t.member.length, end) : text.slice(pos, end),
      );
    }
    if (end === text.length) break;
    pos = end + FIELD.length;
  }
  if (run > 0) pieces.push(SAME.repeat(run));
  const out = pieces.join(FIELD);
  return `${TEMPLATED}${best}.${text.slice(0, header.length)}${header.name === "" ? out : out.replaceAll(header.name, NAME)}`;
}

/** The stored text a key's row holds, as templated() was given it. */
export function untemplated(stored: string): string {
  if (!stored.startsWith(TEMPLATED)) return stored;
  const dot = stored.indexOf(".", TEMPLATED.length);
  const template = TEMPLATES_T1[Number(stored.slice(TEMPLATED.length, dot))];
  const text = stored.slice(dot + 1);
  const header = derivedHeader(text);
  if (!template || !header) throw new Error("idempotency_keys: unknown stored text");
  const body = text.slice(header.length);
  const parts: string[] = [];
  for (const p of (header.name === "" ? body : body.replaceAll(NAME, header.name)).split(FIELD)) {
    if (p.startsWith(SAME)) for (let k = 0; k < p.length; k++) parts.push(template[parts.length]?.part ?? "");
    else if (p.startsWith(VALUE)) parts.push((template[parts.length]?.member ?? "") + p.slice(VALUE.length));
    else parts.push(p);
  }
  return text.slice(0, header.length) + parts.join(FIELD);
}

/**
 * `z1.` and base64 of a group's texts, cut at SEPARATOR, in raw deflate with DICTIONARY_Z1 preset:
 * how sessions 31 to 34 stored a transaction's responses, one idempotency_responses row for all.
 * Read for as long as those rows are kept (jobs/retention.ts); no longer written.
 */
const COMPRESSED = "z1.";

/** The stored texts of a compressed group, in the order they were sealed. */
export function members(bodies: string): string[] {
  if (!bodies.startsWith(COMPRESSED)) throw new Error("idempotency_responses: unknown encoding");
  const raw = Buffer.from(bodies.slice(COMPRESSED.length), "base64");
  return inflateRawSync(raw, { dictionary: DICTIONARY_Z1 }).toString("utf8").split(SEPARATOR);
}

/**
 * The answers the API stores most, as storedText leaves them (a payment's, without the secret part
 * of its client secret; other answers are sealed), with their ids and times cut to their prefixes:
 * a declined wallet confirmation, a paid one, a payment as created. Frozen: the preset dictionary
 * of `z1.` rows, and, cut into its three texts, the templates of `t1.` rows (TEMPLATES_T1); a
 * better one is a new prefix.
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

/** DICTIONARY_Z1's three texts without their d1 headers: the templates' bodies (see templated). */
const TEMPLATE_BODIES = DICTIONARY_Z1.toString("utf8")
  .split(/(?=d1\.)/)
  .map((text) => text.slice(derivedHeader(text)?.length ?? 0));
const TEMPLATES_T1: Template[] = TEMPLATE_BODIES.map(templateOf);
/** The first `"status":` in a text: a payment's, in its answer or in a decline's. */
const STATUS = '"status":"';
function statusOf(text: string): string | undefined {
  const at = text.indexOf(STATUS);
  const end = at < 0 ? -1 : text.indexOf('"', at + STATUS.length);
  return end < 0 ? undefined : text.slice(at + STATUS.length, end);
}
/** Each template by its status (failed, succeeded, requires_payment_method). */
const TEMPLATE_OF_STATUS = new Map(TEMPLATE_BODIES.map((body, i) => [statusOf(body) ?? "", i]));

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
