import { validateTariffRules } from "@softrack/core";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApi } from "../src/testing.js";
import { type Http, http, startTestApi } from "./support.js";

let api: TestApi;
let sk: Http;
let admin: Http;

const FARE_RULES = {
  default_fare: 2000,
  routes: { "7": 2000, "102": 2500 },
  periods: [{ name: "peak", days: ["mon", "tue", "wed", "thu", "fri"], start: "07:00", end: "10:00", adjust_bps: 2500 }],
  categories: { student: { discount_bps: 5000 } },
  transfer: { window_minutes: 60 },
  caps: { daily: 8000 },
};

const sumOf = (lines: { amount: number }[]) => lines.reduce((s, l) => s + l.amount, 0);

beforeAll(async () => {
  api = await startTestApi({ env: { WORKERS: "off" } });
  sk = http(api.url, api.merchant.secretKey);
  admin = http(api.url, api.adminKey);
});
afterAll(() => api.close());

describe("PUT /v1/tariffs/:code", () => {
  it("creates immutable versions: the latest in effect is served, earlier ones stay readable", async () => {
    const v1 = await sk.put("/v1/tariffs/bishkek-bus", { kind: "fare", rules: FARE_RULES, effective_from: "2024-01-01T00:00:00Z" });
    expect(v1.status).toBe(200);
    expect(v1.body).toMatchObject({
      object: "tariff",
      owner: "merchant",
      code: "bishkek-bus",
      version: 1,
      kind: "fare",
      currency: "KGS",
      timezone: "Asia/Bishkek",
      effective_from: "2024-01-01T00:00:00.000Z",
      livemode: false,
      rules: FARE_RULES,
    });
    expect(v1.body.id).toMatch(/^trf_/);
    const v2 = await sk.put("/v1/tariffs/bishkek-bus", {
      kind: "fare",
      rules: { ...FARE_RULES, default_fare: 2200 },
      effective_from: "2025-01-01T00:00:00+06:00",
    });
    expect(v2.body).toMatchObject({ version: 2, effective_from: "2024-12-31T18:00:00.000Z" });

    expect((await sk.get("/v1/tariffs/bishkek-bus")).body).toMatchObject({ version: 2, rules: { default_fare: 2200 } });
    expect((await sk.get("/v1/tariffs/bishkek-bus?version=1")).body).toEqual(v1.body);
    const missing = await sk.get("/v1/tariffs/bishkek-bus?version=9");
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: "resource_missing", param: "version" });

    const versions = await sk.get("/v1/tariffs/bishkek-bus/versions");
    expect(versions.body).toMatchObject({ object: "list", has_more: false });
    expect(versions.body.data.map((t: { version: number }) => t.version)).toEqual([2, 1]);
  });

  it("pages a tariff's versions like every list: limit, both cursors, a 404 for a cursor not among them", async () => {
    for (const fare of [1000, 1100, 1200]) await sk.put("/v1/tariffs/paged-fares", { kind: "fare", rules: { default_fare: fare } });
    const versions = (q: string) => sk.get(`/v1/tariffs/paged-fares/versions${q}`);
    const first = await versions("?limit=2");
    expect(first.body).toMatchObject({ object: "list", has_more: true });
    expect(first.body.data.map((t: { version: number }) => t.version)).toEqual([3, 2]);
    const next = await versions(`?limit=2&starting_after=${first.body.data[1].id}`);
    expect(next.body).toMatchObject({ has_more: false, data: [{ version: 1 }] });
    const back = await versions(`?limit=1&ending_before=${next.body.data[0].id}`);
    expect(back.body).toMatchObject({ has_more: true, data: [{ version: 2 }] });
    const other = (await sk.get("/v1/tariffs/bishkek-bus")).body.id;
    const missing = await versions(`?starting_after=${other}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: "resource_missing", param: "starting_after" });
  });

  it("a version set for later is not in effect yet", async () => {
    await sk.put("/v1/tariffs/night", { kind: "fare", rules: { default_fare: 1000 }, effective_from: "2024-01-01T00:00:00Z" });
    await sk.put("/v1/tariffs/night", {
      kind: "fare",
      rules: { default_fare: 9000 },
      effective_from: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect((await sk.get("/v1/tariffs/night")).body).toMatchObject({ version: 1, rules: { default_fare: 1000 } });
  });

  it("fee tariffs are the platform's (admin key); fare tariffs the operator's (secret key)", async () => {
    const fee = { kind: "fee", rules: { methods: { card: { percent_bps: 250, min: 1000 } }, default: { percent_bps: 300 } } };
    const denied = await sk.put("/v1/tariffs/standard", fee);
    expect(denied.status).toBe(403);
    expect(denied.body.error.type).toBe("permission_error");
    const ok = await admin.put("/v1/tariffs/standard", fee);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ owner: "platform", kind: "fee", version: 1 });
    expect((await admin.get("/v1/tariffs/standard")).body.version).toBe(1);
    expect((await http(api.url, api.merchant.publishableKey).put("/v1/tariffs/x", fee)).status).toBe(403);
    // Who may set one is decided before what it says: a merchant hears 403, not its rules' faults.
    const emptyFee = await sk.put("/v1/tariffs/standard", { kind: "fee", rules: {} });
    expect(emptyFee.status).toBe(403);
    expect(emptyFee.body.error.type).toBe("permission_error");
  });

  it("refuses invalid rules with the path of the first problem, and changes nothing", async () => {
    const bad = await sk.put("/v1/tariffs/broken", { kind: "fare", rules: { default_fare: -5 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ type: "invalid_request_error", code: "tariff_invalid", param: "rules.default_fare" });
    expect((await sk.get("/v1/tariffs/broken")).status).toBe(404);
    const unknown = await sk.put("/v1/tariffs/broken", { kind: "fare", rules: { default_fare: 100 }, colour: "red" });
    expect(unknown.body.error).toMatchObject({ code: "parameter_unknown", param: "colour" });
    const badKind = await sk.put("/v1/tariffs/broken", { kind: "toll", rules: {} });
    expect(badKind.body.error.param).toBe("kind");
    const badCode = await sk.put("/v1/tariffs/-x", { kind: "fare", rules: { default_fare: 100 } });
    expect(badCode.status).toBe(400);
  });

  it("keeps the version a payment was priced by immutable: the built-in plans' codes are not published over", async () => {
    // A payment without a fee plan of its own is priced by the built-in plan and says default@1.
    const p = await sk.post("/v1/payments", { amount: 10_000, currency: "KGS" });
    const paid = await sk.post(`/v1/payments/${p.body.id}/confirm`, {
      payment_method_data: { type: "card", card: { number: "4242424242424242", exp_month: 12, exp_year: 2030, cvc: "123" } },
    });
    expect(paid.body.fee_tariff).toEqual({ code: "default", version: 1 });
    const fee = await admin.put("/v1/tariffs/default", { kind: "fee", rules: { default: { percent_bps: 1000 } } });
    expect(fee.status).toBe(400);
    expect(fee.body.error).toMatchObject({ type: "invalid_request_error", code: "tariff_code_reserved", param: "code" });
    const topup = await sk.put("/v1/tariffs/wallet_topup", { kind: "fare", rules: { default_fare: 100 } });
    expect(topup.status).toBe(400);
    expect(topup.body.error).toMatchObject({ code: "tariff_code_reserved", param: "code" });
    const stored = await api.runtime.database.rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM tariffs WHERE code IN ('default', 'wallet_topup')`,
    );
    expect(stored[0]?.n).toBe(0);

    // The plans a payment cites can be read and quoted, as any tariff (they were 404).
    const plan = await sk.get("/v1/tariffs/default");
    expect(plan.status).toBe(200);
    expect(plan.body).toMatchObject({ object: "tariff", owner: "platform", code: "default", version: 1, kind: "fee", currency: "KGS" });
    expect(plan.body.rules.methods.card).toEqual({ percent_bps: 250, fixed: 0, min: 500 });
    // Its id has the contract's prefix for a tariff, as a stored version's.
    expect(plan.body.id).toMatch(/^trf_/);
    expect((await sk.get("/v1/tariffs/default?version=1")).body).toEqual(plan.body);
    expect((await sk.get("/v1/tariffs/default/versions")).body.data).toEqual([plan.body]);
    const priced = await sk.post("/v1/tariffs/default/quote", { amount: 10_000, currency: "KGS", method: "card" });
    expect(priced.status).toBe(200);
    expect(priced.body.amount).toBe(paid.body.fee);
    // Other currencies keep the percentages without the KGS minimum, as their payments are priced.
    expect((await sk.post("/v1/tariffs/default/quote", { amount: 1_000, currency: "USD", method: "card" })).body.amount).toBe(25);
    const topupPlan = await sk.get("/v1/tariffs/wallet_topup");
    expect(topupPlan.body).toMatchObject({ code: "wallet_topup", version: 1, kind: "fee" });
    expect((await sk.post("/v1/tariffs/wallet_topup/quote", { amount: 50_000, currency: "KGS", method: "card" })).body.amount).toBe(0);
    expect((await sk.post("/v1/tariffs/wallet_topup/quote", { amount: 50_000, currency: "USD", method: "card" })).body.amount).toBe(0);
    // A currency the API does not take is refused, as a payment in it would be.
    const unknown = await sk.post("/v1/tariffs/default/quote", { amount: 100, currency: "ZZZ", method: "card" });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe("currency_mismatch");
    expect((await sk.get("/v1/tariffs/default?version=2")).status).toBe(404);
  });
});

