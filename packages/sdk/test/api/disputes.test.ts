import { describe, expect, it } from "vitest";
import { type Dispute, Softrack, SoftrackInvalidRequestError, SoftrackPermissionError } from "../../src/index.js";
import { useApi } from "./harness.js";

const ctx = useApi();
const card = { type: "card" as const, card: { number: "4242424242424242", exp_month: 12, exp_year: 2030, cvc: "123" } };

async function capturedPayment(amount: number) {
  const p = await ctx.sk.payments.create({ amount, currency: "KGS", confirm: true, payment_method_data: card });
  expect(p.status).toBe("succeeded");
  return p;
}

describe("disputes against the real API", () => {
  it("open (test helper) → submitEvidence → close; retrieve and list read them back, typed", async () => {
    const p = await capturedPayment(50_000);
    const before = await ctx.sk.balance.retrieve();
    const opened: Dispute = await ctx.sk.testHelpers.payments.dispute(p.id, { reason: "product_not_received", amount: 20_000 });
    expect(opened).toMatchObject({ object: "dispute", payment: p.id, amount: 20_000, status: "needs_response" });
    expect(opened.id).toMatch(/^dp_/);
    const after = await ctx.sk.balance.retrieve();
    const kgs = (b: typeof before) => b.available.find((x) => x.currency === "KGS")?.amount ?? 0;
    expect(kgs(after)).toBe(kgs(before) - 20_000 - opened.fee);
    expect(after.debt).toEqual(expect.any(Array));

    const answered = await ctx.sk.disputes.submitEvidence(opened.id, { text: "Courier's signed receipt, 2026-11-20." });
    expect(answered.status).toBe("under_review");
    expect(answered.evidence.text).toBe("Courier's signed receipt, 2026-11-20.");

    const won = await ctx.sk.testHelpers.disputes.close(opened.id, { outcome: "won" });
    expect(won.status).toBe("won");
    expect(won.closed).toEqual(expect.any(String));
    await expect(ctx.sk.disputes.retrieve(opened.id)).resolves.toMatchObject({ id: opened.id, status: "won" });
    expect(kgs(await ctx.sk.balance.retrieve())).toBe(kgs(before) - opened.fee);

    const second = await ctx.sk.testHelpers.payments.dispute((await capturedPayment(1_000)).id, { reason: "fraudulent" });
    const page = await ctx.sk.disputes.list({ limit: 1 });
    expect(page.data.map((d) => d.id)).toEqual([second.id]);
    expect(page.has_more).toBe(true);
    // Auto-pagination walks every page, newest first.
    const ids: string[] = [];
    for await (const d of ctx.sk.disputes.list({ limit: 1 })) ids.push(d.id);
    expect(ids).toEqual([second.id, opened.id]);
    const byPayment = await ctx.sk.disputes.list({ payment: p.id });
    expect(byPayment.data.map((d) => d.id)).toEqual([opened.id]);
  });

  it("bad input is a SoftrackInvalidRequestError naming the param; a publishable key is refused", async () => {
    const p = await capturedPayment(2_000);
    const err = await ctx.sk.testHelpers.payments.dispute(p.id, { reason: "general", amount: 2_001 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SoftrackInvalidRequestError);
    expect(err).toMatchObject({ status: 400, code: "amount_too_large", param: "amount" });
    expect((await ctx.sk.disputes.list({ payment: p.id })).data).toEqual([]);
    const pk = new Softrack({ apiKey: ctx.publishableKey, baseUrl: ctx.url });
    await expect(pk.disputes.list()).rejects.toBeInstanceOf(SoftrackPermissionError);
  });
});
