import { createHmac, randomInt } from "node:crypto";
import { hash as argonHash, verify as argonVerify } from "@node-rs/argon2";
import { and, desc, eq, gt, isNotNull, isNull, sql } from "drizzle-orm";
import type { AppEnv, Deps, MerchantPrincipal, Principal } from "../context.js";
import type { Db } from "../db/client.js";
import { customers, identities, merchants, recoveryCodes, securityEvents, signInChallenges, signInThrottles } from "../db/schema/index.js";
import { randomToken, safeEqual } from "../lib/crypto.js";
import { ApiError, forbidden, invalid, rateLimited } from "../lib/errors.js";
import { clientNetwork } from "../middleware/rate-limit.js";
import { sendEmail, sendSms } from "./mail.js";
import { passwordWeakness } from "./passwords.js";
import {
  accountId,
  createSession,
  LIVE_MODE_TTL_MS,
  revokeSessions,
  type SessionRow,
  sessionObject,
  setSessionLiveMode,
} from "./sessions.js";
import { newTotpSecret, provisioning, totpStep } from "./totp.js";

type V = AppEnv["Variables"];
export type IdentityRow = typeof identities.$inferSelect;
type ChallengeRow = typeof signInChallenges.$inferSelect;

export const CODE_TTL_MS = 10 * 60 * 1000;
/**
 * Answers checked against one challenge, at most, however many arrive at once; then it is
 * dead. There is no lockout of an address: it would let anyone lock a member out. The
 * guesser is throttled instead, per challenge (this) and per client address (limitsOf).
 */
export const MAX_CHALLENGE_ATTEMPTS = 5;
/** A mobile number of Kyrgyzstan, Kazakhstan/Russia or Uzbekistan, once normalizePhone took out the separators. */
export const PHONE = /^\+(996\d{9}|7\d{10}|998\d{9})$/;
const SEPARATORS = "[\\s()-]*";
const spaced = (digits: string) => digits.split("").join(SEPARATORS);
const anyDigits = (n: number) => `(?:${SEPARATORS}\\d){${n}}`;
/**
 * PHONE as a client may type it (spaces, dashes and parentheses anywhere), for the OpenAPI
 * document: a string matches it exactly when normalizePhone(string) matches PHONE.
 */
export const PHONE_AS_TYPED = new RegExp(
  `^${SEPARATORS}\\+${SEPARATORS}(?:${spaced("996")}${anyDigits(9)}|7${anyDigits(10)}|${spaced("998")}${anyDigits(9)})${SEPARATORS}$`,
);

// ---- hashing: keyed (a 6-digit code's plain SHA-256 would fall to 10^6 guesses offline) ----
const peppers = new WeakMap<Deps, Buffer>();
function pepper(deps: Deps): Buffer {
  let p = peppers.get(deps);
  if (!p) {
    p = createHmac("sha256", "softrack-auth-v1")
      .update(deps.env.SECRET_ENCRYPTION_KEY ?? deps.adminKeyHash)
      .digest();
    peppers.set(deps, p);
  }
  return p;
}
export const keyed = (deps: Deps, ...parts: string[]) => createHmac("sha256", pepper(deps)).update(parts.join("\u0000")).digest("hex");

// ---- request limits: fixed windows in sign_in_throttles, shared by every process ----
const SHORT_WINDOW_MS = 10 * 60_000;
/** A per-address limit's window, the longest in sign_in_throttles: retention prunes a row only once it ended. */
export const ADDRESS_WINDOW_MS = 60 * 60_000;

/** One limit: at most `max` calls per key in a fixed window. `name` keeps its rows apart from every other limit's. */
interface Limit {
  name: string;
  max: number;
  windowMs: number;
}

/**
 * Code requests: per client address, per address asked for from one client (so a stranger
 * cannot use up the member's own requests), and a wider cap per address that bounds how
 * many challenges (5 checks each) guessers can open against it: only requests from client
 * addresses that sent wrong answers lately count against it, so it never stops the member.
 * Answers: per client address, all of them and the wrong ones. A client address is an IPv4
 * address or an IPv6 /64 (clientNetwork). Wrong typed codes also count per address, whatever
 * client sent them (subjectCodeFailure). All of them live in the database, so a restart does
 * not reset them and several API processes share one budget.
 */
function limitsOf(deps: Deps) {
  const env = deps.env;
  const limit = (name: string, max: number, windowMs: number): Limit => ({ name, max, windowMs });
  return {
    requestsPerIp: limit("requests_per_ip", env.AUTH_CODE_REQUESTS_PER_IP, SHORT_WINDOW_MS),
    requestsPerSubjectAndIp: limit("requests_per_address_and_ip", env.AUTH_CODE_REQUESTS_PER_IDENTITY, SHORT_WINDOW_MS),
    requestsPerSubject: limit("requests_per_address", env.AUTH_CODE_REQUESTS_PER_ADDRESS, ADDRESS_WINDOW_MS),
    attemptsPerIp: limit("attempts_per_ip", env.AUTH_ATTEMPTS_PER_IP, SHORT_WINDOW_MS),
    failuresPerIp: limit("failures_per_ip", env.AUTH_FAILURES_PER_IP, SHORT_WINDOW_MS),
    attemptsPerIdentity: limit("proofs_per_identity", 20, SHORT_WINDOW_MS),
    codeFailuresPerSubject: { max: env.AUTH_CODE_FAILURES_PER_ADDRESS, windowMs: ADDRESS_WINDOW_MS },
  };
}

/**
 * A limit's row for `key`: a keyed hash, so no email, phone or client address is stored in
 * clear, and no limit's row can be another's (nor a code-failure row, keyed as "subject").
 */
const limitRow = (deps: Deps, limit: Limit, key: string) => keyed(deps, "limit", limit.name, key);

const secondsLeft = (windowStartedAt: Date, windowMs: number, now: Date) =>
  Math.max(1, Math.ceil((windowStartedAt.getTime() + windowMs - now.getTime()) / 1000));

/**
 * Counts one call against the row in its fixed window (a window that ended starts again at
 * one): one atomic upsert, so racing requests and every process count, and none gets past the
 * budget. In the request's transaction, the row stays locked until it commits.
 */
