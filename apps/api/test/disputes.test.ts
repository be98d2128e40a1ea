import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApi } from "../src/testing.js";
import { fundedCustomer, type Http, http, type Reply, startTestApi, TEST_CARD } from "./support.js";

/**
 * Disputes and merchant debt (contract v1.1 "Disputes"; issue 20). The amount and the dispute
 * fee leave available at once; what available cannot cover is the merchant's debt, which later
 * payments repay before they become available. The ledger is verified after every step, and no
 * guarded balance is ever below zero (nor a debt above it).
 */

let api: TestApi;
let admin: Http;
let sk: Http;
let merchantId: string;

/** The merchant's fee plan: 1% of every payment, and 15.00 KGS per dispute. */
const DISPUTE_FEE = 1_500;
const fee = (amount: number) => Math.round(amount / 100);

beforeAll(async () => {
  api = await startTestApi({ env: { WORKERS: "off" } });
  admin = http(api.url, api.adminKey);
  const plan = await admin.put("/v1/tariffs/disputes-plan", {
    kind: "fee",
    effective_from: "2024-01-01T00:00:00Z",
    rules: { default: { percent_bps: 100 }, dispute_fee: DISPUTE_FEE },
  });
  expect(plan.status).toBe(200);
  const m = await admin.post("/v1/merchants", {
    name: "Dordoi Shoes",
    country: "KG",
    default_currency: "KGS",
    fee_tariff: "disputes-plan",
  });
  expect(m.status).toBe(200);
  merchantId = m.body.id;
  sk = http(api.url, m.body.keys.secret_key);
}, 60_000);
afterAll(() => api.close());

/** Another merchant on the same plan, starting from nothing. */
async function newMerchant(name: string) {
  const m = await admin.post("/v1/merchants", { name, country: "KG", default_currency: "KGS", fee_tariff: "disputes-plan" });
  expect(m.status).toBe(200);
  return http(api.url, m.body.keys.secret_key);
}

async function cardPayment(amount: number, client: Http = sk) {
  const r = await client.post("/v1/payments", {
    amount,
    currency: "KGS",
    confirm: true,
    payment_method_data: { type: "card", card: TEST_CARD },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body).toMatchObject({ status: "succeeded", fee: fee(amount) });
  return r.body.id as string;
}

/** One request, paid from the customer's wallet: the answer as it comes (402 when the wallet is short). */
const payFromWallet = (customer: string, amount: number, client: Http = sk) =>
  client.post("/v1/payments", { amount, currency: "KGS", customer, confirm: true, payment_method_data: { type: "wallet", customer } });

async function walletPayment(customer: string, amount: number, client: Http = sk) {
  const r = await payFromWallet(customer, amount, client);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body.status).toBe("succeeded");
  return r.body.id as string;
}

/** Available and debt in KGS, as GET /v1/balance shows them. */
async function balance(client: Http = sk) {
  const b = await client.get("/v1/balance");
  expect(b.status).toBe(200);
  const kgs = (list: { amount: number; currency: string }[]) => list.filter((x) => x.currency === "KGS").reduce((t, x) => t + x.amount, 0);
  return { available: kgs(b.body.available), debt: kgs(b.body.debt) };
}

/** The ledger balances, every stored balance is its postings' sum, and nothing guarded is below zero. */
async function verify() {
  const v = await admin.get("/v1/admin/ledger/verify");
  expect(v.body).toMatchObject({ balanced: true, mismatches: [] });
  const wrong = await api.runtime.database.rows<{ id: string; balance: number }>(
    sql`SELECT id, balance FROM ledger_accounts
        WHERE (kind IN ('merchant_available', 'merchant_held', 'merchant_disputed', 'customer_wallet') AND balance < 0)
           OR (kind = 'merchant_debt' AND balance > 0)`,
  );
  expect(wrong).toEqual([]);
}

