import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { walletAccount } from "../src/store/accounts.js";
import type { TestApi } from "../src/testing.js";
import { fundedCustomer, type Http, http, realPostgresDatabaseUrl, startTestApi } from "./support.js";

// An upload on a PostgreSQL server decides the riders whose wallets are free first and commits
// them, then waits for the busy ones (services/transit-group-commit.ts, decideInRounds). These
// run on a real server whatever the pass: the embedded database has one connection, no rounds.
let api: TestApi;
let sk: Http;
let url: string;
let bus: string;
let otherRoute: string;

const DAY = new Date(Date.now() - 2 * 86_400_000 + 6 * 3_600_000).toISOString().slice(0, 10);
const at = (hhmm: string) => `${DAY}T${hhmm}:00+06:00`;
let seq = 0;
const tapId = () => `r-${Date.now().toString(36)}-${++seq}`;

/** Another transaction holding a rider's wallet, as a payment or another upload would; `release` ends it. */
async function holdWallet(customer: string): Promise<{ release(how: "COMMIT" | "ROLLBACK"): Promise<void> }> {
  const holder = new pg.Client({ connectionString: url });
  await holder.connect();
  await holder.query("BEGIN");
  await holder.query("SELECT balance FROM ledger_accounts WHERE id = $1 FOR UPDATE", [
    walletAccount(api.merchant.id, customer, false, "KGS").id,
  ]);
  let open = true;
  return {
    async release(how) {
      if (!open) return;
      open = false;
      await holder.query(how);
      await holder.end();
    },
  };
}

async function recorded(clientTapIds: string[]): Promise<string[]> {
  const rows = await api.runtime.database.rows<{ client_tap_id: string }>(
    sql`SELECT client_tap_id FROM taps WHERE client_tap_id IN (SELECT json_array_elements_text(${JSON.stringify(clientTapIds)}::json))`,
  );
  return rows.map((r) => r.client_tap_id).sort();
}

beforeAll(async () => {
  url = await realPostgresDatabaseUrl();
  api = await startTestApi({ databaseUrl: url, env: { WORKERS: "off" } });
  sk = http(api.url, api.merchant.secretKey);
  const rules = { default_fare: 2000, transfer: { window_minutes: 60, discount_bps: 10000 }, caps: { daily: 8000 } };
  expect((await sk.put("/v1/tariffs/round-fares", { kind: "fare", rules, effective_from: "2020-01-01T00:00:00Z" })).status).toBe(200);
  bus = (await sk.post("/v1/transit/terminals", { kind: "bus_validator", route: "7", fare_tariff: "round-fares" })).body.id;
  otherRoute = (await sk.post("/v1/transit/terminals", { kind: "bus_validator", route: "12", fare_tariff: "round-fares" })).body.id;
});
afterAll(() => api.close());

describe("an upload while a rider's wallet is busy", () => {
  it("commits the other riders at once, then decides the busy rider's taps in tap-time order once the wallet is free", async () => {
    const busy = await fundedCustomer(sk, 10_000);
    const free = await fundedCustomer(sk, 10_000);
    const ids = { busyFirst: tapId(), free: tapId(), busySecond: tapId(), busyThird: tapId() };
    const holder = await holdWallet(busy);
    try {
      // Out of tap-time order on purpose: the busy rider's 08:00 ride is last in the upload.
      const upload = sk.post("/v1/transit/taps/batch", {
        taps: [
          { terminal: bus, customer: busy, tapped_at: at("09:30"), client_tap_id: ids.busySecond },
          { terminal: bus, customer: free, tapped_at: at("08:05"), client_tap_id: ids.free },
          { terminal: otherRoute, customer: busy, tapped_at: at("09:40"), client_tap_id: ids.busyThird },
          { terminal: bus, customer: busy, tapped_at: at("08:00"), client_tap_id: ids.busyFirst },
        ],
      });
      // The free rider's tap is committed while the busy wallet is still held.
      const deadline = Date.now() + 20_000;
      while ((await recorded([ids.free])).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(await recorded(Object.values(ids))).toEqual([ids.free]);
      await holder.release("COMMIT");

      const r = await upload;
      expect(r.status).toBe(200);
      const [second, freeTap, third, first] = r.body.data;
      expect(freeTap).toMatchObject({ client_tap_id: ids.free, decision: "accepted", fare: 2000 });
      // Decided as one rider's day in time order: 08:00 full fare; 09:30 is outside its
      // 60-minute transfer window, so full fare again; 09:40 on route 12 is a transfer, free.
      expect(first).toMatchObject({ client_tap_id: ids.busyFirst, decision: "accepted", fare: 2000, is_transfer: false });
      expect(second).toMatchObject({ client_tap_id: ids.busySecond, decision: "accepted", fare: 2000, is_transfer: false });
      expect(third).toMatchObject({ client_tap_id: ids.busyThird, decision: "accepted", fare: 0, is_transfer: true });
      expect((await sk.get(`/v1/customers/${busy}`)).body.wallet.balance).toBe(6_000);
      expect(await recorded(Object.values(ids))).toEqual(Object.values(ids).sort());
    } finally {
      await holder.release("ROLLBACK");
    }
  });

  it("a re-upload while the wallet is busy again answers from the record without waiting", async () => {
    const busy = await fundedCustomer(sk, 5_000);
    const tap = { terminal: bus, customer: busy, tapped_at: at("07:15"), client_tap_id: tapId() };
    const first = await sk.post("/v1/transit/taps/batch", { taps: [tap] });
    expect(first.body.data[0]).toMatchObject({ decision: "accepted", fare: 2000 });
    const holder = await holdWallet(busy);
    try {
      const again = await sk.post("/v1/transit/taps/batch", { taps: [tap] });
      expect(again.body.data[0]).toMatchObject({ id: first.body.data[0].id, replayed: true, fare: 2000 });
    } finally {
      await holder.release("ROLLBACK");
    }
    expect((await sk.get(`/v1/customers/${busy}`)).body.wallet.balance).toBe(3_000);
  });
});