describe("tariff rules in the document and at the door", () => {
  it("answers bad rules with every issue, exactly as the core's validator reports them", async () => {
    const rules = { default_fare: -5, surge: true, caps: { daily: 5000, weekly: 4000 }, categories: { Student: { free: "yes" } } };
    const bad = await sk.put("/v1/tariffs/broken-many", { kind: "fare", rules });
    expect(bad.status).toBe(400);
    const core = validateTariffRules("fare", rules);
    expect(core.ok).toBe(false);
    if (core.ok) return;
    expect(core.issues.length).toBeGreaterThan(3);
    expect(bad.body.error).toMatchObject({ code: "tariff_invalid", param: core.issues[0]?.path, issues: core.issues });
    // A fee rule in a fare tariff is an unknown field of fare rules.
    const mixed = await sk.put("/v1/tariffs/broken-many", { kind: "fare", rules: { default_fare: 1, methods: {} } });
    expect(mixed.body.error).toMatchObject({ code: "tariff_invalid", param: "rules.methods" });
    expect((await sk.get("/v1/tariffs/broken-many")).status).toBe(404);
    const noKind = await sk.put("/v1/tariffs/broken-many", { rules: { default_fare: 1 } });
    expect(noKind.body.error).toMatchObject({ code: "parameter_missing", param: "kind" });
  });

  it("/openapi.json shows the fee and fare rules' real shapes, typed by kind", async () => {
    const doc = (await http(api.url).get("/openapi.json")).body;
    const schemas = doc.components.schemas;
    expect(schemas.PutTariff.discriminator).toMatchObject({ propertyName: "kind" });
    expect(schemas.PutFeeTariff.properties.rules).toEqual({ $ref: "#/components/schemas/FeeRules" });
    expect(schemas.PutFareTariff.properties.rules).toEqual({ $ref: "#/components/schemas/FareRules" });
    expect(schemas.FeeRules).toMatchObject({ type: "object", additionalProperties: false });
    expect(schemas.FeeRules.properties.methods.properties.card).toMatchObject({ additionalProperties: false });
    expect(schemas.FareRules.properties.periods.items).toMatchObject({ additionalProperties: false });
    expect(schemas.FareRules.properties.categories.propertyNames).toMatchObject({ pattern: "^[a-z][a-z0-9_]{0,31}$" });
    // The refinements a schema cannot say are said in words.
    expect(schemas.FareRules.properties.periods.description).toMatch(/must not overlap/);
    expect(schemas.PutFareTariff.properties.timezone).toMatchObject({
      example: "Asia/Bishkek",
      description: expect.stringMatching(/IANA/),
    });
    const quote = schemas.QuoteTariff.properties.period_volume;
    expect(quote).toMatchObject({ maximum: Number.MAX_SAFE_INTEGER });
  });

  it("refuses an unknown time zone and a period volume past 2^53 - 1 with a 400 naming the field", async () => {
    const tz = await sk.put("/v1/tariffs/zoned", { kind: "fare", rules: { default_fare: 1 }, timezone: "Asia/Atlantis" });
    expect(tz.body.error).toMatchObject({ code: "parameter_invalid", param: "timezone" });
    const volume = await admin.post("/v1/tariffs/standard/quote", { amount: 100, currency: "KGS", method: "card", period_volume: 2 ** 53 });
    expect(volume.body.error).toMatchObject({ code: "parameter_invalid", param: "period_volume" });
  });
});

