import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApi } from "../src/testing.js";
import { accounts } from "./auth-support.js";
import { fundedCustomer, type Http, http, startTestApi } from "./support.js";

/**
 * Audit E, F1: where the merchant's money goes out (bank accounts, payouts, the payout
 * schedule) and its buyer policy are an owner's, not a developer's or support's; a secret key
 * (the merchant's server) keeps them. Every change of payout destination or schedule is a
 * security event naming who made it, with the account's last 4 characters only.
 */
let api: TestApi;
let a: ReturnType<typeof accounts>;
let sk: Http;
let owner: Http;
let dev: Http;
let support: Http;
let ownerId: string;

const ACCOUNT = {
  country: "KG",
  holder_name: "Asel Myrzakmatova",
  account_number: "1240020000123456",
  bank_code: "124002",
  currency: "KGS",
};
const DEV_ACCOUNT = { ...ACCOUNT, holder_name: "Not The Owner", account_number: "1240020000987654" };

beforeAll(async () => {
  api = await startTestApi({ env: { WORKERS: "off" } });
  a = accounts(api);
  sk = http(api.url, api.merchant.secretKey);
  ownerId = (await a.invite("boss@payout-roles.test", "owner")).id;
  await a.invite("dev@payout-roles.test", "developer");
  await a.invite("help@payout-roles.test", "support");
  owner = await a.signIn("boss@payout-roles.test");
  dev = await a.signIn("dev@payout-roles.test");
  support = await a.signIn("help@payout-roles.test");
  // An available balance to pay out: a wallet payment, captured at once.
  const customer = await fundedCustomer(sk, 1_000_000);
  const p = await sk.post("/v1/payments", { amount: 500_000, currency: "KGS", customer });
  const c = await sk.post(`/v1/payments/${p.body.id}/confirm`, { payment_method_data: { type: "wallet", customer } });
  expect(c.body.status).toBe("succeeded");
}, 60_000);
afterAll(() => api.close());

function expectRoleRefused(r: { status: number; body: { error?: Record<string, unknown> } }) {
  expect(r.status).toBe(403);
  expect(r.body.error).toMatchObject({ type: "permission_error", code: "role_not_allowed" });
  expect(typeof r.body.error?.request_id).toBe("string");
}

const events = (type: string) => a.securityEvents(type);