async function countCall(v: V, row: string, windowMs: number, now: Date): Promise<{ count: number; windowStartedAt: Date }> {
  const floor = new Date(now.getTime() - windowMs);
  const rows = await v.deps.database.rows<{ failures: number; window_started_at: Date | string }>(
    sql`INSERT INTO sign_in_throttles (subject_hash, failures, window_started_at) VALUES (${row}, 1, ${now})
        ON CONFLICT (subject_hash) DO UPDATE SET
          failures = CASE WHEN sign_in_throttles.window_started_at <= ${floor} THEN 1 ELSE sign_in_throttles.failures + 1 END,
          window_started_at = CASE WHEN sign_in_throttles.window_started_at <= ${floor} THEN ${now} ELSE sign_in_throttles.window_started_at END
        RETURNING failures, window_started_at`,
    v.db,
  );
  const r = rows[0];
  return { count: Number(r?.failures ?? 1), windowStartedAt: r ? new Date(r.window_started_at) : now };
}

/** The row's count in its open window (0 when none is open), and when that window started. */
async function readCount(v: V, row: string, windowMs: number, now: Date): Promise<{ count: number; windowStartedAt: Date }> {
  const [r] = await v.db
    .select({ failures: signInThrottles.failures, windowStartedAt: signInThrottles.windowStartedAt })
    .from(signInThrottles)
    .where(and(eq(signInThrottles.subjectHash, row), gt(signInThrottles.windowStartedAt, new Date(now.getTime() - windowMs))));
  return r ? { count: r.failures, windowStartedAt: r.windowStartedAt } : { count: 0, windowStartedAt: now };
}

/** Counts a call: the seconds to wait when it is over the limit, else 0. */
async function hit(v: V, limit: Limit, key: string): Promise<number> {
  const now = v.deps.now();
  const { count, windowStartedAt } = await countCall(v, limitRow(v.deps, limit, key), limit.windowMs, now);
  return count > limit.max ? secondsLeft(windowStartedAt, limit.windowMs, now) : 0;
}

/** The seconds to wait when `key` has used up its window, else 0; counts nothing. */
async function over(v: V, limit: Limit, key: string): Promise<number> {
  const now = v.deps.now();
  const { count, windowStartedAt } = await readCount(v, limitRow(v.deps, limit, key), limit.windowMs, now);
  return count >= limit.max ? secondsLeft(windowStartedAt, limit.windowMs, now) : 0;
}

/** Calls counted for `key` in its current window; counts nothing. */
async function counted(v: V, limit: Limit, key: string): Promise<number> {
  return (await readCount(v, limitRow(v.deps, limit, key), limit.windowMs, v.deps.now())).count;
}

// ---- audit ----
export async function audit(
  v: V,
  e: {
    type: string;
    merchantId?: string | null;
    identityId?: string | null;
    ip?: string;
    detail?: Record<string, string | number | boolean | null>;
    /** The event's mode; by default the caller's, else the identity's (a live rider's sign-in is live). */
    livemode?: boolean;
  },
) {
  await v.db.insert(securityEvents).values({
    id: accountId("sev"),
    livemode: e.livemode ?? (await auditMode(v, e.identityId)),
    type: e.type,
    merchantId: e.merchantId ?? null,
    identityId: e.identityId ?? null,
    ip: e.ip ?? null,
    detail: e.detail ?? {},
    createdAt: v.deps.now(),
  });
}

/**
 * Who did it, for an audit event: the signed-in person (their identity, also as `actor`), or
 * for an API key the acting key's id (`key_…`, never the key itself), or the platform admin.
 */
export function actorOf(p: Principal | undefined): { identityId: string | null; actor: string | null } {
  if (!p) return { identityId: null, actor: null };
  if ((p.kind === "secret" || p.kind === "customer") && p.session) return { identityId: p.session.identityId, actor: p.session.identityId };
  if (p.kind === "admin") return { identityId: null, actor: "platform_admin" };
  if (p.kind === "job") return { identityId: null, actor: `job:${p.job}` };
  if (p.kind === "anonymous") return { identityId: null, actor: null };
  return { identityId: null, actor: p.keyId };
}

/** A merchant caller's action, audited in its mode, naming who did it (`detail.actor`, see actorOf). */
export async function auditAction(
  v: V,
  p: MerchantPrincipal,
  ip: string,
  type: string,
  detail: Record<string, string | number | boolean | null>,
): Promise<void> {
  const { identityId, actor } = actorOf(p);
  await audit(v, { type, merchantId: p.merchantId, identityId, ip, livemode: p.livemode, detail: { ...detail, actor } });
}

/**
 * Security events belong to one mode like every object: a merchant's caller records in its
 * key's or session's mode; a sign-in (no caller yet) in its identity's mode (members are
 * test-mode identities: the console's sessions work in test mode).
 */
async function auditMode(v: V, identityId: string | null | undefined): Promise<boolean> {
  const p = v.principal;
  if (p && p.kind !== "anonymous" && p.kind !== "admin") return p.livemode;
  if (!identityId) return false;
  const [row] = await v.db.select({ livemode: identities.livemode }).from(identities).where(eq(identities.id, identityId));
  return row?.livemode ?? false;
}

export function securityEventObject(r: typeof securityEvents.$inferSelect) {
  return {
    id: r.id,
    object: "security_event" as const,
    created: r.createdAt.toISOString(),
    livemode: r.livemode,
    type: r.type,
    identity: r.identityId,
    ip: r.ip,
    detail: r.detail,
  };
}

/**
 * Sends a security notice to the person concerned and, with `owners` (a change to who can reach
 * live mode), to the merchant's owners, who answer for its money: by email, or by SMS to a person
 * who has only a phone (a rider or wallet holder who signs in by SMS). Never waits on the mail or
 * the SMS gateway; the message holds no code or secret.
 */
