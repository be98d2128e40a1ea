import { describe, expect, it } from "vitest";
import { useApi } from "./harness.js";

const ctx = useApi();
const card = { type: "card" as const, card: { number: "4242424242424242", exp_month: 12, exp_year: 2030, cvc: "123" } };

describe("analytics against the real API", () => {
  it("overview: today's succeeded payment in the by-day figures and the card's success rate", async () => {
    const before = await ctx.sk.analytics.overview({ days: 7, timezone: "Asia/Bishkek" });
    await ctx.sk.payments.create({ amount: 12_300, currency: "KGS", confirm: true, payment_method_data: card });
    const after = await ctx.sk.analytics.overview({ days: 7, timezone: "Asia/Bishkek" });
    expect(after).toMatchObject({ object: "analytics_overview", livemode: false, days: 7, timezone: "Asia/Bishkek" });
    const today = (o: typeof after) => o.by_day.filter((d) => d.date === o.end_date && d.currency === "KGS")[0];
    expect(today(after)?.count).toBe((today(before)?.count ?? 0) + 1);
    expect(today(after)?.amount).toBe((today(before)?.amount ?? 0) + 12_300);
    expect(after.payment_methods.find((m) => m.method === "card")?.succeeded).toBeGreaterThan(0);
    expect((await ctx.sk.analytics.overview()).by_day).toHaveLength(30);
    const bad = await ctx.sk.analytics.overview({ days: 0 }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ status: 400, param: "days" });
  });
});
