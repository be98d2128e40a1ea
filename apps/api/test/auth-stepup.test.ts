import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApi } from "../src/testing.js";
import { accounts } from "./auth-support.js";
import { type Http, http, type Reply, startTestApi } from "./support.js";

/**
 * Issue 19, second review of the sign-in area: a stolen test-mode owner session must not
 * climb to live mode (H1), typed codes cannot be guessed from rotating addresses (H3), an
 * SMS sign-in proves only the phone (M4, L12), and live riders live in live mode (M7).
 * TRUST_PROXY=1: each request names its client address in X-Forwarded-For.
 */
let api: TestApi;
let a: ReturnType<typeof accounts>;
let live: Http;

beforeAll(async () => {
  // Small per-client cap, so that the IPv6 /64 test reaches it in a few answers.
  api = await startTestApi({ env: { TRUST_PROXY: "1", WORKERS: "off", AUTH_FAILURES_PER_IP: "3" } });
  a = accounts(api);
  const activated = await a.admin.post(`/v1/merchants/${api.merchant.id}/activate`);
  live = http(api.url, activated.body.keys.secret_key);
});
afterAll(async () => {
  await api.close();
});

const from = (ip: string) => ({ "X-Forwarded-For": ip });

/** A code of the next TOTP step: a code is good once, so each proof moves the clock on. */
function freshCode(secret: string): string {
  a.advance(30_000);
  return a.totpCode(secret);
}

/** An owner signed in just now, with an authenticator app on. */
async function ownerWithTotp(email: string) {
  await a.invite(email, "owner");
  const session = await a.signIn(email);
  const setup = await session.post("/v1/auth/totp/setup");
  const on = await session.post("/v1/auth/totp/enable", { code: a.totpCode(setup.body.secret) });
  if (on.status !== 200) throw new Error(JSON.stringify(on.body));
  return { session, secret: setup.body.secret as string };
}

async function outbox(to: string): Promise<{ subject: string | null; text: string }[]> {
  return (await a.admin.get(`/v1/test_helpers/outbox?to=${encodeURIComponent(to)}`)).body.data;
}

describe("H1: changing sign-in factors needs a recent sign-in", () => {
  it("a session signed in over 10 minutes ago cannot enrol an authenticator (so cannot reach live mode) nor change any factor", async () => {
    await a.invite("stolen-cookie@owner.test", "owner");
    const stolen = await a.signIn("stolen-cookie@owner.test");
    a.advance(10 * 60_000 + 1000);

    const refused: Reply[] = [
      await stolen.post("/v1/auth/totp/setup"),
      await stolen.post("/v1/auth/totp/enable", { code: "123456" }),
      await stolen.post("/v1/auth/password", { password: "Attacker-Chosen-Password" }),
      await stolen.post("/v1/auth/password/disable", { password: "whatever-it-was" }),
      await stolen.post("/v1/auth/totp/disable", { code: "123456" }),
      await stolen.post("/v1/auth/recovery_codes", { code: "123456" }),
    ];
    for (const r of refused) {
      expect(r.status).toBe(403);
      expect(r.body.error).toMatchObject({ type: "permission_error", code: "reauthentication_required" });
      expect(r.body.error.message).toMatch(/sign in again/);
    }
    // Nothing changed, and without an authenticator the session cannot switch to live mode.
    expect((await stolen.get("/v1/auth/me")).body.second_factors).toEqual({ password: false, totp: false, recovery_codes_remaining: 0 });
    const liveSwitch = await stolen.post("/v1/auth/sessions/live_mode", { code: "123456" });
    expect(liveSwitch.status).toBe(403);
    expect(liveSwitch.body.error.code).toBe("live_mode_second_factor_missing");
    expect((await stolen.post("/v1/api_keys", { kind: "secret" })).body.secret).toMatch(/^sk_test_/);

    // The owner, signing in again, makes the change.
    const fresh = await a.signIn("stolen-cookie@owner.test");
    const setup = await fresh.post("/v1/auth/totp/setup");
    expect(setup.status).toBe(200);
    const on = await fresh.post("/v1/auth/totp/enable", { code: a.totpCode(setup.body.secret) });
    expect(on.status).toBe(200);
    expect(on.body.recovery_codes).toHaveLength(10);
  });
});

