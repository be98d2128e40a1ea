import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApi } from "../src/testing.js";
import { accounts } from "./auth-support.js";
import { type Http, http, startTestApi } from "./support.js";

/**
 * Audit E, F2: rolling a key (it leaked) ends its power over keys at once, though it still
 * answers the API for its grace period; a key rolls once; every key event names its actor.
 */
let api: TestApi;
let a: ReturnType<typeof accounts>;
let sk: Http;
let owner: Http;
let ownerId: string;

beforeAll(async () => {
  api = await startTestApi();
  a = accounts(api);
  sk = http(api.url, api.merchant.secretKey);
  ownerId = (await a.invite("boss@key-roll.test", "owner")).id;
  owner = await a.signIn("boss@key-roll.test");
});
afterAll(() => api.close());

const keyEvents = async () => (await a.securityEvents()).filter((e) => e.type.startsWith("api_key."));

describe("a rolled key in its grace period", () => {
  it("still answers the API, but cannot create, roll or revoke keys, nor be rolled again", async () => {
    const leaked = await owner.post("/v1/api_keys", { kind: "secret" });
    expect(leaked.status).toBe(200);
    const other = await owner.post("/v1/api_keys", { kind: "publishable" });
    const rolled = await owner.post(`/v1/api_keys/${leaked.body.id}/roll`, { expires_in: 3600 });
    expect(rolled.status).toBe(200);
    const keysBefore = ((await owner.get("/v1/api_keys")).body.data as { id: string }[]).map((k) => k.id).sort();
    const thief = http(api.url, leaked.body.secret);
    expect((await thief.get("/v1/balance")).status).toBe(200);

    const refused = [
      await thief.post("/v1/api_keys", { kind: "secret" }),
      await thief.post(`/v1/api_keys/${leaked.body.id}/roll`, { expires_in: 0 }),
      await thief.post(`/v1/api_keys/${rolled.body.key.id}/roll`, { expires_in: 0 }),
      await thief.post(`/v1/api_keys/${rolled.body.key.id}/revoke`),
      await thief.post(`/v1/api_keys/${other.body.id}/revoke`),
    ];
    for (const r of refused) {
      expect(r.status).toBe(403);
      expect(r.body.error).toMatchObject({ type: "permission_error", code: "api_key_rolled" });
    }
    // Nothing changed: no new key, the replacement and the other key still stand.
    const keys = (await owner.get("/v1/api_keys")).body.data as { id: string; revoked_at: string | null; expires_at: string | null }[];
    expect(keys.filter((k) => k.id !== leaked.body.id).every((k) => k.revoked_at === null && k.expires_at === null)).toBe(true);
    expect(keys.map((k) => k.id).sort()).toEqual(keysBefore);
    expect((await http(api.url, rolled.body.key.secret).get("/v1/balance")).status).toBe(200);

    // Nor can anyone roll it again: a key rolls once (revoke it to end the grace period).
    const again = await owner.post(`/v1/api_keys/${leaked.body.id}/roll`, { expires_in: 0 });
    expect(again.status).toBe(400);
    expect(again.body.error).toMatchObject({ type: "invalid_request_error", code: "api_key_inactive", param: "id" });
    expect((await owner.post(`/v1/api_keys/${leaked.body.id}/revoke`)).status).toBe(200);
    expect((await thief.get("/v1/balance")).status).toBe(401);
  });

  it("a standing secret key still manages keys, and each key event names its actor: the person, or the acting key's id", async () => {
    const skId = ((await sk.get("/v1/api_keys")).body.data as { id: string; hint: string }[]).find(
      (k) => k.hint === `sk_test_…${api.merchant.secretKey.slice(-4)}`,
    )?.id as string;
    expect(skId).toMatch(/^key_/);
    const made = await sk.post("/v1/api_keys", { kind: "secret" });
    expect(made.status).toBe(200);
    const rolled = await sk.post(`/v1/api_keys/${made.body.id}/roll`, { expires_in: 60 });
    expect(rolled.status).toBe(200);
    expect((await sk.post(`/v1/api_keys/${rolled.body.key.id}/revoke`)).status).toBe(200);
    const byOwner = await owner.post(`/v1/api_keys/${made.body.id}/revoke`);
    expect(byOwner.status).toBe(200);

    const events = await keyEvents();
    const about = (type: string, key: string) => events.filter((e) => e.type === type && e.detail.key === key);
    expect(about("api_key.created", made.body.id)).toEqual([
      expect.objectContaining({ identity: null, detail: expect.objectContaining({ actor: skId }) }),
    ]);
    expect(about("api_key.rolled", made.body.id)).toEqual([
      expect.objectContaining({ identity: null, detail: expect.objectContaining({ actor: skId }) }),
    ]);
    expect(about("api_key.revoked", rolled.body.key.id)).toEqual([
      expect.objectContaining({ identity: null, detail: expect.objectContaining({ actor: skId }) }),
    ]);
    expect(about("api_key.revoked", made.body.id)).toEqual([
      expect.objectContaining({ identity: ownerId, detail: expect.objectContaining({ actor: ownerId }) }),
    ]);
    // Never a secret in the log.
    const all = JSON.stringify(events);
    for (const s of [api.merchant.secretKey, made.body.secret, rolled.body.key.secret]) expect(all).not.toContain(s);
  });

  it("revoking a revoked key answers it as before and records one api_key.revoked, not two", async () => {
    const made = await owner.post("/v1/api_keys", { kind: "publishable" });
    const first = await owner.post(`/v1/api_keys/${made.body.id}/revoke`);
    expect(first.status).toBe(200);
    const second = await sk.post(`/v1/api_keys/${made.body.id}/revoke`);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    const revoked = (await keyEvents()).filter((e) => e.type === "api_key.revoked" && e.detail.key === made.body.id);
    expect(revoked).toHaveLength(1);
  });
});