async function notify(v: V, identity: IdentityRow, owners: boolean, subject: string, text: string) {
  const to = new Set<string>();
  if (identity.email) to.add(identity.email);
  const phone = identity.email ? null : identity.phone;
  if (owners && identity.kind === "member") {
    const owners = await v.db
      .select({ email: identities.email })
      .from(identities)
      .where(
        and(
          eq(identities.kind, "member"),
          eq(identities.merchantId, identity.merchantId),
          eq(identities.role, "owner"),
          isNull(identities.removedAt),
          isNotNull(identities.acceptedAt),
        ),
      );
    for (const o of owners) if (o.email) to.add(o.email);
  }
  const deps = v.deps;
  const undelivered = (channel: string) => (err: Error) =>
    deps.logger.warn({ channel, err: { message: err.message } }, "security notice not delivered");
  whenCommitted(v, () => {
    for (const address of to) sendEmail(deps, { to: address, subject, text }).catch(undelivered("email"));
    if (phone) sendSms(deps, { to: phone, text: `${subject}. ${text}` }).catch(undelivered("sms"));
  });
}

/**
 * Sends a message to a person once the request's transaction has committed (at once outside a
 * unit of work): a notice of a change that rolled back, or a code whose challenge was never
 * stored, would tell them something untrue.
 */
function whenCommitted(v: V, send: () => void) {
  if (v.afterCommit) v.afterCommit.push(send);
  else send();
}

const who = (i: IdentityRow) => i.email ?? i.phone ?? i.id;

// ---- identities ----
export function normalizeEmail(email: string) {
  return email.trim().toLowerCase();
}
export function normalizePhone(phone: string) {
  return phone.replace(/[\s()-]/g, "");
}

export async function identityObject(db: Db, i: IdentityRow) {
  const [rc] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.identityId, i.id), isNull(recoveryCodes.usedAt)));
  return {
    id: i.id,
    object: "identity" as const,
    created: i.createdAt.toISOString(),
    livemode: i.livemode,
    kind: i.kind,
    merchant: i.merchantId,
    role: i.role,
    customer: i.customerId,
    email: i.email,
    phone: i.phone,
    second_factors: { password: i.passwordHash !== null, totp: i.totpSealed !== null, recovery_codes_remaining: Number(rc?.n ?? 0) },
  };
}

async function findIdentity(
  v: V,
  input: { audience: "member" | "customer"; merchant?: string | undefined; channel: "email" | "sms"; address: string },
): Promise<IdentityRow | null> {
  const col = input.channel === "email" ? "email" : "phone";
  if (input.audience === "member") {
    // One membership per merchant: `merchant` picks one; without it, the earliest joined
    // (then the earliest invitation). The sign-in answer lists the others to switch to.
    const [row] = await v.db
      .select()
      .from(identities)
      .where(
        and(
          eq(identities.kind, "member"),
          isNull(identities.removedAt),
          eq(col === "email" ? identities.email : identities.phone, input.address),
          input.merchant ? eq(identities.merchantId, input.merchant) : undefined,
          // The phone on an invitation is whatever the inviter typed: it signs in only once the
          // person accepted by proving the email (until then it is answered as unknown).
          col === "phone" ? isNotNull(identities.acceptedAt) : undefined,
        ),
      )
      .orderBy(sql`${identities.acceptedAt} IS NULL`, identities.acceptedAt, identities.createdAt, identities.id)
      .limit(1);
    return row ?? null;
  }
  if (!input.merchant) return null;
  const [cus] = await v.db
    .select()
    .from(customers)
    .where(
      and(eq(customers.merchantId, input.merchant), sql`lower(${col === "email" ? customers.email : customers.phone}) = ${input.address}`),
    )
    // The live customer first: a test key may create a test customer with a live rider's
    // address, and the rider's sign-in must still reach their live account, never the test one.
    .orderBy(desc(customers.livemode), customers.id)
    .limit(1);
  if (!cus) return null;
  const [existing] = await v.db
    .select()
    .from(identities)
    .where(and(eq(identities.kind, "customer"), eq(identities.customerId, cus.id)));
  if (existing) return existing;
  // A customer signs in for the first time: their settings (second factors) start here.
  const [row] = await v.db
    .insert(identities)
    .values({
      id: accountId("idn"),
      kind: "customer",
      merchantId: cus.merchantId,
      customerId: cus.id,
      email: cus.email?.toLowerCase() ?? null,
      phone: cus.phone ?? null,
      livemode: cus.livemode,
      createdAt: v.deps.now(),
    })
    .onConflictDoNothing()
    .returning();
  return row ?? (await v.db.select().from(identities).where(eq(identities.customerId, cus.id)))[0] ?? null;
}

// ---- wrong answers ----
/**
 * A wrong answer: counted against the client's address (not the member's), and audited. When it
 * used up the challenge's last check (`locked`), or paused typed codes for the address, that
 * lockout is audited too.
 */
async function recordFailure(
  v: V,
  ctx: { identityId: string | null; ip: string; stage: string; locked?: boolean; codesPaused?: boolean; challenge?: string },
) {
  await hit(v, limitsOf(v.deps).failuresPerIp, clientNetwork(ctx.ip));
  // One read of the identity gives the event its merchant and its mode.
  const [i] = ctx.identityId
    ? await v.db
        .select({ merchantId: identities.merchantId, livemode: identities.livemode })
        .from(identities)
        .where(eq(identities.id, ctx.identityId))
    : [];
  await audit(v, {
    type: "sign_in.failed",
    identityId: ctx.identityId,
    merchantId: i?.merchantId ?? null,
    ip: ctx.ip,
    livemode: i?.livemode ?? false,
    detail: { stage: ctx.stage },
  });
  const lockouts: [boolean | undefined, string][] = [
    [ctx.locked, "sign_in.locked"],
    [ctx.codesPaused, "sign_in.codes_paused"],
  ];
  for (const [happened, type] of lockouts)
    if (happened)
      await audit(v, {
        type,
        identityId: ctx.identityId,
        merchantId: i?.merchantId ?? null,
        ip: ctx.ip,
        livemode: i?.livemode ?? false,
        detail: { stage: ctx.stage, ...(ctx.challenge ? { challenge: ctx.challenge } : {}) },
      });
}

