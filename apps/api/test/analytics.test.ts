import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RETENTION_JOB } from "../src/jobs/retention.js";
import { successRates, transitFigures } from "../src/services/analytics.js";
import type { TestApi } from "../src/testing.js";
import { fundedCustomer, type Http, http, schemaValidator, startTestApi, TEST_CARD } from "./support.js";

/**
 * GET /v1/analytics/overview (issue 22, the console's Overview): every figure must equal what a
 * model sums from the merchant's own lists (payments, refunds) and from the taps it sent, in
 * the asked time zone's calendar.
 */
let api: TestApi;
let admin: Http;
let sk: Http;

const DAY = 86_400_000;
const DECLINED = { ...TEST_CARD, number: "4000000000000002" };

async function merchant(name: string, currency = "KGS") {
  const m = await admin.post("/v1/merchants", { name, country: "KG", default_currency: currency });
  return { id: m.body.id as string, sk: http(api.url, m.body.keys.secret_key), pk: m.body.keys.publishable_key as string };
}

async function pay(to: Http, amount: number, card = TEST_CARD, extra: Record<string, unknown> = {}) {
  const r = await to.post("/v1/payments", {
    amount,
    currency: "KGS",
    confirm: true,
    payment_method_data: { type: "card", card },
    ...extra,
  });
  expect([200, 402]).toContain(r.status);
  // A decline is a 402 that carries the failed payment.
  return (r.status === 402 ? r.body.error.payment.id : r.body.id) as string;
}

/** Moves an object back in time, as if it had been made `days` ago (a test can only make things now). */
async function backdate(table: "payments" | "refunds", id: string, ms: number) {
  await api.runtime.database.rows(
    sql`UPDATE ${sql.identifier(table)} SET created_at = created_at - make_interval(secs => ${ms / 1000}) WHERE id = ${id}`,
  );
}

async function all(to: Http, path: string) {
  const out: any[] = [];
  let after = "";
  for (;;) {
    const page = (await to.get(`${path}?limit=100${after ? `&starting_after=${after}` : ""}`)).body;
    out.push(...page.data);
    if (!page.has_more) return out;
    after = page.data[page.data.length - 1].id;
  }
}

const localDate = (iso: string, tz: string) => new Intl.DateTimeFormat("en-CA", { timeZone: tz }).format(new Date(iso));
const localHour = (iso: string, tz: string) =>
  Number(new Intl.DateTimeFormat("en-GB", { timeZone: tz, hour: "2-digit", hourCycle: "h23" }).format(new Date(iso)));

/** The model: the overview's figures summed in JavaScript from the merchant's lists. */
async function model(to: Http, days: number, tz: string) {
  const today = localDate(new Date().toISOString(), tz);
  const first = new Date(Date.parse(`${today}T00:00:00Z`) - (days - 1) * DAY).toISOString().slice(0, 10);
  const inWindow = (iso: string) => localDate(iso, tz) >= first && localDate(iso, tz) <= today;
  const payments = (await all(to, "/v1/payments")).filter((p) => inWindow(p.created));
  const refunds = (await all(to, "/v1/refunds")).filter((r) => inWindow(r.created) && r.status === "succeeded");
  const byDay = new Map<string, { count: number; amount: number; refund_count: number; refund_amount: number; fee_amount: number }>();
  const cell = (d: string) => {
    const c = byDay.get(d) ?? { count: 0, amount: 0, refund_count: 0, refund_amount: 0, fee_amount: 0 };
    byDay.set(d, c);
    return c;
  };
  for (const p of payments.filter((p) => p.status === "succeeded")) {
    const c = cell(localDate(p.created, tz));
    c.count += 1;
    c.amount += p.amount_captured;
    c.fee_amount += p.fee ?? 0;
  }
  for (const r of refunds) {
    const c = cell(localDate(r.created, tz));
    c.refund_count += 1;
    c.refund_amount += r.amount;
  }
  const methods: Record<string, { succeeded: number; failed: number }> = {};
  for (const p of payments.filter((p) => p.method && (p.status === "succeeded" || p.status === "failed"))) {
    const m = methods[p.method] ?? { succeeded: 0, failed: 0 };
    m[p.status as "succeeded" | "failed"] += 1;
    methods[p.method] = m;
  }
  return { first, today, byDay, methods };
}

