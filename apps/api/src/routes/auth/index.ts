import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../../context.js";
import { type ApiError, forbidden, notFound } from "../../lib/errors.js";
import {
  bearer,
  body,
  Email,
  errors,
  IdParam,
  json,
  ListQuery,
  Livemode,
  listOf,
  noAuth,
  examplePlaceholder as placeholder,
  Timestamp,
} from "../../lib/openapi.js";
import { createRouter } from "../../lib/router.js";
import { allow } from "../../middleware/auth.js";
import { noParameters } from "../../middleware/no-parameters.js";
import { clientIp } from "../../middleware/rate-limit.js";
import {
  audit,
  disablePassword,
  disableTotp,
  enableTotp,
  enterLiveMode,
  identityObject,
  leaveLiveMode,
  PASSWORD_MIN,
  PHONE_AS_TYPED,
  regenerateRecoveryCodes,
  type SignInResult,
  setPassword,
  setupTotp,
  startSignIn,
  verifyCode,
  verifySecondFactor,
} from "../../services/auth.js";
import { outboxList } from "../../services/outbox.js";
import {
  identityOf,
  listSessions,
  requireRecentSignIn,
  revokeSession,
  revokeSessions,
  SESSION_COOKIE,
  SESSION_TTL_MS,
  sessionObject,
} from "../../services/sessions.js";

const tags = ["Sign-in"];
const Audience = z
  .enum(["member", "customer"])
  .openapi({ description: "member: a merchant's staff (console); customer: a wallet holder or rider of `merchant`" });
const Client = z
  .enum(["browser", "app"])
  .default("app")
  .openapi({ description: "browser: the session travels in an httpOnly cookie; app: as a bearer token (sst_…) in the answer" });

const Challenge = z
  .object({
    id: z.string(),
    object: z.literal("sign_in_challenge"),
    created: Timestamp,
    livemode: Livemode,
    channel: z.enum(["email", "sms"]),
    expires_at: Timestamp,
  })
  .openapi("SignInChallenge", { description: "The same answer whether or not anyone has the address." });

const SecondFactors = z.object({ password: z.boolean(), totp: z.boolean(), recovery_codes_remaining: z.number().int() });
const Identity = z
  .object({
    id: z.string(),
    object: z.literal("identity"),
    created: Timestamp,
    livemode: Livemode,
    kind: z.enum(["member", "customer"]),
    merchant: z.string(),
    role: z.enum(["owner", "developer", "support"]).nullable(),
    customer: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    second_factors: SecondFactors,
  })
  .openapi("Identity");

const Session = z
  .object({
    id: z.string(),
    object: z.literal("session"),
    created: Timestamp,
    livemode: Livemode,
    client: z.enum(["browser", "app"]),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    last_used: Timestamp,
    expires_at: Timestamp,
    live_mode_expires_at: Timestamp.nullable().openapi({
      description: "While the session is in live mode (livemode true): when it falls back to test mode",
    }),
    current: z.boolean(),
  })
  .openapi("Session");

const SignIn = z
  .object({
    object: z.literal("sign_in"),
    status: z.enum(["complete", "second_factor_required"]),
    session: Session.optional(),
    identity: Identity.optional(),
    memberships: z
      .array(z.object({ merchant: z.string(), role: z.enum(["owner", "developer", "support"]), status: z.enum(["invited", "active"]) }))
      .optional()
      .openapi({ description: "Members: every team this address belongs to; sign in again with `merchant` to act for another" }),
    token: z.string().optional().openapi({ description: "sst_…: the bearer token, for client=app only; shown once" }),
    second_factor_token: z.string().optional().openapi({ description: "Send it to /v1/auth/second_factor with the factors listed" }),
    factors: z.array(z.enum(["password", "totp"])).optional(),
    expires_at: Timestamp.optional(),
  })
  .openapi("SignIn");

const EmailStart = z
  .strictObject({
    email: Email,
    audience: Audience,
    merchant: z
      .string()
      .max(64)
      .optional()
      .openapi({ description: "customer: required; member: which team to sign in to when the address belongs to several" }),
    client: Client,
  })
  .openapi("StartEmailSignIn");
const PhoneStart = z
  .strictObject({
    phone: z.string().max(32).openapi({
      pattern: PHONE_AS_TYPED.source,
      description: "A mobile number in international format (+996…, +7… or +998…); spaces, dashes and parentheses are ignored.",
      example: "+996 555 123 456",
    }),
    audience: Audience,
    merchant: z.string().max(64).optional(),
    client: Client,
  })
  .openapi("StartPhoneSignIn");