describe("H1: owners of a live merchant change only with a live credential", () => {
  it("a test-mode owner session cannot add or remove an owner (403 live_mode_required); a live-mode one can", async () => {
    const { session: owner, secret } = await ownerWithTotp("real-owner@live.test");
    const coOwner = await a.invite("co-owner@live.test", "owner");

    const addOwner = await owner.post(`/v1/merchants/${api.merchant.id}/members`, { email: "attacker@evil.test", role: "owner" });
    expect(addOwner.status).toBe(403);
    expect(addOwner.body.error).toMatchObject({ type: "permission_error", code: "live_mode_required" });
    const removeOwner = await owner.call("DELETE", `/v1/members/${coOwner.id}`);
    expect(removeOwner.status).toBe(403);
    expect(removeOwner.body.error.code).toBe("live_mode_required");
    const team = (await owner.get("/v1/members")).body.data as { email: string; role: string }[];
    expect(team.map((m) => m.email)).not.toContain("attacker@evil.test");
    expect(team.find((m) => m.email === "co-owner@live.test")?.role).toBe("owner");

    // Other roles stay a test-mode owner's to manage.
    const dev = await owner.post(`/v1/merchants/${api.merchant.id}/members`, { email: "dev@live.test", role: "developer" });
    expect(dev.status).toBe(200);
    expect((await owner.call("DELETE", `/v1/members/${dev.body.id}`)).status).toBe(200);

    // Switched to live mode (a fresh authenticator code), the owner manages owners.
    expect((await owner.post("/v1/auth/sessions/live_mode", { code: freshCode(secret) })).body.livemode).toBe(true);
    const added = await owner.post(`/v1/merchants/${api.merchant.id}/members`, { email: "new-owner@live.test", role: "owner" });
    expect(added.status).toBe(200);
    expect((await owner.call("DELETE", `/v1/members/${coOwner.id}`)).status).toBe(200);
  });

  it("a merchant without live mode keeps managing owners from a test-mode session", async () => {
    const other = await a.admin.post("/v1/merchants", { name: "Test Only Shop", country: "KG", default_currency: "KGS" });
    await a.admin.post(`/v1/merchants/${other.body.id}/members`, { email: "boss@testonly.test", role: "owner" });
    const boss = await a.signIn("boss@testonly.test");
    const r = await boss.post(`/v1/merchants/${other.body.id}/members`, { email: "second@testonly.test", role: "owner" });
    expect(r.status).toBe(200);
  });
});

describe("H1: the owners hear about a new authenticator and about live mode", () => {
  it("emails every owner when an authenticator is turned on and when a session enters live mode; both are audited", async () => {
    await a.invite("watching-owner@notice.test", "owner");
    await a.signIn("watching-owner@notice.test"); // accepts the invitation
    const { session, secret } = await ownerWithTotp("acting-owner@notice.test");
    const notices = await outbox("watching-owner@notice.test");
    const totpNotice = notices.find((m) => m.subject === "Softrack: an authenticator app was turned on");
    expect(totpNotice?.text).toContain("acting-owner@notice.test");
    expect(totpNotice?.text).not.toMatch(/\b\d{6}\b/);
    expect((await outbox("acting-owner@notice.test")).some((m) => m.subject === "Softrack: an authenticator app was turned on")).toBe(true);

    const on = await session.post("/v1/auth/sessions/live_mode", { code: freshCode(secret) });
    expect(on.status).toBe(200);
    const liveNotice = (await outbox("watching-owner@notice.test")).find(
      (m) => m.subject === "Softrack: a console session entered live mode",
    );
    expect(liveNotice?.text).toContain(on.body.id);

    // The authenticator was turned on from a test-mode session: a test-mode event.
    const enabled = await http(api.url, api.merchant.secretKey).get("/v1/security_events?type=totp.enabled");
    expect(enabled.body.data.length).toBeGreaterThan(0);
    const entered = await live.get("/v1/security_events?type=session.live_mode_entered");
    expect((entered.body.data as { detail: { session: string } }[]).some((e) => e.detail.session === on.body.id)).toBe(true);
  });
});

