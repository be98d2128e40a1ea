import { describe, expect, it } from "vitest";
import type { Order, OrderCreateParams } from "../../src/index.js";
import { useApi } from "./harness.js";

const ctx = useApi();
const card = { type: "card" as const, card: { number: "4242424242424242", exp_month: 12, exp_year: 2030, cvc: "123" } };
const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();
const paymentId = (o: Order) => (typeof o.payment === "string" ? o.payment : o.payment.id);

/** An order of two books and a pen, paid by card: the money is held. */
async function heldOrder(extra: Partial<OrderCreateParams> = {}) {
  const point = await ctx.sk.pickupPoints.create({ name: "Point Dordoi", address: "Bishkek, Dordoi 1" });
  const order = await ctx.sk.orders.create({
    currency: "KGS",
    items: [
      { sku: "book", name: "Book", amount: 5000, quantity: 2 },
      { sku: "pen", name: "Pen", amount: 500, quantity: 1 },
    ],
    delivery: { type: "pickup_point", point: point.id, collect_by: inDays(3) },
    no_show_fee: 300,
    ...extra,
  });
  expect(order).toMatchObject({ object: "order", amount: 10500, status: "requires_payment", return_window_days: 14 });
  await ctx.sk.payments.confirm(paymentId(order), { payment_method_data: card });
  return ctx.sk.orders.retrieve(order.id);
}

describe("orders (courier payment guarantee) against the real API", () => {
  it("paid → held with a handover code; partial handover captures the accepted items; a return refunds", async () => {
    const held = await heldOrder();
    expect(held.status).toBe("held");
    expect(held.handover_code?.code).toBeTruthy();
    const delivered = await ctx.sk.orders.handover(held.id, { accepted: [{ sku: "book", quantity: 2 }] });
    expect(delivered).toMatchObject({ status: "delivered", amount_captured: 10000, amount_refunded: 500 });
    const returned = await ctx.sk.orders.returns(held.id, { items: [{ sku: "book", quantity: 1 }] });
    expect(returned.amount_refunded).toBe(5500);
    const history = await ctx.sk.orders.events(held.id);
    expect(history.data.length).toBeGreaterThanOrEqual(3);
  });

  it("fail refunds everything (the guarantee)", async () => {
    const held = await heldOrder();
    await expect(ctx.sk.orders.fail(held.id, { reason: "courier lost the parcel" })).resolves.toMatchObject({
      status: "refunded",
      amount_refunded: 10500,
    });
  });

  it("not collected by collect_by: the expiry job refunds all but the no-show fee", async () => {
    const held = await heldOrder();
    const run = await ctx.sk.testHelpers.runJobs({ now: inDays(4) });
    expect(run.jobs.ran).toBeGreaterThanOrEqual(1);
    await expect(ctx.sk.orders.retrieve(held.id)).resolves.toMatchObject({ status: "expired", amount_refunded: 10200 });
  });

  it("list orders by status and pickup points, page by page", async () => {
    const ids: string[] = [];
    for await (const o of ctx.sk.orders.list({ limit: 1, status: "refunded" })) {
      expect(o.status).toBe("refunded");
      ids.push(o.id);
    }
    expect(ids.length).toBeGreaterThanOrEqual(1);
    const points = await ctx.sk.pickupPoints.list({ limit: 2 });
    expect(points.data).toHaveLength(2);
    expect(points.data[0]?.object).toBe("pickup_point");
  });
});

describe("buyer reliability against the real API", () => {
  it("orders carry the buyer and the timing; the record, the policy and erasure", async () => {
    const phone = "+996 555 31 41 59";
    const point = await ctx.sk.pickupPoints.create({ name: "Point Osh bazaar", address: "Bishkek, Osh bazaar" });
    const onPickup = await ctx.sk.orders.create({
      currency: "KGS",
      items: [{ sku: "book", name: "Book", amount: 5000, quantity: 1 }],
      delivery: { type: "pickup_point", point: point.id, collect_by: inDays(3) },
      buyer: { phone },
      payment_timing: "on_pickup",
    });
    expect(onPickup).toMatchObject({ status: "awaiting_pickup", payment_timing: "on_pickup" });
    const fresh = await ctx.sk.buyerReliability.get({ phone });
    expect(fresh).toMatchObject({ object: "buyer_reliability", score: 90, orders: 1, requirement: "none" });

    const policy = await ctx.sk.buyerPolicy.put({ min_score_on_pickup: 95, no_show_fee_by_score: [{ below: 95, fee: 700 }] });
    expect(policy).toMatchObject({ object: "buyer_policy", version: 1 });
    expect((await ctx.sk.buyerPolicy.retrieve()).id).toBe(policy.id);
    expect((await ctx.sk.buyerReliability.get({ phone })).requirement).toBe("prepay");
    const refused = await ctx.sk.orders
      .create({
        currency: "KGS",
        items: [{ sku: "book", name: "Book", amount: 5000, quantity: 1 }],
        delivery: { type: "pickup_point", point: point.id, collect_by: inDays(3) },
        buyer: { phone },
        payment_timing: "on_pickup",
      })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 400, code: "prepayment_required" });
    const prepaid = await ctx.sk.orders.create({
      currency: "KGS",
      items: [{ sku: "book", name: "Book", amount: 5000, quantity: 1 }],
      delivery: { type: "pickup_point", point: point.id, collect_by: inDays(3) },
      buyer: { phone },
    });
    expect(prepaid.no_show_fee).toBe(700);

    expect(await ctx.sk.buyerReliability.delete({ phone })).toMatchObject({ deleted: true });
    expect(await ctx.sk.buyerReliability.get({ phone })).toMatchObject({ orders: 0 });
  });

  it("summary: no-shows by week and buyers under the policy, never an identifier", async () => {
    const summary = await ctx.sk.buyerReliability.summary({ weeks: 2 });
    expect(summary).toMatchObject({ object: "buyer_reliability_summary", livemode: false });
    expect(summary.weeks).toHaveLength(2);
    expect(summary.weeks[1]).toMatchObject({ currency: "KGS", orders: expect.any(Number), lost_amount: expect.any(Number) });
    expect((await ctx.sk.buyerReliability.summary()).weeks).toHaveLength(8);
    const bad = await ctx.sk.buyerReliability.summary({ weeks: 0 }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ status: 400, param: "weeks" });
  });
});
