import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clearingAccount, merchantAccount, walletAccount, walletAccountIdSql } from "../src/store/accounts.js";
import type { TestApi } from "../src/testing.js";
import { http, startTestApi } from "./support.js";

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({ env: { WORKERS: "off", DB_POOL_SIZE: "40" } });
});
afterAll(() => api.close());

describe("ledger store under concurrency", () => {
  it("200 concurrent debits of 1/100 of a balance: exactly 100 succeed, never below zero, verify balanced", async () => {
    const { ledger, database } = api.runtime.deps;
    const m = api.merchant.id;
    const wallet = walletAccount(m, "cus_concurrency", false, "KGS");
    const outside = clearingAccount("card", false, "KGS");
    const shop = merchantAccount(m, false, "available", "KGS");
    await database.db.transaction((tx) =>
      ledger.post(tx, [
        {
          type: "test.fund",
          merchantId: m,
          livemode: false,
          postings: [
            { account: outside, amount: -1_000_000 },
            { account: wallet, amount: 1_000_000 },
          ],
        },
      ]),
    );
    const debit = () =>
      database.db.transaction(async (tx) => {
        const [r] = await ledger.post(tx, [
          {
            type: "test.debit",
            merchantId: m,
            livemode: false,
            postings: [
              { account: wallet, amount: -10_000 },
              { account: shop, amount: 10_000 },
            ],
          },
        ]);
        return r?.ok ?? false;
      });
    const results = await Promise.all(Array.from({ length: 200 }, debit));
    expect(results.filter(Boolean)).toHaveLength(100);
    const [row] = await database.rows<{ balance: number }>(
      (await import("drizzle-orm")).sql`SELECT balance FROM ledger_accounts WHERE id = ${wallet.id}`,
    );
    expect(row?.balance).toBe(0);
    const verify = await http(api.url, api.adminKey).get("/v1/admin/ledger/verify");
    expect(verify.body).toMatchObject({ balanced: true, mismatches: [], totals: { KGS: 0 } });
  });

  it("a batch decides each entry against the balances the earlier ones left", async () => {
    const { ledger, database } = api.runtime.deps;
    const m = api.merchant.id;
    const wallet = walletAccount(m, "cus_batch", false, "KGS");
    const outside = clearingAccount("card", false, "KGS");
    const shop = merchantAccount(m, false, "available", "KGS");
    const results = await database.db.transaction((tx) =>
      ledger.post(tx, [
        {
          type: "test.fund",
          merchantId: m,
          livemode: false,
          postings: [
            { account: outside, amount: -500 },
            { account: wallet, amount: 500 },
          ],
        },
        {
          type: "test.debit",
          merchantId: m,
          livemode: false,
          postings: [
            { account: wallet, amount: -300 },
            { account: shop, amount: 300 },
          ],
        },
        {
          type: "test.debit",
          merchantId: m,
          livemode: false,
          postings: [
            { account: wallet, amount: -300 },
            { account: shop, amount: 300 },
          ],
        },
        {
          type: "test.debit",
          merchantId: m,
          livemode: false,
          postings: [
            { account: wallet, amount: -200 },
            { account: shop, amount: 200 },
          ],
        },
      ]),
    );
    expect(results.map((r) => r.ok)).toEqual([true, true, false, true]);
    const rejected = results[2];
    expect(rejected?.ok === false && rejected.rejection.code).toBe("insufficient_funds");
  });

  it("the database itself refuses a negative wallet even if the store were bypassed", async () => {
    const { database } = api.runtime.deps;
    const { sql } = await import("drizzle-orm");
    await database.rows(
      sql`INSERT INTO ledger_accounts (id, kind, currency, allow_negative, balance) VALUES ('customer:cus_x:wallet:KGS', 'customer_wallet', 'KGS', false, 0)`,
    );
    const err = await database.rows(sql`UPDATE ledger_accounts SET balance = -1 WHERE id = 'customer:cus_x:wallet:KGS'`).then(
      () => null,
      (e: Error & { cause?: Error }) => e,
    );
    expect(`${err?.message} ${err?.cause?.message}`).toMatch(/ledger_accounts_non_negative/);
    await database.rows(sql`DELETE FROM ledger_accounts WHERE id = 'customer:cus_x:wallet:KGS'`);
  });
});

