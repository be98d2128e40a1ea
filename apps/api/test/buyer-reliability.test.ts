import { createHmac } from "node:crypto";
import { Writable } from "node:stream";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApi } from "../src/testing.js";
import { type Http, http, startTestApi, TEST_CARD } from "./support.js";

/**
 * Buyer reliability (contract v1.1 "Buyer reliability", issue 21): orders paid on pickup, the
 * buyer's platform-wide record under keyed hashes, the merchant's policy, and erasure.
 */
let api: TestApi;
let admin: Http;
const log: string[] = [];
const HASH_KEY = "reliability-test-buyer-hash-key-0123456789";

beforeAll(async () => {
  // Every log line the server writes, at the most talkative level, to look for identifiers in clear.
  const logStream = new Writable({
    write(chunk, _enc, done) {
      log.push(String(chunk));
      done();
    },
  });
  api = await startTestApi({ env: { WORKERS: "off", LOG_LEVEL: "trace", BUYER_HASH_KEY: HASH_KEY }, logStream });
  admin = http(api.url, api.adminKey);
});
afterAll(() => api.close());

const DAY = 86_400_000;
const inDays = (d: number) => new Date(Date.now() + d * DAY).toISOString();
const ITEMS = [{ sku: "dress", name: "Dress", amount: 300_000, quantity: 1 }];
const TOTAL = 300_000;
const kgs = (list: { amount: number; currency: string }[]) => list.find((b) => b.currency === "KGS")?.amount ?? 0;

let phoneSeq = 0;
/** A fresh buyer's phone, so each test starts from a newcomer (the record is platform-wide). */
const freshPhone = () => `+996 555 ${String(100_000 + phoneSeq++).slice(0, 3)}-${String(100 + phoneSeq).slice(-3)}`;

async function merchant(name = "Lamoda KG") {
  const m = await admin.post("/v1/merchants", { name, country: "KG", default_currency: "KGS" });
  return { sk: http(api.url, m.body.keys.secret_key), id: m.body.id as string };
}

async function order(sk: Http, extra: Record<string, unknown>) {
  const point = (await sk.post("/v1/pickup_points", { name: "PVZ Asanbay", address: "Bishkek, Asanbay 12" })).body;
  return sk.post("/v1/orders", {
    currency: "KGS",
    items: ITEMS,
    delivery: { type: "pickup_point", point: point.id, collect_by: inDays(3) },
    ...extra,
  });
}

const reliability = (sk: Http, q: string) => sk.get(`/v1/buyer_reliability?${q}`);
const phoneQuery = (phone: string) => `phone=${encodeURIComponent(phone)}`;

/** A no-show on the record: an on_pickup order that expires uncollected. */
async function noShow(sk: Http, phone: string) {
  const o = await order(sk, { buyer: { phone }, payment_timing: "on_pickup" });
  expect(o.status).toBe(200);
  const ran = await sk.post("/v1/test_helpers/run_jobs", { now: inDays(4) });
  expect(ran.status).toBe(200);
  expect((await sk.get(`/v1/orders/${o.body.id}`)).body.status).toBe("expired");
  return o.body;
}

