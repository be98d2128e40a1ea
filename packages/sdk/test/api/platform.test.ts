import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  Softrack,
  type SoftrackEvent,
  SoftrackInvalidRequestError,
  SoftrackPermissionError,
  type TransitDailyReportParams,
} from "../../src/index.js";
import { useApi } from "./harness.js";

const ctx = useApi();
const card = { type: "card" as const, card: { number: "4242424242424242", exp_month: 12, exp_year: 2030, cvc: "123" } };

async function paidPayment(amount: number, extra: Partial<Parameters<Softrack["payments"]["create"]>[0]> = {}) {
  const p = await ctx.sk.payments.create({ amount, currency: "KGS", ...extra });
  return ctx.sk.payments.confirm(p.id, { payment_method_data: card });
}

describe("tariffs against the real API", () => {
  it("put creates immutable versions; retrieve gets the latest or a given one; versions lists them", async () => {
    const v1 = await ctx.sk.tariffs.put("sdk-bus", { kind: "fare", currency: "KGS", rules: { default_fare: 2000 } });
    expect(v1).toMatchObject({ object: "tariff", code: "sdk-bus", kind: "fare", version: 1 });
    const v2 = await ctx.sk.tariffs.put("sdk-bus", { kind: "fare", currency: "KGS", rules: { default_fare: 2500 } });
    expect(v2.version).toBe(2);
    await expect(ctx.sk.tariffs.retrieve("sdk-bus")).resolves.toMatchObject({ version: 2 });
    await expect(ctx.sk.tariffs.retrieve("sdk-bus", { version: 1 })).resolves.toMatchObject({ version: 1, rules: { default_fare: 2000 } });
    const versions = await ctx.sk.tariffs.versions("sdk-bus");
    expect(versions.data.map((t) => t.version)).toEqual([2, 1]);
    // Paged like every list: one at a time, and every version once.
    const walked: number[] = [];
    for await (const t of ctx.sk.tariffs.versions("sdk-bus", { limit: 1 })) walked.push(t.version);
    expect(walked).toEqual([2, 1]);
  });

  it("quote prices a fee and a fare with a breakdown", async () => {
    await ctx.admin.tariffs.put("sdk-fee", { kind: "fee", currency: "KGS", rules: { default: { percent_bps: 250, fixed: 100 } } });
    const fee = await ctx.admin.tariffs.quote("sdk-fee", { amount: 10000, currency: "KGS", method: "card" });
    expect(fee).toMatchObject({ object: "tariff_quote", kind: "fee", amount: 350, currency: "KGS" });
    expect(fee.breakdown.reduce((s, b) => s + b.amount, 0)).toBe(350);
    const fare = await ctx.sk.tariffs.quote("sdk-bus", { route: "7", tapped_at: new Date().toISOString() });
    expect(fare).toMatchObject({ kind: "fare", amount: 2500 });
  });

  it("an invalid rule set is refused and creates no version; fee tariffs are the platform's", async () => {
    const err = await ctx.sk.tariffs
      .put("sdk-bad", { kind: "fare", currency: "KGS", rules: { default_fare: -5 } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SoftrackInvalidRequestError);
    expect((err as SoftrackInvalidRequestError).param).toMatch(/^rules/);
    await expect(ctx.sk.tariffs.retrieve("sdk-bad")).rejects.toMatchObject({ status: 404 });
    await expect(ctx.sk.tariffs.put("sdk-fee2", { kind: "fee", currency: "KGS", rules: {} })).rejects.toBeInstanceOf(
      SoftrackPermissionError,
    );
  });
});

describe("transit against the real API", () => {
  it("terminals, a tap charged from the wallet, a batch deduplicated by client_tap_id, the daily report", async () => {
    await ctx.sk.tariffs.put("sdk-metro", { kind: "fare", currency: "KGS", rules: { default_fare: 1500 } });
    const term = await ctx.sk.transit.terminals.create({ kind: "turnstile", route: "M1", fare_tariff: "sdk-metro" });
    expect(term).toMatchObject({ object: "terminal", kind: "turnstile", route: "M1" });
    await expect(ctx.sk.transit.terminals.retrieve(term.id)).resolves.toMatchObject({ id: term.id });
    const terms: string[] = [];
    for await (const t of ctx.sk.transit.terminals.list()) terms.push(t.id);
    expect(terms).toContain(term.id);

    const rider = await ctx.sk.customers.create({ name: "Rider" });
    await paidPayment(5000, { purpose: { type: "wallet_topup", customer: rider.id } });
    const now = new Date().toISOString();
    const tap = await ctx.sk.transit.taps.create({ terminal: term.id, customer: rider.id, tapped_at: now, client_tap_id: "t-1" });
    expect(tap).toMatchObject({ object: "tap", decision: "accepted", fare: 1500, wallet_balance: 3500 });
    await expect(ctx.sk.transit.taps.retrieve(tap.id)).resolves.toMatchObject({ id: tap.id, decision: "accepted" });

    const later = new Date(Date.now() + 60_000).toISOString();
    const batch = await ctx.sk.transit.taps.batch({
      taps: [
        { terminal: term.id, customer: rider.id, tapped_at: now, client_tap_id: "t-1" }, // re-upload: not charged again
        { terminal: term.id, customer: rider.id, tapped_at: later, client_tap_id: "t-2" },
      ],
    });
    expect(batch.data).toHaveLength(2);
    const [again, second] = batch.data;
    expect(again).toMatchObject({ id: tap.id });
    expect(second).toMatchObject({ decision: "accepted", wallet_balance: 2000 });
    await expect(ctx.sk.customers.retrieve(rider.id)).resolves.toMatchObject({ wallet: { balance: 2000 } });

    const report = await ctx.sk.transit.reports.daily({ date: now.slice(0, 10), timezone: "UTC" });
    expect(report.object).toBe("transit_daily_report");
    expect(report.totals.find((t) => t.currency === "KGS")).toMatchObject({ rides: 2 });
  });
});

describe("transit.reports.daily", () => {
  it("takes a required date: a call without one does not compile, and the API refuses it", async () => {
    expectTypeOf(ctx.sk.transit.reports.daily).parameter(0).toEqualTypeOf<TransitDailyReportParams>();
    // @ts-expect-error date is required
    const err = await ctx.sk.transit.reports.daily().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SoftrackInvalidRequestError);
    expect(err).toMatchObject({ status: 400, code: "parameter_missing", param: "date" });
  });
});