function expectMatchesModel(overview: any, m: Awaited<ReturnType<typeof model>>) {
  expect(overview.start_date).toBe(m.first);
  expect(overview.end_date).toBe(m.today);
  const nonZero = overview.by_day.filter((d: any) => d.count || d.refund_count);
  expect(Object.fromEntries(nonZero.map(({ date, currency: _c, ...rest }: any) => [date, rest]))).toEqual(Object.fromEntries(m.byDay));
  expect(Object.fromEntries(overview.payment_methods.map((x: any) => [x.method, { succeeded: x.succeeded, failed: x.failed }]))).toEqual(
    m.methods,
  );
  const total = overview.totals[0];
  const sum = (k: string) => [...m.byDay.values()].reduce((n, c) => n + (c as any)[k], 0);
  expect(total).toEqual({
    currency: "KGS",
    count: sum("count"),
    amount: sum("amount"),
    refund_count: sum("refund_count"),
    refund_amount: sum("refund_amount"),
    fee_amount: sum("fee_amount"),
  });
}

const TAPS: { hour: string; route: "7" | "M1"; declined?: boolean }[] = [
  { hour: "07:10", route: "7" },
  { hour: "07:40", route: "M1" },
  { hour: "08:05", route: "7" },
  { hour: "08:15", route: "7" },
  { hour: "18:30", route: "M1" },
  { hour: "18:31", route: "M1", declined: true },
];
const FARES = { "7": 2000, M1: 3000 } as const;
let tapDay: string;

beforeAll(async () => {
  api = await startTestApi({ env: { WORKERS: "off" } });
  admin = http(api.url, api.adminKey);
  sk = http(api.url, api.merchant.secretKey);

  // Today: three card payments that succeed, two that are declined, a partial capture.
  const a = await pay(sk, 10_000);
  const b = await pay(sk, 20_000);
  await pay(sk, 30_000);
  await pay(sk, 15_000, DECLINED);
  const declinedEarlier = await pay(sk, 16_000, DECLINED);
  const manual = (await sk.post("/v1/payments", { amount: 10_000, currency: "KGS", capture_method: "manual" })).body.id;
  await sk.post(`/v1/payments/${manual}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } });
  expect((await sk.post(`/v1/payments/${manual}/capture`, { amount: 7_000 })).body.amount_captured).toBe(7_000);
  // A manual payment never captured is in flight: not an outcome, not volume.
  const held = (await sk.post("/v1/payments", { amount: 9_000, currency: "KGS", capture_method: "manual" })).body.id;
  await sk.post(`/v1/payments/${held}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } });
  // A wallet payment (and the card top-up that funds the wallet).
  const customer = await fundedCustomer(sk, 50_000);
  const w = await sk.post("/v1/payments", {
    amount: 5_000,
    currency: "KGS",
    customer,
    confirm: true,
    payment_method_data: { type: "wallet", customer },
  });
  expect(w.body.status).toBe("succeeded");

  // Refunds: part of one payment, all of another.
  const r1 = await sk.post("/v1/refunds", { payment: a, amount: 4_000 });
  expect(r1.status).toBe(200);
  expect((await sk.post("/v1/refunds", { payment: b })).status).toBe(200);

  // Spread over days: b and its refund three days back, a decline ten days back, a payment 40 days back (outside 30).
  await backdate("payments", b, 3 * DAY);
  await backdate("payments", declinedEarlier, 10 * DAY);
  await backdate("payments", await pay(sk, 99_000), 40 * DAY);
  await backdate("refunds", r1.body.id, 2 * DAY);

  // Transit: two terminals, rides two days back at Bishkek hours, one tap declined for funds.
  expect(
    (
      await sk.put("/v1/tariffs/city", {
        kind: "fare",
        rules: { default_fare: 2000, routes: FARES },
        effective_from: "2020-01-01T00:00:00Z",
      })
    ).status,
  ).toBe(200);
  const terminal = {
    "7": (await sk.post("/v1/transit/terminals", { kind: "bus_validator", route: "7", fare_tariff: "city" })).body.id,
    M1: (await sk.post("/v1/transit/terminals", { kind: "turnstile", route: "M1", fare_tariff: "city" })).body.id,
  };
  const rider = await fundedCustomer(sk, 2000 * 3 + 3000 * 2);
  tapDay = new Date(Date.now() - 2 * DAY + 6 * 3_600_000).toISOString().slice(0, 10);
  let n = 0;
  for (const t of TAPS) {
    const r = await sk.post("/v1/transit/taps", {
      terminal: terminal[t.route],
      customer: rider,
      tapped_at: `${tapDay}T${t.hour}:00+06:00`,
      client_tap_id: `analytics-${++n}`,
    });
    expect(r.body.decision, JSON.stringify(r.body)).toBe(t.declined ? "declined" : "accepted");
  }
});
afterAll(() => api.close());

