import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApi } from "../src/testing.js";
import { fundedCustomer, type Http, http, startTestApi, TEST_CARD } from "./support.js";

/**
 * Reconciliation (issue 20, item 5; contract v1.1 "Reconciliation"): the simulated card
 * acquirer's settlement file against the ledger, over real HTTP on a real database. Each
 * scenario runs on an API of its own, so one day's movements are claimed by nothing else.
 */

/** The simulated acquirer's fee (connectors/card.ts): 1.5% of a capture, rounded half up; none on a refund. */
const acquirerFee = (amount: number) => Math.floor((amount * 150 + 5_000) / 10_000);

interface Day {
  api: TestApi;
  sk: Http;
  admin: Http;
  /** The UTC day of the movements. */
  date: string;
  captures: { id: string; amount: number }[];
  refund: { id: string; amount: number };
}

/** An API with a day of card movements: captures, a refund, and wallet payments the acquirer never sees. */
async function dayOfMovements(): Promise<Day> {
  const api = await startTestApi({ env: { WORKERS: "off" } });
  const sk = http(api.url, api.merchant.secretKey);
  const admin = http(api.url, api.adminKey);
  const captures: { id: string; amount: number }[] = [];
  // A wallet top-up is paid by card: the acquirer settles it too.
  const customer = await fundedCustomer(sk, 50_000);
  const topups = (await sk.get(`/v1/payments?limit=10`)).body.data.filter((p: { method: string }) => p.method === "card");
  for (const p of topups) captures.push({ id: p.id, amount: p.amount_captured });
  for (const amount of [10_000, 12_345, 99_999]) {
    const r = await sk.post("/v1/payments", {
      amount,
      currency: "KGS",
      confirm: true,
      payment_method_data: { type: "card", card: TEST_CARD },
    });
    expect(r.status).toBe(200);
    captures.push({ id: r.body.id, amount });
  }
  const refunded = captures[1] as { id: string };
  const re = await sk.post("/v1/refunds", { payment: refunded.id, amount: 2_000 });
  expect(re.status).toBe(200);
  // Wallet money never passes the acquirer: not in its file.
  const wallet = await sk.post("/v1/payments", {
    amount: 3_000,
    currency: "KGS",
    confirm: true,
    payment_method_data: { type: "wallet", customer },
  });
  expect(wallet.status).toBe(200);
  // The day the ledger wrote them on (payments and their capture share the transaction's clock).
  const date = String(re.body.created).slice(0, 10);
  return { api, sk, admin, date, captures, refund: { id: re.body.id, amount: 2_000 } };
}

const fileOf = async (d: Day, date = d.date) => {
  const r = await d.admin.get(`/v1/test_helpers/settlement_files?provider=card&date=${date}`);
  expect(r.status).toBe(200);
  return r;
};
const reconcile = (d: Day, content: string, date = d.date) => d.admin.post("/v1/reconciliations", { provider: "card", date, content });
const stored = async (d: Day) => {
  const [row] = await d.api.runtime.database.rows<{ recs: number; claims: number }>(
    sql`SELECT (SELECT count(*) FROM reconciliations)::int AS recs, (SELECT count(*) FROM reconciled_movements)::int AS claims`,
  );
  return row;
};

