import type { FareRules, FareTariff, RideRecord } from "@softrack/core";
import { describe, expect, it } from "vitest";
import { ApiError } from "../src/lib/errors.js";
import { decideRound, type RoundContext, screenTaps } from "../src/services/transit/decide.js";
import type { LoadedRound } from "../src/services/transit/load.js";
import type { TapInput, TapItem, TapRecord } from "../src/services/transit/taps.js";
import { walletAccount } from "../src/store/accounts.js";

// The round's decision without a database: rows in, tap rows, fare entries and results out.
const MERCHANT = "mer_test";
const NOW = Date.parse("2026-03-04T18:00:00+06:00"); // a Wednesday in Bishkek
const at = (hhmm: string, day = "2026-03-04") => `${day}T${hhmm}:00+06:00`;

function tariff(rules: FareRules, extra: Partial<FareTariff> = {}): FareTariff {
  return {
    code: "city",
    version: 1,
    kind: "fare",
    currency: "KGS",
    timezone: "Asia/Bishkek",
    effective_from: "2020-01-01T00:00:00.000Z",
    rules,
    ...extra,
  };
}

const wallet = (customer: string, currency = "KGS") => walletAccount(MERCHANT, customer, false, currency).id;

/** Two terminals on routes 7 and 12, riders ann (adult), bob (student) and cat (adult), 10,000 KGS each. */
function loaded(over: Partial<LoadedRound> = {}): LoadedRound {
  return {
    terminals: new Map([
      ["term_7", { id: "term_7", route: "7", fare_tariff: "city" }],
      ["term_12", { id: "term_12", route: "12", fare_tariff: "city" }],
    ]),
    tariffs: new Map([
      [
        "city",
        [
          tariff({
            default_fare: 2000,
            categories: { student: { discount_bps: 5000 } },
            transfer: { window_minutes: 60, discount_bps: 10000 },
            caps: { daily: 5000 },
          }),
        ],
      ],
    ]),
    riders: new Map([
      ["cus_ann", { id: "cus_ann", category: "adult", wallet_currency: "KGS" }],
      ["cus_bob", { id: "cus_bob", category: "student", wallet_currency: "KGS" }],
      ["cus_cat", { id: "cus_cat", category: "adult", wallet_currency: "KGS" }],
    ]),
    wallets: new Map([
      [wallet("cus_ann"), 10_000],
      [wallet("cus_bob"), 10_000],
      [wallet("cus_cat"), 10_000],
    ]),
    busy: [],
    recorded: new Map(),
    history: new Map(),
    historyFrom: NOW - 8 * 86_400_000,
    historyTo: NOW + 8 * 86_400_000,
    ...over,
  };
}

function context(): RoundContext {
  let n = 0;
  return { merchantId: MERCHANT, livemode: false, createdMs: NOW, newTapId: () => `tap_${++n}` };
}

let seq = 0;
const tap = (customer: string, tapped_at: string, terminal = "term_7", client_tap_id = `c${++seq}`): TapItem => ({
  input: { terminal, customer, tapped_at, client_tap_id },
});

function decide(items: TapItem[], over: Partial<LoadedRound> = {}) {
  return decideRound(loaded(over), screenTaps(items, NOW), context());
}

const taps = (d: ReturnType<typeof decide>) =>
  d.results.map((r) => (r?.ok ? { fare: r.tap.fare, decision: r.tap.decision, reason: r.tap.reason } : r?.error.code));