/** Too many wrong answers from this client address lately: 429 with Retry-After before anything is checked. */
async function throttleGuesser(v: V, ip: string) {
  const l = limitsOf(v.deps);
  const net = clientNetwork(ip);
  const wait = (await hit(v, l.attemptsPerIp, net)) || (await over(v, l.failuresPerIp, net));
  if (wait) throw rateLimited(wait);
}

/**
 * Takes one of the challenge's checks, or none when it is used up, consumed or expired:
 * one conditional UPDATE, so answers racing on one challenge are checked at most
 * MAX_CHALLENGE_ATTEMPTS times between them.
 */
async function takeCheck(v: V, challengeId: string, now: Date): Promise<false | { last: boolean }> {
  const rows = await v.deps.database.rows<{ attempts: number }>(
    sql`UPDATE sign_in_challenges SET attempts = attempts + 1
        WHERE id = ${challengeId} AND attempts < ${MAX_CHALLENGE_ATTEMPTS} AND consumed_at IS NULL AND expires_at > ${now}
        RETURNING attempts`,
    v.db,
  );
  const row = rows[0];
  // The last check: a wrong answer with it locks the challenge.
  return row ? { last: Number(row.attempts) >= MAX_CHALLENGE_ATTEMPTS } : false;
}

/**
 * A wrong typed code against a sign-in subject, whichever client sent it: one atomic upsert
 * into a fixed window, so every process and every racing request counts.
 */
async function subjectCodeFailure(v: V, subjectHash: string, now: Date): Promise<{ paused: boolean }> {
  const { max, windowMs } = limitsOf(v.deps).codeFailuresPerSubject;
  const { count } = await countCall(v, subjectHash, windowMs, now);
  // This failure is the one that paused typed codes for the subject (codesPausedFor).
  return { paused: count === max };
}

/** Seconds until typed codes for this subject are taken again, or 0 when they are. */
async function codesPausedFor(v: V, subjectHash: string): Promise<number> {
  const { max, windowMs } = limitsOf(v.deps).codeFailuresPerSubject;
  const now = v.deps.now();
  const { count, windowStartedAt } = await readCount(v, subjectHash, windowMs, now);
  return count >= max ? secondsLeft(windowStartedAt, windowMs, now) : 0;
}

/** Marks a challenge used; false when a racing right answer got there first. */
async function consume(v: V, challengeId: string, now: Date): Promise<boolean> {
  const rows = await v.deps.database.rows(
    sql`UPDATE sign_in_challenges SET consumed_at = ${now} WHERE id = ${challengeId} AND consumed_at IS NULL RETURNING id`,
    v.db,
  );
  return rows.length === 1;
}

// ---- start ----
export interface StartInput {
  channel: "email" | "sms";
  address: string;
  audience: "member" | "customer";
  merchant?: string | undefined;
  client: "browser" | "app";
}

/**
 * Sends a code (and by email a magic link) if someone has this address, and answers the
 * same either way: a challenge id and its expiry. Delivery happens after the answer is
 * built, without waiting on SMTP, so timing does not tell either. The link starts with the
 * configured public URL, never with anything the request said (a forged Host).
 */
export async function startSignIn(v: V, ip: string, input: StartInput) {
  const address = input.channel === "email" ? normalizeEmail(input.address) : normalizePhone(input.address);
  if (input.channel === "sms" && !PHONE.test(address))
    throw invalid("invalid_phone", "phone must be a mobile number in international format: +996…, +7… or +998….", "phone");
  if (input.audience === "customer" && !input.merchant)
    throw invalid("parameter_missing", "Customers sign in against a merchant: send `merchant`.", "merchant");
  const subjectHash = keyed(v.deps, "subject", input.audience, input.merchant ?? "", address);
  const l = limitsOf(v.deps);
  const net = clientNetwork(ip);
  const wait =
    (await hit(v, l.requestsPerIp, net)) ||
    (await hit(v, l.requestsPerSubjectAndIp, `${subjectHash}\u0000${net}`)) ||
    ((await counted(v, l.failuresPerIp, net)) > 0 ? await hit(v, l.requestsPerSubject, subjectHash) : 0);
  if (wait) throw rateLimited(wait);
  // Typed codes for this address are paused: the email carries only its link (which signs in);
  // SMS has no link, so no new code is sent until the window ends (alike, known address or not).
  const paused = await codesPausedFor(v, subjectHash);
  if (paused && input.channel === "sms") throw rateLimited(paused);

  const identity = await findIdentity(v, { ...input, address });
  const id = accountId("chl");
  const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
  const link = input.channel === "email" ? randomToken(32) : null;
  const now = v.deps.now();
  const expiresAt = new Date(now.getTime() + CODE_TTL_MS);
  await v.db.insert(signInChallenges).values({
    id,
    stage: "code",
    identityId: identity?.id ?? null,
    subjectHash,
    channel: input.channel,
    client: input.client,
    // Nobody has this address: store a hash no code can match.
    codeHash: identity ? keyed(v.deps, "code", id, code) : keyed(v.deps, "void", randomToken(16)),
    linkHash: link ? keyed(v.deps, "link", link) : null,
    createdAt: now,
    expiresAt,
  });
  if (identity) {
    await audit(v, {
      type: "sign_in.code_sent",
      identityId: identity.id,
      merchantId: identity.merchantId,
      ip,
      detail: { channel: input.channel },
    });
    const deps = v.deps;
    const path = identity.kind === "member" ? "/console/" : "/";
    whenCommitted(v, () => {
      const send =
        input.channel === "email"
          ? sendEmail(deps, {
              to: address,
              subject: "Your Softrack sign-in code",
              text: paused
                ? `Open this link to sign in (it works once, for 10 minutes): ${deps.publicUrl}${path}?magic=${link}\n\nToo many wrong codes were typed for this address lately, so this message has no code: use the link.\n\nIf you did not ask for it, ignore this message.`
                : `Your sign-in code is ${code}. It works once, for 10 minutes.\n\nOr open this link to sign in: ${deps.publicUrl}${path}?magic=${link}\n\nIf you did not ask for it, ignore this message.`,
            })
          : sendSms(deps, { to: address, text: `Softrack code: ${code} (10 min). Do not share it.` });
      send.catch((err: Error) =>
        deps.logger.warn({ channel: input.channel, err: { message: err.message } }, "sign-in message not delivered"),
      );
    });
  }
  return {
    id,
    object: "sign_in_challenge" as const,
    created: now.toISOString(),
    livemode: false,
    channel: input.channel,
    expires_at: expiresAt.toISOString(),
  };
}

