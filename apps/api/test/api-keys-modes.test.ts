import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LIVE_MODE_TTL_MS } from "../src/services/sessions.js";
import type { TestApi } from "../src/testing.js";
import { accounts } from "./auth-support.js";
import { type Http, http, startTestApi } from "./support.js";

/**
 * Issue 19, finding 1: API keys belong to one mode. A test credential (sk_test, a console
 * session in test mode) never sees, rolls or revokes a live key; live keys are managed by a
 * live secret key, or by an owner's session switched to live mode with a fresh second factor.
 */
let api: TestApi;
let a: ReturnType<typeof accounts>;
let sk: Http;
let live: Http;
let liveKey: string;

type Key = { id: string; livemode: boolean; kind: string };

beforeAll(async () => {
  api = await startTestApi();
  a = accounts(api);
  sk = http(api.url, api.merchant.secretKey);
  const activated = await a.admin.post(`/v1/merchants/${api.merchant.id}/activate`);
  liveKey = activated.body.keys.secret_key;
  live = http(api.url, liveKey);
});
afterAll(() => api.close());

/** The live secret key's id, as the live key itself lists it. */
async function liveSecretKeyId(): Promise<string> {
  const keys = (await live.get("/v1/api_keys")).body.data as Key[];
  const hint = `sk_live_…${liveKey.slice(-4)}`;
  const k = (keys as (Key & { hint: string })[]).find((x) => x.hint === hint);
  if (!k) throw new Error(`live key not listed: ${JSON.stringify(keys)}`);
  return k.id;
}

/** A signed-in member with an authenticator app on; `secret` makes fresh codes. */
async function memberWithTotp(email: string, role: "owner" | "developer" | "support") {
  await a.invite(email, role);
  const session = await a.signIn(email);
  const setup = await session.post("/v1/auth/totp/setup");
  const on = await session.post("/v1/auth/totp/enable", { code: a.totpCode(setup.body.secret) });
  if (on.status !== 200) throw new Error(JSON.stringify(on.body));
  return { session, secret: setup.body.secret as string, recoveryCodes: on.body.recovery_codes as string[] };
}

/** A code of the next TOTP step: a code is good once, so each proof moves the clock on. */
function freshCode(secret: string): string {
  a.advance(30_000);
  return a.totpCode(secret);
}

describe("test credentials and live keys", () => {
  it("an sk_test key cannot list, roll or revoke a live key, and the live key keeps working", async () => {
    const liveId = await liveSecretKeyId();
    const list = await sk.get("/v1/api_keys");
    expect(list.status).toBe(200);
    expect(list.body.data.length).toBeGreaterThan(0);
    expect((list.body.data as Key[]).every((k) => k.livemode === false)).toBe(true);
    expect((list.body.data as Key[]).map((k) => k.id)).not.toContain(liveId);

    const roll = await sk.post(`/v1/api_keys/${liveId}/roll`, { expires_in: 0 });
    expect(roll.status).toBe(404);
    expect(roll.body.error).toMatchObject({ type: "invalid_request_error", code: "resource_missing" });
    expect(roll.body.error.message).not.toContain("sk_live_");
    const revoke = await sk.post(`/v1/api_keys/${liveId}/revoke`);
    expect(revoke.status).toBe(404);

    // Keys made with a test key are test keys.
    const made = await sk.post("/v1/api_keys", { kind: "secret" });
    expect(made.status).toBe(200);
    expect(made.body.livemode).toBe(false);
    expect(made.body.secret).toMatch(/^sk_test_/);

    expect((await live.get("/v1/balance")).status).toBe(200);
    const still = ((await live.get("/v1/api_keys")).body.data as (Key & { expires_at: string | null; revoked_at: string | null })[]).find(
      (k) => k.id === liveId,
    );
    expect(still).toMatchObject({ expires_at: null, revoked_at: null });
  });

  it("a developer's console session is test mode: no live keys listed, 404 on roll and revoke", async () => {
    await a.invite("dev@keys.test", "developer");
    const dev = await a.signIn("dev@keys.test");
    const liveId = await liveSecretKeyId();
    const list = await dev.get("/v1/api_keys");
    expect(list.status).toBe(200);
    expect((list.body.data as Key[]).every((k) => !k.livemode)).toBe(true);
    expect((await dev.post(`/v1/api_keys/${liveId}/roll`, { expires_in: 0 })).status).toBe(404);
    expect((await dev.post(`/v1/api_keys/${liveId}/revoke`)).status).toBe(404);
    expect((await live.get("/v1/balance")).status).toBe(200);
  });

  it("an sk_live key lists and manages live keys only", async () => {
    const list = await live.get("/v1/api_keys");
    expect(list.status).toBe(200);
    expect((list.body.data as Key[]).every((k) => k.livemode)).toBe(true);
    const testKey = (await sk.get("/v1/api_keys")).body.data[0] as Key;
    expect((await live.post(`/v1/api_keys/${testKey.id}/roll`, { expires_in: 0 })).status).toBe(404);
    expect((await live.post(`/v1/api_keys/${testKey.id}/revoke`)).status).toBe(404);
    const made = await live.post("/v1/api_keys", { kind: "publishable" });
    expect(made.body).toMatchObject({ livemode: true, kind: "publishable" });
    expect(made.body.secret).toMatch(/^pk_live_/);
    const revoked = await live.post(`/v1/api_keys/${made.body.id}/revoke`);
    expect(revoked.status).toBe(200);
    const events = await live.get("/v1/security_events?type=api_key.revoked");
    expect(events.body.data[0]).toMatchObject({ livemode: true, detail: { key: made.body.id, livemode: true } });
  });
});

