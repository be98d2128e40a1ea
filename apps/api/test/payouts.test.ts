import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { idFloor, idTime } from "../src/lib/ids.js";
import type { TestApi } from "../src/testing.js";
import { fundedCustomer, type Http, http, startTestApi, TEST_CARD } from "./support.js";

const MAX = 999_999_999_999;

/**
 * Payouts, bank accounts and settlement reports (contract v1.1 "Payouts"; issue 20), on a real
 * API over HTTP, on the embedded database and (TEST_DATABASE_URL) on PostgreSQL. Workers are
 * off: the jobs run only when run_jobs says so.
 */
let api: TestApi;
let sk: Http;
let admin: Http;
let customer: string;

const KZ_IBAN = "KZ86125KZT5004100100";
const KG_OK = { country: "KG", holder_name: "Asel Myrzakmatova", account_number: "1240020000123456", bank_code: "124002", currency: "KGS" };
const KG_CLOSED = { ...KG_OK, account_number: "1240020000120000" };

async function available(k: Http = sk, currency = "KGS"): Promise<number> {
  const r = await k.get("/v1/balance");
  return (r.body.available as { amount: number; currency: string }[]).find((b) => b.currency === currency)?.amount ?? 0;
}

/** The merchant earns: a wallet payment captured at once, its share (net of fee) available. */
async function earn(amount: number) {
  const p = await sk.post("/v1/payments", { amount, currency: "KGS", customer });
  const c = await sk.post(`/v1/payments/${p.body.id}/confirm`, { payment_method_data: { type: "wallet", customer } });
  expect(c.body.status).toBe("succeeded");
}

async function verified() {
  const v = await admin.get("/v1/admin/ledger/verify");
  expect(v.body.mismatches).toEqual([]);
  expect(v.body.balanced).toBe(true);
}

async function runJobs(now: Date | number) {
  const r = await sk.post("/v1/test_helpers/run_jobs", { now: new Date(now).toISOString() });
  expect(r.status).toBe(200);
  return r.body;
}

/** Every page of a payout's report. */
async function report(id: string) {
  const out: { id: string; amount: number; type: string }[] = [];
  let after: string | undefined;
  for (;;) {
    const r = await sk.get(`/v1/payouts/${id}/transactions?limit=3${after ? `&starting_after=${after}` : ""}`);
    expect(r.status).toBe(200);
    out.push(...r.body.data);
    if (!r.body.has_more) return out;
    after = r.body.data.at(-1).id;
  }
}

const sum = (xs: { amount: number }[]) => xs.reduce((t, x) => t + x.amount, 0);

let kgAccount: string;
let closedAccount: string;

beforeAll(async () => {
  api = await startTestApi({ env: { WORKERS: "off" } });
  sk = http(api.url, api.merchant.secretKey);
  admin = http(api.url, api.adminKey);
  customer = await fundedCustomer(sk, 50_000_000);
}, 60_000);
afterAll(() => api.close());