describe("H3: typed codes cannot be guessed from rotating client addresses", () => {
  it("wrong codes from many addresses pause typed codes for the address; the emailed link still signs the member in", async () => {
    await a.invite("rotating@target.test", "developer");
    // Ten guessers, one fresh address each: every per-client window is nearly empty.
    let tenth = { challenge: "", code: "" };
    for (let i = 1; i <= 10; i++) {
      const start = await a.anon.post(
        "/v1/auth/email/start",
        { email: "rotating@target.test", audience: "member" },
        from(`203.0.113.${i}`),
      );
      expect(start.status).toBe(200);
      tenth = { challenge: start.body.id, code: (await a.lastMessage("rotating@target.test"))?.code as string };
      const r = await a.anon.post("/v1/auth/verify", { challenge: start.body.id, code: "000000" }, from(`203.0.113.${i}`));
      expect(r.body.error.code).toBe("sign_in_code_invalid");
    }
    // The eleventh address gets no check at all.
    const start = await a.anon.post("/v1/auth/email/start", { email: "rotating@target.test", audience: "member" }, from("198.18.0.11"));
    expect(start.status).toBe(200);
    const paused = await a.anon.post("/v1/auth/verify", { challenge: start.body.id, code: "000000" }, from("198.18.0.11"));
    expect(paused.status).toBe(400);
    expect(paused.body.error).toMatchObject({ type: "invalid_request_error", code: "code_sign_in_paused", param: "code" });
    expect(paused.body.error.message).toMatch(/link in the email/);

    // Even the right code of a challenge sent before the pause (checks left) is refused now.
    expect(tenth.code).toMatch(/^\d{6}$/);
    const right = await a.anon.post("/v1/auth/verify", tenth, from("192.0.2.50"));
    expect(right.body.error?.code).toBe("code_sign_in_paused");

    // The member asks again: the email carries no code now, only the link, and the link signs in.
    const own = await a.anon.post("/v1/auth/email/start", { email: "rotating@target.test", audience: "member" }, from("192.0.2.50"));
    expect(own.status).toBe(200);
    const msg = await a.lastMessage("rotating@target.test");
    expect(msg?.code).toBeUndefined();
    expect(msg?.text).toMatch(/use the link/);
    const link = await a.anon.post("/v1/auth/verify", { token: msg?.link }, from("192.0.2.50"));
    expect(link.status).toBe(200);
    expect(link.body).toMatchObject({ status: "complete", identity: { email: "rotating@target.test" } });
  });

  it("an unknown address is paused the same way (the answers tell nothing)", async () => {
    for (let i = 1; i <= 10; i++) {
      const start = await a.anon.post("/v1/auth/email/start", { email: "nobody@target.test", audience: "member" }, from(`203.0.114.${i}`));
      await a.anon.post("/v1/auth/verify", { challenge: start.body.id, code: "000000" }, from(`203.0.114.${i}`));
    }
    const start = await a.anon.post("/v1/auth/email/start", { email: "nobody@target.test", audience: "member" }, from("198.18.1.1"));
    expect(start.status).toBe(200);
    const r = await a.anon.post("/v1/auth/verify", { challenge: start.body.id, code: "000000" }, from("198.18.1.1"));
    expect(r.body.error.code).toBe("code_sign_in_paused");
  });

  it("SMS has no link: past the threshold no new code is sent for that phone (429 with Retry-After) until the window ends", async () => {
    const phone = "+996700111222";
    await http(api.url, api.merchant.secretKey).post("/v1/customers", { name: "Rider", phone });
    const body = { phone, audience: "customer", merchant: api.merchant.id };
    for (let i = 1; i <= 10; i++) {
      const start = await a.anon.post("/v1/auth/phone/start", body, from(`203.0.115.${i}`));
      expect(start.status).toBe(200);
      await a.anon.post("/v1/auth/verify", { challenge: start.body.id, code: "000000" }, from(`203.0.115.${i}`));
    }
    const refused = await a.anon.post("/v1/auth/phone/start", body, from("192.0.2.77"));
    expect(refused.status).toBe(429);
    expect(refused.body.error.type).toBe("rate_limit_error");
    const wait = Number(refused.headers.get("retry-after"));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(3600);
    // The window ends: codes again.
    a.advance(3600 * 1000 + 1000);
    const again = await a.anon.post("/v1/auth/phone/start", body, from("192.0.2.77"));
    expect(again.status).toBe(200);
    const msg = await a.lastMessage(phone);
    const ok = await a.anon.post("/v1/auth/verify", { challenge: again.body.id, code: msg?.code }, from("192.0.2.77"));
    expect(ok.body.status).toBe("complete");
  });

  it("per-client limits count an IPv6 /64 as one client", async () => {
    // AUTH_FAILURES_PER_IP=3 for this API: the fourth wrong answer from one /64 is throttled.
    await a.invite("v6@target.test", "developer");
    const start = await a.anon.post("/v1/auth/email/start", { email: "v6@target.test", audience: "member" }, from("2001:db8:5:6::1"));
    for (const host of ["::1", ":ffff::2", "::3"]) {
      const r = await a.anon.post("/v1/auth/verify", { challenge: start.body.id, code: "000000" }, from(`2001:db8:5:6${host}`));
      expect(r.body.error.code).toBe("sign_in_code_invalid");
    }
    const fourth = await a.anon.post("/v1/auth/verify", { challenge: start.body.id, code: "000000" }, from("2001:0db8:0005:0006:abcd::9"));
    expect(fourth.status).toBe(429);
    expect(fourth.body.error.type).toBe("rate_limit_error");
    // Another /64 is another client.
    const other = await a.anon.post("/v1/auth/verify", { challenge: start.body.id, code: "000000" }, from("2001:db8:5:7::1"));
    expect(other.body.error.code).toBe("sign_in_code_invalid");
  });
});