const Verify = z
  .strictObject({
    challenge: z.string().max(64).optional(),
    code: z.string().max(12).optional(),
    token: z.string().max(128).optional().openapi({ description: "The magic link's token" }),
  })
  // verifyCode refuses a body with neither (parameter_missing); the document says which pairs suffice.
  .openapi("VerifySignIn", {
    description: "Either the `challenge` and its `code`, or a magic link's `token`.",
    anyOf: [{ required: ["challenge", "code"] }, { required: ["token"] }],
  });
const SecondFactor = z
  .strictObject({
    second_factor_token: z.string().max(200),
    password: z.string().max(200).optional(),
    totp_code: z.string().max(12).optional(),
    recovery_code: z.string().max(32).optional(),
  })
  .openapi("SecondFactor");
/** Every change to how a person signs in (services/auth.ts, signInMethodsChanged). */
const OTHER_SESSIONS_END =
  "Every other session of the person ends (each a `session.revoked` security event); this one stays. The person is told by email, or by SMS when they have only a phone.";
/** What a new password must be (services/passwords.ts): length, then no values guessed first; no composition rules. */
const PASSWORD_RULE =
  `At least ${PASSWORD_MIN} characters, any of them. Refused with 400 \`password_too_weak\` (its message says why) when it is ` +
  "a commonly used password, one character or a short group of characters repeated, a sequence (1234567890, abcdefghij, " +
  "a keyboard row such as qwertyuiop), or contains the account's email, the name part of it, or the service's name.";
const Password = z
  .strictObject({
    password: z
      .string()
      .min(PASSWORD_MIN, `password must be at least ${PASSWORD_MIN} characters`)
      .max(200)
      .openapi({ description: PASSWORD_RULE }),
    current_password: z.string().max(200).optional().openapi({ description: "Needed to change a password that is on" }),
  })
  .openapi("SetPassword");
const PasswordOff = z.strictObject({ password: z.string().max(200) }).openapi("DisablePassword");
const Code = z
  .strictObject({ code: z.string().max(32).openapi({ description: "An authenticator code (or, to turn it off, a recovery code)" }) })
  .openapi("TotpCode");
const LiveModeCode = z
  .strictObject({
    code: z.string().max(32).openapi({ description: "A fresh authenticator code (or a recovery code), checked now" }),
  })
  .openapi("EnterLiveMode");
const TotpSetup = z
  .object({ object: z.literal("totp_setup"), secret: z.string(), otpauth_uri: z.string(), qr_svg: z.string() })
  .openapi("TotpSetup");
const RecoveryCodes = z
  .object({ object: z.literal("recovery_codes"), recovery_codes: z.array(z.string()).openapi({ description: "Shown once" }) })
  .openapi("RecoveryCodes");
const Outbox = listOf(
  z.object({
    id: z.string(),
    channel: z.enum(["email", "sms"]),
    to: z.string(),
    subject: z.string().nullable(),
    text: z.string(),
    created: Timestamp,
  }),
  "OutboxList",
);

const anyone = { 200: json(SignIn), ...errors };
/** The password the examples turn on, then give as proof (one the password rules take). */
const EXAMPLE_PASSWORD = "violet-harbour-42";
/** Said on every route that changes how a person signs in (see factorChanger). */
const recentSignIn =
  "Needs a recent sign-in: a session signed in more than 10 minutes ago gets 403 `reauthentication_required` (sign in again, then retry).";