describe("bank accounts", () => {
  it("refuses a bad account with 400 naming the field, and stores nothing", async () => {
    const bad = [
      [{ ...KG_OK, country: "KZ", account_number: "KZ87125KZT5004100100", bank_code: "HSBKKZKX" }, "account_number"],
      [{ ...KG_OK, country: "KZ", account_number: KZ_IBAN, bank_code: "HSBK" }, "bank_code"],
      [{ ...KG_OK, account_number: "12345" }, "account_number"],
      [{ ...KG_OK, bank_code: "1240021" }, "bank_code"],
      [{ ...KG_OK, country: "UZ", account_number: "2020800090012345600" }, "account_number"],
      [{ ...KG_OK, country: "US" }, "country"],
    ] as const;
    for (const [body, param] of bad) {
      const r = await sk.post("/v1/bank_accounts", body);
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body.error).toMatchObject({ type: "invalid_request_error", param });
    }
    expect((await sk.get("/v1/bank_accounts")).body.data).toEqual([]);
  });

  it("shows only the last 4 digits, and keeps the number encrypted", async () => {
    const r = await sk.post("/v1/bank_accounts", KG_OK);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ object: "bank_account", country: "KG", last4: "3456", default_for_currency: true });
    expect(JSON.stringify(r.body)).not.toContain(KG_OK.account_number);
    kgAccount = r.body.id;
    const kz = await sk.post("/v1/bank_accounts", {
      country: "KZ",
      holder_name: "ТОО Ромашка",
      account_number: "kz86 125k zt50 0410 0100",
      bank_code: "HSBKKZKX",
      currency: "KZT",
    });
    expect(kz.body).toMatchObject({ last4: "0100", bank_code: "HSBKKZKX" });
    closedAccount = (await sk.post("/v1/bank_accounts", KG_CLOSED)).body.id;
    const rows = await api.runtime.database.rows<Record<string, unknown>>(sql`SELECT * FROM bank_accounts`);
    const text = JSON.stringify(rows);
    expect(text).not.toContain(KG_OK.account_number);
    expect(text).not.toContain(KZ_IBAN);
    expect((await sk.get(`/v1/bank_accounts/${kgAccount}`)).body.last4).toBe("3456");
    const list = await sk.get("/v1/bank_accounts");
    expect(list.body.data.map((a: { id: string }) => a.id)).toEqual([closedAccount, kz.body.id, kgAccount]);
    // Removing one: gone from the list, a 404 by id.
    const gone = await sk.call("DELETE", `/v1/bank_accounts/${kz.body.id}`);
    expect(gone.body).toEqual({ id: kz.body.id, object: "bank_account", deleted: true });
    expect((await sk.get(`/v1/bank_accounts/${kz.body.id}`)).status).toBe(404);
  });
});

