import { TOTP } from "otpauth";
import { describe, expect, it } from "vitest";
import { Softrack, SoftrackAuthenticationError, SoftrackPermissionError } from "../../src/index.js";
import { useApi } from "./harness.js";

const ctx = useApi();
const totp = (secret: string, at = Date.now()) =>
  new TOTP({ secret, digits: 6, period: 30, algorithm: "SHA1" }).generate({ timestamp: at });

/** Email-code sign-in as an app (bearer token), reading the code from the dev outbox. */
async function signIn(email: string): Promise<{ sst: Softrack; token: string }> {
  const anon = new Softrack({ credentials: "omit", baseUrl: ctx.url });
  const challenge = await anon.auth.startEmail({ email, audience: "member", client: "app" });
  const outbox = await ctx.admin.testHelpers.outbox({ to: email });
  const code = /\b(\d{6})\b/.exec(outbox.data[0]?.text ?? "")?.[1];
  const done = await anon.auth.verify({ challenge: challenge.id, code });
  expect(done.status).toBe("complete");
  const token = done.token as string;
  return { sst: new Softrack({ apiKey: token, baseUrl: ctx.url }), token };
}

describe("people's sign-in, second factor, sessions and keys against the real API", () => {
  it("a member signs in by email code, turns on TOTP, and the next sign-in asks for it", async () => {
    const email = "owner@sdk.example.kg";
    const member = await ctx.admin.members.create(ctx.merchantId, { email, role: "owner" });
    expect(member).toMatchObject({ object: "member", email, role: "owner" });

    const { sst } = await signIn(email);
    const me = await sst.auth.me();
    expect(me).toMatchObject({ object: "identity", kind: "member", role: "owner", merchant: ctx.merchantId });
    expect(me.second_factors.totp).toBe(false);
    // a session acts for its merchant with the merchant's API
    await expect(sst.balance.retrieve()).resolves.toMatchObject({ object: "balance" });

    const setup = await sst.auth.totp.setup();
    expect(setup.otpauth_uri).toMatch(/^otpauth:\/\/totp\//);
    expect(setup.qr_svg).toMatch(/^<svg/);
    const { recovery_codes } = await sst.auth.totp.enable({ code: totp(setup.secret) });
    expect(recovery_codes).toHaveLength(10);
    expect((await sst.auth.me()).second_factors.totp).toBe(true);

    const anon = new Softrack({ credentials: "omit", baseUrl: ctx.url });
    const challenge = await anon.auth.startEmail({ email, audience: "member", client: "app" });
    const code = /\b(\d{6})\b/.exec((await ctx.admin.testHelpers.outbox({ to: email })).data[0]?.text ?? "")?.[1];
    const step = await anon.auth.verify({ challenge: challenge.id, code });
    expect(step).toMatchObject({ status: "second_factor_required", factors: ["totp"] });
    expect(step.token).toBeUndefined();
    // a recovery code is one of the accepted answers (TOTP's last step was just used by enable)
    const done = await anon.auth.secondFactor({
      second_factor_token: step.second_factor_token as string,
      recovery_code: recovery_codes[0] as string,
    });
    expect(done.status).toBe("complete");
    expect(done.token).toMatch(/^sst_/);
  });

  it("lists and revokes sessions; a revoked or signed-out token is refused", async () => {
    const email = "dev@sdk.example.kg";
    await ctx.admin.members.create(ctx.merchantId, { email, role: "developer" });
    const a = await signIn(email);
    const b = await signIn(email);
    const list = await a.sst.auth.sessions.list();
    expect(list.data.length).toBe(2);
    const other = list.data.find((s) => !s.current);
    expect(other).toBeDefined();
    await a.sst.auth.sessions.revoke(other?.id as string);
    await expect(b.sst.auth.me()).rejects.toBeInstanceOf(SoftrackAuthenticationError);
    await expect(a.sst.auth.signOut()).resolves.toMatchObject({ object: "sign_out", revoked: 1 });
    await expect(a.sst.auth.me()).rejects.toBeInstanceOf(SoftrackAuthenticationError);
    const events = await ctx.sk.securityEvents.list({ limit: 50 });
    expect(events.data.map((e) => e.type)).toEqual(expect.arrayContaining(["session.revoked", "session.signed_out"]));
  });

  it("creates, rolls and revokes API keys; the secret is shown only when made", async () => {
    const created = await ctx.sk.apiKeys.create({ kind: "secret" });
    expect(created.secret).toMatch(/^sk_test_/);
    const listed = (await ctx.sk.apiKeys.list()).data.find((k) => k.id === created.id);
    expect(listed?.secret).toBeUndefined();
    const rolled = await ctx.sk.apiKeys.roll(created.id);
    expect(rolled.key.secret).toMatch(/^sk_test_/);
    expect(rolled.key.secret).not.toBe(created.secret);
    const fresh = new Softrack({ apiKey: rolled.key.secret as string, baseUrl: ctx.url, maxRetries: 0 });
    await expect(fresh.balance.retrieve()).resolves.toMatchObject({ object: "balance" });
    await ctx.sk.apiKeys.revoke(rolled.key.id);
    await expect(fresh.balance.retrieve()).rejects.toBeInstanceOf(SoftrackAuthenticationError);
    // A list like the others: one key a page, and `for await` walks them all.
    const first = await ctx.sk.apiKeys.list({ limit: 1 });
    expect([first.data.length, first.has_more]).toEqual([1, true]);
    const walked: string[] = [];
    for await (const k of ctx.sk.apiKeys.list({ limit: 1 })) walked.push(k.id);
    expect(walked).toEqual((await ctx.sk.apiKeys.list({ limit: 100 })).data.map((k) => k.id));
  });

  it("a support member may read but not manage keys or the team", async () => {
    const email = "support@sdk.example.kg";
    await ctx.admin.members.create(ctx.merchantId, { email, role: "support" });
    const { sst } = await signIn(email);
    await expect(sst.payments.list()).resolves.toMatchObject({ object: "list" });
    await expect(sst.apiKeys.create({ kind: "secret" })).rejects.toBeInstanceOf(SoftrackPermissionError);
    const team = await ctx.sk.members.list();
    expect(team.data.map((m) => m.email)).toEqual(expect.arrayContaining([email]));
  });
});