// ---- verify ----
function wrong(code: string, message: string, param?: string) {
  return new ApiError(400, "invalid_request_error", code, message, param);
}
const codeExpired = (param: "code" | "token") =>
  wrong("sign_in_code_expired", "This code or link has expired or was already used; ask for a new one.", param);
const secondFactorTokenExpired = () =>
  wrong("second_factor_token_expired", "The sign-in step has expired or was used; start again.", "second_factor_token");

/**
 * The email this sign-in proved, or null: the challenge's subject is the address it was sent
 * to, so it matches the member's email only when the code or link went there (an SMS sign-in
 * proves a phone, never the email an inviter put next to it).
 */
function provedEmail(v: V, identity: IdentityRow, subjectHash: string): string | null {
  if (identity.kind !== "member" || !identity.email) return null;
  const email = identity.email;
  return [identity.merchantId, ""].some((m) => safeEqual(keyed(v.deps, "subject", "member", m, email), subjectHash)) ? email : null;
}

/**
 * The teams a member's address belongs to (the one signed in included), for the console to
 * offer a switch: sign in again with `merchant`. Only ever shown to whoever proved the address.
 */
async function membershipsOf(v: V, identity: IdentityRow, subjectHash: string) {
  const email = provedEmail(v, identity, subjectHash);
  if (!email) return undefined;
  const rows = await v.db
    .select({ merchant: identities.merchantId, role: identities.role, acceptedAt: identities.acceptedAt })
    .from(identities)
    .where(and(eq(identities.kind, "member"), eq(identities.email, email), isNull(identities.removedAt)))
    .orderBy(identities.merchantId);
  return rows.map((r) => ({
    merchant: r.merchant,
    role: r.role ?? "support",
    status: r.acceptedAt ? ("active" as const) : ("invited" as const),
  }));
}

/** Proving the address (the emailed code or link) turns a member's invitation into a membership. */
async function acceptInvitation(v: V, identity: IdentityRow, ip: string) {
  if (identity.kind !== "member" || identity.acceptedAt) return;
  const rows = await v.db
    .update(identities)
    .set({ acceptedAt: v.deps.now() })
    .where(and(eq(identities.id, identity.id), isNull(identities.acceptedAt)))
    .returning({ id: identities.id });
  if (rows.length) await audit(v, { type: "member.joined", identityId: identity.id, merchantId: identity.merchantId, ip });
}

async function complete(
  v: V,
  identity: IdentityRow,
  proof: { client: "browser" | "app"; subjectHash: string },
  ip: string,
  userAgent: string | undefined,
  method: string,
) {
  const client = proof.client;
  const { token, session } = await createSession(v.db, v.deps, {
    identityId: identity.id,
    merchantId: identity.merchantId,
    client,
    ip,
    userAgent,
  });
  await audit(v, {
    type: "sign_in.succeeded",
    identityId: identity.id,
    merchantId: identity.merchantId,
    ip,
    detail: { method, session: session.id },
  });
  return {
    token,
    body: {
      object: "sign_in" as const,
      status: "complete" as const,
      session: sessionObject(session, session.id, v.deps.now()),
      identity: await identityObject(v.db, identity),
      memberships: await membershipsOf(v, identity, proof.subjectHash),
    },
  };
}

export type SignInResult =
  | { kind: "error"; error: ApiError }
  | { kind: "complete"; token: string; client: "browser" | "app"; body: Awaited<ReturnType<typeof complete>>["body"] }
  | {
      kind: "second_factor";
      body: { object: "sign_in"; status: "second_factor_required"; second_factor_token: string; factors: string[]; expires_at: string };
    };

function factorsOf(i: IdentityRow) {
  const f: string[] = [];
  if (i.passwordHash) f.push("password");
  if (i.totpSealed) f.push("totp");
  return f;
}

/**
 * The first step: a code with its challenge id, or a magic-link token. A wrong answer
 * is RETURNED (not thrown) so its count commits; answers never say whether the person exists.
 */