describe("payouts", () => {
  it("refuses more than available (400 balance_insufficient) and changes nothing", async () => {
    await earn(100_000);
    const before = { balance: await available(), ledger: (await sk.get("/v1/ledger/transactions?limit=100")).body.data.length };
    const r = await sk.post("/v1/payouts", { amount: before.balance + 1, currency: "KGS" });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ type: "invalid_request_error", code: "balance_insufficient", param: "amount" });
    expect(await available()).toBe(before.balance);
    expect((await sk.get("/v1/ledger/transactions?limit=100")).body.data.length).toBe(before.ledger);
    expect((await sk.get("/v1/payouts")).body.data).toEqual([]);
    // Nowhere to send it: a currency without a bank account.
    const none = await sk.post("/v1/payouts", { amount: 1, currency: "KZT" });
    expect(none.body.error).toMatchObject({ code: "bank_account_missing", param: "bank_account" });
    await verified();
  });

  it("bad input is a 400 that changes nothing; a key replays the payout, never a second one", async () => {
    const before = await available();
    for (const [body, param] of [
      [{ amount: 0, currency: "KGS" }, "amount"],
      [{ amount: 10.5, currency: "KGS" }, "amount"],
      [{ amount: "100", currency: "KGS" }, "amount"],
      [{ amount: 100, currency: "kgs" }, "currency"],
      [{ amount: 100, currency: "KGS", bank_account: "ba_nope" }, "bank_account"],
      [{ amount: 100, currency: "KGS", destination: "x" }, "destination"],
    ] as const) {
      const r = await sk.post("/v1/payouts", body);
      expect(r.status, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(r.body.error.param).toBe(param);
    }
    const kzt = await sk.post("/v1/bank_accounts", { ...KG_OK, currency: "KZT" });
    const mismatch = await sk.post("/v1/payouts", { amount: 100, currency: "KGS", bank_account: kzt.body.id });
    expect(mismatch.body.error).toMatchObject({ code: "bank_account_currency_mismatch", param: "bank_account" });
    expect(await available()).toBe(before);
    const key = { "Idempotency-Key": `po-${Date.now()}` };
    const first = await sk.post("/v1/payouts", { amount: 1_000, currency: "KGS" }, key);
    const again = await sk.post("/v1/payouts", { amount: 1_000, currency: "KGS" }, key);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    expect((await sk.post("/v1/payouts", { amount: 2_000, currency: "KGS" }, key)).status).toBe(422);
    expect(await available()).toBe(before - 1_000);
    expect((await sk.post(`/v1/payouts/${first.body.id}/cancel`)).body.status).toBe("canceled");
    expect(await available()).toBe(before);
  });

  it("takes the amount from available at once and pays it once run_jobs passes the arrival date", async () => {
    const before = await available();
    const r = await sk.post("/v1/payouts", { amount: 30_000, currency: "KGS" });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ object: "payout", status: "pending", amount: 30_000, bank_account: kgAccount, automatic: false });
    expect(await available()).toBe(before - 30_000);
    const items = await report(r.body.id);
    expect(sum(items)).toBe(30_000);
    await runJobs(new Date(r.body.arrival_date).getTime() - 1);
    expect((await sk.get(`/v1/payouts/${r.body.id}`)).body.status).toBe("in_transit");
    await runJobs(r.body.arrival_date);
    expect((await sk.get(`/v1/payouts/${r.body.id}`)).body.status).toBe("paid");
    expect(await available()).toBe(before - 30_000);
    const types = (await sk.get("/v1/events?limit=20")).body.data.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(["payout.created", "payout.paid"]));
    await verified();
  });

  it("run_jobs honours Idempotency-Key: the same key replays its first answer, another body under it is 422", async () => {
    const r = await sk.post("/v1/payouts", { amount: 1_000, currency: "KGS" });
    expect(r.status).toBe(200);
    const key = { "Idempotency-Key": `run-${r.body.id}` };
    const body = { now: new Date(new Date(r.body.arrival_date).getTime() + 1).toISOString() };
    const first = await sk.post("/v1/test_helpers/run_jobs", body, key);
    expect(first.status).toBe(200);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(first.body.jobs.by_kind).toMatchObject({ "payout.submit": 1, "payout.settle": 1 });
    expect((await sk.get(`/v1/payouts/${r.body.id}`)).body.status).toBe("paid");
    const again = await sk.post("/v1/test_helpers/run_jobs", body, key);
    expect({ status: again.status, replayed: again.headers.get("idempotent-replayed") }).toEqual({ status: 200, replayed: "true" });
    expect(again.body).toEqual(first.body);
    const other = await sk.post("/v1/test_helpers/run_jobs", { now: new Date().toISOString() }, key);
    expect(other.status).toBe(422);
    expect(other.body.error).toMatchObject({ type: "idempotency_error", code: "idempotency_key_reused" });
  });

  it("a failed payout returns exactly its amount (account_closed)", async () => {
    const before = await available();
    const r = await sk.post("/v1/payouts", { amount: 12_345, currency: "KGS", bank_account: closedAccount });
    expect(r.status).toBe(200);
    expect(await available()).toBe(before - 12_345);
    await runJobs(new Date(r.body.arrival_date).getTime() + 1);
    const po = (await sk.get(`/v1/payouts/${r.body.id}`)).body;
    expect(po).toMatchObject({ status: "failed", failure_code: "account_closed" });
    expect(await available()).toBe(before);
    expect((await sk.get("/v1/events?limit=5")).body.data[0]).toMatchObject({ type: "payout.failed" });
    await verified();
  });

  it("cancel returns the amount while pending, and only then", async () => {
    const before = await available();
    const r = await sk.post("/v1/payouts", { amount: 5_000, currency: "KGS", bank_account: kgAccount });
    const c = await sk.post(`/v1/payouts/${r.body.id}/cancel`);
    expect(c.status).toBe(200);
    expect(c.body.status).toBe("canceled");
    expect(await available()).toBe(before);
    const again = await sk.post(`/v1/payouts/${r.body.id}/cancel`);
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe("payout_unexpected_state");
    // A canceled payout is never sent.
    await runJobs(Date.now() + 7 * 86_400_000);
    expect((await sk.get(`/v1/payouts/${r.body.id}`)).body.status).toBe("canceled");
    await verified();
  });

  it("50 concurrent payouts never overdraw the balance", async () => {
    await earn(200_000);
    const start = await available();
    const each = Math.floor(start / 20) + 1; // at most 19 fit
    const answers = await Promise.all(Array.from({ length: 50 }, () => sk.post("/v1/payouts", { amount: each, currency: "KGS" })));
    const ok = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status !== 200);
    expect(ok.length).toBe(Math.floor(start / each));
    for (const a of refused) expect(a.body.error.code).toBe("balance_insufficient");
    expect(ok.length * each).toBeLessThanOrEqual(start);
    expect(await available()).toBe(start - ok.length * each);
    await verified();
  });

  it("payouts racing payments: the balance is never overdrawn and the ledger stays balanced", async () => {
    const start = await available();
    const payments = await Promise.all(
      Array.from({ length: 10 }, () => sk.post("/v1/payments", { amount: 3_000, currency: "KGS", customer })),
    );
    const answers = await Promise.all([
      ...payments.map((p) => sk.post(`/v1/payments/${p.body.id}/confirm`, { payment_method_data: { type: "wallet", customer } })),
      ...Array.from({ length: 20 }, () => sk.post("/v1/payouts", { amount: 2_000, currency: "KGS" })),
    ]);
    expect(answers.filter((a) => a.status >= 500)).toEqual([]);
    const earned = answers.slice(0, 10).reduce((t, a) => t + (a.body.amount - a.body.fee), 0);
    const paid = answers.slice(10).filter((a) => a.status === 200).length * 2_000;
    expect(paid).toBeLessThanOrEqual(start + earned);
    expect(await available()).toBe(start + earned - paid);
    await verified();
  });

  it("movements freed by a failure go to the next payout; every report sums to its payout (JSON and CSV)", async () => {
    await earn(70_000);
    await earn(1_003);
    const fail = await sk.post("/v1/payouts", { amount: await available(), currency: "KGS", bank_account: closedAccount });
    await runJobs(new Date(fail.body.arrival_date).getTime() + 1);
    const again = await sk.post("/v1/payouts", { amount: await available(), currency: "KGS" });
    expect(again.status).toBe(200);
    expect(await available()).toBe(0);
    const all = (await sk.get("/v1/payouts?limit=100")).body.data as { id: string; amount: number; status: string; currency: string }[];
    expect(all.length).toBeGreaterThan(20);
    for (const po of all) {
      const lines = await report(po.id);
      expect(sum(lines), po.id).toBe(po.amount);
      for (const l of lines) expect(l.type).not.toMatch(/^payout/);
    }
    // The live payouts together settle every movement exactly once: the sum of what was earned.
    const live = all.filter((p) => p.status !== "failed" && p.status !== "canceled");
    // Every capture that reached the available balance (not the wallet top-up, which fills a wallet).
    const earned = (await sk.get("/v1/ledger/transactions?limit=100")).body.data.filter(
      (t: { type: string; postings: { account: string }[] }) =>
        t.type === "payment.capture" && t.postings.some((x) => x.account.includes(":available:")),
    );
    expect(earned.length).toBeGreaterThan(3);
    const ids = new Set<string>();
    for (const po of live) for (const l of await report(po.id)) ids.add(l.id);
    for (const t of earned) expect(ids.has(t.id)).toBe(true);
    const csv = await sk.get(`/v1/payouts/${again.body.id}/transactions?format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    const raw = new Uint8Array(
      await (
        await fetch(`${api.url}/v1/payouts/${again.body.id}/transactions?format=csv`, {
          headers: { Authorization: `Bearer ${api.merchant.secretKey}` },
        })
      ).arrayBuffer(),
    );
    expect([...raw.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = (csv.body as string)
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    // The file is the JSON report itself: the same lines, in the same order, amounts in minor units.
    expect(rows[0]).toBe("id,created,type,source,description,amount,fee,currency");
    const json = await report(again.body.id);
    expect(rows.slice(1).map((line) => line.split(",")[0])).toEqual(json.map((l) => l.id));
    expect(rows.slice(1).every((line) => /,-?\d+,\d+,KGS$/.test(line))).toBe(true);
    expect(rows.slice(1).map((line) => Number(line.split(",").at(-3)))).toEqual(json.map((l) => l.amount));
    const total = rows.slice(1).reduce((t, line) => t + Number(line.split(",").at(-3)), 0);
    expect(total).toBe(again.body.amount);
    await verified();
  });

  it("a cursor past open movements (a write that committed late) is caught up by reading the whole history", async () => {
    await earn(9_000);
    const amount = await available();
    // As if a transaction older than the look-back committed after the cursor moved past it.
    await api.runtime.database.rows(sql`UPDATE payout_cursors SET settled_through = ${idFloor("transaction", Date.now() + 3_600_000)}`);
    const po = await sk.post("/v1/payouts", { amount, currency: "KGS" });
    expect(po.status).toBe(200);
    expect(sum(await report(po.body.id))).toBe(amount);
    // And the cursor is back on the movements.
    const [c] = await api.runtime.database.rows<{ settled_through: string }>(sql`SELECT settled_through FROM payout_cursors`);
    expect(idTime(c?.settled_through as string)).toBeLessThanOrEqual(Date.now());
    await verified();
  });

  it("a movement split over payouts shows its fee once, on its first part a payout still carries", async () => {
    const m = await admin.post("/v1/merchants", { name: "Split seller", country: "KG", default_currency: "KGS" });
    const own = http(api.url, m.body.keys.secret_key);
    await own.post("/v1/bank_accounts", KG_OK);
    const closed = (await own.post("/v1/bank_accounts", KG_CLOSED)).body.id as string;
    const paid = await own.post("/v1/payments", {
      amount: 100_000,
      currency: "KGS",
      confirm: true,
      payment_method_data: { type: "card", card: TEST_CARD },
    });
    const fee = paid.body.fee as number;
    expect(fee).toBeGreaterThan(0);
    const net = 100_000 - fee;
    // A failed first payout, then three: the capture is split over them.
    const failed = await own.post("/v1/payouts", { amount: 30_000, currency: "KGS", bank_account: closed });
    await own.post("/v1/test_helpers/run_jobs", { now: new Date(new Date(failed.body.arrival_date).getTime() + 1).toISOString() });
    expect((await own.get(`/v1/payouts/${failed.body.id}`)).body.status).toBe("failed");
    const parts = [30_000, 40_000, net - 70_000];
    const ids: string[] = [];
    for (const amount of parts) ids.push((await own.post("/v1/payouts", { amount, currency: "KGS" })).body.id);
    const fees = async (id: string) =>
      ((await own.get(`/v1/payouts/${id}/transactions`)).body.data as { fee: number; amount: number }[]).map((l) => [l.amount, l.fee]);
    expect(await fees(failed.body.id)).toEqual([[30_000, 0]]);
    expect(await fees(ids[0] as string)).toEqual([[30_000, fee]]);
    expect(await fees(ids[1] as string)).toEqual([[40_000, 0]]);
    expect(await fees(ids[2] as string)).toEqual([[net - 70_000, 0]]);
  });

  it("a scheduled payout is made once, even when run_jobs runs twice and from two callers", async () => {
    await earn(40_000);
    const bal = await available();
    const put = await sk.put("/v1/payout_schedule", { interval: "daily", minimum: 1_000 });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ object: "payout_schedule", interval: "daily", minimum: 1_000 });
    const at = new Date(put.body.next_run);
    const before = (await sk.get("/v1/payouts?limit=100")).body.data.length;
    await Promise.all([runJobs(at), runJobs(at)]);
    await runJobs(at);
    const after = (await sk.get("/v1/payouts?limit=100")).body.data as { automatic: boolean; amount: number; id: string }[];
    expect(after.length).toBe(before + 1);
    expect(after[0]).toMatchObject({ automatic: true, amount: bal });
    expect(sum(await report(after[0]?.id as string))).toBe(bal);
    expect(await available()).toBe(0);
    // Weekly needs its day; a day on a daily schedule is refused.
    expect((await sk.put("/v1/payout_schedule", { interval: "weekly" })).body.error.param).toBe("weekly_anchor");
    expect((await sk.put("/v1/payout_schedule", { interval: "daily", weekly_anchor: "monday" })).body.error.param).toBe("weekly_anchor");
    const weekly = await sk.put("/v1/payout_schedule", { interval: "weekly", weekly_anchor: "friday" });
    expect(new Date(weekly.body.next_run).getUTCDay()).toBe(5);
    expect((await sk.get("/v1/payout_schedule")).body.interval).toBe("weekly");
    await verified();
  });

  it("a schedule set again after a run continues from that run: it is never left without a next one", async () => {
    const m = await admin.post("/v1/merchants", { name: "Rescheduler", country: "KG", default_currency: "KGS" });
    const own = http(api.url, m.body.keys.secret_key);
    await own.post("/v1/bank_accounts", KG_OK);
    const sell = () =>
      own.post("/v1/payments", { amount: 20_000, currency: "KGS", confirm: true, payment_method_data: { type: "card", card: TEST_CARD } });
    const automatic = async () => ((await own.get("/v1/payouts")).body.data as { automatic: boolean }[]).filter((p) => p.automatic).length;
    await sell();
    const first = new Date((await own.put("/v1/payout_schedule", { interval: "daily" })).body.next_run);
    await own.post("/v1/test_helpers/run_jobs", { now: first.toISOString() });
    expect(await automatic()).toBe(1);
    await own.put("/v1/payout_schedule", { interval: "manual" });
    const again = await own.put("/v1/payout_schedule", { interval: "daily" });
    const next = new Date(again.body.next_run);
    expect(next.getTime()).toBeGreaterThan(first.getTime());
    expect((await own.get("/v1/payout_schedule")).body.next_run).toBe(again.body.next_run);
    await sell();
    await own.post("/v1/test_helpers/run_jobs", { now: next.toISOString() });
    expect(await automatic()).toBe(2);
    expect(await available(own)).toBe(0);
  });

  it("a scheduled payout above the largest amount pays that much, and the rest next time", async () => {
    const m = await admin.post("/v1/merchants", { name: "Big seller", country: "KG", default_currency: "KGS" });
    const big = http(api.url, m.body.keys.secret_key);
    expect((await big.post("/v1/bank_accounts", KG_OK)).status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const paid = await big.post("/v1/payments", {
        amount: MAX,
        currency: "KGS",
        confirm: true,
        payment_method_data: { type: "card", card: TEST_CARD },
      });
      expect(paid.body.status).toBe("succeeded");
    }
    const bal = await available(big);
    expect(bal).toBeGreaterThan(MAX);
    const put = await big.put("/v1/payout_schedule", { interval: "daily" });
    const first = new Date(put.body.next_run);
    const run = await big.post("/v1/test_helpers/run_jobs", { now: first.toISOString() });
    expect(run.status).toBe(200);
    expect(run.body.jobs.failed).toBe(0);
    const payouts = () => big.get("/v1/payouts").then((r) => r.body.data as { amount: number; automatic: boolean }[]);
    expect(await payouts()).toMatchObject([{ amount: MAX, automatic: true }]);
    expect(await available(big)).toBe(bal - MAX);
    await big.post("/v1/test_helpers/run_jobs", { now: new Date(first.getTime() + 86_400_000).toISOString() });
    expect((await payouts()).map((p) => p.amount)).toEqual([bal - MAX, MAX]);
    expect(await available(big)).toBe(0);
    await verified();
  });

  it("live mode has no payout rail unless the operator plugs one in, and never sees test payouts", async () => {
    const keys = (await admin.post(`/v1/merchants/${api.merchant.id}/activate`)).body.keys;
    const live = http(api.url, keys.secret_key);
    await live.post("/v1/bank_accounts", KG_OK);
    const r = await live.post("/v1/payouts", { amount: 100, currency: "KGS" });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("method_unavailable");
    const testPayout = (await sk.get("/v1/payouts?limit=1")).body.data[0].id;
    expect((await live.get(`/v1/payouts/${testPayout}`)).status).toBe(404);
    expect((await live.get(`/v1/payouts/${testPayout}/transactions`)).status).toBe(404);
    expect((await live.get("/v1/payouts")).body.data).toEqual([]);
    expect((await live.post(`/v1/payouts/${testPayout}/cancel`)).status).toBe(404);
  });
});
