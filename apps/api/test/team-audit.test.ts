import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApi } from "../src/testing.js";
import { accounts } from "./auth-support.js";
import { startTestApi } from "./support.js";

/**
 * Audit E, F4 and F6: a team always keeps an active owner; member events name who made the
 * change as well as whom it concerns; lockouts are in the security log, as its summary says.
 */
let api: TestApi;
let a: ReturnType<typeof accounts>;

beforeAll(async () => {
  api = await startTestApi();
  a = accounts(api);
});
afterAll(() => api.close());

const events = (type: string) => a.securityEvents(type);

describe("the last active owner", () => {
  it("cannot be removed, by themselves or while the other owner is only invited; once another owner is active, can", async () => {
    const first = await a.invite("first@team-audit.test", "owner");
    const boss = await a.signIn("first@team-audit.test");
    const self = await boss.call("DELETE", `/v1/members/${first.id}`);
    expect(self.status).toBe(400);
    expect(self.body.error).toMatchObject({ type: "invalid_request_error", code: "last_owner", param: "id" });
    expect((await boss.get("/v1/auth/me")).status).toBe(200);

    // An invited owner who has not signed in yet is not an active owner.
    const second = (await boss.post(`/v1/merchants/${api.merchant.id}/members`, { email: "second@team-audit.test", role: "owner" })).body;
    expect(second.status).toBe("invited");
    expect((await boss.call("DELETE", `/v1/members/${first.id}`)).body.error?.code).toBe("last_owner");

    const next = await a.signIn("second@team-audit.test");
    const gone = await boss.call("DELETE", `/v1/members/${first.id}`);
    expect(gone.status).toBe(200);
    expect(gone.body.deleted).toBe(true);
    expect((await boss.get("/v1/auth/me")).status).toBe(401);

    // Now the second is the only active owner; an invited owner can still be withdrawn.
    expect((await next.call("DELETE", `/v1/members/${second.id}`)).body.error?.code).toBe("last_owner");
    const invited = (await next.post(`/v1/merchants/${api.merchant.id}/members`, { email: "third@team-audit.test", role: "owner" })).body;
    expect((await next.call("DELETE", `/v1/members/${invited.id}`)).status).toBe(200);
    const team = (await next.get("/v1/members")).body.data as { id: string; role: string; status: string }[];
    expect(team.filter((m) => m.role === "owner" && m.status === "active").map((m) => m.id)).toEqual([second.id]);
  });
});

describe("member events name their actor", () => {
  it("member.invited and member.removed carry the target as identity and who did it as detail.actor", async () => {
    const owner = await a.invite("actor-owner@team-audit.test", "owner");
    const session = await a.signIn("actor-owner@team-audit.test");
    const dev = (await session.post(`/v1/merchants/${api.merchant.id}/members`, { email: "actor-dev@team-audit.test", role: "developer" }))
      .body;
    expect((await session.call("DELETE", `/v1/members/${dev.id}`)).status).toBe(200);

    const invited = await events("member.invited");
    expect(invited.find((e) => e.identity === dev.id)?.detail).toMatchObject({ role: "developer", actor: owner.id });
    expect(invited.find((e) => e.identity === owner.id)?.detail).toMatchObject({ role: "owner", actor: "platform_admin" });
    const removed = await events("member.removed");
    expect(removed.find((e) => e.identity === dev.id)?.detail).toMatchObject({ role: "developer", actor: owner.id });
  });
});

describe("lockouts are logged", () => {
  it("a challenge locked by its 5th wrong code is a sign_in.locked event; the address's paused codes one sign_in.codes_paused", async () => {
    const member = await a.invite("locked@team-audit.test", "support");
    for (let round = 1; round <= 2; round++) {
      const start = await a.startEmail("locked@team-audit.test");
      const msg = await a.lastMessage("locked@team-audit.test");
      const wrongCode = msg?.code === "000000" ? "111111" : "000000";
      for (let i = 0; i < 5; i++) {
        const r = await a.anon.post("/v1/auth/verify", { challenge: start.body.id, code: wrongCode });
        expect(r.body.error.code).toBe("sign_in_code_invalid");
      }
      // Locked: even the right code is refused, and that is no new event (after round 2 typed codes are paused, too).
      expect((await a.anon.post("/v1/auth/verify", { challenge: start.body.id, code: msg?.code })).body.error.code).toBe(
        round === 1 ? "sign_in_code_expired" : "code_sign_in_paused",
      );
      const locked = (await events("sign_in.locked")).filter((e) => e.identity === member.id);
      expect(locked).toHaveLength(round);
      expect(locked[0]?.detail).toMatchObject({ stage: "code", challenge: start.body.id });
    }
    // Ten wrong codes for the address (AUTH_CODE_FAILURES_PER_ADDRESS): typed codes are paused, once.
    const paused = (await events("sign_in.codes_paused")).filter((e) => e.identity === member.id);
    expect(paused).toHaveLength(1);
    expect((await events("sign_in.failed")).filter((e) => e.identity === member.id)).toHaveLength(10);
  });

  it("a second-factor step locked by its 5th wrong answer is a sign_in.locked event", async () => {
    const member = await a.invite("locked-2fa@team-audit.test", "support");
    const session = await a.signIn("locked-2fa@team-audit.test");
    expect((await session.post("/v1/auth/password", { password: "Correct-Horse-Battery" })).status).toBe(200);
    const first = await a.emailCode("locked-2fa@team-audit.test");
    expect(first.body.status).toBe("second_factor_required");
    for (let i = 0; i < 5; i++) {
      const r = await a.anon.post("/v1/auth/second_factor", {
        second_factor_token: first.body.second_factor_token,
        password: `wrong-${i}-password`,
      });
      expect(r.body.error.code).toBe("second_factor_invalid");
    }
    const locked = (await events("sign_in.locked")).filter((e) => e.identity === member.id);
    expect(locked).toHaveLength(1);
    expect(locked[0]?.detail).toMatchObject({ stage: "second_factor" });
  });
});