const signedIn = allow("secret", "customer");
const r = {
  emailStart: createRoute({
    method: "post",
    path: "/v1/auth/email/start",
    tags,
    security: noAuth,
    summary: "Send a 6-digit code and a magic link to an email (same answer whether or not it is known)",
    request: body(EmailStart, { email: "aida@example.kg", audience: "member", client: "app" }),
    responses: { 200: json(Challenge), ...errors },
  }),
  phoneStart: createRoute({
    method: "post",
    path: "/v1/auth/phone/start",
    tags,
    security: noAuth,
    summary: "Send a 6-digit code by SMS (same answer whether or not the number is known)",
    request: body(PhoneStart, { phone: "+996 555 123 456", audience: "member", client: "app" }),
    responses: { 200: json(Challenge), ...errors },
  }),
  verify: createRoute({
    method: "post",
    path: "/v1/auth/verify",
    tags,
    security: noAuth,
    summary: "Answer a challenge with its code, or a magic link's token; may ask for the second factor",
    // The challenge POST /v1/auth/email/start answered, and the code its email carries.
    request: body(Verify, { challenge: "chl_01J…", code: placeholder.code }),
    responses: anyone,
  }),
  secondFactor: createRoute({
    method: "post",
    path: "/v1/auth/second_factor",
    tags,
    security: noAuth,
    summary: "Finish a sign-in with the password and/or authenticator (or recovery) code",
    // An account with a password and an authenticator: both are asked for.
    request: body(SecondFactor, {
      second_factor_token: placeholder.secondFactorToken,
      password: EXAMPLE_PASSWORD,
      totp_code: placeholder.code,
    }),
    responses: anyone,
  }),
  me: createRoute({
    method: "get",
    path: "/v1/auth/me",
    tags,
    summary: "Who is signed in, and which second factors are on",
    security: bearer,
    middleware: signedIn,
    responses: { 200: json(Identity), ...errors },
  }),
  password: createRoute({
    method: "post",
    path: "/v1/auth/password",
    tags,
    summary: "Turn on (or change) the password second factor; the person's other sessions end",
    description: `${PASSWORD_RULE} ${recentSignIn} ${OTHER_SESSIONS_END}`,
    security: bearer,
    middleware: signedIn,
    // The first password; changing one also takes `current_password`.
    request: body(Password, { password: EXAMPLE_PASSWORD }),
    responses: { 200: json(Identity), ...errors },
  }),
  passwordOff: createRoute({
    method: "post",
    path: "/v1/auth/password/disable",
    tags,
    summary: "Turn the password off (needs the password); the person's other sessions end",
    description: `${recentSignIn} ${OTHER_SESSIONS_END}`,
    security: bearer,
    middleware: signedIn,
    request: body(PasswordOff, { password: EXAMPLE_PASSWORD }),
    responses: { 200: json(Identity), ...errors },
  }),
  totpSetup: createRoute({
    method: "post",
    path: "/v1/auth/totp/setup",
    tags,
    summary: "Start an authenticator app: secret, otpauth:// URI and QR code",
    description: recentSignIn,
    security: bearer,
    middleware: [signedIn, noParameters] as const,
    responses: { 200: json(TotpSetup), ...errors },
  }),
  totpEnable: createRoute({
    method: "post",
    path: "/v1/auth/totp/enable",
    tags,
    summary: "Confirm the authenticator with a code; returns recovery codes once; the person's other sessions end",
    description: `${recentSignIn} ${OTHER_SESSIONS_END} The merchant's owners are told too: this reaches live mode.`,
    security: bearer,
    middleware: signedIn,
    // The code the app shows now for the secret POST /v1/auth/totp/setup gave.
    request: body(Code, { code: placeholder.code }),
    responses: { 200: json(RecoveryCodes), ...errors },
  }),
  totpDisable: createRoute({
    method: "post",
    path: "/v1/auth/totp/disable",
    tags,
    summary: "Turn the authenticator off (needs a code or a recovery code); the person's other sessions end",
    description: `${recentSignIn} ${OTHER_SESSIONS_END}`,
    security: bearer,
    middleware: signedIn,
    request: body(Code, { code: placeholder.code }),
    responses: { 200: json(Identity), ...errors },
  }),
  recovery: createRoute({
    method: "post",
    path: "/v1/auth/recovery_codes",
    tags,
    summary: "New recovery codes (the old ones stop working); the person's other sessions end",
    description: `${recentSignIn} ${OTHER_SESSIONS_END} The merchant's owners are told too: this reaches live mode.`,
    security: bearer,
    middleware: signedIn,
    request: body(Code, { code: placeholder.code }),
    responses: { 200: json(RecoveryCodes), ...errors },
  }),
  sessions: createRoute({
    method: "get",
    path: "/v1/auth/sessions",
    tags,
    summary: "The signed-in person's active sessions",
    security: bearer,
    middleware: signedIn,
    request: { query: ListQuery },
    responses: { 200: json(listOf(Session, "SessionList")), ...errors },
  }),
  revoke: createRoute({
    method: "post",
    path: "/v1/auth/sessions/{id}/revoke",
    tags,
    summary: "End one session",
    security: bearer,
    middleware: [signedIn, noParameters] as const,
    request: { params: IdParam("ses") },
    responses: { 200: json(Session), ...errors },
  }),
  liveModeOn: createRoute({
    method: "post",
    path: "/v1/auth/sessions/live_mode",
    tags,
    summary: "Switch this console session to live mode for 15 minutes (owners, with a fresh second factor)",
    description:
      "Live keys and live objects are managed only by a live credential: a live secret key, or a session switched here. " +
      "Needs an owner of a merchant with live mode, an authenticator app, and a code checked now. Audited. " +
      "Calling again renews the 15 minutes; after them the session is test mode again.",
    security: bearer,
    middleware: signedIn,
    request: body(LiveModeCode, { code: placeholder.code }),
    responses: { 200: json(Session), ...errors },
  }),
  liveModeOff: createRoute({
    method: "delete",
    path: "/v1/auth/sessions/live_mode",
    tags,
    summary: "Switch this session back to test mode now",
    security: bearer,
    middleware: signedIn,
    responses: { 200: json(Session), ...errors },
  }),
  signOut: createRoute({
    method: "post",
    path: "/v1/auth/sign_out",
    tags,
    summary: "End this session",
    security: bearer,
    middleware: [signedIn, noParameters] as const,
    responses: { 200: json(z.object({ object: z.literal("sign_out"), revoked: z.number().int() }).openapi("SignOut")), ...errors },
  }),
  signOutAll: createRoute({
    method: "post",
    path: "/v1/auth/sign_out_everywhere",
    tags,
    summary: "End every session of the signed-in person",
    security: bearer,
    middleware: [signedIn, noParameters] as const,
    responses: {
      200: json(
        z
          .object({
            object: z.literal("sign_out"),
            revoked: z.number().int().openapi({ description: "How many sessions still in force it ended, this one included." }),
          })
          .openapi("SignOutEverywhere"),
      ),
      ...errors,
    },
  }),
  outbox: createRoute({
    method: "get",
    path: "/v1/test_helpers/outbox",
    tags: ["Test helpers"],
    summary: "Development: messages sent without SMTP/SMS gateway (platform admin key; not in production)",
    security: bearer,
    middleware: allow("admin"),
    request: { query: z.object({ to: z.string().max(254).optional() }) },
    responses: { 200: json(Outbox), ...errors },
  }),
};

