import { describe, expect, it } from "vitest";
import { SoftrackInvalidRequestError, SoftrackPermissionError } from "../../src/index.js";
import { useApi } from "./harness.js";

const ctx = useApi();
const card = { number: "4242424242424242", exp_month: 12, exp_year: 2030, cvc: "123" };

describe("reconciliations (admin key) against the real API", () => {
  it("the simulated acquirer's file matches the ledger; the same file again is the same reconciliation", async () => {
    const paid = await ctx.sk.payments.create({
      amount: 25_000,
      currency: "KGS",
      confirm: true,
      payment_method_data: { type: "card", card },
    });
    const date = paid.created.slice(0, 10);
    const content = await ctx.admin.reconciliations.settlementFile({ provider: "card", date });
    expect(content.split("\r\n")[0]).toBe("reference,type,amount,currency,fee,date");
    // The simulated acquirer's 1.5%.
    expect(content).toContain(`${paid.id},capture,25000,KGS,375,${date}`);

    const rec = await ctx.admin.reconciliations.create({ provider: "card", date, content });
    expect(rec).toMatchObject({ object: "reconciliation", provider: "card", date, missing_in_ledger: 0, amount_mismatch: 0 });
    expect(rec.id).toMatch(/^rec_/);
    // Matched lines are counted, not listed: no finding names this payment.
    expect(rec.matched).toBeGreaterThanOrEqual(1);
    expect(rec.lines.filter((l) => l.reference === paid.id)).toEqual([]);

    // Another Idempotency-Key, the same file: the first reconciliation, nothing counted again.
    const again = await ctx.admin.reconciliations.create({ provider: "card", date, content });
    expect(again).toEqual(rec);
    await expect(ctx.admin.reconciliations.retrieve(rec.id)).resolves.toEqual(rec);
    const ids: string[] = [];
    for await (const r of ctx.admin.reconciliations.list({ limit: 1 })) ids.push(r.id);
    expect(ids).toContain(rec.id);
  });

  it("bad CSV is an invalid request naming its line; a merchant's key is refused", async () => {
    const date = new Date().toISOString().slice(0, 10);
    const err = await ctx.admin.reconciliations
      .create({ provider: "card", date, content: "reference,type,amount,currency,fee,date\npay_x,capture,1.5,KGS,0,2026-12-02\n" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SoftrackInvalidRequestError);
    expect(err).toMatchObject({ status: 400, code: "invalid_settlement_file", param: "content" });
    expect((err as Error).message).toMatch(/^Line 2 /);
    await expect(ctx.sk.reconciliations.create({ provider: "card", date, content: "x" })).rejects.toBeInstanceOf(SoftrackPermissionError);
    await expect(ctx.sk.reconciliations.settlementFile({ provider: "card", date })).rejects.toBeInstanceOf(SoftrackPermissionError);
  });
});