/** Every guarded account of the merchant is non-negative and its debt non-positive in the database's own CHECK terms too. */
async function guardedFlags() {
  return api.runtime.database.rows<{ kind: string; allow_negative: boolean }>(
    sql`SELECT DISTINCT kind, allow_negative FROM ledger_accounts WHERE merchant_id = ${merchantId} ORDER BY kind`,
  );
}

describe("a dispute larger than available", () => {
  it("leaves a debt that the next payments repay, and no balance is negative at any moment", async () => {
    const start = await balance();
    expect(start).toEqual({ available: 0, debt: 0 });
    const disputed = await cardPayment(10_000);
    await verify();
    expect(await balance()).toEqual({ available: 9_900, debt: 0 });

    const opened = await sk.post(`/v1/test_helpers/payments/${disputed}/dispute`, { reason: "fraudulent" });
    expect(opened.status, JSON.stringify(opened.body)).toBe(200);
    expect(opened.body).toMatchObject({
      object: "dispute",
      livemode: false,
      payment: disputed,
      amount: 10_000,
      currency: "KGS",
      fee: DISPUTE_FEE,
      reason: "fraudulent",
      status: "needs_response",
      evidence: { text: null, submitted: null },
      closed: null,
    });
    expect(opened.body.id).toMatch(/^dp_/);
    await verify();
    // 10,000 + 1,500 out of 9,900: available is empty, the 1,600 it could not cover is debt.
    expect(await balance()).toEqual({ available: 0, debt: 1_600 });

    const answered = await sk.post(`/v1/disputes/${opened.body.id}/evidence`, { text: "Signed delivery receipt attached." });
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ status: "under_review", evidence: { text: "Signed delivery receipt attached." } });
    expect(answered.body.evidence.submitted).toEqual(expect.any(String));

    const lost = await sk.post(`/v1/test_helpers/disputes/${opened.body.id}/close`, { outcome: "lost" });
    expect(lost.status).toBe(200);
    expect(lost.body).toMatchObject({ status: "lost", closed: expect.any(String) });
    await verify();
    expect(await balance()).toEqual({ available: 0, debt: 1_600 });

    // The next payment (a wallet's: the writer's own path) repays first: 990 of its 1,000 net of the fee.
    const customer = await fundedCustomer(sk, 50_000);
    await verify();
    await walletPayment(customer, 1_000);
    await verify();
    expect(await balance()).toEqual({ available: 0, debt: 610 });

    // The one after repays the rest, and only the rest becomes available.
    const last = await cardPayment(2_000);
    await verify();
    expect(await balance()).toEqual({ available: 1_370, debt: 0 });
    const txns = await sk.get(`/v1/ledger/transactions?source=${last}`);
    const postings = txns.body.data[0].postings as { account: string; amount: number }[];
    expect(postings.filter((p) => p.account.includes(":debt:")).map((p) => p.amount)).toEqual([610]);
    expect(postings.filter((p) => p.account.includes(":available:")).map((p) => p.amount)).toEqual([1_370]);

    // The database guards available itself, like every other balance that may not go below zero.
    expect(await guardedFlags()).toEqual(
      expect.arrayContaining([
        { kind: "merchant_available", allow_negative: false },
        { kind: "merchant_disputed", allow_negative: false },
      ]),
    );

    const events = (await sk.get("/v1/events?limit=50")).body.data as { type: string; data: { object: { id: string; status: string } } }[];
    expect(events.filter((e) => e.type.startsWith("dispute.")).map((e) => [e.type, e.data.object.id, e.data.object.status])).toEqual([
      ["dispute.closed", opened.body.id, "lost"],
      ["dispute.created", opened.body.id, "needs_response"],
    ]);
  });
});