function sessionOf(c: Context<AppEnv>) {
  const p = c.get("principal");
  const s = (p.kind === "secret" || p.kind === "customer") && p.session;
  if (!s) throw forbidden("This route needs a signed-in person (a session), not an API key.", "session_required");
  return s;
}

/** The signed-in person, for a change of their sign-in factors: only from a recent sign-in (a stolen old session cannot). */
async function factorChanger(c: Context<AppEnv>) {
  const s = sessionOf(c);
  await requireRecentSignIn(c.get("db"), c.get("deps"), s.id);
  return identityOf(c.get("db"), s.identityId);
}

function fail(c: Context<AppEnv>, e: ApiError) {
  for (const [k, v] of Object.entries(e.headers)) c.header(k, v);
  return c.json(e.body(c.get("requestId")), e.status) as never;
}

function answer(c: Context<AppEnv>, r: SignInResult) {
  if (r.kind === "error") return fail(c, r.error);
  if (r.kind === "second_factor") return c.json(r.body, 200) as never;
  if (r.client === "browser") {
    setCookie(c, SESSION_COOKIE, r.token, { httpOnly: true, secure: true, sameSite: "Strict", path: "/", maxAge: SESSION_TTL_MS / 1000 });
    return c.json(r.body, 200) as never;
  }
  return c.json({ ...r.body, token: r.token }, 200) as never;
}

const merchantIdOf = (c: Context<AppEnv>) => (c.get("principal") as { merchantId?: string }).merchantId ?? null;
const ua = (c: Context<AppEnv>) => c.req.header("User-Agent");

