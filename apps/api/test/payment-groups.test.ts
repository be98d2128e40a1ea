import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgArray } from "../src/lib/pg-array.js";
import type { TestApi } from "../src/testing.js";
import { fundedCustomer, type Http, http, realPostgresDatabaseUrl, startTestApi, storedTexts } from "./support.js";

// On a PostgreSQL server, payments created and wallet confirmations are decided in groups, many
// per transaction, with or without an Idempotency-Key (services/payment-writes.ts).
// These run on a real server whatever the pass: the embedded database has one connection.
let api: TestApi;
let sk: Http;

const rows = <T>(q: ReturnType<typeof sql>) => api.runtime.database.rows<T>(q);
const balance = async (customer: string) => (await sk.get(`/v1/customers/${customer}`)).body.wallet.balance as number;
const create = async (amount: number, customer?: string) => {
  const r = await sk.post("/v1/payments", { amount, currency: "KGS", ...(customer ? { customer } : {}) });
  expect(r.status).toBe(200);
  return r.body as { id: string; client_secret: string };
};
const payFromWallet = (id: string, customer?: string) =>
  sk.post(`/v1/payments/${id}/confirm`, { payment_method_data: { type: "wallet", ...(customer ? { customer } : {}) } });

beforeAll(async () => {
  api = await startTestApi({ databaseUrl: await realPostgresDatabaseUrl(), env: { WORKERS: "off" } });
  sk = http(api.url, api.merchant.secretKey);
});
afterAll(() => api.close());