describe("ledger group commit", () => {
  it("200 concurrent debits through group commit: exactly 100 succeed, in fewer transactions, verify balanced", async () => {
    const { LedgerGroupCommit } = await import("../src/store/group-commit.js");
    const { ledger, database } = api.runtime.deps;
    const group = new LedgerGroupCommit(database, ledger, { maxBatch: 64, maxParallel: 2 });
    const m = api.merchant.id;
    const wallet = walletAccount(m, "cus_group", false, "KGS");
    const outside = clearingAccount("card", false, "KGS");
    const shop = merchantAccount(m, false, "available", "KGS", "group");
    const funded = await group.submit({
      type: "test.fund",
      merchantId: m,
      livemode: false,
      postings: [
        { account: outside, amount: -1_000_000 },
        { account: wallet, amount: 1_000_000 },
      ],
    });
    expect(funded.ok).toBe(true);
    const results = await Promise.all(
      Array.from({ length: 200 }, () =>
        group.submit({
          type: "test.debit",
          merchantId: m,
          livemode: false,
          postings: [
            { account: wallet, amount: -10_000 },
            { account: shop, amount: 10_000 },
          ],
        }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(100);
    for (const r of results.filter((x) => !x.ok)) expect(r.ok === false && r.rejection.code).toBe("insufficient_funds");
    // Batched: far fewer transactions than transfers.
    expect(group.batches).toBeLessThan(50);
    const { sql } = await import("drizzle-orm");
    const [row] = await database.rows<{ balance: number }>(sql`SELECT balance FROM ledger_accounts WHERE id = ${wallet.id}`);
    expect(row?.balance).toBe(0);
    expect((await http(api.url, api.adminKey).get("/v1/admin/ledger/verify")).body).toMatchObject({ balanced: true, mismatches: [] });
  });
});

describe("lock order", () => {
  it("payments that create a guarded account concurrently with payments that find it: none deadlocks", async () => {
    // The pattern behind a bench's 503s: a fresh revenue shard (guarded) first seen by some
    // requests and already created by others, next to the merchant's blind-upserted balance.
    const { ledger, database } = api.runtime.deps;
    const m = api.merchant.id;
    const outside = clearingAccount("card", false, "KGS");
    const wallets = Array.from({ length: 64 }, (_, i) => walletAccount(m, `cus_order_${i}`, false, "KGS"));
    await database.db.transaction((tx) =>
      ledger.post(
        tx,
        wallets.map((w) => ({
          type: "test.fund",
          merchantId: m,
          livemode: false,
          postings: [
            { account: outside, amount: -1_000 },
            { account: w, amount: 1_000 },
          ],
        })),
      ),
    );
    const revenue = (i: number) => ({
      id: `platform:test:revenue:KGS:lock_order_${i % 4}`,
      merchantId: null,
      kind: "platform_revenue",
      currency: "KGS",
      livemode: false,
      allowNegative: false,
    });
    const pay = (i: number) =>
      database.db.transaction(async (tx) => {
        const [r] = await ledger.post(tx, [
          {
            type: "test.payment",
            merchantId: m,
            livemode: false,
            postings: [
              { account: wallets[i % 64] as ReturnType<typeof walletAccount>, amount: -10 },
              { account: merchantAccount(m, false, "available", "KGS", `lock_order_${i % 4}`), amount: 9 },
              { account: revenue(i), amount: 1 },
            ],
          },
        ]);
        return r?.ok ?? false;
      });
    const outcomes = await Promise.allSettled(Array.from({ length: 256 }, (_, i) => pay(i)));
    const failures = outcomes
      .filter((o) => o.status === "rejected")
      .map((o) => String((o as PromiseRejectedResult).reason?.cause?.message ?? (o as PromiseRejectedResult).reason));
    expect(failures).toEqual([]);
    expect(outcomes.filter((o) => o.status === "fulfilled" && o.value)).toHaveLength(256);
    const verify = await http(api.url, api.adminKey).get("/v1/admin/ledger/verify");
    expect(verify.body).toMatchObject({ balanced: true, mismatches: [] });
  });
});

describe("account names in SQL", () => {
  it("walletAccountIdSql builds the id walletAccount() names, from a customer's row", async () => {
    const { database } = api.runtime.deps;
    const customer = await http(api.url, api.merchant.secretKey).post("/v1/customers", { name: "Named in SQL" });
    expect(customer.status).toBe(200);
    const [row] = await database.rows<{ id: string; wallet_currency: string; wallet: string }>(
      sql`SELECT c.id, c.wallet_currency, ${walletAccountIdSql(sql`c.id`, sql`c.wallet_currency`)} AS wallet
          FROM customers c WHERE c.id = ${customer.body.id}`,
    );
    expect(row?.wallet).toBe(walletAccount(api.merchant.id, customer.body.id, false, row?.wallet_currency as string).id);
    expect(row?.wallet).toBe(`customer:${customer.body.id}:wallet:${row?.wallet_currency}`);
  });
});