export async function verifyCode(
  v: V,
  ip: string,
  userAgent: string | undefined,
  input: { challenge?: string | undefined; code?: string | undefined; token?: string | undefined },
): Promise<SignInResult> {
  await throttleGuesser(v, ip);
  let ch: ChallengeRow | undefined;
  if (input.token) {
    [ch] = await v.db
      .select()
      .from(signInChallenges)
      .where(eq(signInChallenges.linkHash, keyed(v.deps, "link", input.token)));
    if (!ch) return { kind: "error", error: wrong("sign_in_link_invalid", "This sign-in link is not valid; ask for a new one.", "token") };
  } else {
    if (!input.challenge || !input.code)
      throw invalid("parameter_missing", "Send `challenge` and `code`, or a magic-link `token`.", input.challenge ? "code" : "challenge");
    [ch] = await v.db
      .select()
      .from(signInChallenges)
      .where(and(eq(signInChallenges.id, input.challenge), eq(signInChallenges.stage, "code")));
    if (!ch) return { kind: "error", error: wrong("sign_in_code_invalid", "The code is wrong.", "code") };
    // Too many wrong codes for this address, from anywhere: no more typed codes this window.
    if (await codesPausedFor(v, ch.subjectHash))
      return {
        kind: "error",
        error: wrong(
          "code_sign_in_paused",
          ch.channel === "email"
            ? "Too many wrong codes were sent for this address, so typed codes are paused for now: use the link in the email to sign in."
            : "Too many wrong codes were sent for this phone number, so codes are paused for now: sign in by email, or try again later.",
          "code",
        ),
      };
  }
  const now = v.deps.now();
  const check = await takeCheck(v, ch.id, now);
  if (!check) {
    return { kind: "error", error: codeExpired(input.token ? "token" : "code") };
  }
  const ok = input.token
    ? ch.identityId !== null
    : ch.identityId !== null && safeEqual(keyed(v.deps, "code", ch.id, input.code ?? ""), ch.codeHash);
  const identity =
    ok && ch.identityId
      ? (
          await v.db
            .select()
            .from(identities)
            .where(and(eq(identities.id, ch.identityId), isNull(identities.removedAt)))
        )[0]
      : undefined;
  if (!identity) {
    const codesPaused = input.token ? false : (await subjectCodeFailure(v, ch.subjectHash, now)).paused;
    await recordFailure(v, { identityId: ch.identityId, ip, stage: "code", locked: check.last, codesPaused, challenge: ch.id });
    return { kind: "error", error: wrong("sign_in_code_invalid", "The code is wrong.", "code") };
  }
  if (!(await consume(v, ch.id, now))) return { kind: "error", error: codeExpired(input.token ? "token" : "code") };
  if (ch.channel === "email") await acceptInvitation(v, identity, ip);
  const method = input.token ? "magic_link" : ch.channel === "sms" ? "sms_code" : "email_code";
  const factors = factorsOf(identity);
  if (factors.length === 0) {
    return { kind: "complete", client: ch.client, ...(await complete(v, identity, ch, ip, userAgent, method)) };
  }
  // Every path (code, link) stops here when a second factor is on.
  const id = accountId("chl");
  const secret = randomToken(32);
  const expiresAt = new Date(now.getTime() + CODE_TTL_MS);
  await v.db.insert(signInChallenges).values({
    id,
    stage: "second_factor",
    identityId: identity.id,
    subjectHash: ch.subjectHash,
    channel: "second_factor",
    client: ch.client,
    codeHash: keyed(v.deps, "second_factor", id, secret),
    createdAt: now,
    expiresAt,
  });
  return {
    kind: "second_factor",
    body: {
      object: "sign_in",
      status: "second_factor_required",
      second_factor_token: `${id}.${secret}`,
      factors,
      expires_at: expiresAt.toISOString(),
    },
  };
}

/** Checks a TOTP code against a secret, refusing replay; on success records the step. */
async function acceptTotp(v: V, identity: IdentityRow, sealed: string, code: string): Promise<boolean> {
  const step = totpStep(v.deps.box.open(sealed), code, v.deps.now());
  if (step === null || (identity.totpLastStep !== null && step <= identity.totpLastStep)) return false;
  // Conditional update: two requests racing with one code cannot both win.
  const rows = await v.deps.database.rows(
    sql`UPDATE identities SET totp_last_step = ${step} WHERE id = ${identity.id} AND (totp_last_step IS NULL OR totp_last_step < ${step}) RETURNING id`,
    v.db,
  );
  return rows.length === 1;
}

async function acceptRecoveryCode(v: V, identityId: string, code: string): Promise<boolean> {
  const normalized = code.trim().toLowerCase().replace(/\s/g, "");
  const rows = await v.db
    .update(recoveryCodes)
    .set({ usedAt: v.deps.now() })
    .where(
      and(
        eq(recoveryCodes.identityId, identityId),
        eq(recoveryCodes.hash, keyed(v.deps, "recovery", identityId, normalized)),
        isNull(recoveryCodes.usedAt),
      ),
    )
    .returning({ id: recoveryCodes.id });
  return rows.length === 1;
}

export async function verifySecondFactor(
  v: V,
  ip: string,
  userAgent: string | undefined,
  input: { second_factor_token: string; password?: string | undefined; totp_code?: string | undefined; recovery_code?: string | undefined },
): Promise<SignInResult> {
  await throttleGuesser(v, ip);
  const [id, secret] = input.second_factor_token.split(".");
  const [ch] = id
    ? await v.db
        .select()
        .from(signInChallenges)
        .where(and(eq(signInChallenges.id, id), eq(signInChallenges.stage, "second_factor")))
    : [];
  const now = v.deps.now();
  if (!ch?.identityId || !safeEqual(keyed(v.deps, "second_factor", ch.id, secret ?? ""), ch.codeHash)) {
    return {
      kind: "error",
      error: wrong("second_factor_token_invalid", "The sign-in step is not valid; start again.", "second_factor_token"),
    };
  }
  if (ch.consumedAt || ch.expiresAt.getTime() <= now.getTime() || ch.attempts >= MAX_CHALLENGE_ATTEMPTS) {
    return { kind: "error", error: secondFactorTokenExpired() };
  }
  const [identity] = await v.db
    .select()
    .from(identities)
    .where(and(eq(identities.id, ch.identityId), isNull(identities.removedAt)));
  if (!identity)
    return {
      kind: "error",
      error: wrong("second_factor_token_invalid", "The sign-in step is not valid; start again.", "second_factor_token"),
    };
  if (identity.passwordHash && input.password === undefined)
    throw invalid("parameter_missing", "This account asks for its password.", "password");
  if (identity.totpSealed && input.totp_code === undefined && input.recovery_code === undefined)
    throw invalid("parameter_missing", "This account asks for an authenticator code (or a recovery code).", "totp_code");
  const check = await takeCheck(v, ch.id, now);
  if (!check) return { kind: "error", error: secondFactorTokenExpired() };
  let ok = true;
  if (identity.passwordHash) ok = (await argonVerify(identity.passwordHash, input.password ?? "").catch(() => false)) && ok;
  if (ok && identity.totpSealed) {
    ok =
      input.totp_code !== undefined
        ? await acceptTotp(v, identity, identity.totpSealed, input.totp_code)
        : await acceptRecoveryCode(v, identity.id, input.recovery_code ?? "");
    if (ok && input.totp_code === undefined)
      await audit(v, { type: "recovery_code.used", identityId: identity.id, merchantId: identity.merchantId, ip });
  }
  if (!ok) {
    await recordFailure(v, { identityId: identity.id, ip, stage: "second_factor", locked: check.last, challenge: ch.id });
    return { kind: "error", error: wrong("second_factor_invalid", "The second factor is wrong.") };
  }
  if (!(await consume(v, ch.id, now))) return { kind: "error", error: secondFactorTokenExpired() };
  return { kind: "complete", client: ch.client, ...(await complete(v, identity, ch, ip, userAgent, factorsOf(identity).join("+"))) };
}

