import { Writable } from "node:stream";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApi } from "../src/testing.js";
import { accounts } from "./auth-support.js";
import { http, startTestApi, storedTexts, TEST_CARD } from "./support.js";

let api: TestApi;
let a: ReturnType<typeof accounts>;
const logLines: string[] = [];

beforeAll(async () => {
  const logStream = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  api = await startTestApi({ env: { LOG_LEVEL: "trace" }, logStream });
  a = accounts(api);
});
afterAll(() => api.close());

describe("sessions", () => {
  it("lists sessions, revokes one at once, and signs out everywhere", async () => {
    await a.invite("sess@shop.test");
    const s1 = await a.signIn("sess@shop.test");
    const s2 = await a.signIn("sess@shop.test");
    const list = await s1.get("/v1/auth/sessions");
    expect(list.body.data).toHaveLength(2);
    expect(list.body.data.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    const other = list.body.data.find((s: { current: boolean }) => !s.current);
    expect((await s1.post(`/v1/auth/sessions/${other.id}/revoke`)).status).toBe(200);
    expect((await s2.get("/v1/balance")).status).toBe(401);
    expect((await s1.get("/v1/balance")).status).toBe(200);
    const s3 = await a.signIn("sess@shop.test");
    // A session already past its expiry lets no one in: it is not counted as ended.
    const s4 = await a.signIn("sess@shop.test");
    const s4Id = (await s4.get("/v1/auth/sessions")).body.data.find((s: { current: boolean }) => s.current).id;
    await api.runtime.database.rows(sql`UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE id = ${s4Id}`);
    const out = await s3.post("/v1/auth/sign_out_everywhere");
    expect(out.body.revoked).toBe(2);
    expect((await s1.get("/v1/auth/me")).status).toBe(401);
    expect((await s3.get("/v1/auth/me")).status).toBe(401);
  });

  it("setting or changing the password ends the person's other sessions, keeps the one that did it, and logs each", async () => {
    // Audit F5: a session that changed the password left every other session (perhaps a thief's) working.
    const member = await a.invite("pw-sessions@shop.test");
    const mine = await a.emailCode("pw-sessions@shop.test");
    const stolen = await a.emailCode("pw-sessions@shop.test");
    const me = http(api.url, mine.body.token);
    const thief = http(api.url, stolen.body.token);
    expect((await thief.get("/v1/auth/me")).status).toBe(200);

    expect((await me.post("/v1/auth/password", { password: "first quiet harbour" })).status).toBe(200);
    expect((await thief.get("/v1/auth/me")).status).toBe(401);
    expect((await me.get("/v1/auth/me")).status).toBe(200);

    // A change too, from a session that signed in with the password: the earlier one ends.
    const second = await a.emailCode("pw-sessions@shop.test");
    const withPassword = await a.anon.post("/v1/auth/second_factor", {
      second_factor_token: second.body.second_factor_token,
      password: "first quiet harbour",
    });
    const changer = http(api.url, withPassword.body.token);
    const changed = await changer.post("/v1/auth/password", { password: "second quiet harbour", current_password: "first quiet harbour" });
    expect(changed.status).toBe(200);
    expect((await me.get("/v1/auth/me")).status).toBe(401);
    expect((await changer.get("/v1/auth/me")).status).toBe(200);
    expect((await changer.get("/v1/auth/sessions")).body.data.map((s: { id: string }) => s.id)).toEqual([withPassword.body.session.id]);

    const notices = (await a.admin.get("/v1/test_helpers/outbox?to=pw-sessions%40shop.test")).body.data;
    expect(notices.map((m: { subject: string }) => m.subject)).toEqual(
      expect.arrayContaining(["Softrack: a password was set", "Softrack: your password was changed"]),
    );
    const revoked = (await a.securityEvents("session.revoked")).filter((e) => e.identity === member.id);
    expect(revoked.map((e) => e.detail)).toEqual([
      { session: mine.body.session.id, reason: "password.changed" },
      { session: stolen.body.session.id, reason: "password.enabled" },
    ]);
  });

  it("every other change to how a person signs in ends their other sessions too, and tells them by email", async () => {
    // Audit E, F5's rest: the password turned off, an authenticator turned on or off and new
    // recovery codes each left every other session (perhaps a thief's) working, and unannounced.
    const email = "factors-sessions@shop.test";
    const member = await a.invite(email, "developer");
    const me = await a.signIn(email);
    expect((await me.post("/v1/auth/password", { password: "quiet harbour at dawn" })).status).toBe(200);
    let secret = "";
    const code = () => {
      a.advance(30_000); // each TOTP code is taken once: the next change needs the next step's
      return a.totpCode(secret);
    };
    const outbox = async (): Promise<{ subject: string; text: string }[]> =>
      (await a.admin.get(`/v1/test_helpers/outbox?to=${encodeURIComponent(email)}`)).body.data;
    /** Another session of the same person, signed in with the factors that are on now. */
    const otherSession = async (factor: Record<string, string>) => {
      const first = await a.emailCode(email);
      if (first.body.status === "complete") return http(api.url, first.body.token);
      const second = await a.anon.post("/v1/auth/second_factor", { second_factor_token: first.body.second_factor_token, ...factor });
      if (second.body.status !== "complete") throw new Error(JSON.stringify(second.body));
      return http(api.url, second.body.token);
    };
    const recoveryCodes: string[] = [];
    const changes: [string, () => Promise<number>, () => Record<string, string>][] = [
      [
        "password.disabled",
        async () => (await me.post("/v1/auth/password/disable", { password: "quiet harbour at dawn" })).status,
        () => ({ password: "quiet harbour at dawn" }),
      ],
      [
        "totp.enabled",
        async () => {
          secret = (await me.post("/v1/auth/totp/setup")).body.secret;
          const on = await me.post("/v1/auth/totp/enable", { code: a.totpCode(secret) });
          recoveryCodes.push(...on.body.recovery_codes);
          return on.status;
        },
        () => ({}),
      ],
      [
        "recovery_codes.regenerated",
        async () => {
          const fresh = await me.post("/v1/auth/recovery_codes", { code: code() });
          recoveryCodes.push(...fresh.body.recovery_codes);
          return fresh.status;
        },
        () => ({ totp_code: code() }),
      ],
      ["totp.disabled", async () => (await me.post("/v1/auth/totp/disable", { code: code() })).status, () => ({ totp_code: code() })],
    ];
    const ended: { session: string; reason: string }[] = [];
    for (const [type, change, factor] of changes) {
      const other = await otherSession(factor());
      const otherId = (await other.get("/v1/auth/sessions")).body.data.find((s: { current: boolean }) => s.current).id;
      // A wrong proof changes nothing: the other session stays, and no one is told anything.
      const told = (await outbox()).length;
      const wrongProof = type === "password.disabled" ? { password: "not the password at all" } : { code: "000000" };
      const wrongPath = {
        "password.disabled": "password/disable",
        "totp.enabled": "",
        "recovery_codes.regenerated": "recovery_codes",
        "totp.disabled": "totp/disable",
      }[type];
      if (wrongPath) {
        expect((await me.post(`/v1/auth/${wrongPath}`, wrongProof)).status, type).toBe(400);
        expect((await other.get("/v1/auth/me")).status, type).toBe(200);
        expect((await outbox()).length, type).toBe(told);
      }
      expect(await change()).toBe(200);
      expect((await other.get("/v1/auth/me")).status, type).toBe(401);
      expect((await me.get("/v1/auth/me")).status, type).toBe(200);
      ended.unshift({ session: otherId, reason: type });
    }
    const revoked = (await a.securityEvents("session.revoked")).filter((e) => e.identity === member.id);
    expect(revoked.map((e) => e.detail)).toEqual(ended);

    const notices = await outbox();
    const subjects = notices.map((m) => m.subject);
    for (const subject of [
      "Softrack: a password was set",
      "Softrack: your password was turned off",
      "Softrack: an authenticator app was turned on",
      "Softrack: new recovery codes were made",
      "Softrack: your authenticator app was turned off",
    ])
      expect(subjects).toContain(subject);
    for (const notice of notices.filter((m) => m.subject.startsWith("Softrack: "))) {
      expect(notice.text).toContain(email);
      expect(notice.text).not.toMatch(/\b\d{6}\b/); // no code
      for (const recovery of recoveryCodes) expect(notice.text).not.toContain(recovery);
    }
    expect(recoveryCodes).toHaveLength(20);
  });

  it("a change whose transaction does not commit ends no session and tells no one", async () => {
    // The notice was emailed from inside the transaction: a change that then rolled back was
    // announced all the same ("your password was turned off", "every other session was signed out").
    const email = "rolled-back@shop.test";
    const member = await a.invite(email, "developer");
    const me = await a.signIn(email);
    expect((await me.post("/v1/auth/password", { password: "quiet harbour at noon" })).status).toBe(200);
    const first = await a.emailCode(email);
    const other = http(
      api.url,
      (
        await a.anon.post("/v1/auth/second_factor", {
          second_factor_token: first.body.second_factor_token,
          password: "quiet harbour at noon",
        })
      ).body.token,
    );
    const db = api.runtime.database;
    // The database refuses the commit (a deferred check, as a failing disk or a lost primary would).
    await db.rows(
      sql.raw(`CREATE FUNCTION refuse_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'commit refused for the test'; END $$`),
    );
    await db.rows(
      sql.raw(`CREATE CONSTRAINT TRIGGER refuse_password_off AFTER INSERT ON security_events DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW WHEN (NEW.type = 'password.disabled' AND NEW.identity_id = '${member.id}') EXECUTE FUNCTION refuse_commit()`),
    );
    try {
      const off = await me.post("/v1/auth/password/disable", { password: "quiet harbour at noon" });
      expect(off.status).toBeGreaterThanOrEqual(500);
    } finally {
      await db.rows(sql.raw("DROP TRIGGER refuse_password_off ON security_events"));
      await db.rows(sql.raw("DROP FUNCTION refuse_commit()"));
    }
    expect((await other.get("/v1/auth/me")).status).toBe(200);
    expect((await me.get("/v1/auth/me")).body.second_factors.password).toBe(true);
    const subjects = (await a.admin.get(`/v1/test_helpers/outbox?to=${encodeURIComponent(email)}`)).body.data.map(
      (m: { subject: string }) => m.subject,
    );
    expect(subjects).toContain("Softrack: a password was set");
    expect(subjects).not.toContain("Softrack: your password was turned off");
  });

  it("sessions expire", async () => {
    await a.invite("old@shop.test");
    const s = await a.signIn("old@shop.test");
    a.advance(31 * 24 * 3600 * 1000);
    expect((await s.get("/v1/auth/me")).status).toBe(401);
  });

  it("the browser gets an httpOnly, Secure, SameSite cookie; cookie writes need our own origin", async () => {
    await a.invite("cookie@shop.test");
    const r = await a.emailCode("cookie@shop.test", { client: "browser" });
    expect(r.body.status).toBe("complete");
    expect(r.body.token).toBeUndefined();
    const setCookie = r.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^softrack_session=sst_/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/Secure/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const cookie = setCookie.split(";")[0] as string;
    const browser = http(api.url);
    expect((await browser.get("/v1/auth/me", { Cookie: cookie })).status).toBe(200);
    expect((await browser.post("/v1/auth/sign_out", undefined, { Cookie: cookie, Origin: "https://evil.test" })).status).toBe(403);
    expect((await browser.post("/v1/auth/sign_out", undefined, { Cookie: cookie, Origin: api.url })).status).toBe(200);
    expect((await browser.get("/v1/auth/me", { Cookie: cookie })).status).toBe(401);
  });
});

describe("roles", () => {
  it("support reads and refunds; developer manages keys; only owners manage members", async () => {
    await a.invite("support@shop.test", "support");
    await a.invite("dev@shop.test", "developer");
    await a.invite("boss@shop.test", "owner");
    const support = await a.signIn("support@shop.test");
    const dev = await a.signIn("dev@shop.test");
    const boss = await a.signIn("boss@shop.test");
    const sk = http(api.url, api.merchant.secretKey);
    const pay = await sk.post("/v1/payments", { amount: 5000, currency: "KGS" });
    await sk.post(`/v1/payments/${pay.body.id}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } });

    expect((await support.get(`/v1/payments/${pay.body.id}`)).status).toBe(200);
    expect((await support.post("/v1/payments", { amount: 100, currency: "KGS" })).status).toBe(403);
    expect((await support.post("/v1/api_keys", { kind: "secret" })).status).toBe(403);
    expect((await support.get("/v1/api_keys")).status).toBe(403);
    const refund = await support.post("/v1/refunds", { payment: pay.body.id, amount: 1000 });
    expect(refund.status).toBe(200);
    expect(refund.body.amount).toBe(1000);

    expect((await dev.post("/v1/api_keys", { kind: "publishable" })).status).toBe(200);
    expect((await dev.post(`/v1/merchants/${api.merchant.id}/members`, { email: "x@shop.test", role: "support" })).status).toBe(403);
    expect((await sk.post(`/v1/merchants/${api.merchant.id}/members`, { email: "x@shop.test", role: "support" })).status).toBe(403);
    const added = await boss.post(`/v1/merchants/${api.merchant.id}/members`, { email: "x@shop.test", role: "support" });
    expect(added.status).toBe(200);
    const gone = await boss.call("DELETE", `/v1/members/${added.body.id}`);
    expect(gone.body.deleted).toBe(true);
  });
});

describe("secrets at rest", () => {
  it("no code, token, link, password, recovery code or TOTP secret is stored or logged in clear", async () => {
    const seen: string[] = [];
    await a.invite("vault@shop.test");
    await a.startEmail("vault@shop.test");
    const m1 = await a.lastMessage("vault@shop.test");
    seen.push(m1?.code as string, m1?.link as string);
    const done = await a.anon.post("/v1/auth/verify", { token: m1?.link });
    const me = http(api.url, done.body.token);
    seen.push(done.body.token);
    await me.post("/v1/auth/password", { password: "PlainPassword-Never-Stored" });
    seen.push("PlainPassword-Never-Stored");
    const setup = await me.post("/v1/auth/totp/setup");
    seen.push(setup.body.secret);
    const on = await me.post("/v1/auth/totp/enable", { code: a.totpCode(setup.body.secret) });
    seen.push(...on.body.recovery_codes);
    const s = await a.emailCode("vault@shop.test", { client: "browser" });
    seen.push(s.body.second_factor_token, (await a.lastMessage("vault@shop.test"))?.code as string);
    const key = await me.post("/v1/api_keys", { kind: "secret" });
    seen.push(key.body.secret);

    const tables = [
      "identities",
      "sign_in_challenges",
      "sign_in_throttles",
      "recovery_codes",
      "sessions",
      "security_events",
      "api_keys",
      "idempotency_keys",
    ];
    let dump = "";
    for (const t of tables) {
      const rows = await api.runtime.database.rows(sql.raw(`SELECT row_to_json(t)::text AS j FROM ${t} t`));
      dump += rows.map((r) => (r as { j: string }).j).join("\n");
    }
    // The stored responses as they are before compression, which alone would hide a secret.
    dump += (await storedTexts(api.runtime.database)).join("\n");
    expect(dump).toContain("argon2id");
    const logs = logLines.join("");
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of seen) {
      expect(secret.length).toBeGreaterThanOrEqual(6);
      expect(dump).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
  });
});

describe("API keys", () => {
  it("create shows the key once; roll keeps the old key for the grace period; revoke is immediate", async () => {
    await a.invite("keys@shop.test", "developer");
    const dev = await a.signIn("keys@shop.test");
    const created = await dev.post("/v1/api_keys", { kind: "secret" });
    expect(created.body.secret).toMatch(/^sk_test_/);
    const list = await dev.get("/v1/api_keys");
    const listed = list.body.data.find((k: { id: string }) => k.id === created.body.id);
    expect(listed.secret).toBeUndefined();
    expect(listed.hint).toBe(`sk_test_…${created.body.secret.slice(-4)}`);
    const oldKey = http(api.url, created.body.secret);
    expect((await oldKey.get("/v1/balance")).status).toBe(200);

    const rolled = await dev.post(`/v1/api_keys/${created.body.id}/roll`, { expires_in: 3600 });
    expect(rolled.body.key.secret).toMatch(/^sk_test_/);
    expect(rolled.body.rolled.expires_at).not.toBeNull();
    const newKey = http(api.url, rolled.body.key.secret);
    expect((await oldKey.get("/v1/balance")).status).toBe(200);
    expect((await newKey.get("/v1/balance")).status).toBe(200);

    // Revoked: refused at once, though the old answer was cached.
    await dev.post(`/v1/api_keys/${created.body.id}/revoke`);
    expect((await oldKey.get("/v1/balance")).status).toBe(401);

    const rolledNow = await dev.post(`/v1/api_keys/${rolled.body.key.id}/roll`, { expires_in: 0 });
    expect((await newKey.get("/v1/balance")).status).toBe(401);
    expect((await http(api.url, rolledNow.body.key.secret).get("/v1/balance")).status).toBe(200);
    const events = await dev.get("/v1/security_events?limit=100");
    const types = events.body.data.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(["api_key.created", "api_key.rolled", "api_key.revoked", "sign_in.succeeded"]));
  });
});

describe("notices to a person with only a phone", () => {
  it("a rider who signs in by SMS hears of a password change by SMS, without a code in it", async () => {
    // A customer signs in by SMS and may have no email: factor changes reached them by nothing.
    const phone = "+996555700123";
    const cus = await http(api.url, api.merchant.secretKey).post("/v1/customers", { name: "Nurlan", phone });
    const smsSignIn = async () => {
      const start = await a.anon.post("/v1/auth/phone/start", { phone, audience: "customer", merchant: api.merchant.id });
      const done = await a.anon.post("/v1/auth/verify", { challenge: start.body.id, code: (await a.lastMessage(phone))?.code });
      expect(done.body).toMatchObject({ status: "complete", identity: { kind: "customer", customer: cus.body.id } });
      return http(api.url, done.body.token);
    };
    const rider = await smsSignIn();
    const other = await smsSignIn();
    expect((await rider.post("/v1/auth/password", { password: "river stones in spring" })).status).toBe(200);
    expect((await other.get("/v1/auth/me")).status).toBe(401);

    const messages: { text: string }[] = (await a.admin.get(`/v1/test_helpers/outbox?to=${encodeURIComponent(phone)}`)).body.data;
    const notices = messages.filter((m) => m.text.startsWith("Softrack: a password was set"));
    expect(notices).toHaveLength(1);
    expect(notices[0]?.text).toContain("Every other session was signed out");
    expect(notices[0]?.text).toContain("contact the merchant's support");
    expect(notices[0]?.text).not.toMatch(/\b\d{6}\b/);
  });
});
