import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clearingAccount, walletAccount } from "../src/store/accounts.js";
import type { TestApi } from "../src/testing.js";
import { accounts } from "./auth-support.js";
import { type Http, http, startTestApi, TEST_CARD } from "./support.js";

/**
 * Issue 19, findings 2 and 3: the test helpers and test keys reach test-mode rows only.
 * The worker is off, so nothing runs unless a test asks for it.
 */
let api: TestApi;
let admin: Http;

/** A webhook receiver on 127.0.0.1 that refuses every delivery (so each attempt is recorded and retried). */
let receiver: Server;
let receiverUrl: string;
let received = 0;

beforeAll(async () => {
  api = await startTestApi({ env: { WORKERS: "off" } });
  admin = http(api.url, api.adminKey);
  receiver = createServer((req, res) => {
    received++;
    req.resume();
    res.statusCode = 500;
    res.end();
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  await api.close();
});

const DAY = 86_400_000;
const inDays = (d: number) => new Date(Date.now() + d * DAY).toISOString();

/** A merchant with both modes' secret keys. */
async function bothModes() {
  const m = (await admin.post("/v1/merchants", { name: "Bishkek Bus Park", country: "KG", default_currency: "KGS" })).body;
  const live = (await admin.post(`/v1/merchants/${m.id}/activate`)).body.keys;
  return { id: m.id as string, test: http(api.url, m.keys.secret_key), live: http(api.url, live.secret_key) };
}

/**
 * A customer whose wallet holds `amount`. A live wallet cannot be topped up by card here
 * (no live provider is configured), so a live top-up is posted to the ledger as a
 * provider's settlement would be; a test wallet is topped up by the card simulator.
 */
async function fundedCustomer(merchantId: string, key: Http, livemode: boolean, amount: number) {
  const customer = (await key.post("/v1/customers", { name: "Aibek" })).body.id as string;
  if (livemode) {
    const { ledger, database } = api.runtime.deps;
    await database.db.transaction((tx) =>
      ledger.post(tx, [
        {
          type: "test.fund",
          merchantId,
          livemode: true,
          postings: [
            { account: clearingAccount("card", true, "KGS"), amount: -amount },
            { account: walletAccount(merchantId, customer, true, "KGS"), amount },
          ],
        },
      ]),
    );
  } else {
    const topup = await key.post("/v1/payments", { amount, currency: "KGS", purpose: { type: "wallet_topup", customer } });
    const paid = await key.post(`/v1/payments/${topup.body.id}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } });
    expect(paid.body.status).toBe("succeeded");
  }
  expect((await key.get(`/v1/customers/${customer}`)).body.wallet.balance).toBe(amount);
  return customer;
}

/** An order held in escrow, paid from the customer's wallet, due for collection in 3 days. */
async function heldOrder(key: Http, customer: string) {
  const point = (await key.post("/v1/pickup_points", { name: "PVZ Asanbay", address: "Bishkek, Asanbay 12" })).body.id;
  const order = await key.post("/v1/orders", {
    currency: "KGS",
    customer,
    items: [{ sku: "dress", name: "Dress", amount: 300_000, quantity: 1 }],
    no_show_fee: 50_000,
    delivery: { type: "pickup_point", point, collect_by: inDays(3) },
  });
  expect(order.status).toBe(200);
  const paid = await key.post(`/v1/payments/${order.body.payment.id}/confirm`, { payment_method_data: { type: "wallet", customer } });
  expect(paid.body.status).toBe("requires_capture");
  const held = (await key.get(`/v1/orders/${order.body.id}`)).body;
  expect(held.status).toBe("held");
  return held;
}

const kgs = (list: { amount: number; currency: string }[]) => list.find((b) => b.currency === "KGS")?.amount ?? 0;
async function balances(key: Http) {
  const b = (await key.get("/v1/balance")).body;
  return { held: kgs(b.held), pending: kgs(b.pending), available: kgs(b.available) };
}

describe("test helpers touch test-mode rows only (finding 2)", () => {
  it("a test-key run_jobs a month ahead leaves a held live order alone; the test order expires", async () => {
    const m = await bothModes();
    const liveCustomer = await fundedCustomer(m.id, m.live, true, 400_000);
    const liveOrder = await heldOrder(m.live, liveCustomer);
    const testOrder = await heldOrder(m.test, await fundedCustomer(m.id, m.test, false, 400_000));
    const liveBefore = await balances(m.live);
    expect(liveBefore).toEqual({ held: 300_000, pending: 0, available: 0 });

    const run = await m.test.post("/v1/test_helpers/run_jobs", { now: inDays(31) });
    expect(run.status).toBe(200);
    expect(run.body.jobs.by_kind).toEqual({ "order.expire": 1 });

    // Test mode ran as it should: expired, no-show fee charged.
    expect((await m.test.get(`/v1/orders/${testOrder.id}`)).body.status).toBe("expired");
    // Live mode did not move: not expired, no fee, the escrow intact, no event.
    expect((await m.live.get(`/v1/orders/${liveOrder.id}`)).body).toMatchObject({ status: "held" });
    expect((await m.live.get(`/v1/payments/${liveOrder.payment.id}`)).body).toMatchObject({
      status: "requires_capture",
      amount_captured: 0,
    });
    expect(await balances(m.live)).toEqual(liveBefore);
    expect((await m.live.get(`/v1/customers/${liveCustomer}`)).body.wallet.balance).toBe(100_000);
    expect((await m.live.get("/v1/events?type=order.expired")).body.data).toEqual([]);
    const [job] = await api.runtime.database.rows<{ status: string }>(
      sql`SELECT status FROM jobs WHERE dedupe_key = ${`order.expire:${liveOrder.id}`}`,
    );
    expect(job?.status).toBe("scheduled");
  });

  it("a test-key run_jobs does not consume a live webhook delivery's retries; test deliveries are tried", async () => {
    const m = await bothModes();
    // A live endpoint must be public https; the worker is off, so nothing sends to it unless run_jobs does.
    const liveEndpoint = await m.live.post("/v1/webhook_endpoints", { url: "https://1.1.1.1/softrack-hooks", events: ["*"] });
    expect(liveEndpoint.status).toBe(200);
    const testEndpoint = await m.test.post("/v1/webhook_endpoints", { url: receiverUrl, events: ["*"] });
    expect(testEndpoint.status).toBe(200);
    // One event in each mode: a customer's wallet payment.
    for (const [key, livemode] of [
      [m.live, true],
      [m.test, false],
    ] as const) {
      const customer = await fundedCustomer(m.id, key, livemode, 5_000);
      const pay = await key.post("/v1/payments", { amount: 1_000, currency: "KGS", customer });
      expect(
        (await key.post(`/v1/payments/${pay.body.id}/confirm`, { payment_method_data: { type: "wallet", customer } })).body.status,
      ).toBe("succeeded");
    }
    const deliveries = () =>
      api.runtime.database.rows<{ status: string; attempts: number }>(
        sql`SELECT status, attempts FROM webhook_deliveries WHERE endpoint_id = ${liveEndpoint.body.id}`,
      );
    const before = await deliveries();
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((d) => d.status === "pending" && d.attempts === 0)).toBe(true);

    // The whole retry schedule (about 28 hours) is eight attempts; eight runs a day apart would use it up.
    const start = received;
    for (let day = 1; day <= 8; day++) {
      const run = await m.test.post("/v1/test_helpers/run_jobs", { now: inDays(day) });
      expect(run.status).toBe(200);
    }
    expect(await deliveries()).toEqual(before);
    expect((await m.live.get(`/v1/webhook_endpoints/${liveEndpoint.body.id}/attempts`)).body.data).toEqual([]);
    // The test endpoint got its attempts (it answers 500, so it was retried on each run).
    expect(received - start).toBeGreaterThanOrEqual(8);
    const testAttempts = (await m.test.get(`/v1/webhook_endpoints/${testEndpoint.body.id}/attempts`)).body.data;
    expect(testAttempts.length).toBeGreaterThanOrEqual(8);
  });

  it("the caller's clock stays inside run_jobs: live orders and taps after it still read the real time", async () => {
    const m = await bothModes();
    expect((await m.live.put("/v1/tariffs/city-bus", fares(2_000))).status).toBe(200);
    const terminal = (await m.live.post("/v1/transit/terminals", { kind: "bus_validator", route: "7", fare_tariff: "city-bus" })).body.id;
    const rider = await fundedCustomer(m.id, m.live, true, 400_000);
    expect((await m.test.post("/v1/test_helpers/run_jobs", { now: inDays(400) })).status).toBe(200);
    // Were the shared clock moved 400 days ahead, a tap of now would be stale and a collection a day out would be in the past.
    const tap = await m.live.post("/v1/transit/taps", {
      terminal,
      customer: rider,
      tapped_at: new Date().toISOString(),
      client_tap_id: "now-1",
    });
    expect(tap.body).toMatchObject({ decision: "accepted", fare: 2_000 });
    const late = await m.live.post("/v1/transit/taps", { terminal, customer: rider, tapped_at: inDays(1), client_tap_id: "future-1" });
    expect(late.body.error).toMatchObject({ code: "tapped_at_in_future", param: "tapped_at" });
    expect((await heldOrder(m.live, rider)).status).toBe("held");
  });

  it("the background worker on the real clock still runs live jobs when they are due", async () => {
    const m = await bothModes();
    const liveOrder = await heldOrder(m.live, await fundedCustomer(m.id, m.live, true, 400_000));
    const { runDueJobs } = await import("../src/jobs/runner.js");
    // What the worker does at each tick, once the collection deadline has passed.
    await runDueJobs(api.runtime.deps, { now: new Date(Date.now() + 4 * DAY) });
    expect((await m.live.get(`/v1/orders/${liveOrder.id}`)).body.status).toBe("expired");
  });
});

/** A fare tariff: one flat fare. */
const fares = (fare: number, effective_from = "2020-01-01T00:00:00Z") => ({
  kind: "fare",
  effective_from,
  rules: { default_fare: fare },
});
/** A tap two days ago, so every version published below (effective 2020 or 2021) is in effect. */
let seq = 0;
const tapAt = () => ({ tapped_at: new Date(Date.now() - 2 * DAY).toISOString(), client_tap_id: `t-${Date.now().toString(36)}-${++seq}` });

describe("tariffs belong to one mode (finding 3)", () => {
  it("a test-key tariff PUT does not change the fare a live tap pays, and the reverse", async () => {
    const m = await bothModes();
    expect((await m.live.put("/v1/tariffs/city-bus", fares(2_000))).body).toMatchObject({ version: 1, livemode: true });
    expect((await m.test.put("/v1/tariffs/city-bus", fares(3_000))).body).toMatchObject({ version: 1, livemode: false });
    const liveTerminal = (await m.live.post("/v1/transit/terminals", { kind: "bus_validator", route: "7", fare_tariff: "city-bus" })).body
      .id;
    const testTerminal = (await m.test.post("/v1/transit/terminals", { kind: "bus_validator", route: "7", fare_tariff: "city-bus" })).body
      .id;
    const liveRider = await fundedCustomer(m.id, m.live, true, 100_000);
    const testRider = await fundedCustomer(m.id, m.test, false, 100_000);
    const liveTap = () => m.live.post("/v1/transit/taps", { terminal: liveTerminal, customer: liveRider, ...tapAt() });
    const testTap = () => m.test.post("/v1/transit/taps", { terminal: testTerminal, customer: testRider, ...tapAt() });
    expect((await liveTap()).body).toMatchObject({ decision: "accepted", fare: 2_000 });
    expect((await testTap()).body).toMatchObject({ decision: "accepted", fare: 3_000 });

    // A test key publishes a dearer version, effective later than the live one: live taps do not see it.
    const testPut = await m.test.put("/v1/tariffs/city-bus", fares(45_000, "2021-01-01T00:00:00Z"));
    expect(testPut.body).toMatchObject({ version: 2, livemode: false });
    expect((await liveTap()).body).toMatchObject({ decision: "accepted", fare: 2_000 });
    expect((await m.live.get("/v1/tariffs/city-bus")).body).toMatchObject({ version: 1, livemode: true, rules: { default_fare: 2_000 } });
    expect((await m.live.get("/v1/tariffs/city-bus/versions")).body.data.map((t: { version: number }) => t.version)).toEqual([1]);
    expect((await m.live.post("/v1/tariffs/city-bus/quote", { route: "7", tapped_at: tapAt().tapped_at })).body.amount).toBe(2_000);
    expect((await m.live.get("/v1/tariffs/city-bus?version=2")).status).toBe(404);
    expect((await testTap()).body).toMatchObject({ decision: "accepted", fare: 45_000 });

    // The reverse: a live version does not reach test taps; versions are numbered per mode.
    const livePut = await m.live.put("/v1/tariffs/city-bus", fares(9_000, "2022-01-01T00:00:00Z"));
    expect(livePut.body).toMatchObject({ version: 2, livemode: true });
    expect((await testTap()).body).toMatchObject({ decision: "accepted", fare: 45_000 });
    expect((await liveTap()).body).toMatchObject({ decision: "accepted", fare: 9_000 });
  });

  it("a tariff of one mode is a 404 to the other mode's key, for terminals too", async () => {
    const m = await bothModes();
    expect((await m.live.put("/v1/tariffs/express", fares(2_500))).status).toBe(200);
    expect((await m.test.get("/v1/tariffs/express")).status).toBe(404);
    expect((await m.test.get("/v1/tariffs/express/versions")).status).toBe(404);
    expect((await m.test.post("/v1/tariffs/express/quote", { route: "7", tapped_at: tapAt().tapped_at })).status).toBe(404);
    const terminal = await m.test.post("/v1/transit/terminals", { kind: "bus_validator", route: "7", fare_tariff: "express" });
    expect(terminal.status).toBe(404);
    expect(terminal.body.error).toMatchObject({ code: "resource_missing", param: "fare_tariff" });
  });
});

describe("customers belong to one mode", () => {
  it("a rider's sign-in reaches their live account, even when a test key made a test customer with their phone first", async () => {
    const m = await bothModes();
    const phone = "+996555700700";
    // Someone with only the test key gets there first.
    const decoy = (await m.test.post("/v1/customers", { name: "Decoy", phone })).body.id;
    const rider = (await m.live.post("/v1/customers", { name: "Aisuluu", phone })).body.id;
    const a = accounts(api);
    const start = await a.anon.post("/v1/auth/phone/start", { phone, audience: "customer", merchant: m.id });
    expect(start.status).toBe(200);
    const signedIn = await a.anon.post("/v1/auth/verify", { challenge: start.body.id, code: (await a.lastMessage(phone))?.code });
    expect(signedIn.body).toMatchObject({ status: "complete", identity: { kind: "customer", customer: rider, livemode: true } });
    expect(signedIn.body.identity.customer).not.toBe(decoy);
  });
});
