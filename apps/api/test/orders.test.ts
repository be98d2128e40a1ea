import { merchantAccount } from "@softrack/core";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApi } from "../src/testing.js";
import { type Http, http, startTestApi, TEST_CARD } from "./support.js";

let api: TestApi;
let sk: Http;
let admin: Http;

beforeAll(async () => {
  api = await startTestApi({ env: { WORKERS: "off" } });
  admin = http(api.url, api.adminKey);
});
afterAll(() => api.close());

const DAY = 86_400_000;
const inDays = (d: number) => new Date(Date.now() + d * DAY).toISOString();
const ITEMS = [
  { sku: "dress", name: "Dress", amount: 300_000, quantity: 1 },
  { sku: "shoes", name: "Shoes", amount: 200_000, quantity: 2 },
];
const TOTAL = 700_000;
/** Default fee plan: card 2.5 %, at least 5.00 KGS. */
const cardFee = (amount: number) => Math.max(500, Math.round(amount * 0.025));
const kgs = (list: { amount: number; currency: string }[]) => list.find((b) => b.currency === "KGS")?.amount ?? 0;

/** Each test gets its own merchant, so balances start at zero and amounts are exact. */
async function merchant() {
  const m = await admin.post("/v1/merchants", { name: "Lamoda KG", country: "KG", default_currency: "KGS" });
  sk = http(api.url, m.body.keys.secret_key);
  return sk;
}

async function balances() {
  const b = (await sk.get("/v1/balance")).body;
  return { held: kgs(b.held), pending: kgs(b.pending), available: kgs(b.available) };
}