describe("a won dispute", () => {
  it("returns the amount, not the fee", async () => {
    const payment = await cardPayment(20_000);
    const before = await balance();
    expect(before.debt).toBe(0);
    const opened = await sk.post(`/v1/test_helpers/payments/${payment}/dispute`, { reason: "product_not_received", amount: 5_000 });
    expect(opened.status).toBe(200);
    expect(opened.body).toMatchObject({ amount: 5_000, fee: DISPUTE_FEE });
    await verify();
    expect(await balance()).toEqual({ available: before.available - 5_000 - DISPUTE_FEE, debt: 0 });

    const won = await sk.post(`/v1/test_helpers/disputes/${opened.body.id}/close`, { outcome: "won" });
    expect(won.status).toBe(200);
    expect(won.body.status).toBe("won");
    await verify();
    expect(await balance()).toEqual({ available: before.available - DISPUTE_FEE, debt: 0 });

    // Closed is closed: no second outcome, no more evidence, nothing moves.
    const again = await sk.post(`/v1/test_helpers/disputes/${opened.body.id}/close`, { outcome: "won" });
    expect(again.status).toBe(400);
    expect(again.body.error).toMatchObject({ type: "invalid_request_error", code: "dispute_unexpected_state" });
    const late = await sk.post(`/v1/disputes/${opened.body.id}/evidence`, { text: "too late" });
    expect(late.status).toBe(400);
    expect(await balance()).toEqual({ available: before.available - DISPUTE_FEE, debt: 0 });
    await verify();
  });

  it("repays a debt first: a refund that available could not cover", async () => {
    const own = await newMerchant("Osh Bazaar");
    const p = await cardPayment(3_000, own);
    const q = await cardPayment(1_000, own);
    expect(await balance(own)).toEqual({ available: 3_960, debt: 0 });
    const opened = await own.post(`/v1/test_helpers/payments/${p}/dispute`, { reason: "general", amount: 2_000 });
    expect(opened.status).toBe(200);
    await verify();
    expect(await balance(own)).toEqual({ available: 460, debt: 0 });
    // A full refund takes what available holds; the 540 it could not cover is debt, nothing goes below zero.
    const refund = await own.post("/v1/refunds", { payment: q });
    expect(refund.status, JSON.stringify(refund.body)).toBe(200);
    await verify();
    expect(await balance(own)).toEqual({ available: 0, debt: 540 });
    const won = await own.post(`/v1/test_helpers/disputes/${opened.body.id}/close`, { outcome: "won" });
    expect(won.status).toBe(200);
    await verify();
    expect(await balance(own)).toEqual({ available: 1_460, debt: 0 });
  });
});

describe("a payout's report", () => {
  it("shows the dispute it settles beside the capture it came from, and a won dispute in the next one", async () => {
    const own = await newMerchant("Report Shoes");
    const account = await own.post("/v1/bank_accounts", {
      country: "KG",
      holder_name: "Asel M.",
      account_number: "1240020000123456",
      bank_code: "124002",
      currency: "KGS",
    });
    expect(account.status).toBe(200);
    const payment = await cardPayment(10_000, own);
    const opened = await own.post(`/v1/test_helpers/payments/${payment}/dispute`, { reason: "general", amount: 2_000 });
    expect(opened.status).toBe(200);
    const lines = async (payout: string) =>
      ((await own.get(`/v1/payouts/${payout}/transactions`)).body.data as { type: string; source: string; amount: number }[]).map((l) => [
        l.type,
        l.source,
        l.amount,
      ]);
    const available = (await balance(own)).available;
    expect(available).toBe(10_000 - fee(10_000) - 2_000 - DISPUTE_FEE);
    const first = await own.post("/v1/payouts", { amount: available, currency: "KGS" });
    expect(first.status).toBe(200);
    // Newest first: the dispute's amount and fee, then the capture whole.
    expect(await lines(first.body.id)).toEqual([
      ["dispute", opened.body.id, -2_000 - DISPUTE_FEE],
      ["payment.capture", payment, 10_000 - fee(10_000)],
    ]);
    const won = await own.post(`/v1/test_helpers/disputes/${opened.body.id}/close`, { outcome: "won" });
    expect(won.status).toBe(200);
    const second = await own.post("/v1/payouts", { amount: 2_000, currency: "KGS" });
    expect(second.status).toBe(200);
    expect(await lines(second.body.id)).toEqual([["dispute.won", opened.body.id, 2_000]]);
    await verify();
  });
});