describe("orders paid on pickup", () => {
  it("hold nothing until handover, where the payment is confirmed at the point and the order delivered", async () => {
    const { sk } = await merchant();
    const phone = freshPhone();
    const o = await order(sk, { buyer: { phone }, payment_timing: "on_pickup" });
    expect(o.status).toBe(200);
    expect(o.body).toMatchObject({
      status: "awaiting_pickup",
      payment_timing: "on_pickup",
      payment: { status: "requires_payment_method", amount: TOTAL },
      handover_code: { code: expect.stringMatching(/^\d{6}$/) },
    });
    // The buyer's number is not echoed, in any spelling (its local nine digits are in every one;
    // a shorter piece would also match ids and timestamps).
    const local = phone.replace(/\D/g, "").slice(3);
    expect(JSON.stringify(o.body).replace(/[\s()-]/g, "")).not.toContain(local);
    const before = (await sk.get("/v1/balance")).body;
    expect([kgs(before.held), kgs(before.pending), kgs(before.available)]).toEqual([0, 0, 0]);

    // Handing over unpaid goods is refused: the point takes the payment first.
    const early = await sk.post(`/v1/orders/${o.body.id}/handover`, { accepted: [{ sku: "dress", quantity: 1 }] });
    expect(early.status).toBe(400);
    expect(early.body.error.code).toBe("order_unexpected_state");

    const paid = await sk.post(`/v1/payments/${o.body.payment.id}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } });
    expect(paid.body.status).toBe("requires_capture");
    const held = (await sk.get(`/v1/orders/${o.body.id}`)).body;
    expect(held.status).toBe("held");
    expect(held.handover_code.code).toBe(o.body.handover_code.code);
    const done = await sk.post(`/v1/orders/${o.body.id}/handover`, {
      accepted: [{ sku: "dress", quantity: 1 }],
      handover_code: o.body.handover_code.code,
    });
    expect(done.body).toMatchObject({ status: "delivered", amount_captured: TOTAL });
    expect(kgs((await sk.get("/v1/balance")).body.pending)).toBeGreaterThan(0);
    expect((await reliability(sk, phoneQuery(phone))).body).toMatchObject({ orders: 1, collected: 1, not_collected: 0, score: 90 });
    expect((await admin.get("/v1/admin/ledger/verify")).body).toMatchObject({ balanced: true, mismatches: [] });
  });

  it("not collected: expires with nothing paid, and the no-show is on the buyer's record", async () => {
    const { sk } = await merchant();
    const phone = freshPhone();
    const o = await noShow(sk, phone);
    const after = (await sk.get(`/v1/orders/${o.id}`)).body;
    expect(after).toMatchObject({ amount_captured: 0, handover_code: null, payment: { status: "canceled" } });
    const b = (await sk.get("/v1/balance")).body;
    expect([kgs(b.held), kgs(b.pending), kgs(b.available)]).toEqual([0, 0, 0]);
    const r = await reliability(sk, phoneQuery(phone));
    expect(r.body).toEqual({
      object: "buyer_reliability",
      livemode: false,
      score: 82,
      orders: 1,
      collected: 0,
      not_collected: 1,
      failed: 0,
      returned: 0,
      requirement: "none",
    });
  });

  it("a failed delivery of an unpaid order cancels it and counts as failed", async () => {
    const { sk } = await merchant();
    const phone = freshPhone();
    const o = await order(sk, { buyer: { phone }, payment_timing: "on_pickup" });
    const failed = await sk.post(`/v1/orders/${o.body.id}/fail`, { reason: "courier could not reach the address" });
    expect(failed.body.status).toBe("canceled");
    expect((await reliability(sk, phoneQuery(phone))).body).toMatchObject({ orders: 1, failed: 1 });
  });
});

describe("buyer policy", () => {
  it("refuses on_pickup under the minimum with the score, and the no-show fee follows the score", async () => {
    const { sk } = await merchant();
    const phone = freshPhone();
    expect((await sk.get("/v1/buyer_policy")).status).toBe(404);
    const v1 = await sk.put("/v1/buyer_policy", { min_score_on_pickup: 50 });
    expect(v1.body).toMatchObject({ object: "buyer_policy", version: 1, min_score_on_pickup: 50, no_show_fee_by_score: [] });
    const v2 = await sk.put("/v1/buyer_policy", {
      min_score_on_pickup: 85,
      no_show_fee_by_score: [
        { below: 95, fee: 10_000 },
        { below: 85, fee: 50_000 },
      ],
    });
    expect(v2.body).toMatchObject({ version: 2, min_score_on_pickup: 85 });
    expect((await sk.get("/v1/buyer_policy")).body).toEqual(v2.body);
    // 101 (everyone prepays) is a minimum the document's own BuyerPolicy allows, as the PUT does.
    const doc = (await http(api.url).get("/openapi.json")).body;
    expect(doc.components.schemas.BuyerPolicy.properties.min_score_on_pickup.maximum).toBe(101);

    // A newcomer (90) may pay on pickup (with no band fee: nothing is held to take it from); a
    // prepaid order of theirs carries the 95-band fee.
    const onPickup = (await order(sk, { buyer: { phone }, payment_timing: "on_pickup" })).body;
    expect(onPickup).toMatchObject({ status: "awaiting_pickup", no_show_fee: 0 });
    expect((await order(sk, { buyer: { phone } })).body.no_show_fee).toBe(10_000);

    await noShow(sk, phone); // the other on_pickup order expires too: two no-shows now
    const r = (await reliability(sk, phoneQuery(phone))).body;
    expect(r).toMatchObject({ not_collected: 2, requirement: "prepay" });
    expect(r.score).toBeLessThan(85);

    const count = async () => (await sk.get("/v1/orders?limit=100")).body.data.length;
    const n = await count();
    const refused = await order(sk, { buyer: { phone }, payment_timing: "on_pickup" });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({
      type: "invalid_request_error",
      code: "prepayment_required",
      param: "payment_timing",
      score: r.score,
      min_score_on_pickup: 85,
    });
    expect(await count()).toBe(n + 0);
    // Prepaid is fine, at the low band's fee; a fee the merchant asks above the policy's stands.
    expect((await order(sk, { buyer: { phone } })).body.no_show_fee).toBe(50_000);
    expect((await order(sk, { buyer: { phone }, no_show_fee: 70_000 })).body.no_show_fee).toBe(70_000);
    // Under a policy an anonymous buyer cannot slip through on pickup.
    const anonymous = await order(sk, { payment_timing: "on_pickup" });
    expect(anonymous.status).toBe(400);
    expect(anonymous.body.error).toMatchObject({ code: "parameter_missing", param: "buyer" });
  });

  it("bad policies and bad buyers get a clear 400 that does not repeat the number", async () => {
    const { sk } = await merchant();
    for (const body of [
      { min_score_on_pickup: 120 },
      { min_score_on_pickup: 50, no_show_fee_by_score: [{ below: 60, fee: -1 }] },
      {
        min_score_on_pickup: 50,
        no_show_fee_by_score: [
          { below: 60, fee: 1 },
          { below: 60, fee: 2 },
        ],
      },
      { min_score_on_pickup: "high" },
    ]) {
      const r = await sk.put("/v1/buyer_policy", body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.type).toBe("invalid_request_error");
    }
    expect((await sk.get("/v1/buyer_policy")).status).toBe(404);
    const bad = await order(sk, { buyer: { phone: "555-0199-77" }, payment_timing: "on_pickup" });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: "parameter_invalid", param: "buyer.phone" });
    expect(JSON.stringify(bad.body).replace(/[\s()-]/g, "")).not.toContain("555019977");
    expect((await reliability(sk, "")).status).toBe(400);
    expect((await reliability(sk, "phone=%2B996555000111&email=a%40b.kg")).status).toBe(400);
    expect((await reliability(sk, "email=not-an-email")).status).toBe(400);
  });
});

describe("the record across merchants", () => {
  it("a merchant sees another merchant's buyer's score and counts, never their orders", async () => {
    const a = await merchant("Lamoda KG");
    const b = await merchant("Mykhat");
    const phone = freshPhone();
    const o = await noShow(a.sk, phone);
    const seen = await reliability(b.sk, phoneQuery(phone));
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ orders: 1, not_collected: 1 });
    expect(Object.keys(seen.body).sort()).toEqual(
      ["collected", "failed", "livemode", "not_collected", "object", "orders", "requirement", "returned", "score"].sort(),
    );
    const text = JSON.stringify(seen.body);
    expect(text).not.toContain(o.id);
    expect(text).not.toContain(a.id);
    expect((await b.sk.get(`/v1/orders/${o.id}`)).status).toBe(404);
    expect((await b.sk.get(`/v1/orders/${o.id}/events`)).status).toBe(404);
  });
});

/** Every row of every table of the API's database, as text. */
async function everyRow(): Promise<string> {
  const tables = await api.runtime.database.rows<{ t: string }>(
    sql`SELECT table_schema || '.' || table_name AS t FROM information_schema.tables
        WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
  );
  expect(tables.length).toBeGreaterThan(10);
  const out: string[] = [];
  for (const { t } of tables) {
    const [schema, name] = t.split(".");
    const rows = await api.runtime.database.rows(sql.raw(`SELECT t::text AS row FROM "${schema}"."${name}" t`));
    out.push(...rows.map((r) => String(r.row)));
  }
  return out.join("\n").toLowerCase();
}

const keyOf = (id: string) => createHmac("sha256", HASH_KEY).update(id).digest("base64");

describe("identifiers in clear: nowhere", () => {
  it("the phone and email are in no table and no log line, and DELETE leaves no trace", async () => {
    const { sk } = await merchant();
    const phone = "+996 (700) 48-15-16";
    const email = "  Aigul.Omurova@Example.KG ";
    const needles = ["700481516", "700 48", "48-15-16", "aigul.omurova", "omurova@example"];
    // A record of every kind: collected (paid at the point), not collected, returned, failed.
    const collected = await order(sk, { buyer: { phone, email }, payment_timing: "on_pickup" });
    await sk.post(`/v1/payments/${collected.body.payment.id}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } });
    await sk.post(`/v1/orders/${collected.body.id}/handover`, { accepted: [{ sku: "dress", quantity: 1 }] });
    await sk.post(`/v1/orders/${collected.body.id}/returns`, { items: [{ sku: "dress", quantity: 1 }], reason: "too small" });
    const failed = await order(sk, { buyer: { phone } });
    await sk.post(`/v1/payments/${failed.body.payment.id}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } });
    await sk.post(`/v1/orders/${failed.body.id}/fail`, { reason: "courier lost it" });
    await noShow(sk, "+996700481516");
    // The same buyer, however the number is written; the email whatever its case.
    const byPhone = (await reliability(sk, phoneQuery("+996700481516"))).body;
    expect(byPhone).toMatchObject({ orders: 3, collected: 1, not_collected: 1, failed: 1, returned: 1 });
    expect((await reliability(sk, `email=${encodeURIComponent("aigul.omurova@example.kg")}`)).body).toMatchObject({
      orders: 1,
      collected: 1,
      returned: 1,
    });

    const phoneKey = keyOf("phone:+996700481516");
    const emailKey = keyOf("email:aigul.omurova@example.kg");
    let rows = await everyRow();
    for (const n of needles) expect(rows, `table text holds ${n}`).not.toContain(n);
    // The check above can fail: the keyed hashes are there until the buyer is erased.
    expect(rows).toContain(phoneKey.toLowerCase());
    expect(rows).toContain(emailKey.toLowerCase());
    const logs = log.join("").toLowerCase();
    expect(logs).toContain("/v1/buyer_reliability");
    for (const n of needles) expect(logs, `log holds ${n}`).not.toContain(n);

    const erased = await sk.call("DELETE", `/v1/buyer_reliability?${phoneQuery(phone)}`);
    expect(erased.body).toMatchObject({ object: "buyer_reliability", deleted: true });
    expect(erased.body.events_erased).toBeGreaterThan(0);
    rows = await everyRow();
    expect(rows).not.toContain(phoneKey.toLowerCase());
    expect((await reliability(sk, phoneQuery(phone))).body).toMatchObject({ score: 90, orders: 0, collected: 0, not_collected: 0 });
    // The order that named both named one person: its record under the email went with the phone's.
    expect(rows).not.toContain(emailKey.toLowerCase());
    expect((await reliability(sk, `email=${encodeURIComponent(email.trim())}`)).body).toMatchObject({ orders: 0, collected: 0 });
    // An order naming only the email is that identifier's own, and stays until it is erased.
    const alone = await order(sk, { buyer: { email } });
    expect(alone.status).toBe(200);
    expect((await reliability(sk, `email=${encodeURIComponent(email.trim())}`)).body).toMatchObject({ orders: 1 });
    await sk.call("DELETE", `/v1/buyer_reliability?email=${encodeURIComponent(email.trim())}`);
    rows = await everyRow();
    expect(rows).not.toContain(emailKey.toLowerCase());
    // The orders stay the merchant's; only the link to the buyer is gone.
    expect((await sk.get(`/v1/orders/${collected.body.id}`)).body.status).toBe("delivered");
  });
});
