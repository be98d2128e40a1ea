import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApi } from "../src/testing.js";
import { accounts } from "./auth-support.js";
import { startTestApi } from "./support.js";

/**
 * Audit E, F4: a team always keeps an active owner.
 */
let api: TestApi;
let a: ReturnType<typeof accounts>;

beforeAll(async () => {
  api = await startTestApi();
  a = accounts(api);
});
afterAll(() => api.close());

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