describe("GET /v1/analytics/overview", () => {
  for (const tz of ["Asia/Bishkek", "America/New_York", "UTC"]) {
    it(`equals what a model sums from the lists, in ${tz}`, async () => {
      const r = await sk.get(`/v1/analytics/overview?days=30&timezone=${encodeURIComponent(tz)}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body).toMatchObject({ object: "analytics_overview", livemode: false, days: 30, timezone: tz });
      expect(r.body.by_day).toHaveLength(30);
      expectMatchesModel(r.body, await model(sk, 30, tz));
    });
  }

  it("counts succeeded volume as captured, refunds and fees, and leaves out what is outside the window", async () => {
    const r = (await sk.get("/v1/analytics/overview?days=30&timezone=Asia/Bishkek")).body;
    // 10,000 + 20,000 + 30,000 + 7,000 captured + 5,000 wallet + the top-ups 50,000 and 12,000 (the rider's);
    // the 99,000 of 40 days ago is out.
    expect(r.totals[0]).toMatchObject({ count: 7, amount: 134_000, refund_count: 2, refund_amount: 24_000 });
    expect(r.totals[0].fee_amount).toBeGreaterThan(0);
    const card = r.payment_methods.find((m: any) => m.method === "card");
    expect(card).toEqual({ method: "card", attempts: 8, succeeded: 6, failed: 2, success_rate: 0.75 });
    expect(r.payment_methods.find((m: any) => m.method === "wallet")).toMatchObject({ succeeded: 1, failed: 0, success_rate: 1 });
    // Seven days: the decline of ten days ago drops out.
    const week = (await sk.get("/v1/analytics/overview?days=7&timezone=Asia/Bishkek")).body;
    expect(week.by_day).toHaveLength(7);
    expect(week.payment_methods.find((m: any) => m.method === "card")).toMatchObject({ attempts: 7, failed: 1 });
    expectMatchesModel(week, await model(sk, 7, "Asia/Bishkek"));
  });

  it("shows rides by local hour and by route for a merchant with terminals", async () => {
    const r = (await sk.get("/v1/analytics/overview?timezone=Asia/Bishkek")).body;
    const accepted = TAPS.filter((t) => !t.declined);
    const hours = Array.from({ length: 24 }, (_, hour) => ({
      hour,
      rides: accepted.filter((t) => Number(t.hour.slice(0, 2)) === hour).length,
    }));
    expect(r.transit.rides).toBe(accepted.length);
    expect(r.transit.rides_by_hour).toEqual(hours);
    expect(r.transit.rides_by_route).toEqual([
      { route: "7", currency: "KGS", rides: 3, amount: 3 * FARES["7"] },
      { route: "M1", currency: "KGS", rides: 2, amount: 2 * FARES.M1 },
    ]);
    // The same rides in UTC fall six hours earlier.
    const utc = (await sk.get("/v1/analytics/overview")).body;
    expect(utc.transit.rides_by_hour.find((h: any) => h.hour === 2).rides).toBe(2);
    expect(localHour(`${tapDay}T08:05:00+06:00`, "UTC")).toBe(2);
  });

  it("has no rides for a merchant without terminals, and zero days in its own currency when it sold nothing", async () => {
    const fresh = await merchant("Empty shop", "KZT");
    const r = (await fresh.sk.get("/v1/analytics/overview?days=3")).body;
    expect(r.transit).toBeNull();
    expect(r.payment_methods).toEqual([]);
    expect(r.by_day.map((d: any) => [d.currency, d.count, d.amount])).toEqual([
      ["KZT", 0, 0],
      ["KZT", 0, 0],
      ["KZT", 0, 0],
    ]);
    expect(r.totals).toEqual([{ currency: "KZT", count: 0, amount: 0, refund_count: 0, refund_amount: 0, fee_amount: 0 }]);
    // The answer fits the document's own schema, zeros included.
    const check = schemaValidator((await http(api.url).get("/openapi.json")).body);
    expect(check("/components/schemas/AnalyticsOverview", r)).toEqual([]);
  });

  it("shows a merchant only its own payments", async () => {
    const other = await merchant("Other shop");
    await pay(other.sk, 77_000);
    const mine = (await sk.get("/v1/analytics/overview")).body;
    expect(JSON.stringify(mine.totals)).not.toContain("77000");
    expect((await other.sk.get("/v1/analytics/overview")).body.totals[0]).toMatchObject({ count: 1, amount: 77_000 });
  });

  it("stays exact while the retention run folds the figures into their rollups, payments going on", async () => {
    const shop = await merchant("Fold shop");
    const deltas = async () =>
      Number(
        (
          await api.runtime.database.rows<{ n: number }>(
            sql`SELECT count(*)::int AS n FROM analytics_deltas WHERE merchant_id = ${shop.id}`,
          )
        )[0]?.n,
      );
    for (const amount of [1_000, 2_000, 3_000]) await pay(shop.sk, amount);
    const refunded = await pay(shop.sk, 4_000);
    expect((await shop.sk.post("/v1/refunds", { payment: refunded, amount: 1_500 })).status).toBe(200);
    await pay(shop.sk, 5_000, DECLINED);
    expect(await deltas()).toBeGreaterThan(0);
    const unfolded = (await shop.sk.get("/v1/analytics/overview?days=7&timezone=Asia/Bishkek")).body;

    // The fold runs while more payments are written; none may be counted twice or lost.
    await api.runtime.database.rows(
      sql`UPDATE jobs SET run_at = now() - interval '1 second' WHERE kind = ${RETENTION_JOB} AND status = 'scheduled'`,
    );
    const during = Promise.all([6_000, 7_000, 8_000].map((amount) => pay(shop.sk, amount)));
    const run = await shop.sk.post("/v1/test_helpers/run_jobs", { now: new Date().toISOString() });
    expect(run.status).toBe(200);
    expect(run.body.jobs.by_kind[RETENTION_JOB]).toBe(1);
    await during;
    const folded = (await shop.sk.get("/v1/analytics/overview?days=7&timezone=Asia/Bishkek")).body;
    expectMatchesModel(folded, await model(shop.sk, 7, "Asia/Bishkek"));
    expect(folded.totals[0]).toMatchObject({
      count: unfolded.totals[0].count + 3,
      amount: unfolded.totals[0].amount + 21_000,
      refund_count: 1,
      refund_amount: 1_500,
    });
    expect(folded.payment_methods).toEqual([{ method: "card", attempts: 8, succeeded: 7, failed: 1, success_rate: 0.875 }]);

    // Another run folds what was written during the first: everything is in the rollups, unchanged.
    await api.runtime.database.rows(
      sql`UPDATE jobs SET run_at = now() - interval '1 second' WHERE kind = ${RETENTION_JOB} AND status = 'scheduled'`,
    );
    expect((await shop.sk.post("/v1/test_helpers/run_jobs", { now: new Date().toISOString() })).body.jobs.by_kind[RETENTION_JOB]).toBe(1);
    expect(await deltas()).toBe(0);
    expect((await shop.sk.get("/v1/analytics/overview?days=7&timezone=Asia/Bishkek")).body).toEqual(folded);
  });

  it("refuses bad input with a 400 naming the parameter, and other callers", async () => {
    for (const [q, param] of [
      ["days=0", "days"],
      ["days=91", "days"],
      ["days=abc", "days"],
      ["timezone=Mars/Olympus", "timezone"],
      ["timezone=%2B06:00", "timezone"],
      ["color=red", "color"],
    ]) {
      const r = await sk.get(`/v1/analytics/overview?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.error.param, q).toBe(param);
    }
    const pk = (await merchant("Publishable")).pk;
    expect((await http(api.url, pk).get("/v1/analytics/overview")).status).toBe(403);
    expect((await http(api.url, api.adminKey).get("/v1/analytics/overview")).status).toBe(403);
    expect((await http(api.url).get("/v1/analytics/overview")).status).toBe(401);
  });
});