describe("a clean day, uploaded again", () => {
  let d: Day;
  beforeAll(async () => {
    d = await dayOfMovements();
  });
  afterAll(() => d.api.close());

  it("the simulated acquirer's file has one line per card capture and refund of the day, with its fee", async () => {
    const r = await fileOf(d);
    expect(r.headers.get("content-type")).toMatch(/^text\/csv/);
    const lines = (r.body as string).trim().split("\r\n");
    expect(lines[0]).toBe("reference,type,amount,currency,fee,date");
    const expected = [
      ...d.captures.map((c) => `${c.id},capture,${c.amount},KGS,${acquirerFee(c.amount)},${d.date}`),
      `${d.refund.id},refund,${d.refund.amount},KGS,0,${d.date}`,
    ];
    expect(lines.slice(1).sort()).toEqual(expected.sort());
    // Another day has nothing of this one.
    const other = await fileOf(d, "2020-01-01");
    expect(other.body).toBe("reference,type,amount,currency,fee,date\r\n");
  });

  it("matches fully, and the same file again is the same reconciliation, counted once", async () => {
    const content = (await fileOf(d)).body as string;
    const r = await reconcile(d, content);
    expect(r.status).toBe(200);
    const total = d.captures.length + 1;
    expect(r.body).toMatchObject({
      object: "reconciliation",
      id: expect.stringMatching(/^rec_/),
      livemode: false,
      provider: "card",
      date: d.date,
      line_count: total,
      matched: total,
      missing_in_ledger: 0,
      missing_in_file: 0,
      amount_mismatch: 0,
      fee_mismatch: 0,
      already_reconciled: 0,
    });
    // Matched lines are counted; only findings are listed.
    expect(r.body.lines).toEqual([]);

    const again = await reconcile(d, content);
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(r.body);
    expect(await stored(d)).toEqual({ recs: 1, claims: total });

    const read = await d.admin.get(`/v1/reconciliations/${r.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(r.body);
    const list = await d.admin.get("/v1/reconciliations");
    expect(list.body).toMatchObject({ object: "list", has_more: false });
    expect(list.body.data.map((x: { id: string }) => x.id)).toEqual([r.body.id]);
    expect(list.body.data[0].lines).toBeUndefined();
    // A cursor pages from a reconciliation; an id of none is a 404 naming the cursor.
    expect((await d.admin.get(`/v1/reconciliations?starting_after=${r.body.id}`)).body.data).toEqual([]);
    const unknown = await d.admin.get("/v1/reconciliations?ending_before=rec_nope");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: "resource_missing", param: "ending_before" });
  });

  it("another file listing the same movements matches none of them twice", async () => {
    const content = (await fileOf(d)).body as string;
    const [header, ...rows] = content.trim().split("\r\n");
    // The same movements, in another order and with LF endings: another file's content.
    const reordered = `${[header, ...rows.reverse()].join("\n")}\n`;
    const first = (await d.admin.get("/v1/reconciliations")).body.data[0].id;
    const r = await reconcile(d, reordered);
    expect(r.status).toBe(200);
    expect(r.headers.get("idempotent-replayed")).toBeNull();
    expect(r.body).toMatchObject({ matched: 0, missing_in_file: 0, missing_in_ledger: 0, already_reconciled: rows.length });
    expect(r.body.lines).toHaveLength(rows.length);
    expect(
      r.body.lines.every(
        (l: { status: string; reconciliation: string }) => l.status === "already_reconciled" && l.reconciliation === first,
      ),
    ).toBe(true);
    expect(await stored(d)).toEqual({ recs: 2, claims: rows.length });
  });
});

describe("a doctored file", () => {
  let d: Day;
  beforeAll(async () => {
    d = await dayOfMovements();
  });
  afterAll(() => d.api.close());

  it("a line removed, a line added, an amount changed and a fee changed give exactly those findings", async () => {
    const content = (await fileOf(d)).body as string;
    const [header, ...rows] = content.trim().split("\r\n") as [string, ...string[]];
    const cols = (row: string) => row.split(",");
    const removed = cols(rows[0] as string);
    const amountChanged = cols(rows[1] as string);
    const feeChanged = cols(rows[2] as string);
    const untouched = rows.slice(3);
    const doctored = [
      header,
      [amountChanged[0], amountChanged[1], Number(amountChanged[2]) + 100, ...amountChanged.slice(3)].join(","),
      untouched[0],
      [...feeChanged.slice(0, 4), Number(feeChanged[4]) + 1, feeChanged[5]].join(","),
      `pay_01NOTINTHELEDGER000000000,capture,5000,KGS,75,${d.date}`,
      ...untouched.slice(1),
    ].join("\r\n");
    const r = await reconcile(d, doctored);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      line_count: rows.length - 1 + 1,
      matched: untouched.length,
      missing_in_ledger: 1,
      missing_in_file: 1,
      amount_mismatch: 1,
      fee_mismatch: 1,
      already_reconciled: 0,
    });
    expect(r.body.lines).toHaveLength(4);
    const by = (status: string) => r.body.lines.filter((l: { status: string }) => l.status === status);
    expect(by("amount_mismatch")).toEqual([
      expect.objectContaining({
        line: 2,
        reference: amountChanged[0],
        amount: Number(amountChanged[2]) + 100,
        ledger_amount: Number(amountChanged[2]),
      }),
    ]);
    expect(by("fee_mismatch")).toEqual([
      expect.objectContaining({ line: 4, reference: feeChanged[0], fee: Number(feeChanged[4]) + 1, expected_fee: Number(feeChanged[4]) }),
    ]);
    expect(by("missing_in_ledger")).toEqual([
      expect.objectContaining({ line: 5, reference: "pay_01NOTINTHELEDGER000000000", ledger_amount: null }),
    ]);
    expect(by("missing_in_file")).toEqual([
      expect.objectContaining({ line: null, reference: removed[0], type: removed[1], ledger_amount: Number(removed[2]), amount: null }),
    ]);
  });
});

describe("refusals", () => {
  let d: Day;
  beforeAll(async () => {
    d = await dayOfMovements();
  });
  afterAll(() => d.api.close());

  const bad: [string, (header: string, row: string) => string, number, string][] = [
    ["an unclosed quote", (h, row) => `${h}\n${row}\n"${row}\n`, 3, "invalid_settlement_file"],
    ["a short line", (h, row) => `${h}\n${row}\n\n${row.split(",").slice(0, 4).join(",")}\n`, 4, "invalid_settlement_file"],
    [
      "an amount with decimals",
      (h, row) => `${h}\n${row}\n${row.replace(/,capture,(\d+),/, ",capture,$1.50,")}\n`,
      3,
      "invalid_settlement_file",
    ],
    ["an unknown type", (h, row) => `${h}\r\n${row}\r\n${row}\r\n`.replace(/,capture,/g, ",chargeback,"), 2, "invalid_settlement_file"],
    ["the same movement twice", (h, row) => `${h}\n${row}\n${row}\n`, 3, "duplicate_settlement_line"],
    ["no reference column", (_h, row) => `ref,type,amount,currency,fee,date\n${row}\n`, 1, "invalid_settlement_file"],
  ];
  for (const [what, make, line, code] of bad)
    it(`bad CSV (${what}) is a 400 naming line ${line}, and stores nothing`, async () => {
      const content = (await fileOf(d)).body as string;
      const [header, row] = content.split("\r\n") as [string, string];
      const before = await stored(d);
      const r = await reconcile(d, make(header, row));
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ type: "invalid_request_error", code, param: "content", line });
      expect(r.body.error.message).toContain(`Line ${line} `);
      // The answer says where, never what the line holds.
      expect(r.body.error.message).not.toContain(row.split(",")[0]);
      expect(await stored(d)).toEqual(before);
    });

  it("bad parameters are 400s with their param", async () => {
    expect((await d.admin.post("/v1/reconciliations", { provider: "sms", date: d.date, content: "x" })).body.error).toMatchObject({
      param: "provider",
    });
    expect((await reconcile(d, "reference,type,amount,currency,fee,date\n", "2026-02-30")).body.error).toMatchObject({ param: "date" });
    expect((await d.admin.get("/v1/test_helpers/settlement_files?provider=card&date=20261202")).body.error).toMatchObject({
      param: "date",
    });
    expect((await d.admin.get("/v1/reconciliations/rec_nope")).status).toBe(404);
    const live = await d.admin.post("/v1/reconciliations", { provider: "card", date: d.date, content: "x", livemode: true });
    expect(live.status).toBe(400);
    expect(live.body.error).toMatchObject({ code: "method_unavailable", param: "provider" });
  });

  it("a merchant's secret key is refused: reconciliation is the platform admin's", async () => {
    const content = (await fileOf(d)).body as string;
    const before = await stored(d);
    for (const r of [
      await d.sk.post("/v1/reconciliations", { provider: "card", date: d.date, content }),
      await d.sk.get(`/v1/test_helpers/settlement_files?provider=card&date=${d.date}`),
      await d.sk.get("/v1/reconciliations"),
    ]) {
      expect(r.status).toBe(403);
      expect(r.body.error).toMatchObject({ type: "permission_error" });
    }
    const rec = await reconcile(d, content);
    expect((await d.sk.get(`/v1/reconciliations/${rec.body.id}`)).status).toBe(403);
    expect(before).toEqual({ recs: 0, claims: 0 });
  });
});

