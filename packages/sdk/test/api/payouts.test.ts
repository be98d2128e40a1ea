import { describe, expect, it } from "vitest";
import { type PayoutTransaction, SoftrackInvalidRequestError } from "../../src/index.js";
import { useApi } from "./harness.js";

const ctx = useApi();
const card = { type: "card" as const, card: { number: "4242424242424242", exp_month: 12, exp_year: 2030, cvc: "123" } };

describe("bank accounts and payouts against the real API", () => {
  it("a bad account number is a SoftrackInvalidRequestError naming the field", async () => {
    const err = await ctx.sk.bankAccounts
      .create({ country: "KZ", holder_name: "ТОО Ромашка", account_number: "KZ87125KZT5004100100", bank_code: "HSBKKZKX", currency: "KZT" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SoftrackInvalidRequestError);
    expect(err).toMatchObject({ status: 400, code: "account_number_checksum", param: "account_number" });
  });

  it("pays out to the default bank account; the report pages through every movement and sums to the payout", async () => {
    const account = await ctx.sk.bankAccounts.create({
      country: "KG",
      holder_name: "Asel Myrzakmatova",
      account_number: "1240 0200 0012 3456",
      bank_code: "124002",
      currency: "KGS",
    });
    expect(account).toMatchObject({ object: "bank_account", last4: "3456", default_for_currency: true });
    expect((await ctx.sk.bankAccounts.list()).data.map((a) => a.id)).toEqual([account.id]);
    for (let i = 0; i < 7; i++)
      await ctx.sk.payments.create({ amount: 10_000 + i, currency: "KGS", confirm: true, payment_method_data: card });
    const balance = await ctx.sk.balance.retrieve();
    const available = balance.available.find((b) => b.currency === "KGS")?.amount ?? 0;

    const tooMuch = await ctx.sk.payouts.create({ amount: available + 1, currency: "KGS" }).catch((e: unknown) => e);
    expect(tooMuch).toMatchObject({ status: 400, code: "balance_insufficient", param: "amount" });

    const payout = await ctx.sk.payouts.create({ amount: available, currency: "KGS" });
    expect(payout).toMatchObject({ object: "payout", status: "pending", bank_account: account.id, amount: available });
    const lines: PayoutTransaction[] = [];
    for await (const line of ctx.sk.payouts.listTransactions(payout.id, { limit: 2 })) lines.push(line);
    expect(lines).toHaveLength(7);
    expect(lines.reduce((t, l) => t + l.amount, 0)).toBe(available);
    const csv = await ctx.sk.payouts.transactionsCsv(payout.id);
    expect(csv.startsWith("\uFEFFid,created,type,source,description,amount,fee,currency")).toBe(true);
    expect(csv.trim().split("\r\n")).toHaveLength(8);

    await ctx.sk.testHelpers.runJobs({ now: payout.arrival_date });
    await expect(ctx.sk.payouts.retrieve(payout.id)).resolves.toMatchObject({ status: "paid" });
    expect((await ctx.sk.payouts.list({ limit: 1 })).data[0]?.id).toBe(payout.id);
  });

  it("cancels a pending payout and sets the schedule", async () => {
    await ctx.sk.payments.create({ amount: 5_000, currency: "KGS", confirm: true, payment_method_data: card });
    const p = await ctx.sk.payouts.create({ amount: 1_000, currency: "KGS" });
    await expect(ctx.sk.payouts.cancel(p.id)).resolves.toMatchObject({ status: "canceled" });
    const s = await ctx.sk.payouts.updateSchedule({ interval: "weekly", weekly_anchor: "monday", minimum: 50_000 });
    expect(s).toMatchObject({ object: "payout_schedule", interval: "weekly", weekly_anchor: "monday", minimum: 50_000 });
    await expect(ctx.sk.payouts.retrieveSchedule()).resolves.toMatchObject({ interval: "weekly" });
  });
});