describe("wallet payments decided in groups", () => {
  it("a burst over shared wallets: each wallet pays for what it holds, once; declines are recorded; one event each", async () => {
    const wallets = [await fundedCustomer(sk, 10_000), await fundedCustomer(sk, 10_000), await fundedCustomer(sk, 10_000)];
    // 12 payments of 3,000 per wallet: three fit in 10,000, the other nine are declined.
    const payments = await Promise.all(wallets.flatMap((c) => Array.from({ length: 12 }, () => create(3_000, c))));
    const answers = await Promise.all(payments.map((p) => payFromWallet(p.id)));

    const ok = answers.filter((a) => a.status === 200);
    const declined = answers.filter((a) => a.status === 402);
    expect(ok.length).toBe(9);
    expect(declined.length).toBe(27);
    for (const a of ok) expect(a.body.status).toBe("succeeded");
    for (const a of declined) {
      expect(a.body.error).toMatchObject({ type: "payment_error", code: "insufficient_funds" });
      expect(a.body.error.payment.status).toBe("failed");
    }
    for (const c of wallets) expect(await balance(c)).toBe(1_000);

    const ids = payments.map((p) => p.id);
    // What the answers said is what was stored.
    const stored = await rows<{ id: string; status: string; last_error: { code: string } | null }>(
      sql`SELECT id, status, last_error FROM payments WHERE id = ANY(${pgArray(ids)}::text[])`,
    );
    const answered = new Map(answers.map((a, i) => [ids[i], a.status === 200 ? "succeeded" : "failed"]));
    for (const r of stored) {
      expect(r.status).toBe(answered.get(r.id));
      expect(r.last_error?.code ?? null).toBe(r.status === "failed" ? "insufficient_funds" : null);
    }
    // Exactly one event per payment, of the kind its answer announced.
    const events = await rows<{ id: string; type: string }>(
      sql`SELECT data->'object'->>'id' AS id, type FROM events WHERE data->'object'->>'id' = ANY(${pgArray(ids)}::text[])`,
    );
    expect(events.length).toBe(ids.length);
    for (const e of events) expect(e.type).toBe(answered.get(e.id) === "succeeded" ? "payment.succeeded" : "payment.failed");
    // Each succeeded payment moved its money once.
    const moves = await rows<{ source_id: string; n: number }>(
      sql`SELECT source_id, count(*)::int AS n FROM ledger_transactions WHERE source_id = ANY(${pgArray(ids)}::text[]) GROUP BY source_id`,
    );
    expect(moves.length).toBe(9);
    for (const m of moves) expect(m.n).toBe(1);
    // And many confirmations shared a transaction: fewer distinct writers than payments.
    const [writers] = await rows<{ n: number }>(
      sql`SELECT count(DISTINCT xmin::text)::int AS n FROM payments WHERE id = ANY(${pgArray(ids)}::text[])`,
    );
    expect(writers?.n).toBeLessThan(ids.length);
    expect((await http(api.url, api.adminKey).get("/v1/admin/ledger/verify")).body.balanced).toBe(true);
  });

  it("the same payment confirmed twice at once succeeds once; the other answer is payment_unexpected_state", async () => {
    const c = await fundedCustomer(sk, 5_000);
    const p = await create(1_000, c);
    const [a, b, d] = await Promise.all([payFromWallet(p.id), payFromWallet(p.id), payFromWallet(p.id)]);
    const statuses = [a, b, d].map((r) => r.status).sort();
    expect(statuses).toEqual([200, 400, 400]);
    for (const r of [a, b, d].filter((r) => r.status === 400)) expect(r.body.error.code).toBe("payment_unexpected_state");
    expect(await balance(c)).toBe(4_000);
  });

  it("one bad confirmation in a burst gets its own error and changes nothing; its neighbours go through", async () => {
    const c = await fundedCustomer(sk, 5_000);
    const good = await create(500, c);
    const wrongSecret = await create(500, c);
    const noCustomer = await create(500);
    const pk = http(api.url, api.merchant.publishableKey);
    const [g, w, n, u] = await Promise.all([
      payFromWallet(good.id),
      pk.post(`/v1/payments/${wrongSecret.id}/confirm`, {
        payment_method_data: { type: "wallet" },
        client_secret: `${wrongSecret.id}_secret_wrong`,
      }),
      payFromWallet(noCustomer.id),
      payFromWallet("pay_nope", c),
    ]);
    expect(g.status).toBe(200);
    expect(w.status).toBe(400);
    expect(w.body.error.code).toBe("client_secret_mismatch");
    expect(n.status).toBe(400);
    expect(n.body.error).toMatchObject({ code: "parameter_missing", param: "payment_method_data.customer" });
    expect(u.status).toBe(404);
    expect((await sk.get(`/v1/payments/${wrongSecret.id}`)).body.status).toBe("requires_payment_method");
    expect((await sk.get(`/v1/payments/${noCustomer.id}`)).body.status).toBe("requires_payment_method");
    expect(await balance(c)).toBe(4_500);
  });

  it("a payment naming another merchant's customer is not created, in a burst of good ones", async () => {
    const other = await http(api.url, api.adminKey).post("/v1/merchants", { name: "Other", country: "KG", default_currency: "KGS" });
    const theirs = await http(api.url, other.body.keys.secret_key).post("/v1/customers", {});
    const mine = await sk.post("/v1/customers", {});
    const before = await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM payments WHERE merchant_id = ${api.merchant.id}`);
    const answers = await Promise.all([
      sk.post("/v1/payments", { amount: 100, currency: "KGS", customer: mine.body.id }),
      sk.post("/v1/payments", { amount: 100, currency: "KGS", customer: theirs.body.id }),
      sk.post("/v1/payments", { amount: 100, currency: "KGS" }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 404, 200]);
    expect(answers[1]?.body.error).toMatchObject({ code: "resource_missing", param: "customer" });
    const after = await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM payments WHERE merchant_id = ${api.merchant.id}`);
    expect(after[0]?.n).toBe((before[0]?.n ?? 0) + 2);
    // A created payment reads back exactly as it was answered.
    const read = await sk.get(`/v1/payments/${answers[0]?.body.id}`);
    expect(read.body).toEqual(answers[0]?.body);
  });

  it("a merchant's own fee tariff prices every payment of a group (read inside the group's transaction)", async () => {
    const admin = http(api.url, api.adminKey);
    expect((await admin.put("/v1/tariffs/groups-2pc", { kind: "fee", rules: { default: { percent_bps: 200 } } })).status).toBe(200);
    const m = await admin.post("/v1/merchants", { name: "Tariffed", country: "KG", default_currency: "KGS", fee_tariff: "groups-2pc" });
    const theirs = http(api.url, m.body.keys.secret_key);
    const c = await fundedCustomer(theirs, 10_000);
    const made = await Promise.all(
      Array.from({ length: 6 }, () => theirs.post("/v1/payments", { amount: 1_000, currency: "KGS", customer: c })),
    );
    const paid = await Promise.all(
      made.map((p) => theirs.post(`/v1/payments/${p.body.id}/confirm`, { payment_method_data: { type: "wallet" } })),
    );
    for (const p of paid) {
      expect(p.status).toBe(200);
      expect(p.body).toMatchObject({ status: "succeeded", fee: 20, fee_tariff: { code: "groups-2pc", version: 1 } });
    }
    expect((await theirs.get(`/v1/customers/${c}`)).body.wallet.balance).toBe(4_000);
    const ids = made.map((p) => p.body.id as string);
    const stored = await rows<{ fee: number; writers: number }>(
      sql`SELECT sum(fee)::int AS fee, count(DISTINCT xmin::text)::int AS writers FROM payments WHERE id = ANY(${pgArray(ids)}::text[])`,
    );
    expect(stored[0]?.fee).toBe(120);
    expect(stored[0]?.writers).toBeLessThan(ids.length);
  });

  it("manual capture: a group of wallet confirmations holds the money in escrow, each payment requires_capture", async () => {
    const c = await fundedCustomer(sk, 10_000);
    const made = await Promise.all(
      Array.from({ length: 5 }, () => sk.post("/v1/payments", { amount: 1_000, currency: "KGS", customer: c, capture_method: "manual" })),
    );
    const held = await Promise.all(made.map((p) => payFromWallet(p.body.id)));
    for (const h of held) expect(h.body).toMatchObject({ status: "requires_capture", amount_capturable: 1_000, amount_captured: 0 });
    expect(await balance(c)).toBe(5_000);
    const captured = await sk.post(`/v1/payments/${made[0]?.body.id}/capture`, { amount: 600 });
    expect(captured.body).toMatchObject({ status: "succeeded", amount_captured: 600 });
    expect(await balance(c)).toBe(5_400);
    const events = await rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM events WHERE type = 'payment.requires_capture'
          AND data->'object'->>'id' = ANY(${pgArray(made.map((p) => p.body.id as string))}::text[])`,
    );
    expect(events[0]?.n).toBe(5);
    expect((await http(api.url, api.adminKey).get("/v1/admin/ledger/verify")).body.balanced).toBe(true);
  });

  it("text PostgreSQL cannot take in one request is answered as before and does not fail its neighbours", async () => {
    const c = await fundedCustomer(sk, 5_000);
    const good = await create(1_000, c);
    const [nul, surrogate, fine, paid] = await Promise.all([
      payFromWallet("pay_%00x", c),
      sk.post("/v1/payments", { amount: 100, currency: "KGS", description: "half a pair: \ud800" }),
      sk.post("/v1/payments", { amount: 100, currency: "KGS", description: "Чай" }),
      payFromWallet(good.id),
    ]);
    expect(nul.status).toBe(400);
    expect(nul.body.error.type).toBe("invalid_request_error");
    // As a payment created alone always was: the driver sends the lone half as U+FFFD.
    expect(surrogate.status).toBe(200);
    expect(surrogate.body.description).toBe("half a pair: \ufffd");
    expect(fine.body.description).toBe("Чай");
    expect(paid.body.status).toBe("succeeded");
    expect(await balance(c)).toBe(4_000);
  });

  it("an order's payment confirmed from a wallet still moves its order (decided on its own, after the group)", async () => {
    const c = await fundedCustomer(sk, 10_000);
    const collectBy = new Date(Date.now() + 86_400_000).toISOString();
    const order = await sk.post("/v1/orders", {
      currency: "KGS",
      items: [{ sku: "tea", name: "Tea", amount: 1_500, quantity: 2 }],
      delivery: { type: "courier", collect_by: collectBy },
    });
    expect(order.status).toBe(200);
    const paid = await payFromWallet(order.body.payment.id, c);
    expect(paid.status).toBe(200);
    expect(paid.body.status).toBe("requires_capture");
    expect((await sk.get(`/v1/orders/${order.body.id}`)).body.status).toBe("held");
    expect(await balance(c)).toBe(7_000);
  });
});

describe("a group's credits", () => {
  it("a group's captures credit one shard of the merchant's balance and one of the revenue, and the sums hold", async () => {
    const payer = await fundedCustomer(sk, 100_000);
    const before = (await sk.get("/v1/balance")).body;
    const paid = await Promise.all(
      Array.from({ length: 40 }, () =>
        sk.post("/v1/payments", {
          amount: 1_000,
          currency: "KGS",
          customer: payer,
          confirm: true,
          payment_method_data: { type: "wallet" },
        }),
      ),
    );
    expect(paid.every((r) => r.status === 200 && r.body.status === "succeeded")).toBe(true);
    const ids = paid.map((r) => r.body.id as string);
    // Per transaction that committed captures together: the accounts their credits went to.
    const groups = await rows<{ payments: number; available: number; revenue: number }>(sql`
      SELECT count(DISTINCT t.source_id)::int AS payments,
             count(DISTINCT p.account_id) FILTER (WHERE p.account_id LIKE 'merchant:%:available:%')::int AS available,
             count(DISTINCT p.account_id) FILTER (WHERE p.account_id LIKE 'platform:%:revenue:%')::int AS revenue
      FROM ledger_transactions t JOIN ledger_postings p ON p.transaction_id = t.id
      WHERE t.source_id = ANY(${pgArray(ids)}::text[])
      GROUP BY t.xmin::text`);
    expect(groups.reduce((n, g) => n + g.payments, 0)).toBe(40);
    expect(groups.length).toBeLessThan(40); // grouped at all
    for (const g of groups) {
      expect(g.available).toBe(1);
      expect(g.revenue).toBeLessThanOrEqual(1);
    }
    // Whatever the shards, the balance is their sum: 40 payments less their fees.
    const fees = paid.reduce((n, r) => n + Number(r.body.fee), 0);
    const after = (await sk.get("/v1/balance")).body;
    const kgs = (b: { available: { currency: string; amount: number }[] }) => b.available.find((x) => x.currency === "KGS")?.amount ?? 0;
    expect(kgs(after) - kgs(before)).toBe(40_000 - fees);
    expect((await http(api.url, api.adminKey).get("/v1/admin/ledger/verify")).body.balanced).toBe(true);
  });
});

describe("keyed writes join the groups (what the SDK, the widget and the console send)", () => {
  const keyed = (key: string) => ({ "Idempotency-Key": key });
  const distinctWriters = async (ids: string[]) =>
    (await rows<{ n: number }>(sql`SELECT count(DISTINCT xmin::text)::int AS n FROM payments WHERE id = ANY(${pgArray(ids)}::text[])`))[0]
      ?.n;

  it("a keyed burst is grouped, pays each wallet once, and every retry replays its first answer", async () => {
    const wallets = [await fundedCustomer(sk, 10_000), await fundedCustomer(sk, 10_000)];
    const run = `burst-${Date.now()}`;
    const created = await Promise.all(
      wallets.flatMap((c, w) =>
        Array.from({ length: 10 }, (_, i) =>
          sk.post("/v1/payments", { amount: 3_000, currency: "KGS", customer: c }, keyed(`${run}-c${w}-${i}`)),
        ),
      ),
    );
    expect(created.every((r) => r.status === 200)).toBe(true);
    const ids = created.map((r) => r.body.id as string);
    const confirm = (id: string, i: number) =>
      sk.post(`/v1/payments/${id}/confirm`, { payment_method_data: { type: "wallet" } }, keyed(`${run}-p${i}`));
    const answers = await Promise.all(ids.map(confirm));
    expect(answers.filter((a) => a.status === 200).length).toBe(6);
    expect(answers.filter((a) => a.status === 402).length).toBe(14);
    expect(await distinctWriters(ids)).toBeLessThan(ids.length);

    // Every retry, all at once: the first answer again, marked, and nothing moves.
    const [again, recreated] = await Promise.all([
      Promise.all(ids.map(confirm)),
      Promise.all(
        wallets.flatMap((c, w) =>
          Array.from({ length: 10 }, (_, i) =>
            sk.post("/v1/payments", { amount: 3_000, currency: "KGS", customer: c }, keyed(`${run}-c${w}-${i}`)),
          ),
        ),
      ),
    ]);
    again.forEach((r, i) => {
      expect(r.status).toBe(answers[i]?.status);
      expect(r.body).toEqual(answers[i]?.body);
      expect(r.headers.get("idempotent-replayed")).toBe("true");
    });
    for (const [i, r] of recreated.entries()) expect(r.body.id).toBe(ids[i]);
    for (const c of wallets) expect(await balance(c)).toBe(1_000);
    const [stored] = await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM idempotency_keys WHERE key LIKE ${`${run}-%`}`);
    expect(stored?.n).toBe(40);
    // Stored beside its effect, never with the client secret: it is made again on replay (above).
    const [sample] = await storedTexts(api.runtime.database, `${run}-p0`);
    const paid = answers[0]?.body.client_secret ?? answers[0]?.body.error?.payment?.client_secret;
    expect(paid).toMatch(/_secret_[\w-]{32}$/);
    expect(sample).toContain(String(paid).slice(0, String(paid).indexOf("_secret_")));
    expect(sample).not.toContain(String(paid).slice(-32));
    expect((await http(api.url, api.adminKey).get("/v1/admin/ledger/verify")).body.balanced).toBe(true);
  });

  it("one request per payment (confirm: true) with keys: grouped, one payment per key, replayed", async () => {
    const c = await fundedCustomer(sk, 5_000);
    const run = `one-${Date.now()}`;
    const pay = (i: number) =>
      sk.post(
        "/v1/payments",
        { amount: 1_000, currency: "KGS", customer: c, confirm: true, payment_method_data: { type: "wallet" } },
        keyed(`${run}-${i}`),
      );
    const first = await Promise.all(Array.from({ length: 8 }, (_, i) => pay(i)));
    expect(first.filter((r) => r.status === 200).length).toBe(5);
    expect(first.filter((r) => r.status === 402).length).toBe(3);
    for (const r of first.filter((a) => a.status === 402)) expect(r.body.error.payment.status).toBe("failed");
    const again = await Promise.all(Array.from({ length: 8 }, (_, i) => pay(i)));
    for (const [i, r] of again.entries()) expect(r.body).toEqual(first[i]?.body);
    const ids = first.map((r) => (r.status === 200 ? r.body.id : r.body.error.payment.id) as string);
    const [n] = await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM payments WHERE customer_id = ${c} AND purpose IS NULL`);
    expect(n?.n).toBe(8);
    expect(await distinctWriters(ids)).toBeLessThan(ids.length);
    expect(await balance(c)).toBe(0);
  });

  it("retries in a burst of new writes: each new key has one effect, each retry its first answer or 422", async () => {
    // A group does not look its keys up; a retry fails the group's seal, and its writes are decided
    // again with the lookup. The new writes beside the retries must still land once each.
    const c = await fundedCustomer(sk, 100_000);
    const run = `mixed-${Date.now()}`;
    const pay = (i: number, amount = 1_000) =>
      sk.post(
        "/v1/payments",
        { amount, currency: "KGS", customer: c, confirm: true, payment_method_data: { type: "wallet" } },
        keyed(`${run}-${i}`),
      );
    const first = await Promise.all(Array.from({ length: 6 }, (_, i) => pay(i)));
    expect(first.every((r) => r.status === 200)).toBe(true);
    const burst = await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => pay(i)),
      ...Array.from({ length: 20 }, (_, i) => pay(100 + i)),
      pay(5, 2_000), // another body under a stored key
    ]);
    burst.slice(0, 5).forEach((r, i) => {
      expect(r.status).toBe(200);
      expect(r.headers.get("idempotent-replayed")).toBe("true");
      expect(r.body).toEqual(first[i]?.body);
    });
    const fresh = burst.slice(5, 25);
    for (const r of fresh) {
      expect(r.status).toBe(200);
      expect(r.headers.get("idempotent-replayed")).toBeNull();
      expect(r.body.status).toBe("succeeded");
    }
    expect(new Set(fresh.map((r) => r.body.id)).size).toBe(20);
    expect(burst[25]?.status).toBe(422);
    expect(burst[25]?.body.error.code).toBe("idempotency_key_reused");
    const [n] = await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM payments WHERE customer_id = ${c} AND purpose IS NULL`);
    expect(n?.n).toBe(26);
    const [stored] = await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM idempotency_keys WHERE key LIKE ${`${run}-%`}`);
    expect(stored?.n).toBe(26);
    expect(await balance(c)).toBe(100_000 - 26 * 1_000);
    expect((await http(api.url, api.adminKey).get("/v1/admin/ledger/verify")).body.balanced).toBe(true);
  });

  it("one key sent twice in one burst has one effect; another body under it is 422", async () => {
    const c = await fundedCustomer(sk, 5_000);
    const p = await create(1_000, c);
    const body = { payment_method_data: { type: "wallet" } };
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => sk.post(`/v1/payments/${p.id}/confirm`, body, keyed(`twice-${p.id}`))),
    );
    const ok = replies.filter((r) => r.status === 200);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const r of ok) expect(r.body).toEqual(ok[0]?.body);
    for (const r of replies.filter((x) => x.status !== 200)) expect(r.body.error).toMatchObject({ code: "request_in_progress" });
    expect(await balance(c)).toBe(4_000);
    const reused = await sk.post(
      `/v1/payments/${p.id}/confirm`,
      { payment_method_data: { type: "wallet", customer: c } },
      keyed(`twice-${p.id}`),
    );
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe("idempotency_key_reused");
  });
});