describe("live mode", () => {
  let api: TestApi;
  beforeAll(async () => {
    // The operator's acquirer (a fixture) publishes no fee schedule: its fees are taken as they come.
    const acquirer = fileURLToPath(new URL("./fixtures/live-card-connector.ts", import.meta.url));
    api = await startTestApi({ env: { WORKERS: "off", LIVE_CONNECTORS: `card=${acquirer}` } });
  });
  afterAll(() => api.close());

  it("a live file is matched against live movements only, and the test acquirer's file never shows one", async () => {
    const admin = http(api.url, api.adminKey);
    const live = http(api.url, (await admin.post(`/v1/merchants/${api.merchant.id}/activate`)).body.keys.secret_key);
    const paid = await live.post("/v1/payments", {
      amount: 40_000,
      currency: "KGS",
      confirm: true,
      payment_method_data: { type: "card", card: TEST_CARD },
    });
    expect(paid.status).toBe(200);
    expect(paid.body.livemode).toBe(true);
    const date = String(paid.body.created).slice(0, 10);
    const simulated = await admin.get(`/v1/test_helpers/settlement_files?provider=card&date=${date}`);
    expect(simulated.body).not.toContain(paid.body.id);

    const content = `reference,type,amount,currency,fee,date\n${paid.body.id},capture,40000,KGS,777,${date}\n`;
    const r = await admin.post("/v1/reconciliations", { provider: "card", date, content, livemode: true });
    expect(r.status).toBe(200);
    // A fee no schedule would give, matched: without the provider's schedule, fees are not compared.
    expect(r.body).toMatchObject({ livemode: true, matched: 1, fee_mismatch: 0, missing_in_file: 0 });
    expect(r.body.lines).toEqual([]);
    // The same file in test mode: no such test-mode movement.
    const t = await admin.post("/v1/reconciliations", { provider: "card", date, content });
    expect(t.body).toMatchObject({ livemode: false, matched: 0, missing_in_ledger: 1 });
  });
});
