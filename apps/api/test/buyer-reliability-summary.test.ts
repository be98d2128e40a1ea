import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApi } from "../src/testing.js";
import { type Http, http, schemaValidator, startTestApi, TEST_CARD } from "./support.js";

/**
 * GET /v1/buyer_reliability/summary (issue 21, the console's no-show screen): a merchant's
 * orders not collected by week, the delivery cost lost and the no-show fees kept, and its
 * buyers under the policy's minimum, by a hash prefix only.
 */
let api: TestApi;
let admin: Http;
const HASH_KEY = "summary-test-buyer-hash-key-0123456789abcd";

beforeAll(async () => {
  api = await startTestApi({ env: { WORKERS: "off", BUYER_HASH_KEY: HASH_KEY } });
  admin = http(api.url, api.adminKey);
});
afterAll(() => api.close());

const DAY = 86_400_000;
const inDays = (d: number) => new Date(Date.now() + d * DAY).toISOString();
const ITEMS = [{ sku: "dress", name: "Dress", amount: 300_000, quantity: 1 }];
const prefixOf = (id: string) => createHmac("sha256", HASH_KEY).update(id).digest("base64").slice(0, 8);
/** The Monday (UTC) of this week, as the summary names weeks. */
function thisMonday(): string {
  const d = new Date();
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  return new Date(day - ((new Date(day).getUTCDay() + 6) % 7) * DAY).toISOString().slice(0, 10);
}

async function merchant(name: string, currency = "KGS") {
  const m = await admin.post("/v1/merchants", { name, country: "KG", default_currency: currency });
  return http(api.url, m.body.keys.secret_key);
}

async function order(sk: Http, extra: Record<string, unknown>, collectInDays = 3) {
  const point = (await sk.post("/v1/pickup_points", { name: "PVZ Asanbay", address: "Bishkek, Asanbay 12" })).body;
  const o = await sk.post("/v1/orders", {
    currency: "KGS",
    items: ITEMS,
    delivery: { type: "pickup_point", point: point.id, collect_by: inDays(collectInDays) },
    ...extra,
  });
  expect(o.status, JSON.stringify(o.body)).toBe(200);
  return o.body;
}

