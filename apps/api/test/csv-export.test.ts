import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApi } from "../src/testing.js";
import { fundedCustomer, type Http, http, startTestApi, TEST_CARD } from "./support.js";

/**
 * `?format=csv` on the lists (issue 22): the file's rows are the JSON list's objects for the same
 * filters, every page of them, in the same order.
 */
let api: TestApi;
let sk: Http;

/** RFC 4180, as lib/csv.ts writes it: quoted cells may hold commas, quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += ch;
  }
  return rows;
}

async function csv(path: string) {
  const res = await fetch(`${api.url}${path}`, { headers: { Authorization: `Bearer ${api.merchant.secretKey}` } });
  expect(res.status, path).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
  expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="[a-z]+\.csv"$/);
  // Read with the byte order mark kept (res.text() drops it): spreadsheets need it for Cyrillic.
  const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(await res.arrayBuffer());
  expect(text.startsWith("\uFEFF")).toBe(true);
  const [header, ...rows] = parseCsv(text.slice(1));
  return { header: header as string[], rows };
}

async function allJson(path: string) {
  const out: Record<string, unknown>[] = [];
  const sep = path.includes("?") ? "&" : "?";
  let after = "";
  for (;;) {
    const page = (await sk.get(`${path}${sep}limit=100${after ? `&starting_after=${after}` : ""}`)).body;
    out.push(...page.data);
    if (!page.has_more) return out;
    after = page.data[page.data.length - 1].id;
  }
}

/** A JSON value as its CSV cell would show it: null as empty, and text a spreadsheet would run as a formula behind a quote mark. */
const cellOf = (v: unknown) => (v === null || v === undefined ? "" : typeof v === "string" && /^[=+\-@\t\r]/.test(v) ? `'${v}` : String(v));

async function expectSameRows(list: string, filters: string) {
  const file = await csv(`${list}?format=csv${filters ? `&${filters}` : ""}`);
  const json = await allJson(`${list}${filters ? `?${filters}` : ""}`);
  expect(json.length, `${list}?${filters}`).toBeGreaterThan(0);
  expect(file.rows).toEqual(json.map((o) => file.header.map((h) => cellOf(o[h]))));
  return file;
}

beforeAll(async () => {
  api = await startTestApi({ env: { WORKERS: "off" } });
  sk = http(api.url, api.merchant.secretKey);
  for (const [amount, description] of [
    [1_000, "plain"],
    [2_000, 'a "quoted", comma'],
    [3_000, "=HYPERLINK(1)"],
  ] as const)
    await sk.post("/v1/payments", {
      amount,
      currency: "KGS",
      description,
      confirm: true,
      payment_method_data: { type: "card", card: TEST_CARD },
    });
  await sk.post("/v1/payments", { amount: 4_000, currency: "KGS" });
  const point = (await sk.post("/v1/pickup_points", { name: "PVZ", address: "Bishkek" })).body;
  for (let i = 0; i < 2; i++)
    await sk.post("/v1/orders", {
      currency: "KGS",
      items: [{ sku: "dress", name: "Dress", amount: 5_000, quantity: 1 }],
      delivery: { type: "pickup_point", point: point.id, collect_by: new Date(Date.now() + 3 * 86_400_000).toISOString() },
    });
  // Payouts need available money (a wallet payment's share is available at once) and a bank account.
  const payer = await fundedCustomer(sk, 20_000);
  await sk.post("/v1/payments", {
    amount: 10_000,
    currency: "KGS",
    customer: payer,
    confirm: true,
    payment_method_data: { type: "wallet", customer: payer },
  });
  await sk.post("/v1/bank_accounts", {
    country: "KG",
    holder_name: "Asel",
    account_number: "1240020000123456",
    bank_code: "124002",
    currency: "KGS",
  });
  for (const amount of [100, 200]) {
    const payout = await sk.post("/v1/payouts", { amount, currency: "KGS" });
    expect(payout.status, JSON.stringify(payout.body)).toBe(200);
  }
  await sk.put("/v1/tariffs/city", { kind: "fare", effective_from: "2020-01-01T00:00:00Z", rules: { default_fare: 10 } });
  const bus = (await sk.post("/v1/transit/terminals", { kind: "bus_validator", route: "7", fare_tariff: "city" })).body.id;
  const metro = (await sk.post("/v1/transit/terminals", { kind: "turnstile", route: "M1", fare_tariff: "city" })).body.id;
  const rider = await fundedCustomer(sk, 100_000);
  // 130 taps on route 7 (two pages of 100) and 5 on M1, uploaded as one offline batch.
  const base = Date.now() - 86_400_000;
  const taps = Array.from({ length: 135 }, (_, i) => ({
    terminal: i < 130 ? bus : metro,
    customer: rider,
    tapped_at: new Date(base + i * 60_000).toISOString(),
    client_tap_id: `csv-${i}`,
  }));
  expect((await sk.post("/v1/transit/taps/batch", { taps })).status).toBe(200);
  tapTimes = taps.map((t) => t.tapped_at);
});
afterAll(() => api.close());