describe("deciding a round of taps (pure)", () => {
  it("charges the fare from the rider's wallet to the operator's balance, in the tariff's currency", () => {
    const d = decide([tap("cus_ann", at("11:00"))]);
    expect(taps(d)).toEqual([{ fare: 2000, decision: "accepted", reason: null }]);
    expect(d.taps).toHaveLength(1);
    expect(d.taps[0]).toMatchObject({ id: "tap_1", created_ms: NOW, wallet_balance: 8000, tariff_code: "city", tariff_version: 1 });
    expect(d.entries).toHaveLength(1);
    const [debit, credit] = d.entries[0]?.postings ?? [];
    expect(d.entries[0]).toMatchObject({ type: "transit_fare", sourceId: "tap_1", merchantId: MERCHANT, livemode: false });
    expect(debit).toMatchObject({ account: { id: wallet("cus_ann") }, amount: -2000 });
    expect(credit?.amount).toBe(2000);
    expect(credit?.account.id).toMatch(/^merchant:mer_test:test:available:KGS/);
  });

  it("prices the rider's category, transfers and the daily cap, counting the stored rides and the round's own", () => {
    const history: RideRecord[] = [{ tapped_at: at("07:00"), route: "7", fare: 2000, full_fare: 2000, transfer: false }];
    const d = decide(
      [
        tap("cus_ann", at("09:00")), // 2000: 4000 of 5000 today
        tap("cus_ann", at("09:30"), "term_12"), // transfer within 60 minutes, another route: free
        tap("cus_ann", at("11:00")), // reaches the cap: pays the remaining 1000
        tap("cus_ann", at("12:30"), "term_12"), // 0 after the cap (90 minutes on: no transfer)
        tap("cus_bob", at("11:00")), // student: half
      ],
      { history: new Map([["cus_ann", history]]) },
    );
    expect(d.results.map((r) => (r?.ok ? [r.tap.fare, r.tap.is_transfer] : r?.error.code))).toEqual([
      [2000, false],
      [0, true],
      [1000, false],
      [0, false],
      [1000, false],
    ]);
    // A free ride is recorded but posts nothing.
    expect(d.entries.map((e) => e.postings[0]?.amount)).toEqual([-2000, -1000, -1000]);
  });

  it("decides each rider's taps in tap-time order, whatever the order of the batch", () => {
    const d = decide([tap("cus_ann", at("10:00")), tap("cus_ann", at("08:00"))], {
      wallets: new Map([[wallet("cus_ann"), 2500]]),
    });
    // The 08:00 ride is paid first; at 10:00 only 500 is left.
    expect(taps(d)).toEqual([
      { fare: 2000, decision: "declined", reason: "insufficient_funds" },
      { fare: 2000, decision: "accepted", reason: null },
    ]);
  });

  it("declines a fare the wallet cannot pay, charges nothing, and does not count it towards the cap", () => {
    const d = decide(
      [tap("cus_cat", at("08:00")), tap("cus_cat", at("09:30")), tap("cus_cat", at("11:00")), tap("cus_cat", at("11:01"), "term_12")],
      { wallets: new Map([[wallet("cus_cat"), 3000]]) },
    );
    expect(taps(d)).toEqual([
      { fare: 2000, decision: "accepted", reason: null },
      { fare: 2000, decision: "declined", reason: "insufficient_funds" },
      { fare: 2000, decision: "declined", reason: "insufficient_funds" },
      // Not a transfer from the declined 11:00 ride; the cap still has 3000 left: full fare, too much.
      { fare: 2000, decision: "declined", reason: "insufficient_funds" },
    ]);
    expect(d.taps.map((t) => t.wallet_balance)).toEqual([1000, 1000, 1000, 1000]);
    expect(d.entries).toHaveLength(1);
  });

  it("declines unknown riders, wallets in another currency and taps before any tariff version, and 404s unknown terminals", () => {
    const d = decide(
      [
        tap("cus_nobody", at("11:00")),
        tap("cus_usd", at("11:00")),
        tap("cus_ann", at("11:00"), "term_nowhere"),
        tap("cus_ann", "2019-06-01T08:00:00+06:00"),
      ],
      { riders: new Map([...loaded().riders, ["cus_usd", { id: "cus_usd", category: "adult", wallet_currency: "USD" }]]) },
    );
    expect(taps(d)).toEqual([
      { fare: 0, decision: "declined", reason: "unknown_rider" },
      { fare: 0, decision: "declined", reason: "currency_mismatch" },
      "resource_missing",
      { fare: 0, decision: "declined", reason: "no_fare" },
    ]);
    expect(d.entries).toEqual([]);
  });

  it("refuses taps from the future before reading anything, and keeps the route's per-tap errors", () => {
    const refused: TapItem = { error: new ApiError(400, "invalid_request_error", "parameter_invalid", "bad"), client_tap_id: "x" };
    const s = screenTaps([refused, tap("cus_ann", new Date(NOW + 6 * 60_000).toISOString()), tap("cus_ann", at("17:59"))], NOW);
    expect(s.results.map((r) => r?.ok === false && r.error.code)).toEqual(["parameter_invalid", "tapped_at_in_future", undefined]);
    expect(s.readable.map((r) => r.index)).toEqual([2]);
  });

  it("decides the same tap twice in one round once, and refuses its id with another customer or instant", () => {
    const same = tap("cus_ann", at("11:00"), "term_7", "dup");
    const d = decide([same, same, tap("cus_bob", at("11:00"), "term_7", "dup"), tap("cus_ann", at("11:05"), "term_7", "dup")]);
    expect(d.results.map((r) => (r?.ok ? [r.tap.id, r.tap.replayed] : r?.error.code))).toEqual([
      ["tap_1", false],
      ["tap_1", true],
      "tap_id_reused",
      "tap_id_reused",
    ]);
    expect(d.taps).toHaveLength(1);
    expect(d.entries).toHaveLength(1);
  });

  it("answers a tap on record with the stored result and charges nothing again", () => {
    const first = decide([tap("cus_ann", at("11:00"), "term_7", "on-record")]);
    const stored = first.taps[0] as TapRecord;
    const again = decide([tap("cus_ann", at("11:00"), "term_7", "on-record"), tap("cus_bob", at("11:00"), "term_7", "on-record")], {
      recorded: new Map([["term_7\u0000on-record", stored]]),
    });
    expect(again.results[0]).toMatchObject({ ok: true, tap: { id: stored.id, replayed: true, fare: 2000 } });
    expect(again.results[1]).toMatchObject({ ok: false, error: { code: "tap_id_reused" } });
    expect(again.taps).toEqual([]);
    expect(again.entries).toEqual([]);
  });

  it("leaves busy riders' taps for a later round, and the riders sharing a tap id with them, unless on record", () => {
    const onRecord = decide([tap("cus_ann", at("08:00"), "term_7", "old")]).taps[0] as TapRecord;
    const items = [
      tap("cus_ann", at("11:00")),
      tap("cus_ann", at("08:00"), "term_7", "old"),
      tap("cus_bob", at("11:00"), "term_12", "shared"),
      tap("cus_ann", at("11:30"), "term_12", "shared"),
      tap("cus_cat", at("11:00")),
    ];
    const d = decide(items, { busy: ["cus_ann"], recorded: new Map([["term_7\u0000old", onRecord]]) });
    expect(d.deferred).toEqual([0, 2, 3]);
    expect(d.results[1]).toMatchObject({ ok: true, tap: { id: onRecord.id, replayed: true } });
    expect(d.results[4]).toMatchObject({ ok: true, tap: { customer: "cus_cat", decision: "accepted" } });
    expect([0, 2, 3].map((i) => d.results[i])).toEqual([undefined, undefined, undefined]);
    expect(d.taps.map((t) => t.customer_id)).toEqual(["cus_cat"]);
  });

  it("takes the tariff version in effect at the tap", () => {
    const versions = [
      tariff({ default_fare: 2000 }),
      tariff({ default_fare: 2500 }, { version: 2, effective_from: new Date(Date.parse(at("10:00"))).toISOString() }),
    ];
    const d = decide([tap("cus_ann", at("09:59")), tap("cus_cat", at("10:00"))], { tariffs: new Map([["city", versions]]) });
    expect(d.taps.map((t) => [t.customer_id, t.fare, t.tariff_version])).toEqual([
      ["cus_ann", 2000, 1],
      ["cus_cat", 2500, 2],
    ]);
  });

  it("refuses to price a tap whose tariff needs rides from before what was read", () => {
    const weekly = new Map([["city", [tariff({ default_fare: 2000, caps: { daily: 5000, weekly: 9000 } })]]]);
    const input: TapInput = { terminal: "term_7", customer: "cus_ann", tapped_at: at("11:00"), client_tap_id: "w" };
    const dayOnly = Date.parse(input.tapped_at) - 25 * 3_600_000;
    expect(() => decide([{ input }], { tariffs: weekly, historyFrom: dayOnly })).toThrow(/too short for tariff city/);
    expect(() => decide([{ input }], { historyFrom: dayOnly })).not.toThrow();
    // Forward too: a late tap's week runs on after it.
    const dayAhead = Date.parse(input.tapped_at) + 25 * 3_600_000;
    expect(() => decide([{ input }], { tariffs: weekly, historyTo: dayAhead })).toThrow(/too short for tariff city/);
    expect(() => decide([{ input }], { historyTo: dayAhead })).not.toThrow();
  });

  it("prices a late tap with the rides recorded after it: the day stays within its cap", () => {
    const capped = new Map([["city", [tariff({ default_fare: 2000, caps: { daily: 5000 } })]]]);
    const later: RideRecord[] = ["09:00", "10:00"].map((t) => ({
      tapped_at: at(t),
      route: "7",
      fare: 2000,
      full_fare: 2000,
      transfer: false,
    }));
    const d = decide([tap("cus_ann", at("07:00")), tap("cus_ann", at("08:00"))], {
      tariffs: capped,
      history: new Map([["cus_ann", later]]),
    });
    expect(d.taps.map((t) => [t.decision, t.fare])).toEqual([
      ["accepted", 1000],
      ["accepted", 0],
    ]);
  });

  it("leaves the rows it was given as they were", () => {
    const history: RideRecord[] = [{ tapped_at: at("07:00"), route: "7", fare: 2000, full_fare: 2000, transfer: false }];
    const rows = loaded({ history: new Map([["cus_ann", history]]) });
    const before = structuredClone({ wallets: [...rows.wallets], history: [...rows.history] });
    decideRound(rows, screenTaps([tap("cus_ann", at("09:00")), tap("cus_ann", at("08:00"))], NOW), context());
    expect({ wallets: [...rows.wallets], history: [...rows.history] }).toEqual(before);
  });
});