// ---- settings: second factors ----
export const PASSWORD_MIN = 10;

/** Proof of a factor already on, needed to change or turn it off. Wrong proofs count per identity. */
async function prove(
  v: V,
  identity: IdentityRow,
  ip: string,
  what: "password" | "totp",
  proof: { password?: string | undefined; code?: string | undefined },
) {
  const wait = await hit(v, limitsOf(v.deps).attemptsPerIdentity, identity.id);
  if (wait) throw rateLimited(wait);
  let ok = false;
  if (what === "password" && identity.passwordHash) ok = await argonVerify(identity.passwordHash, proof.password ?? "").catch(() => false);
  if (what === "totp" && identity.totpSealed && proof.code) {
    ok = /^\d{6}$/.test(proof.code)
      ? await acceptTotp(v, identity, identity.totpSealed, proof.code)
      : await acceptRecoveryCode(v, identity.id, proof.code);
  }
  if (!ok) {
    await audit(v, {
      type: "second_factor.proof_failed",
      identityId: identity.id,
      merchantId: identity.merchantId,
      ip,
      detail: { factor: what },
    });
    return wrong(
      "second_factor_invalid",
      what === "password" ? "The current password is wrong." : "The authenticator or recovery code is wrong.",
      what === "password" ? "current_password" : "code",
    );
  }
  return null;
}

/**
 * A change to how the person signs in, made from the session `keep`: the password turned on,
 * changed or off, an authenticator turned on or off, new recovery codes. Every other session of
 * the person ends: whoever held one (perhaps the reason for the change) must sign in again, with
 * the factors as they now are. Each is a `session.revoked` event, as a revoke from the session
 * list is, and the person (with `owners`, the merchant's owners too) gets a notice (see notify).
 */
async function signInMethodsChanged(
  v: V,
  identity: IdentityRow,
  keep: string,
  ip: string,
  type: string,
  notice: { subject: string; what: string; advice?: string; owners?: boolean },
) {
  await audit(v, { type, identityId: identity.id, merchantId: identity.merchantId, ip });
  for (const session of await revokeSessions(v.db, v.deps, identity.id, keep))
    await audit(v, {
      type: "session.revoked",
      identityId: identity.id,
      merchantId: identity.merchantId,
      ip,
      detail: { session, reason: type },
    });
  const when = `${notice.what} for ${who(identity)} (merchant ${identity.merchantId}) at ${v.deps.now().toISOString()} from ${ip}.`;
  // Not "set a new password": a stranger who set one, or holds new recovery codes, would still be in.
  const advice =
    notice.advice ??
    (identity.kind === "member"
      ? "If this was not you, someone else can act as you: ask an owner of the merchant to remove your access now (Team, in the console)."
      : "If this was not you, someone else can act as you: contact the merchant's support now.");
  await notify(v, identity, notice.owners ?? false, notice.subject, `${when} Every other session was signed out.\n\n${advice}`);
}

/** Turns the password on or changes it. */
export async function setPassword(
  v: V,
  identity: IdentityRow,
  keep: string,
  ip: string,
  input: { password: string; current_password?: string | undefined },
) {
  // Before the proof: a refused password costs none of the person's attempts.
  const weakness = await passwordWeakness(input.password, identity.email);
  if (weakness) return wrong("password_too_weak", weakness, "password");
  if (identity.passwordHash) {
    const err = await prove(v, identity, ip, "password", { password: input.current_password });
    if (err) return err;
  }
  const hash = await argonHash(input.password, { memoryCost: 19_456, timeCost: 2, parallelism: 1 });
  await v.db.update(identities).set({ passwordHash: hash }).where(eq(identities.id, identity.id));
  await signInMethodsChanged(
    v,
    identity,
    keep,
    ip,
    identity.passwordHash ? "password.changed" : "password.enabled",
    identity.passwordHash
      ? { subject: "Softrack: your password was changed", what: "The password was changed" }
      : { subject: "Softrack: a password was set", what: "A password was set" },
  );
  return null;
}

export async function disablePassword(v: V, identity: IdentityRow, keep: string, ip: string, password: string) {
  if (!identity.passwordHash) return wrong("second_factor_not_enabled", "No password is set.");
  const err = await prove(v, identity, ip, "password", { password });
  if (err) return err;
  await v.db.update(identities).set({ passwordHash: null }).where(eq(identities.id, identity.id));
  await signInMethodsChanged(v, identity, keep, ip, "password.disabled", {
    subject: "Softrack: your password was turned off",
    what: "The password was turned off",
  });
  return null;
}

export async function setupTotp(v: V, identity: IdentityRow) {
  if (identity.totpSealed) throw invalid("second_factor_already_enabled", "An authenticator app is already on; turn it off first.");
  const secret = newTotpSecret();
  await v.db
    .update(identities)
    .set({ totpPendingSealed: v.deps.box.seal(secret) })
    .where(eq(identities.id, identity.id));
  const { uri, qrSvg } = await provisioning(secret, identity.email ?? identity.phone ?? identity.id);
  return { object: "totp_setup" as const, secret, otpauth_uri: uri, qr_svg: qrSvg };
}

function newRecoveryCodes() {
  const alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
  return Array.from({ length: 10 }, () => {
    let s = "";
    for (let i = 0; i < 10; i++) s += alphabet[randomInt(0, alphabet.length)];
    return `${s.slice(0, 5)}-${s.slice(5)}`;
  });
}

async function replaceRecoveryCodes(v: V, identityId: string) {
  const codes = newRecoveryCodes();
  await v.db.delete(recoveryCodes).where(eq(recoveryCodes.identityId, identityId));
  await v.db
    .insert(recoveryCodes)
    .values(codes.map((c) => ({ id: accountId("rc"), identityId, hash: keyed(v.deps, "recovery", identityId, c) })));
  return codes;
}