describe("payout destination and money out: owner-only for sessions", () => {
  it("a developer or support session cannot delete or add bank accounts, pay out, cancel a payout or set the schedule; nothing changes", async () => {
    const made = await owner.post("/v1/bank_accounts", ACCOUNT);
    expect(made.status).toBe(200);
    expect(made.body.default_for_currency).toBe(true);
    const pending = await sk.post("/v1/payouts", { amount: 1000, currency: "KGS" });
    expect(pending.status).toBe(200);
    const before = (await sk.get("/v1/balance")).body;

    for (const member of [dev, support]) {
      expectRoleRefused(await member.call("DELETE", `/v1/bank_accounts/${made.body.id}`));
      expectRoleRefused(await member.post("/v1/bank_accounts", DEV_ACCOUNT));
      expectRoleRefused(await member.post("/v1/payouts", { amount: 1000, currency: "KGS" }));
      expectRoleRefused(await member.post(`/v1/payouts/${pending.body.id}/cancel`));
      expectRoleRefused(await member.put("/v1/payout_schedule", { interval: "daily" }));
      expectRoleRefused(await member.put("/v1/buyer_policy", { min_score_on_pickup: 101 }));
      expectRoleRefused(await member.call("DELETE", "/v1/buyer_reliability?phone=%2B996555123456"));
    }

    // Reads stay open to both.
    for (const member of [dev, support]) {
      expect((await member.get("/v1/bank_accounts")).status).toBe(200);
      expect((await member.get(`/v1/bank_accounts/${made.body.id}`)).status).toBe(200);
      expect((await member.get("/v1/payouts")).status).toBe(200);
      expect((await member.get("/v1/payout_schedule")).status).toBe(200);
      expect((await member.get("/v1/buyer_reliability?phone=%2B996555123456")).status).toBe(200);
    }

    const accounts = (await sk.get("/v1/bank_accounts")).body.data as { id: string; default_for_currency: boolean }[];
    expect(accounts.map((x) => x.id)).toEqual([made.body.id]);
    expect((await sk.get(`/v1/payouts/${pending.body.id}`)).body.status).toBe("pending");
    expect((await sk.get("/v1/payout_schedule")).body.interval).toBe("manual");
    expect((await sk.get("/v1/balance")).body.available).toEqual(before.available);
    expect((await sk.get("/v1/buyer_policy")).body.min_score_on_pickup).not.toBe(101);
  });

  it("an owner's session and the secret key may; each destination and schedule change is audited with its actor and last 4 only", async () => {
    const keyId = ((await sk.get("/v1/api_keys")).body.data as { id: string; hint: string }[]).find(
      (k) => k.hint === `sk_test_…${api.merchant.secretKey.slice(-4)}`,
    )?.id;
    expect(keyId).toMatch(/^key_/);

    const byOwner = await owner.post("/v1/bank_accounts", DEV_ACCOUNT);
    expect(byOwner.status).toBe(200);
    const bySk = await sk.post("/v1/bank_accounts", { ...ACCOUNT, account_number: "1240020000555555" });
    expect(bySk.status).toBe(200);
    expect((await owner.put("/v1/payout_schedule", { interval: "daily" })).status).toBe(200);
    expect((await sk.put("/v1/payout_schedule", { interval: "weekly", weekly_anchor: "friday", minimum: 5000 })).status).toBe(200);
    const payout = await owner.post("/v1/payouts", { amount: 1000, currency: "KGS", bank_account: byOwner.body.id });
    expect(payout.status).toBe(200);
    expect((await owner.post(`/v1/payouts/${payout.body.id}/cancel`)).status).toBe(200);
    expect((await owner.put("/v1/buyer_policy", { min_score_on_pickup: 30 })).status).toBe(200);
    expect((await owner.call("DELETE", "/v1/buyer_reliability?phone=%2B996555123456")).status).toBe(200);
    expect((await owner.call("DELETE", `/v1/bank_accounts/${byOwner.body.id}`)).status).toBe(200);
    expect((await sk.call("DELETE", `/v1/bank_accounts/${bySk.body.id}`)).status).toBe(200);

    const created = await events("bank_account.created");
    const ownerAdd = created.find((e) => e.detail.bank_account === byOwner.body.id);
    expect(ownerAdd).toMatchObject({ identity: ownerId, detail: { actor: ownerId, last4: "7654", currency: "KGS" } });
    const skAdd = created.find((e) => e.detail.bank_account === bySk.body.id);
    expect(skAdd).toMatchObject({ identity: null, detail: { actor: keyId, last4: "5555" } });

    const deleted = await events("bank_account.deleted");
    expect(deleted.find((e) => e.detail.bank_account === byOwner.body.id)).toMatchObject({
      identity: ownerId,
      detail: { actor: ownerId, last4: "7654" },
    });
    expect(deleted.find((e) => e.detail.bank_account === bySk.body.id)).toMatchObject({ detail: { actor: keyId, last4: "5555" } });

    const schedules = await events("payout_schedule.updated");
    expect(schedules.map((e) => [e.detail.interval, e.detail.actor])).toEqual([
      ["weekly", keyId],
      ["daily", ownerId],
    ]);
    expect(schedules[0]?.detail).toMatchObject({ weekly_anchor: "friday", minimum: 5000 });

    // Never the account number in clear, in any event.
    const all = JSON.stringify((await sk.get("/v1/security_events?limit=100")).body);
    for (const n of [ACCOUNT.account_number, DEV_ACCOUNT.account_number, "1240020000555555"]) expect(all).not.toContain(n);
  });
});