/** When the 135 taps were made (a day ago, one a minute: they may straddle a local midnight). */
let tapTimes: string[] = [];
const localDate = (iso: string, tz: string) => new Intl.DateTimeFormat("en-CA", { timeZone: tz }).format(new Date(iso));

describe("format=csv on the lists", () => {
  it("payments: the rows equal the JSON list's, unfiltered and by status; text cells are quoted and defused", async () => {
    const all = await expectSameRows("/v1/payments", "");
    expect(all.header).toEqual([
      "id",
      "created",
      "status",
      "amount",
      "currency",
      "amount_captured",
      "amount_refunded",
      "fee",
      "method",
      "customer",
      "description",
    ]);
    const succeeded = await expectSameRows("/v1/payments", "status=succeeded");
    expect(succeeded.rows.length).toBeLessThan(all.rows.length);
    expect(new Set(succeeded.rows.map((r) => r[2]))).toEqual(new Set(["succeeded"]));
    const descriptions = all.rows.map((r) => r[10]);
    expect(descriptions).toContain('a "quoted", comma');
    // A formula would run in a spreadsheet: it is written as text. (The JSON keeps it as sent.)
    const file = await csv("/v1/payments?format=csv");
    expect(file.rows.map((r) => r[10])).toContain("'=HYPERLINK(1)");
  });

  it("orders, payouts and taps: the rows equal the JSON list's for the same filters, across pages", async () => {
    await expectSameRows("/v1/orders", "");
    await expectSameRows("/v1/orders", "status=requires_payment");
    await expectSameRows("/v1/payouts", "");
    const route7 = await expectSameRows("/v1/transit/taps", "route=7");
    expect(route7.rows).toHaveLength(130);
    expect((await expectSameRows("/v1/transit/taps", "")).rows).toHaveLength(135);
    const file = await csv("/v1/orders?format=csv");
    expect(file.header).not.toContain("handover_code");
  });

  it("taps of one local day (the daily report's export): the taps made that day in the zone, and only those", async () => {
    for (const tz of ["Asia/Bishkek", "America/New_York"]) {
      const day = localDate(tapTimes[0] as string, tz);
      const expected = tapTimes.filter((t) => localDate(t, tz) === day).length;
      const that = await expectSameRows("/v1/transit/taps", `date=${day}&timezone=${encodeURIComponent(tz)}`);
      expect(that.rows).toHaveLength(expected);
      expect(expected).toBeGreaterThan(0);
    }
    const before = await sk.get("/v1/transit/taps?date=2020-01-01");
    expect(before.body.data).toEqual([]);
    const bad = await sk.get("/v1/transit/taps?date=2026-13-01");
    expect(bad.status).toBe(400);
    expect(bad.body.error.param).toBe("date");
  });

  it("starts after the cursor as the JSON list does, and refuses a bad format", async () => {
    const json = await allJson("/v1/transit/taps");
    const cursor = json[9]?.id as string;
    const after = await csv(`/v1/transit/taps?format=csv&starting_after=${cursor}`);
    expect(after.rows.map((r) => r[0])).toEqual(json.slice(10).map((t) => t.id));
    const bad = await sk.get("/v1/payments?format=xml");
    expect(bad.status).toBe(400);
    expect(bad.body.error.param).toBe("format");
  });
});