describe("the overview's pure parts", () => {
  it("successRates: succeeded over outcomes per method, rounded, methods without outcomes left out", () => {
    expect(
      successRates([
        { method: "card", status: "succeeded", count: 2 },
        { method: "card", status: "failed", count: 1 },
        { method: "card", status: "succeeded", count: 0 },
        { method: "qr", status: "failed", count: 4 },
        { method: null, status: "succeeded", count: 9 },
      ]),
    ).toEqual([
      { method: "card", attempts: 3, succeeded: 2, failed: 1, success_rate: 0.6667 },
      { method: "qr", attempts: 4, succeeded: 0, failed: 4, success_rate: 0 },
    ]);
  });

  it("transitFigures: 24 hours, routes busiest first, per currency", () => {
    const t = transitFigures([
      { hour: 8, route: "7", currency: "KGS", rides: 2, amount: 4000 },
      { hour: 9, route: "7", currency: "KGS", rides: 1, amount: 2000 },
      { hour: 8, route: "12", currency: "KGS", rides: 5, amount: 10000 },
    ]);
    expect(t.rides).toBe(8);
    expect(t.rides_by_hour).toHaveLength(24);
    expect(t.rides_by_hour[8]).toEqual({ hour: 8, rides: 7 });
    expect(t.rides_by_route.map((r) => r.route)).toEqual(["12", "7"]);
  });
});