describe("POST /v1/tariffs/:code/quote", () => {
  it("prices a ride with its breakdown, by the version in effect when the rider tapped", async () => {
    // Tuesday 2024-06-04 08:00 in Bishkek: peak (+25%), student (-50%).
    const q = await sk.post("/v1/tariffs/bishkek-bus/quote", { route: "102", category: "student", tapped_at: "2024-06-04T08:00:00+06:00" });
    expect(q.status).toBe(200);
    expect(q.body).toMatchObject({
      object: "tariff_quote",
      kind: "fare",
      amount: 1563,
      currency: "KGS",
      tariff: { code: "bishkek-bus", version: 1 },
      period: "peak",
    });
    expect(sumOf(q.body.breakdown)).toBe(q.body.amount);
    expect(q.body.breakdown.map((l: { type: string }) => l.type)).toEqual(["base", "period", "category"]);
    // After the second version took effect, the default fare is 2200.
    const later = await sk.post("/v1/tariffs/bishkek-bus/quote", { route: "55", tapped_at: "2025-06-01T12:00:00+06:00" });
    expect(later.body).toMatchObject({ amount: 2200, tariff: { version: 2 } });
    const pinned = await sk.post("/v1/tariffs/bishkek-bus/quote", { version: 1, route: "55", tapped_at: "2025-06-01T12:00:00+06:00" });
    expect(pinned.body).toMatchObject({ amount: 2000, tariff: { version: 1 } });
  });

  it("uses the rider's earlier rides for transfers and caps", async () => {
    const history = [{ tapped_at: "2024-06-08T12:00:00+06:00", route: "7", fare: 2000 }];
    const transfer = await sk.post("/v1/tariffs/bishkek-bus/quote", { route: "102", tapped_at: "2024-06-08T12:45:00+06:00", history });
    expect(transfer.body).toMatchObject({ amount: 0, is_transfer: true });
    const rides = Array.from({ length: 3 }, (_, i) => ({
      tapped_at: `2024-06-08T1${i * 2}:00:00+06:00`,
      route: i % 2 ? "7" : "102",
      fare: 2500,
    }));
    const capped = await sk.post("/v1/tariffs/bishkek-bus/quote", { route: "102", tapped_at: "2024-06-08T19:00:00+06:00", history: rides });
    expect(capped.body).toMatchObject({ amount: 500, capped: true, cap_remaining: { daily: 0 } });
    expect(sumOf(capped.body.breakdown)).toBe(500);
  });

  it("a merchant is put on an existing fee plan only: an unknown one, or a fare tariff's code, is a 404 naming fee_tariff", async () => {
    const merchant = (fee_tariff: string) =>
      admin.post("/v1/merchants", { name: "Planned", country: "KG", default_currency: "KGS", fee_tariff });
    const count = async () => (await api.runtime.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM merchants`))[0]?.n;
    const before = await count();
    // bishkek-bus is a fare tariff (the merchant's own), not a fee plan.
    for (const code of ["no-such-plan", "bishkek-bus"]) {
      const r = await merchant(code);
      expect(r.status, code).toBe(404);
      expect(r.body.error).toMatchObject({ type: "invalid_request_error", code: "resource_missing", param: "fee_tariff" });
    }
    expect(await count()).toBe(before);
    expect((await merchant("standard")).body).toMatchObject({ fee_tariff: "standard" });
  });

  it("prices a payment fee with the platform's fee tariff", async () => {
    const q = await admin.post("/v1/tariffs/standard/quote", { amount: 10_000, currency: "KGS", method: "card" });
    expect(q.body).toMatchObject({ object: "tariff_quote", kind: "fee", amount: 1000, tariff: { code: "standard", version: 1 } });
    const other = await admin.post("/v1/tariffs/standard/quote", { amount: 100_000, currency: "KGS", method: "qr" });
    expect(other.body.amount).toBe(3000);
    expect(sumOf(other.body.breakdown)).toBe(3000);
  });

  it("answers a context the tariff cannot price with a 400 naming the field", async () => {
    const category = await sk.post("/v1/tariffs/bishkek-bus/quote", {
      route: "7",
      category: "astronaut",
      tapped_at: "2024-06-04T08:00:00+06:00",
    });
    expect(category.status).toBe(400);
    expect(category.body.error).toMatchObject({ type: "invalid_request_error", code: "unknown_category", param: "category" });
    const early = await sk.post("/v1/tariffs/bishkek-bus/quote", { route: "7", tapped_at: "2019-06-04T08:00:00+06:00" });
    expect(early.body.error).toMatchObject({ code: "tariff_not_in_effect" });
    const time = await sk.post("/v1/tariffs/bishkek-bus/quote", { route: "7", tapped_at: "2024-06-04 08:00" });
    expect(time.status).toBe(400);
    const unknown = await sk.post("/v1/tariffs/nothing-here/quote", { route: "7", tapped_at: "2024-06-04T08:00:00Z" });
    expect(unknown.status).toBe(404);
    const extra = await sk.post("/v1/tariffs/bishkek-bus/quote", { route: "7", tapped_at: "2024-06-04T08:00:00Z", speed: 3 });
    expect(extra.body.error).toMatchObject({ code: "parameter_unknown", param: "speed" });
  });

  it("one merchant's tariffs are not another's", async () => {
    const other = await admin.post("/v1/merchants", { name: "Other", country: "KG", default_currency: "KGS" });
    const theirs = http(api.url, other.body.keys.secret_key);
    expect((await theirs.get("/v1/tariffs/bishkek-bus")).status).toBe(404);
    const own = await theirs.put("/v1/tariffs/bishkek-bus", { kind: "fare", rules: { default_fare: 100 } });
    expect(own.body.version).toBe(1);
    expect((await sk.get("/v1/tariffs/bishkek-bus")).body.version).toBe(2);
  });
});