describe("M4 and L12: an SMS sign-in proves the phone, not the email", () => {
  it("an invited phone cannot sign in by SMS before the invitation is accepted by email; it is answered as unknown", async () => {
    const phone = "+996700333444";
    await a.admin.post(`/v1/merchants/${api.merchant.id}/members`, { email: "invited-phone@team.test", role: "developer", phone });
    const start = await a.anon.post("/v1/auth/phone/start", { phone, audience: "member" });
    expect(start.status).toBe(200);
    const unknown = await a.anon.post("/v1/auth/phone/start", { phone: "+996700999888", audience: "member" });
    expect(Object.keys(start.body).sort()).toEqual(Object.keys(unknown.body).sort());
    expect(await a.lastMessage(phone)).toBeUndefined();
    const guess = await a.anon.post("/v1/auth/verify", { challenge: start.body.id, code: "123456" });
    expect(guess.body.error.code).toBe("sign_in_code_invalid");

    // Accepted by email: the phone signs in from then on.
    expect((await a.emailCode("invited-phone@team.test")).body.status).toBe("complete");
    const sms = await a.anon.post("/v1/auth/phone/start", { phone, audience: "member" });
    const msg = await a.lastMessage(phone);
    const done = await a.anon.post("/v1/auth/verify", { challenge: sms.body.id, code: msg?.code });
    expect(done.body).toMatchObject({ status: "complete", identity: { email: "invited-phone@team.test", role: "developer" } });
  });

  it("memberships are listed only to whoever proved the email, never after an SMS sign-in", async () => {
    // The victim belongs to this merchant and, accepted, to another whose owner put their own phone on the invitation.
    const attackerPhone = "+996700555666";
    await a.invite("victim@memberships.test", "owner");
    const other = await a.admin.post("/v1/merchants", { name: "Attacker Shop", country: "KG", default_currency: "KGS" });
    await a.admin.post(`/v1/merchants/${other.body.id}/members`, {
      email: "victim@memberships.test",
      role: "support",
      phone: attackerPhone,
    });
    expect((await a.emailCode("victim@memberships.test", { merchant: other.body.id })).body.status).toBe("complete");

    const sms = await a.anon.post("/v1/auth/phone/start", { phone: attackerPhone, audience: "member", merchant: other.body.id });
    const msg = await a.lastMessage(attackerPhone);
    const done = await a.anon.post("/v1/auth/verify", { challenge: sms.body.id, code: msg?.code });
    expect(done.body.status).toBe("complete");
    expect(done.body.memberships).toBeUndefined();
    expect(JSON.stringify(done.body)).not.toContain(api.merchant.id);

    // Proving the email still shows the teams to switch to.
    const byEmail = await a.emailCode("victim@memberships.test", { merchant: other.body.id });
    expect((byEmail.body.memberships as { merchant: string }[]).map((m) => m.merchant).sort()).toEqual(
      [api.merchant.id, other.body.id].sort(),
    );
  });
});

describe("M7: a live rider's session is live", () => {
  it("a live customer's session reads their own live sign-in events; leaving live mode writes no live event for it", async () => {
    await live.post("/v1/customers", { name: "Live Rider", email: "rider@live.test" });
    const start = await a.anon.post("/v1/auth/email/start", { email: "rider@live.test", audience: "customer", merchant: api.merchant.id });
    const msg = await a.lastMessage("rider@live.test");
    const done = await a.anon.post("/v1/auth/verify", { challenge: start.body.id, code: msg?.code });
    expect(done.body).toMatchObject({ status: "complete", identity: { kind: "customer", livemode: true } });
    const rider = http(api.url, done.body.token);

    const events = await rider.get("/v1/security_events");
    expect(events.status).toBe(200);
    const mine = events.body.data as { type: string; livemode: boolean; identity: string }[];
    expect(mine.some((e) => e.type === "sign_in.succeeded" && e.livemode)).toBe(true);
    expect(mine.every((e) => e.identity === done.body.identity.id && e.livemode)).toBe(true);

    expect((await rider.call("DELETE", "/v1/auth/sessions/live_mode")).status).toBe(200);
    const after = (await rider.get("/v1/security_events")).body.data as { type: string }[];
    expect(after.map((e) => e.type)).not.toContain("session.live_mode_exited");
  });
});