describe("webhooks, events and test helpers against the real API", () => {
  it("a real delivery from the API verifies with Softrack.webhooks.verify and the endpoint's secret", async () => {
    const deliveries: SoftrackEvent[] = [];
    const failures: string[] = [];
    let secret = "";
    const receiver = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      try {
        deliveries.push(await Softrack.webhooks.verify(Buffer.concat(chunks), req.headers, secret));
        res.writeHead(204).end();
      } catch (e) {
        failures.push(String(e));
        res.writeHead(400).end();
      }
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
      const endpoint = await ctx.sk.webhookEndpoints.create({ url, events: ["payment.succeeded", "refund.succeeded"] });
      expect(endpoint.secret).toMatch(/^whsec_/);
      secret = endpoint.secret ?? "";
      const paid = await paidPayment(7700);
      await ctx.sk.refunds.create({ payment: paid.id, amount: 700 });
      const run = await ctx.sk.testHelpers.runJobs({ now: new Date(Date.now() + 5_000).toISOString() });
      expect(run.object).toBe("job_run");
      for (let i = 0; i < 50 && deliveries.length < 2; i++) await new Promise((r) => setTimeout(r, 100));
      expect(failures).toEqual([]);
      const succeeded = deliveries.find((e) => e.type === "payment.succeeded");
      expect(succeeded?.data.object).toMatchObject({ id: paid.id, amount: 7700 });
      expect(deliveries.find((e) => e.type === "refund.succeeded")?.data.object).toMatchObject({ payment: paid.id, amount: 700 });

      // The same events through the API.
      const listed: string[] = [];
      for await (const e of ctx.sk.events.list({ type: "payment.succeeded" })) listed.push(e.id);
      expect(listed).toContain(succeeded?.id);
      await expect(ctx.sk.events.retrieve(succeeded?.id ?? "")).resolves.toMatchObject({ type: "payment.succeeded" });

      const attempts = await ctx.sk.webhookEndpoints.attempts(endpoint.id);
      expect(attempts.data.length).toBeGreaterThanOrEqual(2);
    } finally {
      receiver.close();
    }
  });

  it("webhook endpoints: retrieve hides the secret, update, list, delete", async () => {
    const e = await ctx.sk.webhookEndpoints.create({ url: "http://127.0.0.1:9/x", events: ["order.held"], description: "orders" });
    const got = await ctx.sk.webhookEndpoints.retrieve(e.id);
    expect(got).toMatchObject({ id: e.id, object: "webhook_endpoint", events: ["order.held"] });
    expect(got.secret).toBeUndefined();
    await expect(ctx.sk.webhookEndpoints.update(e.id, { status: "disabled" })).resolves.toMatchObject({ status: "disabled" });
    const ids: string[] = [];
    for await (const x of ctx.sk.webhookEndpoints.list({ limit: 1 })) ids.push(x.id);
    expect(ids).toContain(e.id);
    await expect(ctx.sk.webhookEndpoints.delete(e.id)).resolves.toMatchObject({ id: e.id, deleted: true });
    await expect(ctx.sk.webhookEndpoints.retrieve(e.id)).rejects.toMatchObject({ status: 404 });
  });

  it("tax payment receipts as JSON and as PDF", async () => {
    const paid = await paidPayment(12345, { purpose: { type: "tax", payer_tin: "12345678901234", service_code: "PROPERTY_TAX" } });
    const receipt = await ctx.sk.payments.receipt(paid.id);
    expect(receipt).toMatchObject({ object: "receipt", payment: paid.id, amount: 12345, tax: { payer_tin: "12345678901234" } });
    const pdf = await ctx.sk.payments.receiptPdf(paid.id);
    expect(new TextDecoder().decode(pdf.slice(0, 5))).toBe("%PDF-");
  });
});