export const authRoutes = createRouter()
  .openapi(r.emailStart, async (c) => {
    const b = c.req.valid("json");
    return c.json(
      await startSignIn(c.var, clientIp(c), {
        channel: "email",
        address: b.email,
        audience: b.audience,
        merchant: b.merchant,
        client: b.client,
      }),
      200,
    );
  })
  .openapi(r.phoneStart, async (c) => {
    const b = c.req.valid("json");
    return c.json(
      await startSignIn(c.var, clientIp(c), {
        channel: "sms",
        address: b.phone,
        audience: b.audience,
        merchant: b.merchant,
        client: b.client,
      }),
      200,
    );
  })
  .openapi(r.verify, async (c) => answer(c, await verifyCode(c.var, clientIp(c), ua(c), c.req.valid("json"))))
  .openapi(r.secondFactor, async (c) => answer(c, await verifySecondFactor(c.var, clientIp(c), ua(c), c.req.valid("json"))))
  .openapi(r.me, async (c) => c.json(await identityObject(c.get("db"), await identityOf(c.get("db"), sessionOf(c).identityId)), 200))
  .openapi(r.password, async (c) => {
    const identity = await factorChanger(c);
    const err = await setPassword(c.var, identity, sessionOf(c).id, clientIp(c), c.req.valid("json"));
    if (err) return fail(c, err);
    return c.json(await identityObject(c.get("db"), await identityOf(c.get("db"), identity.id)), 200);
  })
  .openapi(r.passwordOff, async (c) => {
    const identity = await factorChanger(c);
    const err = await disablePassword(c.var, identity, sessionOf(c).id, clientIp(c), c.req.valid("json").password);
    if (err) return fail(c, err);
    return c.json(await identityObject(c.get("db"), await identityOf(c.get("db"), identity.id)), 200);
  })
  .openapi(r.totpSetup, async (c) => c.json(await setupTotp(c.var, await factorChanger(c)), 200))
  .openapi(r.totpEnable, async (c) => {
    const out = await enableTotp(c.var, await factorChanger(c), sessionOf(c).id, clientIp(c), c.req.valid("json").code);
    if ("error" in out && out.error) return fail(c, out.error);
    if (!("recovery_codes" in out) || !out.recovery_codes) throw new Error("unreachable");
    return c.json({ object: "recovery_codes" as const, recovery_codes: out.recovery_codes }, 200);
  })
  .openapi(r.totpDisable, async (c) => {
    const identity = await factorChanger(c);
    const err = await disableTotp(c.var, identity, sessionOf(c).id, clientIp(c), c.req.valid("json").code);
    if (err) return fail(c, err);
    return c.json(await identityObject(c.get("db"), await identityOf(c.get("db"), identity.id)), 200);
  })
  .openapi(r.recovery, async (c) => {
    const out = await regenerateRecoveryCodes(c.var, await factorChanger(c), sessionOf(c).id, clientIp(c), c.req.valid("json").code);
    if ("error" in out && out.error) return fail(c, out.error);
    if (!("recovery_codes" in out) || !out.recovery_codes) throw new Error("unreachable");
    return c.json({ object: "recovery_codes" as const, recovery_codes: out.recovery_codes }, 200);
  })
  .openapi(r.sessions, async (c) => {
    const s = sessionOf(c);
    const l = await listSessions(c.get("db"), c.get("deps"), s.identityId, c.req.valid("query"));
    return c.json({ ...l, data: l.data.map((row) => sessionObject(row, s.id, c.get("deps").now())) }, 200);
  })
  .openapi(r.revoke, async (c) => {
    const s = sessionOf(c);
    const row = await revokeSession(c.get("db"), c.get("deps"), s.identityId, c.req.valid("param").id);
    await audit(c.var, {
      type: "session.revoked",
      identityId: s.identityId,
      merchantId: merchantIdOf(c),
      ip: clientIp(c),
      detail: { session: row.id },
    });
    if (row.id === s.id) deleteCookie(c, SESSION_COOKIE, { path: "/", secure: true });
    return c.json(sessionObject(row, s.id, c.get("deps").now()), 200);
  })
  .openapi(r.liveModeOn, async (c) => {
    const s = sessionOf(c);
    const out = await enterLiveMode(c.var, s, clientIp(c), c.req.valid("json").code);
    if ("error" in out) return fail(c, out.error);
    return c.json(sessionObject(out.session, s.id, c.get("deps").now()), 200);
  })
  .openapi(r.liveModeOff, async (c) => {
    const s = sessionOf(c);
    return c.json(sessionObject(await leaveLiveMode(c.var, s, merchantIdOf(c), clientIp(c)), s.id, c.get("deps").now()), 200);
  })
  .openapi(r.signOut, async (c) => {
    const s = sessionOf(c);
    await revokeSession(c.get("db"), c.get("deps"), s.identityId, s.id).catch(() => notFound("session", s.id));
    await audit(c.var, {
      type: "session.signed_out",
      identityId: s.identityId,
      merchantId: merchantIdOf(c),
      ip: clientIp(c),
      detail: { session: s.id },
    });
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure: true });
    return c.json({ object: "sign_out" as const, revoked: 1 }, 200);
  })
  .openapi(r.signOutAll, async (c) => {
    const s = sessionOf(c);
    const revoked = (await revokeSessions(c.get("db"), c.get("deps"), s.identityId)).length;
    await audit(c.var, {
      type: "session.signed_out_everywhere",
      identityId: s.identityId,
      merchantId: merchantIdOf(c),
      ip: clientIp(c),
      detail: { sessions: revoked },
    });
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure: true });
    return c.json({ object: "sign_out" as const, revoked }, 200);
  })
  .openapi(r.outbox, async (c) => {
    if (c.get("deps").env.NODE_ENV === "production") throw notFound("route", "/v1/test_helpers/outbox");
    const data = outboxList(c.get("deps"), c.req.valid("query").to);
    return c.json({ object: "list" as const, data, has_more: false }, 200);
  });