describe("a dispute of a wallet top-up", () => {
  const wallet = async (client: Http, customer: string) => (await client.get(`/v1/customers/${customer}`)).body.wallet.balance as number;
  const open = (client: Http, payment: string) => client.post(`/v1/test_helpers/payments/${payment}/dispute`, { reason: "fraudulent" });
  const close = (client: Http, id: string, outcome: "won" | "lost") => client.post(`/v1/test_helpers/disputes/${id}/close`, { outcome });
  const topUp = async (client: Http, customer: string, amount: number) => {
    const r = await client.post("/v1/payments", {
      amount,
      currency: "KGS",
      confirm: true,
      payment_method_data: { type: "card", card: TEST_CARD },
      purpose: { type: "wallet_topup", customer },
    });
    expect(r.body.status).toBe("succeeded");
    return r.body.id as string;
  };

  it("takes the amount back from the wallet it filled; only what was spent, and the fee, fall on the merchant", async () => {
    const own = await newMerchant("Tulpar Wallets");
    await cardPayment(100_000, own);
    const before = await balance(own);
    const customer = (await own.post("/v1/customers", { name: "Nurlan" })).body.id as string;
    const topup = await topUp(own, customer, 30_000);
    await walletPayment(customer, 10_000, own); // spent: the merchant earns it (less its fee)
    const earned = (await balance(own)).available;
    expect(earned).toBe(before.available + 10_000 - fee(10_000));
    const d = await open(own, topup);
    expect(d.status).toBe(200);
    expect(d.body).toMatchObject({ amount: 30_000, fee: DISPUTE_FEE });
    // 20,000 still in the wallet comes back from it; the 10,000 spent and the fee from available.
    expect(await wallet(own, customer)).toBe(0);
    expect((await balance(own)).available).toBe(earned - 10_000 - DISPUTE_FEE);
    await verify();
    // Won: each part goes back where it came from; the fee stays the platform's.
    expect((await close(own, d.body.id, "won")).body.status).toBe("won");
    expect(await wallet(own, customer)).toBe(20_000);
    expect((await balance(own)).available).toBe(earned - DISPUTE_FEE);
    await verify();
  });

  it("lost: the buyer's card gets the money back, and the wallet cannot spend it again", async () => {
    const own = await newMerchant("Tulpar Wallets 2");
    await cardPayment(50_000, own);
    const before = await balance(own);
    const customer = (await own.post("/v1/customers", { name: "Aizat" })).body.id as string;
    const topup = await topUp(own, customer, 25_000);
    const d = await open(own, topup);
    expect((await close(own, d.body.id, "lost")).body.status).toBe("lost");
    expect(await wallet(own, customer)).toBe(0);
    expect((await balance(own)).available).toBe(before.available - DISPUTE_FEE);
    expect((await payFromWallet(customer, 1_000, own)).status).toBe(402);
    await verify();
  });

  it("a wallet payment cannot be disputed: no card network stands behind it", async () => {
    const own = await newMerchant("Tulpar Wallets 3");
    const customer = await fundedCustomer(own, 5_000);
    const paid = await walletPayment(customer, 2_000, own);
    const r = await open(own, paid);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: "payment_not_disputable", param: "payment" });
    expect((await own.get("/v1/disputes")).body.data).toEqual([]);
  });
});