describe("live mode for console sessions", () => {
  it("an owner switches with a fresh authenticator code, manages live keys, is audited, and falls back to test mode", async () => {
    const { session: owner, secret } = await memberWithTotp("owner@keys.test", "owner");
    const before = await owner.get("/v1/api_keys");
    expect((before.body.data as Key[]).every((k) => !k.livemode)).toBe(true);
    expect((await owner.get("/v1/auth/sessions")).body.data[0]).toMatchObject({ livemode: false, live_mode_expires_at: null });

    const code = freshCode(secret);
    const asked = a.now().getTime();
    const on = await owner.post("/v1/auth/sessions/live_mode", { code });
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({ object: "session", livemode: true, current: true });
    const until = new Date(on.body.live_mode_expires_at).getTime();
    expect(until).toBeGreaterThanOrEqual(asked + LIVE_MODE_TTL_MS);
    expect(until).toBeLessThanOrEqual(a.now().getTime() + LIVE_MODE_TTL_MS);

    // Live mode: the session sees live keys and live objects, like an sk_live key.
    const keys = await owner.get("/v1/api_keys");
    expect(keys.body.data.length).toBeGreaterThan(0);
    expect((keys.body.data as Key[]).every((k) => k.livemode)).toBe(true);
    const customer = await owner.post("/v1/customers", { name: "Live Aibek" });
    expect(customer.body.livemode).toBe(true);

    const made = await owner.post("/v1/api_keys", { kind: "secret" });
    expect(made.body.secret).toMatch(/^sk_live_/);
    const rolled = await owner.post(`/v1/api_keys/${made.body.id}/roll`, { expires_in: 0 });
    expect(rolled.status).toBe(200);
    expect(rolled.body.key.secret).toMatch(/^sk_live_/);
    expect((await http(api.url, rolled.body.key.secret).get("/v1/balance")).status).toBe(200);
    expect((await http(api.url, made.body.secret).get("/v1/balance")).status).toBe(401);

    const entered = await live.get("/v1/security_events?type=session.live_mode_entered");
    expect(entered.body.data[0]).toMatchObject({
      livemode: true,
      identity: expect.stringMatching(/^idn_/),
      detail: { session: on.body.id, factor: "totp" },
    });
    const roll = await live.get("/v1/security_events?type=api_key.rolled");
    expect(roll.body.data[0]).toMatchObject({
      livemode: true,
      identity: entered.body.data[0].identity,
      detail: { key: made.body.id, replaced_by: rolled.body.key.id, livemode: true },
    });

    // The grant runs out by itself.
    a.advance(LIVE_MODE_TTL_MS + 1000);
    expect(((await owner.get("/v1/api_keys")).body.data as Key[]).every((k) => !k.livemode)).toBe(true);
    expect((await owner.post(`/v1/api_keys/${rolled.body.key.id}/revoke`)).status).toBe(404);

    // And the way back is explicit too.
    expect((await owner.post("/v1/auth/sessions/live_mode", { code: freshCode(secret) })).body.livemode).toBe(true);
    const off = await owner.call("DELETE", "/v1/auth/sessions/live_mode");
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ livemode: false, live_mode_expires_at: null });
    expect(((await owner.get("/v1/api_keys")).body.data as Key[]).every((k) => !k.livemode)).toBe(true);
    expect((await live.get("/v1/security_events?type=session.live_mode_exited")).body.data[0].detail).toMatchObject({
      session: on.body.id,
    });
  });

  it("turning the authenticator off ends the session's live mode at once", async () => {
    const { session: owner, secret } = await memberWithTotp("offswitch@keys.test", "owner");
    expect((await owner.post("/v1/auth/sessions/live_mode", { code: freshCode(secret) })).body.livemode).toBe(true);
    expect(((await owner.get("/v1/api_keys")).body.data as Key[]).every((k) => k.livemode)).toBe(true);
    expect((await owner.post("/v1/auth/totp/disable", { code: freshCode(secret) })).status).toBe(200);
    expect(((await owner.get("/v1/api_keys")).body.data as Key[]).every((k) => !k.livemode)).toBe(true);
  });

  it("a recovery code also proves the owner, once", async () => {
    const { session: owner, recoveryCodes } = await memberWithTotp("recover@keys.test", "owner");
    const code = recoveryCodes[0] as string;
    const on = await owner.post("/v1/auth/sessions/live_mode", { code });
    expect(on.body.livemode).toBe(true);
    await owner.call("DELETE", "/v1/auth/sessions/live_mode");
    const again = await owner.post("/v1/auth/sessions/live_mode", { code });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe("second_factor_invalid");
  });

  it("refuses a wrong or reused code, a developer, an owner without a second factor, and a merchant without live mode", async () => {
    const { session: owner, secret } = await memberWithTotp("careful@keys.test", "owner");
    const wrong = await owner.post("/v1/auth/sessions/live_mode", { code: "000000" });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ type: "invalid_request_error", code: "second_factor_invalid", param: "code" });
    const code = freshCode(secret);
    expect((await owner.post("/v1/auth/sessions/live_mode", { code })).status).toBe(200);
    await owner.call("DELETE", "/v1/auth/sessions/live_mode");
    // The same code again (no new TOTP step): not a fresh second factor.
    const reused = await owner.post("/v1/auth/sessions/live_mode", { code });
    expect(reused.status).toBe(400);
    expect(((await owner.get("/v1/api_keys")).body.data as Key[]).every((k) => !k.livemode)).toBe(true);
    expect((await owner.post("/v1/auth/sessions/live_mode", {})).status).toBe(400);

    const { session: dev, secret: devSecret } = await memberWithTotp("dev2@keys.test", "developer");
    const asDev = await dev.post("/v1/auth/sessions/live_mode", { code: freshCode(devSecret) });
    expect(asDev.status).toBe(403);
    expect(asDev.body.error).toMatchObject({ type: "permission_error", code: "live_mode_owner_only" });
    expect(((await dev.get("/v1/api_keys")).body.data as Key[]).every((k) => !k.livemode)).toBe(true);

    await a.invite("plain@keys.test", "owner");
    const plain = await a.signIn("plain@keys.test");
    const noFactor = await plain.post("/v1/auth/sessions/live_mode", { code: "123456" });
    expect(noFactor.status).toBe(403);
    expect(noFactor.body.error.code).toBe("live_mode_second_factor_missing");

    const other = await a.admin.post("/v1/merchants", { name: "Osh Market", country: "KG", default_currency: "KGS" });
    const invited = await a.admin.post(`/v1/merchants/${other.body.id}/members`, { email: "osh@keys.test", role: "owner" });
    expect(invited.status).toBe(200);
    const oshSignIn = await a.emailCode("osh@keys.test", { merchant: other.body.id });
    const osh = http(api.url, oshSignIn.body.token);
    const oshSetup = await osh.post("/v1/auth/totp/setup");
    await osh.post("/v1/auth/totp/enable", { code: a.totpCode(oshSetup.body.secret) });
    const notActivated = await osh.post("/v1/auth/sessions/live_mode", { code: freshCode(oshSetup.body.secret) });
    expect(notActivated.status).toBe(403);
    expect(notActivated.body.error.code).toBe("live_mode_not_activated");

    // An API key is not a session; the switch is for people.
    expect((await sk.post("/v1/auth/sessions/live_mode", { code: freshCode(secret) })).body.error.code).toBe("session_required");

    const refused = (await live.get("/v1/security_events?type=session.live_mode_refused")).body.data as {
      detail: { reason: string };
    }[];
    expect(refused.map((e) => e.detail.reason)).toEqual(
      expect.arrayContaining(["live_mode_owner_only", "live_mode_second_factor_missing"]),
    );
    const failed = (await sk.get("/v1/security_events?type=second_factor.proof_failed")).body.data;
    expect(failed.length).toBeGreaterThanOrEqual(2);
  });
});

describe("idempotency keys belong to one mode", () => {
  it("a session's live-mode answer is never replayed to it in test mode, nor the reverse", async () => {
    const owner = await memberWithTotp(`owner-idem-${Date.now()}@example.kg`, "owner");
    const body = { name: "Aizada", email: "aizada@example.kg" };
    const headers = { "Idempotency-Key": `mode-${Date.now()}` };

    expect((await owner.session.post("/v1/auth/sessions/live_mode", { code: freshCode(owner.secret) })).status).toBe(200);
    const inLive = await owner.session.post("/v1/customers", body, headers);
    expect(inLive.status).toBe(200);
    expect(inLive.body.livemode).toBe(true);

    expect((await owner.session.call("DELETE", "/v1/auth/sessions/live_mode")).status).toBe(200);
    const inTest = await owner.session.post("/v1/customers", body, headers);
    expect(inTest.status).toBe(200);
    expect(inTest.headers.get("idempotent-replayed")).toBeNull();
    expect(inTest.body.livemode).toBe(false);
    expect(inTest.body.id).not.toBe(inLive.body.id);
    expect((await owner.session.get(`/v1/customers/${inLive.body.id}`)).status).toBe(404);
  });
});