export async function enableTotp(v: V, identity: IdentityRow, keep: string, ip: string, code: string) {
  if (identity.totpSealed) throw invalid("second_factor_already_enabled", "An authenticator app is already on.");
  if (!identity.totpPendingSealed) throw invalid("totp_setup_missing", "Call POST /v1/auth/totp/setup first.");
  const wait = await hit(v, limitsOf(v.deps).attemptsPerIdentity, identity.id);
  if (wait) throw rateLimited(wait);
  const step = totpStep(v.deps.box.open(identity.totpPendingSealed), code, v.deps.now());
  if (step === null)
    return { error: wrong("totp_code_invalid", "The code does not match; check the app's clock and try the next code.", "code") };
  await v.db
    .update(identities)
    .set({ totpSealed: identity.totpPendingSealed, totpPendingSealed: null, totpLastStep: step })
    .where(eq(identities.id, identity.id));
  const codes = await replaceRecoveryCodes(v, identity.id);
  await signInMethodsChanged(v, identity, keep, ip, "totp.enabled", {
    subject: "Softrack: an authenticator app was turned on",
    what: "An authenticator app was turned on",
    advice:
      "It lets that person switch a console session to live mode. If you did not expect this, remove the member (or turn the app off) and sign their sessions out.",
    owners: true,
  });
  return { recovery_codes: codes };
}

export async function disableTotp(v: V, identity: IdentityRow, keep: string, ip: string, code: string) {
  if (!identity.totpSealed) return wrong("second_factor_not_enabled", "No authenticator app is on.");
  const err = await prove(v, identity, ip, "totp", { code });
  if (err) return err;
  await v.db.update(identities).set({ totpSealed: null, totpLastStep: null }).where(eq(identities.id, identity.id));
  await v.db.delete(recoveryCodes).where(eq(recoveryCodes.identityId, identity.id));
  await signInMethodsChanged(v, identity, keep, ip, "totp.disabled", {
    subject: "Softrack: your authenticator app was turned off",
    what: "The authenticator app was turned off",
  });
  return null;
}

export async function regenerateRecoveryCodes(v: V, identity: IdentityRow, keep: string, ip: string, code: string) {
  if (!identity.totpSealed)
    return { error: wrong("second_factor_not_enabled", "Recovery codes come with an authenticator app; turn one on first.") };
  const err = await prove(v, identity, ip, "totp", { code });
  if (err) return { error: err };
  const codes = await replaceRecoveryCodes(v, identity.id);
  await signInMethodsChanged(v, identity, keep, ip, "recovery_codes.regenerated", {
    subject: "Softrack: new recovery codes were made",
    what: "New recovery codes were made (the old ones no longer work)",
    advice:
      "Each code switches a console session to live mode, as the authenticator does. If you did not expect this, an owner should remove the member's access now (Team, in the console).",
    // They reach live mode, as the authenticator does: the owners hear of it too.
    owners: true,
  });
  return { recovery_codes: codes };
}

// ---- live mode for console sessions ----

/**
 * Switches an owner's session to live mode for LIVE_MODE_TTL_MS, proven now with an
 * authenticator code (or a recovery code). Refusals are returned, not thrown, so that the
 * audit rows they write are kept.
 */
export async function enterLiveMode(
  v: V,
  session: { id: string; identityId: string },
  ip: string,
  code: string,
): Promise<{ error: ApiError } | { session: SessionRow }> {
  const [identity] = await v.db
    .select()
    .from(identities)
    .where(and(eq(identities.id, session.identityId), isNull(identities.removedAt)));
  if (!identity) throw forbidden("The session has ended; sign in again.", "session_invalid");
  const refuse = async (reason: string, message: string) => {
    await audit(v, {
      type: "session.live_mode_refused",
      identityId: identity.id,
      merchantId: identity.merchantId,
      ip,
      livemode: true,
      detail: { session: session.id, reason },
    });
    return { error: forbidden(message, reason) };
  };
  if (identity.kind !== "member" || identity.role !== "owner")
    return refuse("live_mode_owner_only", "Only an owner can switch a session to live mode; use a live secret key otherwise.");
  const [merchant] = await v.db
    .select({ liveActivatedAt: merchants.liveActivatedAt })
    .from(merchants)
    .where(eq(merchants.id, identity.merchantId));
  if (!merchant?.liveActivatedAt)
    return refuse("live_mode_not_activated", "This merchant has no live mode yet: the platform activates it.");
  if (!identity.totpSealed)
    return refuse(
      "live_mode_second_factor_missing",
      "Live mode needs an authenticator app on this account: turn one on (POST /v1/auth/totp/setup) first.",
    );
  const err = await prove(v, identity, ip, "totp", { code });
  if (err) return { error: err };
  const until = new Date(v.deps.now().getTime() + LIVE_MODE_TTL_MS);
  const row = await setSessionLiveMode(v.db, identity.id, session.id, until);
  await audit(v, {
    type: "session.live_mode_entered",
    identityId: identity.id,
    merchantId: identity.merchantId,
    ip,
    livemode: true,
    detail: { session: session.id, factor: /^\d{6}$/.test(code) ? "totp" : "recovery_code", expires_at: until.toISOString() },
  });
  await notify(
    v,
    identity,
    true,
    "Softrack: a console session entered live mode",
    `${who(identity)} switched a console session (${session.id}) of merchant ${identity.merchantId} to live mode at ${v.deps.now().toISOString()} from ${ip}, until ${until.toISOString()}.\n\nIf you did not expect this, revoke the session and review the member's authenticator.`,
  );
  return { session: row };
}

/** Back to test mode at once (the grant would also run out by itself). */
export async function leaveLiveMode(v: V, session: { id: string; identityId: string }, merchantId: string | null, ip: string) {
  // Only a member's session ever enters live mode: a customer's has nothing to leave (nor to audit).
  if (v.principal.kind !== "secret") return setSessionLiveMode(v.db, session.identityId, session.id, null);
  const row = await setSessionLiveMode(v.db, session.identityId, session.id, null);
  await audit(v, {
    type: "session.live_mode_exited",
    identityId: session.identityId,
    merchantId,
    ip,
    livemode: true,
    detail: { session: session.id },
  });
  return row;
}