describe("GET /v1/buyer_reliability/summary", () => {
  let lamoda: Http;
  let mykhat: Http;
  const X = "+996555810001";
  const Y = "+996555810002";
  const W = "+996555810003";
  const V = "+996555810004";
  const E = "v.buyer@example.kg";

  beforeAll(async () => {
    lamoda = await merchant("Lamoda KG");
    mykhat = await merchant("Mykhat");
    // This week at Lamoda: five orders, three never collected.
    const prepaid = await order(lamoda, { buyer: { phone: X }, no_show_fee: 20_000 }); // paid, not collected: the fee is kept
    const paid = await lamoda.post(`/v1/payments/${prepaid.payment.id}/confirm`, {
      payment_method_data: { type: "card", card: TEST_CARD },
    });
    expect(paid.body.status).toBe("requires_capture");
    await order(lamoda, { buyer: { phone: Y }, payment_timing: "on_pickup" }); // not collected, nothing paid
    await order(lamoda, { buyer: { phone: W }, payment_timing: "on_pickup" }, 30); // still waiting
    await order(lamoda, { buyer: { phone: V, email: E }, payment_timing: "on_pickup" }); // not collected
    await order(lamoda, { buyer: { email: E }, payment_timing: "on_pickup" }, 30); // the same buyer, by email only
    expect((await lamoda.post("/v1/test_helpers/run_jobs", { now: inDays(4) })).status).toBe(200);
    // Mykhat's own no-show, by a buyer Lamoda never served.
    await order(mykhat, { buyer: { phone: "+996555810009" }, payment_timing: "on_pickup" });
    expect((await mykhat.post("/v1/test_helpers/run_jobs", { now: inDays(4) })).status).toBe(200);
  });

  it("counts a seeded week right: orders, not collected, delivery cost lost, fees kept", async () => {
    const r = await lamoda.get("/v1/buyer_reliability/summary?weeks=3");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      object: "buyer_reliability_summary",
      livemode: false,
      delivery_cost: [{ amount: 75_000, currency: "KGS" }],
    });
    expect(r.body.weeks).toHaveLength(3);
    const [older, old, current] = r.body.weeks;
    expect(current).toEqual({
      week_start: thisMonday(),
      orders: 5,
      not_collected: 3,
      lost_amount: 3 * 75_000,
      no_show_fees: 20_000,
      currency: "KGS",
    });
    // Earlier weeks are there, empty, so a chart has no gaps.
    for (const w of [older, old])
      expect(w).toMatchObject({ orders: 0, not_collected: 0, lost_amount: 0, no_show_fees: 0, currency: "KGS" });
    expect(Date.parse(old.week_start) - Date.parse(older.week_start)).toBe(7 * DAY);
    expect(Date.parse(current.week_start) - Date.parse(old.week_start)).toBe(7 * DAY);
    // Eight weeks by default.
    expect((await lamoda.get("/v1/buyer_reliability/summary")).body.weeks).toHaveLength(8);
  });

  it("lists no buyer without a policy, and the buyers under its minimum, by hash prefix only, once a policy is set", async () => {
    const before = (await lamoda.get("/v1/buyer_reliability/summary?weeks=2")).body;
    expect(before).toMatchObject({ min_score_on_pickup: null, buyers_under_threshold: [], buyers_under_threshold_total: 0 });

    expect((await lamoda.put("/v1/buyer_policy", { min_score_on_pickup: 85 })).status).toBe(200);
    const r = await lamoda.get("/v1/buyer_reliability/summary?weeks=2");
    expect(r.body.min_score_on_pickup).toBe(85);
    // X, Y and V (phone and email: one buyer) each left one parcel: 82. W (90) is above the line.
    const v = [prefixOf(`phone:${V}`), prefixOf(`email:${E}`)].sort()[0] as string;
    expect(r.body.buyers_under_threshold_total).toBe(3);
    expect(r.body.buyers_under_threshold).toHaveLength(3);
    expect(new Set(r.body.buyers_under_threshold.map((b: { buyer_hash_prefix: string }) => b.buyer_hash_prefix))).toEqual(
      new Set([prefixOf(`phone:${X}`), prefixOf(`phone:${Y}`), v]),
    );
    const byPrefix = Object.fromEntries(r.body.buyers_under_threshold.map((b: { buyer_hash_prefix: string }) => [b.buyer_hash_prefix, b]));
    expect(byPrefix[v]).toEqual({ buyer_hash_prefix: v, score: 82, orders: 2, not_collected: 1 });
    expect(byPrefix[prefixOf(`phone:${X}`)]).toMatchObject({ score: 82, orders: 1, not_collected: 1 });
    // Never an identifier in clear.
    expect(JSON.stringify(r.body)).not.toMatch(/555810|v\.buyer|example\.kg/);
  });

  it("shows a merchant only its own orders and buyers", async () => {
    expect((await mykhat.put("/v1/buyer_policy", { min_score_on_pickup: 85 })).status).toBe(200);
    const r = await mykhat.get("/v1/buyer_reliability/summary?weeks=1");
    expect(r.body.weeks).toEqual([
      { week_start: thisMonday(), orders: 1, not_collected: 1, lost_amount: 75_000, no_show_fees: 0, currency: "KGS" },
    ]);
    expect(r.body.buyers_under_threshold).toEqual([
      { buyer_hash_prefix: prefixOf("phone:+996555810009"), score: 82, orders: 1, not_collected: 1 },
    ]);
    // A merchant with no orders sees empty weeks in its default currency.
    const fresh = await merchant("Empty shop", "RUB");
    const empty = await fresh.get("/v1/buyer_reliability/summary?weeks=2");
    expect(empty.body.weeks.map((w: { orders: number; currency: string }) => [w.orders, w.currency])).toEqual([
      [0, "RUB"],
      [0, "RUB"],
    ]);
    expect(empty.body.delivery_cost).toEqual([{ amount: 70_000, currency: "RUB" }]);
  });

  it("refuses bad queries with a 400 that names the parameter, and the publishable key", async () => {
    for (const q of ["weeks=0", "weeks=53", "weeks=abc", "weeks=2.5", "weeks=2&merchant=mer_x"]) {
      const r = await lamoda.get(`/v1/buyer_reliability/summary?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.error, q).toMatchObject({ type: "invalid_request_error", request_id: expect.any(String) });
    }
    expect((await lamoda.get("/v1/buyer_reliability/summary?weeks=0")).body.error.param).toBe("weeks");
    const pk = (await admin.post("/v1/merchants", { name: "Pk shop", country: "KG", default_currency: "KGS" })).body.keys.publishable_key;
    expect((await http(api.url, pk).get("/v1/buyer_reliability/summary")).status).toBe(403);
    expect((await http(api.url).get("/v1/buyer_reliability/summary")).status).toBe(401);
  });

  it("is in /openapi.json", async () => {
    const doc = (await http(api.url).get("/openapi.json")).body;
    expect(doc.paths["/v1/buyer_reliability/summary"]?.get?.parameters?.map((p: { name: string }) => p.name)).toEqual(["weeks"]);
    expect(doc.components.schemas.BuyerReliabilitySummary).toBeDefined();
  });

  it("answers in the shape its /openapi.json schema describes, weeks without no-shows included", async () => {
    const validate = schemaValidator((await http(api.url).get("/openapi.json")).body);
    const schema = "/paths/~1v1~1buyer_reliability~1summary/get/responses/200/content/application~1json/schema";
    // Weeks with no-shows and fees, and empty weeks (lost_amount and no_show_fees 0), for both merchants.
    for (const sk of [lamoda, mykhat]) {
      const r = await sk.get("/v1/buyer_reliability/summary?weeks=3");
      expect(r.status).toBe(200);
      expect(r.body.weeks.some((w: { no_show_fees: number }) => w.no_show_fees === 0)).toBe(true);
      expect(validate(schema, r.body)).toEqual([]);
    }
  });
});
