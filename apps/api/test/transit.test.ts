import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApi } from "../src/testing.js";
import { type Http, http, startTestApi, TEST_CARD } from "./support.js";

let api: TestApi;
let sk: Http;
let admin: Http;
let bus7: string;
let bus12: string;
let metro: string;

/** A day two days back in Asia/Bishkek (UTC+6, no DST): taps in the past are fine, and no test runs across its midnight. */
const DAY = new Date(Date.now() - 2 * 86_400_000 + 6 * 3_600_000).toISOString().slice(0, 10);
const at = (hhmm: string) => `${DAY}T${hhmm}:00+06:00`;

const FARES = {
  default_fare: 2000,
  routes: { "7": 2000, "12": 2000, M1: 3000 },
  categories: { student: { discount_bps: 5000 }, pensioner: { free: true } },
  transfer: { window_minutes: 60, discount_bps: 10000 },
  caps: { daily: 8000 },
};

let seq = 0;
const tapId = () => `t-${Date.now().toString(36)}-${++seq}`;

async function rider(amount: number, category?: string): Promise<string> {
  const c = await sk.post("/v1/customers", { name: "Rider", ...(category ? { category } : {}) });
  if (amount > 0) {
    const topup = await sk.post("/v1/payments", { amount, currency: "KGS", purpose: { type: "wallet_topup", customer: c.body.id } });
    const paid = await sk.post(`/v1/payments/${topup.body.id}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } });
    expect(paid.body.status).toBe("succeeded");
  }
  return c.body.id;
}

const wallet = async (customer: string) => (await sk.get(`/v1/customers/${customer}`)).body.wallet.balance as number;
const available = async () =>
  ((await sk.get("/v1/balance")).body.available as { amount: number; currency: string }[]).find((b) => b.currency === "KGS")?.amount ?? 0;

/** Ledger transactions whose source is this tap: exactly one per charged tap. */
async function chargesOf(tapIds: string[]): Promise<number> {
  const [row] = await api.runtime.database.rows<{ n: number }>(
    sql`SELECT count(*)::int AS n FROM ledger_transactions WHERE source_id IN (SELECT json_array_elements_text(${JSON.stringify(tapIds)}::json))`,
  );
  return Number(row?.n);
}

beforeAll(async () => {
  api = await startTestApi({ env: { WORKERS: "off" } });
  sk = http(api.url, api.merchant.secretKey);
  admin = http(api.url, api.adminKey);
  const t = await sk.put("/v1/tariffs/city-fares", { kind: "fare", rules: FARES, effective_from: "2020-01-01T00:00:00Z" });
  expect(t.status).toBe(200);
  bus7 = (await sk.post("/v1/transit/terminals", { kind: "bus_validator", route: "7", fare_tariff: "city-fares" })).body.id;
  bus12 = (await sk.post("/v1/transit/terminals", { kind: "bus_validator", route: "12", fare_tariff: "city-fares" })).body.id;
  metro = (await sk.post("/v1/transit/terminals", { kind: "turnstile", route: "M1", fare_tariff: "city-fares" })).body.id;
});
afterAll(() => api.close());

describe("terminals", () => {
  it("registers a validator bound to a route and a fare tariff, and reads it back", async () => {
    const r = await sk.post("/v1/transit/terminals", {
      kind: "turnstile",
      route: "M2",
      fare_tariff: "city-fares",
      metadata: { station: "Ala-Too" },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      object: "terminal",
      kind: "turnstile",
      route: "M2",
      fare_tariff: "city-fares",
      livemode: false,
      metadata: { station: "Ala-Too" },
    });
    expect(r.body.id).toMatch(/^term_/);
    expect(r.body.created).toMatch(/Z$/);
    expect((await sk.get(`/v1/transit/terminals/${r.body.id}`)).body).toEqual(r.body);
    const list = await sk.get("/v1/transit/terminals?limit=2");
    expect(list.body).toMatchObject({ object: "list", has_more: true });
    expect(list.body.data[0].id).toBe(r.body.id);
  });

  it("refuses an unknown tariff, a fee tariff, a bad kind, and other merchants' terminals", async () => {
    const missing = await sk.post("/v1/transit/terminals", { kind: "bus_validator", route: "7", fare_tariff: "nope" });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ type: "invalid_request_error", code: "resource_missing", param: "fare_tariff" });
    expect((await admin.put("/v1/tariffs/plan-x", { kind: "fee", rules: { default: { percent_bps: 100 } } })).status).toBe(200);
    const fee = await sk.post("/v1/transit/terminals", { kind: "bus_validator", route: "7", fare_tariff: "plan-x" });
    expect(fee.status).toBe(400);
    expect(fee.body.error.code).toBe("tariff_kind_mismatch");
    const kind = await sk.post("/v1/transit/terminals", { kind: "tram", route: "7", fare_tariff: "city-fares" });
    expect(kind.status).toBe(400);
    expect(kind.body.error.param).toBe("kind");
    const other = await admin.post("/v1/merchants", { name: "Other Bus Co", country: "KG", default_currency: "KGS" });
    const theirs = http(api.url, other.body.keys.secret_key);
    expect((await theirs.get(`/v1/transit/terminals/${bus7}`)).status).toBe(404);
  });
});

describe("online taps", () => {
  it("charges the fare from the wallet to the operator in one call, with the contract's shape", async () => {
    const cus = await rider(10_000);
    const before = await available();
    const r = await sk.post("/v1/transit/taps", { terminal: bus7, customer: cus, tapped_at: at("08:00"), client_tap_id: tapId() });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      object: "tap",
      decision: "accepted",
      fare: 2000,
      reason: null,
      wallet_balance: 8000,
      currency: "KGS",
      route: "7",
      terminal: bus7,
      customer: cus,
      replayed: false,
      tariff: { code: "city-fares", version: 1 },
    });
    expect(r.body.id).toMatch(/^tap_/);
    expect(r.body.breakdown.reduce((s: number, l: { amount: number }) => s + l.amount, 0)).toBe(2000);
    expect(await wallet(cus)).toBe(8000);
    expect(await available()).toBe(before + 2000);
    expect(await chargesOf([r.body.id])).toBe(1);
    expect((await sk.get(`/v1/transit/taps/${r.body.id}`)).body).toEqual(r.body);
    expect((await admin.get("/v1/admin/ledger/verify")).body.balanced).toBe(true);
  });

  it("prices transfers and the daily cap from the rider's earlier rides that day", async () => {
    const cus = await rider(20_000);
    const tap = async (terminal: string, hhmm: string) =>
      (await sk.post("/v1/transit/taps", { terminal, customer: cus, tapped_at: at(hhmm), client_tap_id: tapId() })).body;
    expect((await tap(bus7, "07:00")).fare).toBe(2000);
    const transfer = await tap(bus12, "07:40");
    expect(transfer).toMatchObject({ fare: 0, is_transfer: true });
    expect((await tap(metro, "09:00")).fare).toBe(3000); // out of the window: a new journey
    expect((await tap(bus7, "11:00")).fare).toBe(2000);
    const capped = await tap(bus12, "13:00"); // 7000 paid so far: the cap leaves 1000
    expect(capped.fare).toBe(1000);
    expect((await tap(metro, "15:00")).fare).toBe(0);
    expect(await wallet(cus)).toBe(20_000 - 8000);
  });

  it("applies the rider's category", async () => {
    const student = await rider(5000, "student");
    const pensioner = await rider(0, "pensioner");
    const s = await sk.post("/v1/transit/taps", { terminal: metro, customer: student, tapped_at: at("08:00"), client_tap_id: tapId() });
    expect(s.body).toMatchObject({ decision: "accepted", fare: 1500, wallet_balance: 3500 });
    const p = await sk.post("/v1/transit/taps", { terminal: metro, customer: pensioner, tapped_at: at("08:00"), client_tap_id: tapId() });
    expect(p.body).toMatchObject({ decision: "accepted", fare: 0, wallet_balance: 0 });
  });

  it("declines with a reason as a 200, records it, and a declined fare neither charges nor counts towards the cap", async () => {
    const cus = await rider(2500);
    const ok = await sk.post("/v1/transit/taps", { terminal: bus7, customer: cus, tapped_at: at("06:00"), client_tap_id: tapId() });
    expect(ok.body.wallet_balance).toBe(500);
    const declined = await sk.post("/v1/transit/taps", { terminal: metro, customer: cus, tapped_at: at("09:00"), client_tap_id: tapId() });
    expect(declined.status).toBe(200);
    expect(declined.body).toMatchObject({
      object: "tap",
      decision: "declined",
      reason: "insufficient_funds",
      fare: 3000,
      wallet_balance: 500,
    });
    expect(await chargesOf([declined.body.id])).toBe(0);
    expect((await sk.get(`/v1/transit/taps/${declined.body.id}`)).body.decision).toBe("declined");
    expect(await wallet(cus)).toBe(500);
    const unknown = await sk.post("/v1/transit/taps", {
      terminal: bus7,
      customer: "cus_nobody",
      tapped_at: at("09:00"),
      client_tap_id: tapId(),
    });
    expect(unknown.status).toBe(200);
    expect(unknown.body).toMatchObject({ decision: "declined", reason: "unknown_rider" });
  });

  it("answers a resent tap from the record, and refuses bad taps with a clear error", async () => {
    const cus = await rider(10_000);
    const body = { terminal: bus7, customer: cus, tapped_at: at("10:00"), client_tap_id: tapId() };
    const first = await sk.post("/v1/transit/taps", body);
    const again = await sk.post("/v1/transit/taps", { ...body, tapped_at: `${DAY}T04:00:00.000Z` }); // the same instant, written in UTC
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: first.body.id, fare: 2000, wallet_balance: 8000, replayed: true });
    expect(await wallet(cus)).toBe(8000);
    expect(await chargesOf([first.body.id])).toBe(1);

    const reused = await sk.post("/v1/transit/taps", { ...body, tapped_at: at("10:05") });
    expect(reused.status).toBe(422);
    expect(reused.body.error).toMatchObject({ type: "invalid_request_error", code: "tap_id_reused", param: "client_tap_id" });
    const future = await sk.post("/v1/transit/taps", {
      ...body,
      client_tap_id: tapId(),
      tapped_at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(future.status).toBe(400);
    expect(future.body.error).toMatchObject({ code: "tapped_at_in_future", param: "tapped_at" });
    const noTerminal = await sk.post("/v1/transit/taps", { ...body, terminal: "term_nope", client_tap_id: tapId() });
    expect(noTerminal.status).toBe(404);
    expect(noTerminal.body.error).toMatchObject({ code: "resource_missing", param: "terminal" });
    const malformed = await sk.post("/v1/transit/taps", { terminal: bus7, customer: cus, tapped_at: "yesterday", client_tap_id: "x" });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatchObject({ type: "invalid_request_error", code: "parameter_invalid", param: "tapped_at" });
    expect(malformed.body.error.request_id).toBe(malformed.headers.get("request-id"));
    expect((await sk.post("/v1/transit/taps", "{not json")).status).toBe(400);
    expect((await sk.post("/v1/transit/taps", { ...body, client_tap_id: tapId(), fare: 1 })).body.error).toMatchObject({
      code: "parameter_unknown",
      param: "fare",
    });
    expect(await wallet(cus)).toBe(8000);
  });

  it("many riders tapping at once, some taps sent twice: each decided and charged exactly once", async () => {
    const riders = await Promise.all(Array.from({ length: 4 }, () => rider(9000)));
    const taps = riders.flatMap((customer, i) =>
      Array.from({ length: 6 }, (_, k) => ({
        terminal: [bus7, metro][k % 2] as string,
        customer,
        tapped_at: at(`${String(6 + 2 * k).padStart(2, "0")}:1${i}`),
        client_tap_id: tapId(),
      })),
    );
    const sent = [...taps, ...taps.slice(0, 8)]; // a terminal that retried before hearing back
    const replies = await Promise.all(sent.map((t) => http(api.url, api.merchant.secretKey).post("/v1/transit/taps", t)));
    for (const r of replies) expect(r.status).toBe(200);
    const ids = new Set(replies.map((r) => r.body.id));
    expect(ids.size).toBe(taps.length);
    replies.slice(taps.length).forEach((r, i) => {
      expect(r.body.id).toBe(replies[i]?.body.id);
    });
    const [stored] = await api.runtime.database.rows<{ charged: number; fares: number }>(
      sql`SELECT (count(*) FILTER (WHERE decision = 'accepted' AND fare > 0))::int AS charged, coalesce(sum(fare) FILTER (WHERE decision = 'accepted'), 0)::int AS fares
          FROM taps WHERE customer_id IN (SELECT json_array_elements_text(${JSON.stringify(riders)}::json))`,
    );
    expect(await chargesOf([...ids])).toBe(stored?.charged);
    let spent = 0;
    for (const cus of riders) {
      const left = await wallet(cus);
      expect(left).toBeGreaterThanOrEqual(0);
      spent += 9000 - left;
    }
    expect(spent).toBe(stored?.fares);
  });

  it("reads rider and terminal ids with quotes, commas and braces as plain text", async () => {
    const odd = await sk.post("/v1/transit/taps", {
      terminal: bus7,
      customer: 'cus_"x\\,{y}',
      tapped_at: at("08:00"),
      client_tap_id: 'id,"1"',
    });
    expect(odd.status).toBe(200);
    expect(odd.body).toMatchObject({ decision: "declined", reason: "unknown_rider", customer: 'cus_"x\\,{y}', client_tap_id: 'id,"1"' });
    const term = await sk.post("/v1/transit/taps", { terminal: 'term_"}', customer: "cus_x", tapped_at: at("08:00"), client_tap_id: "q" });
    expect(term.status).toBe(404);
  });

  it("a refused tap leaves no transaction open, and text PostgreSQL cannot store is a 400", async () => {
    const cus = await rider(10_000);
    const openTransactions = async () => {
      const [row] = await api.runtime.database.rows<{ n: number }>(
        sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
      );
      return Number(row?.n);
    };
    // Refused after the reads (the wallet was locked by then): the lock must not outlive the answer.
    const noTerminal = await sk.post("/v1/transit/taps", {
      terminal: "term_gone",
      customer: cus,
      tapped_at: at("09:00"),
      client_tap_id: tapId(),
    });
    expect(noTerminal.status).toBe(404);
    expect(await openTransactions()).toBe(0);
    const nul = await sk.post("/v1/transit/taps", { terminal: bus7, customer: cus, tapped_at: at("09:01"), client_tap_id: "a\u0000b" });
    expect(nul.status).toBe(400);
    expect(nul.body.error.type).toBe("invalid_request_error");
    expect(await openTransactions()).toBe(0);
    // A lone UTF-16 surrogate has no UTF-8 form: refused by name, alone and in a batch (its neighbour still counts).
    const lone = await sk.post("/v1/transit/taps", { terminal: bus7, customer: cus, tapped_at: at("09:02"), client_tap_id: "a\ud800" });
    expect(lone.status).toBe(400);
    expect(lone.body.error).toMatchObject({ type: "invalid_request_error", code: "parameter_invalid", param: "client_tap_id" });
    const good = tapId();
    const batch = await sk.post("/v1/transit/taps/batch", {
      taps: [
        { terminal: bus7, customer: cus, tapped_at: at("09:03"), client_tap_id: "b\udc00" },
        { terminal: bus7, customer: "c\ud800", tapped_at: at("09:04"), client_tap_id: tapId() },
        { terminal: bus7, customer: cus, tapped_at: at("09:05"), client_tap_id: good },
      ],
    });
    expect(batch.status).toBe(200);
    expect(batch.body.data.map((r: { error?: { param?: string } }) => r.error?.param)).toEqual(["client_tap_id", "customer", undefined]);
    expect(batch.body.data[2]).toMatchObject({ client_tap_id: good, decision: "accepted" });
    expect(await openTransactions()).toBe(0);
    const ok = await Promise.all(
      [bus7, bus12].map((terminal, i) =>
        sk.post("/v1/transit/taps", { terminal, customer: cus, tapped_at: at(`09:1${i}`), client_tap_id: tapId() }),
      ),
    );
    expect(ok.map((r) => r.body.decision)).toEqual(["accepted", "accepted"]);
    expect(await wallet(cus)).toBe(6000);
  });

  it("keeps a priced tap pointing at its tariff version after a new version", async () => {
    await sk.put("/v1/tariffs/line-fares", { kind: "fare", rules: { default_fare: 1000 }, effective_from: "2020-01-01T00:00:00Z" });
    const term = (await sk.post("/v1/transit/terminals", { kind: "bus_validator", route: "300", fare_tariff: "line-fares" })).body.id;
    const cus = await rider(10_000);
    const old = await sk.post("/v1/transit/taps", { terminal: term, customer: cus, tapped_at: at("08:00"), client_tap_id: tapId() });
    expect(old.body).toMatchObject({ fare: 1000, tariff: { code: "line-fares", version: 1 } });
    await sk.put("/v1/tariffs/line-fares", { kind: "fare", rules: { default_fare: 1500 }, effective_from: `${DAY}T12:00:00+06:00` });
    const later = await sk.post("/v1/transit/taps", { terminal: term, customer: cus, tapped_at: at("13:00"), client_tap_id: tapId() });
    expect(later.body).toMatchObject({ fare: 1500, tariff: { code: "line-fares", version: 2 } });
    // An offline tap from before the change is still priced by the version then in effect.
    const offline = await sk.post("/v1/transit/taps", { terminal: term, customer: cus, tapped_at: at("09:00"), client_tap_id: tapId() });
    expect(offline.body).toMatchObject({ fare: 1000, tariff: { version: 1 } });
    expect((await sk.get(`/v1/transit/taps/${old.body.id}`)).body.tariff).toEqual({ code: "line-fares", version: 1 });
    expect((await sk.get("/v1/tariffs/line-fares?version=1")).body.rules).toEqual({ default_fare: 1000 });
  });
});

describe("offline batches", () => {
  it("processes a batch in tap-time order per rider, with one result per tap in input order and per-tap errors", async () => {
    const a = await rider(10_000);
    const b = await rider(2_000);
    const taps = [
      { terminal: bus12, customer: a, tapped_at: at("07:30"), client_tap_id: tapId() }, // a transfer: after the 07:00 ride below
      { terminal: bus7, customer: a, tapped_at: at("07:00"), client_tap_id: tapId() },
      { terminal: "term_unknown", customer: a, tapped_at: at("07:10"), client_tap_id: tapId() },
      { terminal: bus7, customer: b, tapped_at: new Date(Date.now() + 86_400_000).toISOString(), client_tap_id: tapId() },
      { terminal: bus7, customer: b, tapped_at: "not a time", client_tap_id: tapId() },
      { terminal: bus7, customer: b, tapped_at: at("08:00"), client_tap_id: tapId() },
      { terminal: metro, customer: b, tapped_at: at("10:00"), client_tap_id: tapId() }, // b has nothing left
      { terminal: metro, customer: "cus_ghost", tapped_at: at("10:00"), client_tap_id: tapId() },
    ];
    const r = await sk.post("/v1/transit/taps/batch", { taps });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ object: "list", has_more: false });
    const d = r.body.data;
    expect(d).toHaveLength(taps.length);
    d.forEach((x: { client_tap_id: string }, i: number) => {
      expect(x.client_tap_id).toBe(taps[i]?.client_tap_id);
    });
    expect(d[0]).toMatchObject({ object: "tap", decision: "accepted", fare: 0, is_transfer: true, wallet_balance: 8000 });
    expect(d[1]).toMatchObject({ decision: "accepted", fare: 2000, wallet_balance: 8000 });
    expect(d[2].error).toEqual({
      type: "invalid_request_error",
      code: "resource_missing",
      message: expect.stringContaining("term_unknown"),
      param: "terminal",
    });
    expect(d[3].error).toMatchObject({ code: "tapped_at_in_future", param: "tapped_at" });
    expect(d[4].error).toMatchObject({ type: "invalid_request_error", code: "parameter_invalid", param: "tapped_at" });
    expect(d[5]).toMatchObject({ decision: "accepted", fare: 2000, wallet_balance: 0 });
    expect(d[6]).toMatchObject({ decision: "declined", reason: "insufficient_funds" });
    expect(d[7]).toMatchObject({ decision: "declined", reason: "unknown_rider" });
    expect(await wallet(a)).toBe(8000);
    expect(await wallet(b)).toBe(0);
  });

  it("counts a category's weekly cap over rides uploaded days earlier in the week, not the week before", async () => {
    // Last week's Monday in Bishkek (UTC+6), and the days around it, as local instants.
    const today = new Date(Date.now() + 6 * 3_600_000);
    const monday =
      Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) - (((today.getUTCDay() + 6) % 7) + 7) * 86_400_000;
    const day = (offset: number, hhmm: string) => `${new Date(monday + offset * 86_400_000).toISOString().slice(0, 10)}T${hhmm}:00+06:00`;
    const weekly = { default_fare: 2000, categories: { student: { caps: { weekly: 5000 } } } };
    expect((await sk.put("/v1/tariffs/weekly-fares", { kind: "fare", rules: weekly, effective_from: "2020-01-01T00:00:00Z" })).status).toBe(
      200,
    );
    const validator = (await sk.post("/v1/transit/terminals", { kind: "bus_validator", route: "W", fare_tariff: "weekly-fares" })).body.id;
    const student = await rider(20_000, "student");
    const upload = async (...when: string[]) =>
      (
        await sk.post("/v1/transit/taps/batch", {
          taps: when.map((tapped_at) => ({ terminal: validator, customer: student, tapped_at, client_tap_id: tapId() })),
        })
      ).body.data.map((t: { fare: number }) => t.fare);
    // The Sunday before belongs to the week before; Monday and Tuesday count.
    expect(await upload(day(-1, "20:00"), day(0, "08:00"), day(1, "08:00"))).toEqual([2000, 2000, 2000]);
    // Uploaded later, on their own: the cap's remaining 1000 on Thursday, nothing on Friday.
    expect(await upload(day(3, "08:00"))).toEqual([1000]);
    expect(await upload(day(4, "08:00"))).toEqual([0]);
  });

  it("prices a tap uploaded after the rider's later rides with them: a day within its cap, a journey one fare", async () => {
    const a = await rider(20_000);
    const online = async (terminal: string, hhmm: string) =>
      (await sk.post("/v1/transit/taps", { terminal, customer: a, tapped_at: at(hhmm), client_tap_id: tapId() })).body;
    // Four rides reach the daily cap (8,000); the fifth is free.
    for (const hhmm of ["11:00", "12:30", "14:00", "15:30"]) expect((await online(bus7, hhmm)).fare).toBe(2000);
    expect((await online(bus7, "17:00")).fare).toBe(0);
    // A morning ride a terminal kept offline, uploaded now, and a late online tap: the cap has nothing left.
    const batch = await sk.post("/v1/transit/taps/batch", {
      taps: [{ terminal: bus7, customer: a, tapped_at: at("06:00"), client_tap_id: tapId() }],
    });
    expect(batch.body.data[0]).toMatchObject({ decision: "accepted", fare: 0 });
    expect(batch.body.data[0].breakdown.at(-1)).toMatchObject({ type: "cap" });
    expect((await online(bus7, "06:30")).fare).toBe(0);
    expect(await wallet(a)).toBe(20_000 - 8000);

    // The next day: a ride on route 12 at 09:30, then the 09:00 ride on route 7 that led to it, uploaded late.
    const b = await rider(10_000);
    const next = (hhmm: string) => `${new Date(Date.parse(at(hhmm)) + 86_400_000).toISOString()}`;
    const first = await sk.post("/v1/transit/taps", { terminal: bus12, customer: b, tapped_at: next("09:30"), client_tap_id: tapId() });
    expect(first.body.fare).toBe(2000);
    const late = await sk.post("/v1/transit/taps/batch", {
      taps: [{ terminal: bus7, customer: b, tapped_at: next("09:00"), client_tap_id: tapId() }],
    });
    expect(late.body.data[0]).toMatchObject({ decision: "accepted", fare: 0, is_transfer: true });
    expect(await wallet(b)).toBe(8000);
  });

  it("re-uploading the same batch charges nothing twice and returns the stored results", async () => {
    const riders = [await rider(10_000), await rider(10_000)];
    const taps = riders.flatMap((customer, i) => [
      { terminal: bus7, customer, tapped_at: at(`0${6 + i}:00`), client_tap_id: tapId() },
      { terminal: bus7, customer, tapped_at: at(`0${6 + i}:30`), client_tap_id: tapId() },
    ]);
    const first = await sk.post("/v1/transit/taps/batch", { taps });
    const before = await available();
    const second = await sk.post("/v1/transit/taps/batch", { taps });
    expect(second.status).toBe(200);
    expect(second.body.data.map((t: { id: string }) => t.id)).toEqual(first.body.data.map((t: { id: string }) => t.id));
    expect(second.body.data.every((t: { replayed: boolean }) => t.replayed)).toBe(true);
    expect(second.body.data.map((t: { wallet_balance: number }) => t.wallet_balance)).toEqual(
      first.body.data.map((t: { wallet_balance: number }) => t.wallet_balance),
    );
    expect(await available()).toBe(before);
    for (const cus of riders) expect(await wallet(cus)).toBe(6000);
    expect(await chargesOf(first.body.data.map((t: { id: string }) => t.id))).toBe(4);
  });

  it("the same id twice in one batch: a replay of the first, or an error when the content differs", async () => {
    const cus = await rider(10_000);
    const tap = { terminal: bus7, customer: cus, tapped_at: at("12:00"), client_tap_id: tapId() };
    const r = await sk.post("/v1/transit/taps/batch", { taps: [tap, tap, { ...tap, tapped_at: at("12:01") }] });
    expect(r.body.data[0]).toMatchObject({ decision: "accepted", replayed: false });
    expect(r.body.data[1]).toMatchObject({ id: r.body.data[0].id, replayed: true });
    expect(r.body.data[2].error).toMatchObject({ code: "tap_id_reused", param: "client_tap_id" });
    expect(await wallet(cus)).toBe(8000);
  });

  it("overlapping batches uploaded concurrently from two connections charge each tap exactly once", async () => {
    const riders = await Promise.all(Array.from({ length: 6 }, () => rider(50_000)));
    const taps = riders.flatMap((customer, i) =>
      Array.from({ length: 10 }, (_, k) => ({
        terminal: [bus7, bus12, metro][k % 3] as string,
        customer,
        tapped_at: at(`${String(6 + k).padStart(2, "0")}:${String(i * 5).padStart(2, "0")}`),
        client_tap_id: tapId(),
      })),
    );
    // Two halves that overlap in the middle third, sent at once over two connections, twice.
    const a = taps.slice(0, 40);
    const b = taps.slice(20);
    const c1 = http(api.url, api.merchant.secretKey);
    const c2 = http(api.url, api.merchant.secretKey);
    const before = await available();
    const replies = await Promise.all([
      c1.post("/v1/transit/taps/batch", { taps: a }),
      c2.post("/v1/transit/taps/batch", { taps: b }),
      c2.post("/v1/transit/taps/batch", { taps: a }),
      c1.post("/v1/transit/taps/batch", { taps: b }),
    ]);
    for (const r of replies) expect(r.status).toBe(200);
    const ids = new Set(replies.flatMap((r) => r.body.data.map((t: { id: string }) => t.id)));
    expect(ids.size).toBe(taps.length); // every tap has one id, whichever upload recorded it
    const [stored] = await api.runtime.database.rows<{ n: number; charged: number; fares: number }>(
      sql`SELECT count(*)::int AS n, (count(*) FILTER (WHERE fare > 0))::int AS charged, sum(fare)::int AS fares
          FROM taps WHERE decision = 'accepted' AND customer_id IN (SELECT json_array_elements_text(${JSON.stringify(riders)}::json))`,
    );
    expect(stored?.n).toBe(taps.length);
    expect(await chargesOf([...ids])).toBe(stored?.charged);
    const twice = await api.runtime.database.rows(
      sql`SELECT source_id FROM ledger_transactions WHERE source_id LIKE 'tap_%' GROUP BY source_id HAVING count(*) > 1`,
    );
    expect(twice).toEqual([]);
    let spent = 0;
    for (const cus of riders) spent += 50_000 - (await wallet(cus));
    expect(spent).toBe(stored?.fares);
    expect(await available()).toBe(before + spent);
    expect((await admin.get("/v1/admin/ledger/verify")).body.balanced).toBe(true);
  });

  it("refuses a malformed batch as a whole with the error envelope", async () => {
    expect((await sk.post("/v1/transit/taps/batch", { taps: [] })).body.error).toMatchObject({ code: "parameter_invalid", param: "taps" });
    const big = Array.from({ length: 1001 }, () => ({ terminal: bus7, customer: "c", tapped_at: at("08:00"), client_tap_id: "x" }));
    expect((await sk.post("/v1/transit/taps/batch", { taps: big })).status).toBe(400);
    expect((await sk.post("/v1/transit/taps/batch", { taps: ["x"] })).body.error.param).toBe("taps[0]");
    expect((await http(api.url, api.merchant.publishableKey).post("/v1/transit/taps/batch", { taps: [{}] })).status).toBe(403);
  });
});

describe("daily report", () => {
  it("sums rides, revenue and declines per route and per terminal, as JSON and as CSV", async () => {
    const r = await sk.get(`/v1/transit/reports/daily?date=${DAY}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      object: "transit_daily_report",
      date: DAY,
      timezone: "Asia/Bishkek",
      period: { start: `${new Date(`${DAY}T00:00:00+06:00`).toISOString()}` },
    });
    const [counts] = await api.runtime.database.rows<{ rides: number; revenue: number; declines: number }>(
      sql`SELECT count(*) FILTER (WHERE decision = 'accepted')::int AS rides, coalesce(sum(fare) FILTER (WHERE decision = 'accepted'), 0)::int AS revenue,
                 count(*) FILTER (WHERE decision = 'declined')::int AS declines
          FROM taps WHERE merchant_id = ${api.merchant.id} AND tapped_at >= ${`${DAY}T00:00:00+06:00`}::timestamptz AND tapped_at < ${`${DAY}T00:00:00+06:00`}::timestamptz + interval '1 day'`,
    );
    expect(counts?.rides).toBeGreaterThan(10);
    expect(r.body.totals).toEqual([{ currency: "KGS", ...counts }]);
    const sum = (rows: { rides: number; revenue: number; declines: number }[]) =>
      rows.reduce((s, x) => ({ rides: s.rides + x.rides, revenue: s.revenue + x.revenue, declines: s.declines + x.declines }), {
        rides: 0,
        revenue: 0,
        declines: 0,
      });
    expect(sum(r.body.routes)).toEqual(counts);
    expect(sum(r.body.terminals)).toEqual(counts);
    expect(r.body.declines_by_reason.insufficient_funds).toBeGreaterThan(0);
    const route7 = r.body.routes.find((x: { route: string }) => x.route === "7");
    const term7 = r.body.terminals.find((x: { terminal: string }) => x.terminal === bus7);
    expect(term7).toMatchObject({ route: "7", currency: "KGS" });
    expect(term7.revenue).toBe(route7.revenue); // route 7 has one terminal

    const csv = await fetch(`${api.url}/v1/transit/reports/daily?date=${DAY}`, {
      headers: { Authorization: `Bearer ${api.merchant.secretKey}`, Accept: "text/csv" },
    });
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trim().split("\r\n");
    expect(lines[0]).toBe("date,level,route,terminal,currency,rides,revenue,declines");
    expect(lines[1]).toBe(`${DAY},total,,,KGS,${counts?.rides},${counts?.revenue},${counts?.declines}`);
    expect(lines).toContain(`${DAY},terminal,7,${bus7},KGS,${term7.rides},${term7.revenue},${term7.declines}`);
    expect(lines).toHaveLength(1 + 1 + r.body.routes.length + r.body.terminals.length);

    const empty = await sk.get("/v1/transit/reports/daily?date=2021-01-01");
    expect(empty.body).toMatchObject({ totals: [], routes: [], terminals: [] });
    expect((await sk.get("/v1/transit/reports/daily?date=yesterday")).body.error.param).toBe("date");
    expect((await sk.get(`/v1/transit/reports/daily?date=${DAY}&timezone=Mars/Olympus`)).body.error.param).toBe("timezone");
  });
});