describe("concurrent movements of a merchant in debt", () => {
  it("payments, a refund and a won dispute at once: money is conserved and no balance goes below zero", async () => {
    const own = await newMerchant("Jayma Bazaar");
    const a = await cardPayment(1_000, own);
    const b = await cardPayment(4_000, own);
    const r = await cardPayment(2_000, own);
    expect((await own.post(`/v1/test_helpers/payments/${a}/dispute`, { reason: "fraudulent" })).status).toBe(200);
    const disputeB = await own.post(`/v1/test_helpers/payments/${b}/dispute`, { reason: "fraudulent" });
    expect(disputeB.status).toBe(200);
    await verify();
    // 990 + 3,960 + 1,980 earned, 2,500 and 5,500 taken: 1,070 owed.
    expect(await balance(own)).toEqual({ available: 0, debt: 1_070 });
    const customer = await fundedCustomer(own, 10_000);
    const writes = [
      ...Array.from({ length: 20 }, () => walletPayment(customer, 200, own)),
      ...Array.from({ length: 5 }, () => cardPayment(300, own)),
      own.post("/v1/refunds", { payment: r }).then((x) => expect(x.status, JSON.stringify(x.body)).toBe(200)),
      own.post(`/v1/test_helpers/disputes/${disputeB.body.id}/close`, { outcome: "won" }).then((x) => expect(x.status).toBe(200)),
    ];
    await Promise.all(writes);
    await verify();
    const end = await balance(own);
    // 20 × 198 + 5 × 297 + 4,000 won − 2,000 refunded, less the 1,070 owed.
    expect(end.available - end.debt).toBe(20 * 198 + 5 * 297 + 4_000 - 2_000 - 1_070);
    expect(end.available).toBeGreaterThanOrEqual(0);
    expect(end.debt).toBeGreaterThanOrEqual(0);
  });
});

describe("bad input", () => {
  it("gets a 400 or 404 in the error envelope and changes nothing", async () => {
    const payment = await cardPayment(4_000);
    const open = await sk.post("/v1/payments", { amount: 1_000, currency: "KGS" });
    const before = { balance: await balance(), list: (await sk.get("/v1/disputes?limit=100")).body.data.length };
    const cases: [string, Promise<Reply>, number, string][] = [
      [
        "more than captured",
        sk.post(`/v1/test_helpers/payments/${payment}/dispute`, { reason: "general", amount: 4_001 }),
        400,
        "amount_too_large",
      ],
      ["zero amount", sk.post(`/v1/test_helpers/payments/${payment}/dispute`, { reason: "general", amount: 0 }), 400, "parameter_invalid"],
      ["fraction", sk.post(`/v1/test_helpers/payments/${payment}/dispute`, { reason: "general", amount: 1.5 }), 400, "parameter_invalid"],
      [
        "string amount",
        sk.post(`/v1/test_helpers/payments/${payment}/dispute`, { reason: "general", amount: "100" }),
        400,
        "parameter_invalid",
      ],
      ["unknown reason", sk.post(`/v1/test_helpers/payments/${payment}/dispute`, { reason: "because" }), 400, "parameter_invalid"],
      ["no reason", sk.post(`/v1/test_helpers/payments/${payment}/dispute`, {}), 400, "parameter_missing"],
      ["unknown field", sk.post(`/v1/test_helpers/payments/${payment}/dispute`, { reason: "general", x: 1 }), 400, "parameter_unknown"],
      [
        "not captured",
        sk.post(`/v1/test_helpers/payments/${open.body.id}/dispute`, { reason: "general" }),
        400,
        "payment_unexpected_state",
      ],
      ["unknown payment", sk.post("/v1/test_helpers/payments/pay_nope/dispute", { reason: "general" }), 404, "resource_missing"],
      ["unknown dispute", sk.get("/v1/disputes/dp_nope"), 404, "resource_missing"],
      ["evidence of unknown", sk.post("/v1/disputes/dp_nope/evidence", { text: "x" }), 404, "resource_missing"],
      ["close unknown", sk.post("/v1/test_helpers/disputes/dp_nope/close", { outcome: "won" }), 404, "resource_missing"],
      ["bad limit", sk.get("/v1/disputes?limit=0"), 400, "parameter_invalid"],
    ];
    for (const [what, r, status, code] of cases) {
      const res = await r;
      expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(status);
      expect(res.body.error, what).toMatchObject({ code, request_id: expect.any(String) });
    }
    const opened = await sk.post(`/v1/test_helpers/payments/${payment}/dispute`, { reason: "duplicate", amount: 100 });
    expect(opened.status).toBe(200);
    const after = await balance();
    const more: [string, Promise<Reply>, number, string][] = [
      ["second dispute", sk.post(`/v1/test_helpers/payments/${payment}/dispute`, { reason: "general" }), 400, "payment_already_disputed"],
      ["empty evidence", sk.post(`/v1/disputes/${opened.body.id}/evidence`, { text: "" }), 400, "parameter_invalid"],
      ["evidence not text", sk.post(`/v1/disputes/${opened.body.id}/evidence`, { text: 5 }), 400, "parameter_invalid"],
      ["unknown outcome", sk.post(`/v1/test_helpers/disputes/${opened.body.id}/close`, { outcome: "maybe" }), 400, "parameter_invalid"],
      // The disputed money is not the merchant's to refund as well.
      ["refund of disputed money", sk.post("/v1/refunds", { payment, amount: 3_901 }), 400, "amount_too_large"],
    ];
    for (const [what, r, status, code] of more) {
      const res = await r;
      expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(status);
      expect(res.body.error, what).toMatchObject({ code });
    }
    expect(await balance()).toEqual(after);
    expect(after.available).toBe(before.balance.available - 100 - DISPUTE_FEE);
    expect((await sk.get("/v1/disputes?limit=100")).body.data.length).toBe(before.list + 1);
    expect((await sk.get(`/v1/disputes/${opened.body.id}`)).body.status).toBe("needs_response");
    // What is not disputed can still be refunded.
    expect((await sk.post("/v1/refunds", { payment, amount: 3_900 })).status).toBe(200);
    await verify();
  });
});