async function paidOrder(extra: Record<string, unknown> = {}) {
  const point = (await sk.post("/v1/pickup_points", { name: "PVZ Asanbay", address: "Bishkek, Asanbay 12" })).body;
  const order = await sk.post("/v1/orders", {
    currency: "KGS",
    items: ITEMS,
    delivery: { type: "pickup_point", point: point.id, collect_by: inDays(3) },
    ...extra,
  });
  expect(order.status).toBe(200);
  expect(order.body).toMatchObject({
    status: "requires_payment",
    amount: TOTAL,
    payment: { status: "requires_payment_method", capture_method: "manual", amount: TOTAL },
  });
  const paid = await sk.post(`/v1/payments/${order.body.payment.id}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } });
  expect(paid.body.status).toBe("requires_capture");
  const held = (await sk.get(`/v1/orders/${order.body.id}`)).body;
  expect(held).toMatchObject({
    status: "held",
    handover_code: { code: expect.stringMatching(/^\d{6}$/), payload: expect.stringContaining(order.body.id) },
  });
  return held;
}

const cardNow = { confirm: true, payment_method_data: { type: "card", card: TEST_CARD } };
const runJobs = (at: string) => sk.post("/v1/test_helpers/run_jobs", { now: at });
const verify = async () => expect((await admin.get("/v1/admin/ledger/verify")).body).toMatchObject({ balanced: true, mismatches: [] });

describe("courier payment guarantee", () => {
  it("once paid the money is held in escrow, not the merchant's", async () => {
    await merchant();
    await paidOrder();
    expect(await balances()).toEqual({ held: TOTAL, pending: 0, available: 0 });
    const types = (await sk.get("/v1/events")).body.data.map((e: { type: string }) => e.type);
    expect(types).toContain("order.held");
    await verify();
  });

  it("an order's payment moves only with its order: captured, canceled or refunded alone, it is refused", async () => {
    await merchant();
    const o = await paidOrder();
    const pay = o.payment.id as string;
    const refused = [
      await sk.post(`/v1/payments/${pay}/capture`, {}),
      await sk.post(`/v1/payments/${pay}/cancel`),
      await sk.post("/v1/refunds", { payment: pay }),
    ];
    for (const r of refused) {
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ type: "invalid_request_error", code: "payment_owned_by_order" });
    }
    expect(refused.map((r) => r.body.error.param)).toEqual(["id", "id", "payment"]);
    expect((await sk.get(`/v1/payments/${pay}`)).body.status).toBe("requires_capture");
    expect(await balances()).toEqual({ held: TOTAL, pending: 0, available: 0 });
    // The order still moves its payment: handed over, then a return refunds through it.
    const r = await sk.post(`/v1/orders/${o.id}/handover`, {
      accepted: [
        { sku: "dress", quantity: 1 },
        { sku: "shoes", quantity: 1 },
      ],
      handover_code: o.handover_code.code,
    });
    expect(r.body).toMatchObject({ status: "delivered", payment: { status: "succeeded" } });
    const back = await sk.post(`/v1/orders/${o.id}/returns`, { items: [{ sku: "dress", quantity: 1 }] });
    expect(back.status).toBe(200);
    expect((await sk.post("/v1/refunds", { payment: pay, amount: 1 })).body.error.code).toBe("payment_owned_by_order");
    // Settled (the return window closed), the payment is the merchant's to refund, from available.
    await runJobs(inDays(15));
    const goodwill = await sk.post("/v1/refunds", { payment: pay, amount: 1_000 });
    expect(goodwill.status).toBe(200);
    expect(await balances()).toEqual({ held: 0, pending: 0, available: 200_000 - cardFee(500_000) - 1_000 });
    await verify();
  });

  it("full buyout: everything captured, pending until the window closes, then available", async () => {
    await merchant();
    const o = await paidOrder();
    const r = await sk.post(`/v1/orders/${o.id}/handover`, {
      accepted: [
        { sku: "dress", quantity: 1 },
        { sku: "shoes", quantity: 2 },
      ],
      handover_code: o.handover_code.code,
    });
    expect(r.body).toMatchObject({
      status: "delivered",
      amount_captured: TOTAL,
      amount_refunded: 0,
      handover_code: null,
      payment: { status: "succeeded", fee: cardFee(TOTAL) },
    });
    expect(await balances()).toEqual({ held: 0, pending: TOTAL - cardFee(TOTAL), available: 0 });
    expect((await runJobs(inDays(13))).body.jobs.by_kind["order.settle"]).toBeUndefined();
    const run = await runJobs(inDays(14.1));
    expect(run.body.jobs.by_kind["order.settle"]).toBe(1);
    expect(await balances()).toEqual({ held: 0, pending: 0, available: TOTAL - cardFee(TOTAL) });
    expect((await sk.get(`/v1/orders/${o.id}`)).body).toMatchObject({ status: "delivered", settled: true });
    await verify();
  });

  it("partial buyout: the kept items are captured, the rest goes back to the buyer", async () => {
    await merchant();
    const o = await paidOrder();
    const r = await sk.post(`/v1/orders/${o.id}/handover`, { accepted: [{ sku: "shoes", quantity: 1 }] });
    expect(r.body).toMatchObject({
      status: "delivered",
      amount_captured: 200_000,
      amount_refunded: 500_000,
      payment: { amount_captured: 200_000, fee: cardFee(200_000) },
    });
    expect(r.body.items.map((i: { accepted: number }) => i.accepted)).toEqual([0, 1]);
    expect(await balances()).toEqual({ held: 0, pending: 200_000 - cardFee(200_000), available: 0 });
    await verify();
  });

  it("nothing accepted: everything refunded, no fee", async () => {
    await merchant();
    const o = await paidOrder();
    const r = await sk.post(`/v1/orders/${o.id}/handover`, { accepted: [] });
    expect(r.body).toMatchObject({
      status: "refunded",
      amount_captured: 0,
      amount_refunded: TOTAL,
      payment: { status: "canceled", fee: null },
    });
    expect(await balances()).toEqual({ held: 0, pending: 0, available: 0 });
    expect((await sk.get("/v1/events?type=order.refunded")).body.data).toHaveLength(1);
    await verify();
  });

  it("fail before handover refunds everything; after handover it is refused and nothing changes", async () => {
    await merchant();
    const o = await paidOrder();
    const failed = await sk.post(`/v1/orders/${o.id}/fail`, { reason: "courier could not reach the buyer" });
    expect(failed.body).toMatchObject({ status: "refunded", amount_refunded: TOTAL });
    expect(await balances()).toEqual({ held: 0, pending: 0, available: 0 });
    const o2 = await paidOrder();
    await sk.post(`/v1/orders/${o2.id}/handover`, { accepted: [{ sku: "dress", quantity: 1 }] });
    const before = await balances();
    const late = await sk.post(`/v1/orders/${o2.id}/fail`, { reason: "too late" });
    expect(late.status).toBe(400);
    expect(late.body.error.code).toBe("order_unexpected_state");
    expect(await balances()).toEqual(before);
    expect((await sk.post(`/v1/orders/${o2.id}/handover`, { accepted: [] })).status).toBe(400);
    await verify();
  });

  it("expiry with a no-show fee: the buyer gets the rest back, the fee is the merchant's", async () => {
    await merchant();
    const o = await paidOrder({ no_show_fee: 70_000 });
    expect((await runJobs(inDays(2))).body.jobs.ran).toBe(0);
    const run = await runJobs(inDays(3.01));
    expect(run.body.jobs.by_kind["order.expire"]).toBe(1);
    expect((await sk.get(`/v1/orders/${o.id}`)).body).toMatchObject({
      status: "expired",
      amount_captured: 70_000,
      amount_refunded: TOTAL - 70_000,
    });
    expect(await balances()).toEqual({ held: 0, pending: 0, available: 70_000 - cardFee(70_000) });
    expect((await sk.get("/v1/events?type=order.expired")).body.data).toHaveLength(1);
    expect((await runJobs(inDays(30))).body.jobs.ran).toBe(0);
    await verify();
  });

  it("expiry without a no-show fee refunds everything", async () => {
    await merchant();
    const o = await paidOrder();
    await runJobs(inDays(4));
    expect((await sk.get(`/v1/orders/${o.id}`)).body).toMatchObject({
      status: "expired",
      amount_captured: 0,
      amount_refunded: TOTAL,
      payment: { status: "canceled" },
    });
    expect(await balances()).toEqual({ held: 0, pending: 0, available: 0 });
    await verify();
  });

  it("returns inside the window refund per item; more than kept, or after the window, is refused", async () => {
    await merchant();
    const o = await paidOrder();
    await sk.post(`/v1/orders/${o.id}/handover`, {
      accepted: [
        { sku: "dress", quantity: 1 },
        { sku: "shoes", quantity: 2 },
      ],
    });
    const ret = await sk.post(`/v1/orders/${o.id}/returns`, { items: [{ sku: "shoes", quantity: 1 }] });
    expect(ret.body).toMatchObject({ amount_refunded: 200_000, payment: { amount_refunded: 200_000 } });
    expect(await balances()).toEqual({ held: 0, pending: TOTAL - cardFee(TOTAL) - 200_000, available: 0 });
    const tooMany = await sk.post(`/v1/orders/${o.id}/returns`, { items: [{ sku: "shoes", quantity: 2 }] });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.code).toBe("invalid_items");
    const unknown = await sk.post(`/v1/orders/${o.id}/returns`, { items: [{ sku: "hat", quantity: 1 }] });
    expect(unknown.status).toBe(400);
    await runJobs(inDays(15));
    expect(await balances()).toEqual({ held: 0, pending: 0, available: TOTAL - cardFee(TOTAL) - 200_000 });
    const late = await sk.post(`/v1/orders/${o.id}/returns`, { items: [{ sku: "dress", quantity: 1 }] });
    expect(late.status).toBe(400);
    expect(late.body.error.code).toBe("return_window_closed");
    const entries = (await sk.get(`/v1/orders/${o.id}/events`)).body.data as { id: string; type: string }[];
    // Newest first, as every list.
    expect(entries.map((e) => e.type)).toEqual(["order.settled", "order.return", "order.handover", "order.held", "order.created"]);
    // The order's own history, not events: ids of their own kind (evt_ ids are GET /v1/events's).
    for (const e of entries) expect(e).toMatchObject({ id: expect.stringMatching(/^oev_/), object: "order_event", livemode: false });
    // Paged like every list, back in time: starting_after gives earlier entries, ending_before later.
    const ids = entries.map((e) => e.id);
    const page = async (q: string) => {
      const r = await sk.get(`/v1/orders/${o.id}/events?${q}`);
      return {
        status: r.status,
        ids: (r.body.data ?? []).map((e: { id: string }) => e.id),
        has_more: r.body.has_more,
        param: r.body.error?.param,
      };
    };
    expect(await page("limit=2")).toMatchObject({ ids: ids.slice(0, 2), has_more: true });
    expect(await page(`limit=2&starting_after=${ids[1]}`)).toMatchObject({ ids: ids.slice(2, 4), has_more: true });
    expect(await page(`starting_after=${ids[3]}`)).toMatchObject({ ids: ids.slice(4), has_more: false });
    expect(await page(`limit=2&ending_before=${ids[4]}`)).toMatchObject({ ids: ids.slice(2, 4), has_more: true });
    expect(await page(`starting_after=${o.id}`)).toMatchObject({ status: 404, param: "starting_after" });
    await verify();
  });

  it("returned in full, the kept fee comes from available or as debt: pending never goes below zero", async () => {
    await merchant();
    // Something available first, so the fee is taken from it in part and the rest owed.
    const sale = await sk.post("/v1/payments", {
      amount: 10_000,
      currency: "KGS",
      confirm: true,
      payment_method_data: { type: "card", card: TEST_CARD },
    });
    expect(sale.body.status).toBe("succeeded");
    const earned = 10_000 - cardFee(10_000);
    const o = await paidOrder();
    await sk.post(`/v1/orders/${o.id}/handover`, { accepted: ITEMS.map((i) => ({ sku: i.sku, quantity: i.quantity })) });
    const back = await sk.post(`/v1/orders/${o.id}/returns`, { items: ITEMS.map((i) => ({ sku: i.sku, quantity: i.quantity })) });
    expect(back.body).toMatchObject({ amount_refunded: TOTAL });
    const fee = cardFee(TOTAL);
    const owed = () => sk.get("/v1/balance").then((r) => kgs(r.body.debt ?? []));
    expect(await balances()).toEqual({ held: 0, pending: 0, available: Math.max(0, earned - fee) });
    expect(await owed()).toBe(Math.max(0, fee - earned));
    await runJobs(inDays(15));
    expect(await balances()).toEqual({ held: 0, pending: 0, available: Math.max(0, earned - fee) });
    expect(await owed()).toBe(Math.max(0, fee - earned));
    await verify();
  });

  it("an order returned under the old rules (the kept fee below zero in pending) settles from available", async () => {
    const m = await admin.post("/v1/merchants", { name: "Old returns", country: "KG", default_currency: "KGS" });
    sk = http(api.url, m.body.keys.secret_key);
    const sale = await sk.post("/v1/payments", { amount: 100_000, currency: "KGS", ...cardNow });
    expect(sale.body.status).toBe("succeeded");
    const earned = 100_000 - cardFee(100_000);
    const o = await paidOrder();
    const all = ITEMS.map((i) => ({ sku: i.sku, quantity: i.quantity }));
    await sk.post(`/v1/orders/${o.id}/handover`, { accepted: all });
    await sk.post(`/v1/orders/${o.id}/returns`, { items: all });
    const fee = cardFee(TOTAL);
    expect(await balances()).toEqual({ held: 0, pending: 0, available: earned - fee });
    // What a return's refund did before: the kept fee taken from pending, not from available.
    const { deps } = api.runtime;
    const account = (bucket: "pending" | "available") => merchantAccount(m.body.id, false, bucket, "KGS", o.payment.id);
    const moved = await deps.database.db.transaction((tx) =>
      deps.ledger.post(tx, [
        {
          merchantId: m.body.id,
          livemode: false,
          sourceId: o.payment.id,
          type: "refund",
          description: "the kept fee as an older refund left it",
          postings: [
            { account: account("pending"), amount: -fee },
            { account: account("available"), amount: fee },
          ],
        },
      ]),
    );
    expect(moved[0]?.ok).toBe(true);
    expect(await balances()).toEqual({ held: 0, pending: -fee, available: earned });
    await runJobs(inDays(15));
    expect(await balances()).toEqual({ held: 0, pending: 0, available: earned - fee });
    expect((await sk.get(`/v1/orders/${o.id}`)).body).toMatchObject({ settled: true });
    await verify();
  });

  it("a wrong handover code is refused", async () => {
    await merchant();
    const o = await paidOrder();
    const wrong = o.handover_code.code === "000000" ? "111111" : "000000";
    const r = await sk.post(`/v1/orders/${o.id}/handover`, { accepted: [], handover_code: wrong });
    expect(r.body.error.code).toBe("handover_code_invalid");
    expect((await sk.get(`/v1/orders/${o.id}`)).body.status).toBe("held");
  });

  it("validates orders: unknown point, past collect_by, fee above total, duplicate sku, floats", async () => {
    await merchant();
    const base = { currency: "KGS", items: ITEMS, delivery: { type: "courier", collect_by: inDays(1) } };
    expect(
      (await sk.post("/v1/orders", { ...base, delivery: { type: "pickup_point", point: "pp_nope", collect_by: inDays(1) } })).status,
    ).toBe(404);
    expect((await sk.post("/v1/orders", { ...base, delivery: { type: "courier", collect_by: inDays(-1) } })).body.error.param).toBe(
      "delivery.collect_by",
    );
    expect((await sk.post("/v1/orders", { ...base, no_show_fee: TOTAL + 1 })).body.error.param).toBe("no_show_fee");
    expect((await sk.post("/v1/orders", { ...base, items: [ITEMS[0], ITEMS[0]] })).status).toBe(400);
    expect((await sk.post("/v1/orders", { ...base, items: [{ ...ITEMS[0], amount: 10.5 }] })).status).toBe(400);
    expect((await sk.get("/v1/orders")).body.data).toEqual([]);
    const bogus = await sk.get("/v1/orders?status=bogus");
    expect(bogus.status).toBe(400);
    expect(bogus.body.error.param).toBe("status");
  });
});

describe("orders past collect_by", () => {
  const DECLINED = { ...TEST_CARD, number: "4000000000000002" };
  const order = (collectBy: string, extra: Record<string, unknown> = {}) =>
    sk.post("/v1/orders", {
      currency: "KGS",
      items: ITEMS,
      delivery: { type: "courier", collect_by: collectBy },
      no_show_fee: 40_000,
      ...extra,
    });
  const soon = async () => {
    const at = new Date(Date.now() + 1500);
    return { at: at.toISOString(), passed: () => new Promise((done) => setTimeout(done, at.getTime() - Date.now() + 50)) };
  };

  it("an order's payment cannot be paid once collect_by has passed, and an unpaid order is canceled then", async () => {
    await merchant();
    const buyer = (await sk.post("/v1/customers", { name: "Aida" })).body.id;
    const t = await soon();
    const byCard = (await order(t.at)).body;
    const byWallet = (await order(t.at)).body;
    await t.passed();
    const late = await sk.post(`/v1/payments/${byCard.payment.id}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } });
    expect(late.status).toBe(400);
    expect(late.body.error).toMatchObject({ code: "order_expired", param: "id" });
    const lateWallet = await sk.post(`/v1/payments/${byWallet.payment.id}/confirm`, {
      payment_method_data: { type: "wallet", customer: buyer },
    });
    expect(lateWallet.body.error).toMatchObject({ code: "order_expired" });
    expect(await balances()).toEqual({ held: 0, pending: 0, available: 0 });
    // The expiry cancels both, and their payments with them: nothing is held, ever.
    await runJobs(inDays(1));
    for (const o of [byCard, byWallet]) {
      expect((await sk.get(`/v1/orders/${o.id}`)).body.status).toBe("canceled");
      expect((await sk.get(`/v1/payments/${o.payment.id}`)).body.status).toBe("canceled");
    }
    await verify();
  });

  it("a declined payment leaves its order waiting: the buyer tries another card, until collect_by", async () => {
    await merchant();
    const o = (await order(inDays(2))).body;
    const declined = await sk.post(`/v1/payments/${o.payment.id}/confirm`, { payment_method_data: { type: "card", card: DECLINED } });
    expect(declined.status).toBe(402);
    expect((await sk.get(`/v1/orders/${o.id}`)).body).toMatchObject({
      status: "requires_payment",
      payment: { id: o.payment.id, status: "failed" },
    });
    // The next attempt becomes the order's payment; asking again answers the same attempt.
    const next = await sk.post(`/v1/payments/${o.payment.id}/retry`, {});
    expect(next.status).toBe(200);
    expect(next.body).toMatchObject({ status: "requires_payment_method", retry_of: o.payment.id, amount: TOTAL, capture_method: "manual" });
    expect((await sk.post(`/v1/payments/${o.payment.id}/retry`, {})).body.id).toBe(next.body.id);
    expect((await sk.get(`/v1/orders/${o.id}`)).body.payment.id).toBe(next.body.id);
    const paid = await sk.post(`/v1/payments/${next.body.id}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } });
    expect(paid.body.status).toBe("requires_capture");
    expect((await sk.get(`/v1/orders/${o.id}`)).body.status).toBe("held");
    const history = (await sk.get(`/v1/orders/${o.id}/events`)).body.data.map((e: { type: string }) => e.type);
    expect(history).toEqual(["order.held", "order.payment_retried", "order.payment_failed", "order.created"]);
    expect(await balances()).toEqual({ held: TOTAL, pending: 0, available: 0 });

    // Declined and never tried again: canceled at collect_by, and no attempt can follow.
    const left = (await order(inDays(2))).body;
    await sk.post(`/v1/payments/${left.payment.id}/confirm`, { payment_method_data: { type: "card", card: DECLINED } });
    await runJobs(inDays(3));
    expect((await sk.get(`/v1/orders/${left.id}`)).body.status).toBe("canceled");
    const tooLate = await sk.post(`/v1/payments/${left.payment.id}/retry`, {});
    expect(tooLate.status).toBe(400);
    expect(tooLate.body.error).toMatchObject({ code: "order_unexpected_state", order_status: "canceled" });
    await verify();
  });

  it("an order paid on pickup and declined at the point is paid there with another card", async () => {
    await merchant();
    const o = (await order(inDays(2), { payment_timing: "on_pickup", buyer: { phone: "+996700123457" } })).body;
    const declined = await sk.post(`/v1/payments/${o.payment.id}/confirm`, { payment_method_data: { type: "card", card: DECLINED } });
    expect(declined.status).toBe(402);
    const next = await sk.post(`/v1/payments/${o.payment.id}/retry`, {});
    expect(next.status).toBe(200);
    expect((await sk.get(`/v1/orders/${o.id}`)).body).toMatchObject({ status: "awaiting_pickup", payment: { id: next.body.id } });
    const paid = await sk.post(`/v1/payments/${next.body.id}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } });
    expect(paid.body.status).toBe("requires_capture");
    expect((await sk.get(`/v1/orders/${o.id}`)).body.status).toBe("held");
    expect(await balances()).toEqual({ held: TOTAL, pending: 0, available: 0 });
    await verify();
  });

  it("an on_pickup order declined at the point expires, fails, and never stops the other jobs", async () => {
    await merchant();
    const collectBy = inDays(2);
    const declined = async () => {
      const o = (await order(collectBy, { payment_timing: "on_pickup", buyer: { phone: "+996700123456" } })).body;
      const r = await sk.post(`/v1/payments/${o.payment.id}/confirm`, { payment_method_data: { type: "card", card: DECLINED } });
      expect(r.status).toBe(402);
      expect((await sk.get(`/v1/orders/${o.id}`)).body.status).toBe("awaiting_pickup");
      return o;
    };
    const failedAtDoor = await declined();
    const neverCollected = await declined();
    const held = (await order(collectBy)).body;
    await sk.post(`/v1/payments/${held.payment.id}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } });
    // The merchant ends one: nothing was paid, so nothing to refund; the order is canceled.
    const failed = await sk.post(`/v1/orders/${failedAtDoor.id}/fail`, { reason: "card declined at the door" });
    expect(failed.status).toBe(200);
    expect(failed.body.status).toBe("canceled");
    const run = await runJobs(inDays(3));
    expect(run.status).toBe(200);
    expect(run.body.jobs).toMatchObject({ failed: 0 });
    expect((await sk.get(`/v1/orders/${neverCollected.id}`)).body).toMatchObject({ status: "expired", amount_captured: 0 });
    expect((await sk.get(`/v1/orders/${held.id}`)).body).toMatchObject({ status: "expired", amount_captured: 40_000 });
    expect(await balances()).toEqual({ held: 0, pending: 0, available: 40_000 - cardFee(40_000) });
    await verify();
  });

  it("a job whose work fails is put back for later; the jobs behind it still run", async () => {
    await merchant();
    const broken = (await order(inDays(2))).body;
    const fine = (await order(inDays(2))).body;
    for (const o of [broken, fine])
      await sk.post(`/v1/payments/${o.payment.id}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } });
    // A payment its order cannot capture any more: the expiry's capture is refused, its work rolls back.
    await api.runtime.database.rows(sql`UPDATE payments SET status = 'canceled' WHERE id = ${broken.payment.id}`);
    const run = await runJobs(inDays(3));
    expect(run.status).toBe(200);
    expect(run.body.jobs.failed).toBe(1);
    expect((await sk.get(`/v1/orders/${fine.id}`)).body.status).toBe("expired");
    expect((await sk.get(`/v1/orders/${broken.id}`)).body.status).toBe("held");
    const [job] = await api.runtime.database.rows<{ status: string; run_at: Date; result: string }>(
      sql`SELECT status, run_at, result FROM jobs WHERE dedupe_key = ${`order.expire:${broken.id}`}`,
    );
    expect(job?.status).toBe("scheduled");
    expect(job?.result).toMatch(/^failed: /);
    expect(new Date(job?.run_at as Date).getTime()).toBeGreaterThan(Date.now() + 2 * DAY);
    // Not due again at the same clock: the run is not stuck on it.
    expect((await runJobs(inDays(3))).body.jobs).toMatchObject({ ran: 0, failed: 0 });
  });
});
