import { describe, expect, it } from "vitest";
import {
  Softrack,
  SoftrackAuthenticationError,
  SoftrackIdempotencyError,
  SoftrackInvalidRequestError,
  SoftrackPermissionError,
} from "../../src/index.js";
import { useApi } from "./harness.js";

const ctx = useApi();

describe("merchants (admin key) against the real API", () => {
  it("create returns the merchant with its test keys; retrieve reads it back", async () => {
    const m = await ctx.admin.merchants.create({
      name: "Bishkek Books",
      country: "KG",
      default_currency: "KGS",
    });
    expect(m.id).toMatch(/^mer_/);
    expect(m).toMatchObject({
      object: "merchant",
      name: "Bishkek Books",
      country: "KG",
      livemode: false,
    });
    expect(m.keys.secret_key).toMatch(/^sk_test_/);
    expect(m.keys.publishable_key).toMatch(/^pk_test_/);
    const again = await ctx.admin.merchants.retrieve(m.id);
    expect(again).toMatchObject({ id: m.id, name: "Bishkek Books" });
    expect(again).not.toHaveProperty("keys");
    // The new secret key works at once.
    const own = new Softrack({
      apiKey: m.keys.secret_key,
      baseUrl: ctx.url,
    });
    await expect(own.merchants.retrieve(m.id)).resolves.toMatchObject({
      id: m.id,
    });
  });

  it("bad input is a SoftrackInvalidRequestError naming the param, and creates nothing", async () => {
    const err = await ctx.admin.merchants.create({ name: "X", country: "Kyrgyzstan", default_currency: "KGS" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SoftrackInvalidRequestError);
    expect(err).toMatchObject({
      status: 400,
      type: "invalid_request_error",
      param: "country",
    });
    expect((err as SoftrackInvalidRequestError).requestId).toMatch(/^req_/);
  });

  it("a merchant's key may not create merchants; a bad key is an authentication error", async () => {
    await expect(
      ctx.sk.merchants.create({
        name: "X",
        country: "KG",
        default_currency: "KGS",
      }),
    ).rejects.toBeInstanceOf(SoftrackPermissionError);
    const bad = new Softrack({ apiKey: "sk_test_nope", baseUrl: ctx.url });
    const err = await bad.balance.retrieve().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SoftrackAuthenticationError);
    expect(err).toMatchObject({ status: 401, type: "authentication_error" });
  });

  it("an unknown id is a 404 invalid_request_error", async () => {
    await expect(ctx.admin.merchants.retrieve("mer_doesnotexist")).rejects.toMatchObject({
      status: 404,
      type: "invalid_request_error",
    });
  });

  it("the same Idempotency-Key replays the first merchant; with another body it is refused", async () => {
    const params = {
      name: "Osh Bazaar",
      country: "KG",
      default_currency: "KGS",
    } as const;
    const first = await ctx.admin.merchants.create(params, {
      idempotencyKey: "merchant-osh-1",
    });
    const second = await ctx.admin.merchants.create(params, {
      idempotencyKey: "merchant-osh-1",
    });
    expect(second.id).toBe(first.id);
    const err = await ctx.admin.merchants
      .create({ ...params, name: "Someone else" }, { idempotencyKey: "merchant-osh-1" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SoftrackIdempotencyError);
    expect(err).toMatchObject({ status: 422, code: "idempotency_key_reused" });
  });
});

describe("merchants.activate (admin key) against the real API", () => {
  it("answers the merchant's live keys; again, the same keys; the live key then works in live mode", async () => {
    const m = await ctx.admin.merchants.create({ name: "Naryn Tours", country: "KG", default_currency: "KGS" });
    const live = await ctx.admin.merchants.activate(m.id);
    expect(live).toMatchObject({ id: m.id, object: "merchant", live_activated_at: expect.any(String) });
    expect(live.keys.secret_key).toMatch(/^sk_live_/);
    expect(live.keys.publishable_key).toMatch(/^pk_live_/);
    // Each call sends its own Idempotency-Key: the replay comes from the merchant, not the key.
    const again = await ctx.admin.merchants.activate(m.id);
    expect(again.keys).toEqual(live.keys);
    expect(again.live_activated_at).toBe(live.live_activated_at);
    const customer = await new Softrack({ apiKey: live.keys.secret_key, baseUrl: ctx.url }).customers.create({ name: "Aisuluu" });
    expect(customer.livemode).toBe(true);
    await expect(ctx.admin.merchants.retrieve(m.id)).resolves.toMatchObject({ live_activated_at: live.live_activated_at });
  });

  it("is the platform admin's alone; an unknown merchant is a 404", async () => {
    await expect(ctx.sk.merchants.activate(ctx.merchantId)).rejects.toBeInstanceOf(SoftrackPermissionError);
    await expect(ctx.admin.merchants.activate("mer_doesnotexist000000")).rejects.toMatchObject({
      status: 404,
      type: "invalid_request_error",
    });
    await expect(ctx.admin.merchants.retrieve(ctx.merchantId)).resolves.toMatchObject({ live_activated_at: null });
  });
});

describe("balance and ledger against the real API", () => {
  it("balance.retrieve gives available, pending and held lists", async () => {
    const b = await ctx.sk.balance.retrieve();
    expect(b.object).toBe("balance");
    expect(Array.isArray(b.available) && Array.isArray(b.pending) && Array.isArray(b.held)).toBe(true);
  });

  it("ledger.transactions.list pages like every list", async () => {
    const page = await ctx.sk.ledger.transactions.list({ limit: 5 });
    expect(page.object).toBe("list");
    expect(page.data.length).toBeLessThanOrEqual(5);
    for await (const txn of ctx.sk.ledger.transactions.list({ limit: 100 })) {
      const sum = txn.postings.reduce((s, p) => s + p.amount, 0);
      expect(sum).toBe(0);
    }
  });

  it("ledger.verify (admin) reports a balanced ledger; a merchant key may not call it", async () => {
    const report = await ctx.admin.ledger.verify();
    expect(report.balanced).toBe(true);
    expect(report.mismatches).toEqual([]);
    expect(report.accounts_checked).toBeGreaterThanOrEqual(0);
    await expect(ctx.sk.ledger.verify()).rejects.toBeInstanceOf(SoftrackPermissionError);
  });
});