describe("lists and modes", () => {
  it("lists newest first, paginated, filtered by payment", async () => {
    const all = (await sk.get("/v1/disputes?limit=100")).body;
    expect(all.object).toBe("list");
    expect(all.data.length).toBeGreaterThanOrEqual(3);
    const page = await sk.get("/v1/disputes?limit=1");
    expect(page.body).toMatchObject({ object: "list", has_more: true });
    expect(page.body.data[0].id).toBe(all.data[0].id);
    const next = await sk.get(`/v1/disputes?limit=1&starting_after=${page.body.data[0].id}`);
    expect(next.body.data[0].id).toBe(all.data[1].id);
    const one = all.data[1];
    const byPayment = await sk.get(`/v1/disputes?payment=${one.payment}`);
    expect(byPayment.body.data.map((d: { id: string }) => d.id)).toEqual([one.id]);
    expect((await sk.get(`/v1/disputes/${one.id}`)).body).toEqual(one);
  });

  it("a live key sees no test dispute and cannot use the test helpers; a publishable key sees none", async () => {
    const liveKeys = (await admin.post(`/v1/merchants/${merchantId}/activate`)).body.keys;
    const live = http(api.url, liveKeys.secret_key);
    const testDispute = (await sk.get("/v1/disputes?limit=1")).body.data[0];
    expect((await live.get(`/v1/disputes/${testDispute.id}`)).status).toBe(404);
    expect((await live.post(`/v1/disputes/${testDispute.id}/evidence`, { text: "x" })).status).toBe(404);
    expect((await live.post(`/v1/test_helpers/disputes/${testDispute.id}/close`, { outcome: "won" })).status).toBe(404);
    expect((await live.post(`/v1/test_helpers/payments/${testDispute.payment}/dispute`, { reason: "general" })).status).toBe(404);
    expect((await live.get("/v1/disputes")).body.data).toEqual([]);
    // On its own live payment the test helper is refused: live disputes come from the provider.
    const livePayment = await live.post("/v1/payments", { amount: 1_000, currency: "KGS" });
    const refused = await live.post(`/v1/test_helpers/payments/${livePayment.body.id}/dispute`, { reason: "general" });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ type: "permission_error", code: "test_mode_only" });
    const pk = http(api.url, liveKeys.publishable_key);
    expect((await pk.get("/v1/disputes")).status).toBe(403);
    expect((await live.get("/v1/balance")).body.debt).toEqual([]);
    expect((await sk.get(`/v1/disputes/${testDispute.id}`)).body).toEqual(testDispute);
  });
});
