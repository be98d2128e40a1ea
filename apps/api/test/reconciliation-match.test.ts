import { describe, expect, it } from "vitest";
import { simulatedAcquirerFee } from "../src/connectors/card.js";
import { ApiError } from "../src/lib/errors.js";
import { type LedgerMovement, matchSettlement } from "../src/services/reconciliation/match.js";
import {
  formatSettlementFile,
  isDay,
  movementKey,
  parseSettlementFile,
  type SettlementLine,
} from "../src/services/reconciliation/settlement-file.js";

/** The pure half of reconciliation: the file's format and the line-by-line matching, without a database. */

const HEADER = "reference,type,amount,currency,fee,date";

function refusal(content: string): ApiError {
  try {
    parseSettlementFile(content);
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error("parsed");
}

describe("settlement file", () => {
  it("reads back what it writes", () => {
    const rows = [
      { reference: "pay_A", type: "capture" as const, amount: 15_000, currency: "KGS", fee: 225, date: "2026-12-02" },
      { reference: "re_B", type: "refund" as const, amount: 500, currency: "KZT", fee: 0, date: "2026-12-02" },
    ];
    const text = formatSettlementFile(rows);
    expect(text.split("\r\n")[0]).toBe(HEADER);
    expect(parseSettlementFile(text)).toEqual(rows.map((r, i) => ({ ...r, line: i + 2 })));
  });

  it("takes a BOM, columns in any order, extra columns, quotes and blank lines; numbers lines as the file does", () => {
    const text = `\uFEFFdate,fee,currency,amount,type,reference,note\n\n2026-12-02,225,KGS,15000,capture,"pay_A","a, quoted note"\n`;
    expect(parseSettlementFile(text)).toEqual([
      { line: 3, reference: "pay_A", type: "capture", amount: 15_000, currency: "KGS", fee: 225, date: "2026-12-02" },
    ]);
  });

  it("skips a blank last line, or a stray line ending after it", () => {
    const text = `reference,type,amount,currency,fee,date\r\npay_A,capture,15000,KGS,225,2026-12-02\r\n`;
    const one = [{ line: 2, reference: "pay_A", type: "capture", amount: 15_000, currency: "KGS", fee: 225, date: "2026-12-02" }];
    for (const tail of ["\n", "   ", "   \r\n", "\r\n\r\n"]) expect(parseSettlementFile(text + tail)).toEqual(one);
  });

  it("names the first bad line, in the message and in `line`", () => {
    const good = "pay_A,capture,100,KGS,2,2026-12-02";
    const cases: [string, number, string][] = [
      ["", 1, "invalid_settlement_file"],
      [`reference,type,amount,currency,fee\n${good}`, 1, "invalid_settlement_file"],
      [`${HEADER}\n${good}\npay_B,capture,-1,KGS,2,2026-12-02`, 3, "invalid_settlement_file"],
      [`${HEADER}\n${good}\npay_B,capture,1e3,KGS,2,2026-12-02`, 3, "invalid_settlement_file"],
      [`${HEADER}\n${good}\npay_B,capture,0,KGS,2,2026-12-02`, 3, "invalid_settlement_file"],
      [`${HEADER}\n${good}\npay_B,capture,100,kgs,2,2026-12-02`, 3, "invalid_settlement_file"],
      [`${HEADER}\n${good}\npay_B,capture,100,KGS,,2026-12-02`, 3, "invalid_settlement_file"],
      [`${HEADER}\n${good}\npay_B,capture,100,KGS,2,2026-02-30`, 3, "invalid_settlement_file"],
      [`${HEADER}\n${good}\npay B,capture,100,KGS,2,2026-12-02`, 3, "invalid_settlement_file"],
      [`${HEADER}\n${good}\n\n\npay_B,capture,100,KGS,2`, 5, "invalid_settlement_file"],
      [`${HEADER}\n${good}\n${good}`, 3, "duplicate_settlement_line"],
      [`${HEADER}\n"${good}\n${good}`, 3, "invalid_settlement_file"],
    ];
    for (const [content, line, code] of cases) {
      const e = refusal(content);
      expect({ content, status: e.status, code: e.code, line: e.extra.line, param: e.param }).toEqual({
        content,
        status: 400,
        code,
        line,
        param: "content",
      });
      expect(e.message).toMatch(new RegExp(`^Line ${line} `));
    }
  });

  it("a capture and a refund may share nothing but never collide: keys carry the type", () => {
    expect(movementKey({ type: "capture", reference: "x" })).not.toBe(movementKey({ type: "refund", reference: "x" }));
    expect(isDay("2024-02-29")).toBe(true);
    expect(isDay("2023-02-29")).toBe(false);
  });

  it("the simulated acquirer takes 1.5% of a capture, rounded half up, and nothing on a refund", () => {
    expect(simulatedAcquirerFee({ type: "capture", amount: 10_000, currency: "KGS" })).toBe(150);
    expect(simulatedAcquirerFee({ type: "capture", amount: 100, currency: "KGS" })).toBe(2); // 1.5 → 2
    expect(simulatedAcquirerFee({ type: "capture", amount: 99, currency: "KGS" })).toBe(1); // 1.485 → 1
    expect(simulatedAcquirerFee({ type: "refund", amount: 10_000, currency: "KGS" })).toBe(0);
  });
});

describe("matchSettlement", () => {
  const fee = (m: LedgerMovement) => simulatedAcquirerFee(m);
  const ledger: LedgerMovement[] = [
    { type: "capture", reference: "pay_1", amount: 10_000, currency: "KGS" },
    { type: "capture", reference: "pay_2", amount: 20_000, currency: "KGS" },
    { type: "capture", reference: "pay_3", amount: 30_000, currency: "KGS" },
    { type: "refund", reference: "re_1", amount: 1_000, currency: "KGS" },
    { type: "capture", reference: "pay_4", amount: 40_000, currency: "KGS" },
  ];
  const line = (n: number, m: LedgerMovement, over: Partial<SettlementLine> = {}): SettlementLine => ({
    line: n,
    ...m,
    fee: fee(m),
    date: "2026-12-02",
    ...over,
  });
  const named = new Map(ledger.map((m) => [movementKey(m), m]));
  const [p1, p2, p3, r1, p4] = ledger as [LedgerMovement, LedgerMovement, LedgerMovement, LedgerMovement, LedgerMovement];

  it("sorts every line into exactly one finding", () => {
    const file = [
      line(2, p1),
      line(3, p2, { amount: 20_001 }),
      line(4, p3, { fee: 0 }),
      line(5, r1),
      line(6, { type: "capture", reference: "pay_ghost", amount: 5, currency: "KGS" }),
      line(7, p1, { type: "refund" }),
    ];
    const r = matchSettlement({ file, named, day: ledger, claimed: new Map(), expectedFee: fee });
    expect(r.lines.map((l) => [l.line, l.reference, l.status])).toEqual([
      [2, "pay_1", "matched"],
      [3, "pay_2", "amount_mismatch"],
      [4, "pay_3", "fee_mismatch"],
      [5, "re_1", "matched"],
      [6, "pay_ghost", "missing_in_ledger"],
      // A refund named by a payment's id is no refund the ledger knows.
      [7, "pay_1", "missing_in_ledger"],
      [null, "pay_4", "missing_in_file"],
    ]);
    expect(r.counts).toEqual({
      matched: 2,
      amount_mismatch: 1,
      fee_mismatch: 1,
      missing_in_ledger: 2,
      missing_in_file: 1,
      already_reconciled: 0,
    });
    // Only matched movements are accounted for: a disagreement stays open.
    expect(r.claims.map(movementKey).sort()).toEqual(["capture:pay_1", "refund:re_1"]);
  });

  it("a movement that disagreed stays open: a corrected file matches it, another disagreement is reported", () => {
    const first = matchSettlement({ file: [line(2, p2, { amount: 19_999 })], named, day: [p2], claimed: new Map(), expectedFee: fee });
    expect(first.lines.map((l) => l.status)).toEqual(["amount_mismatch"]);
    const claimed = new Map(first.claims.map((c) => [movementKey(c), "rec_first"]));
    const again = matchSettlement({ file: [line(2, p2, { amount: 20_001 })], named, day: [p2], claimed, expectedFee: fee });
    expect(again.lines.map((l) => l.status)).toEqual(["amount_mismatch"]);
    const corrected = matchSettlement({ file: [line(2, p2)], named, day: [p2], claimed, expectedFee: fee });
    expect(corrected.lines.map((l) => l.status)).toEqual(["matched"]);
    expect(corrected.claims.map(movementKey)).toEqual(["capture:pay_2"]);
  });

  it("a currency other than the ledger's is an amount mismatch, and the amount comes before the fee", () => {
    const r = matchSettlement({
      file: [line(2, p1, { currency: "KZT" }), line(3, p2, { amount: 1, fee: 999 })],
      named,
      day: [],
      claimed: new Map(),
      expectedFee: fee,
    });
    expect(r.lines.map((l) => l.status)).toEqual(["amount_mismatch", "amount_mismatch"]);
  });

  it("what an earlier reconciliation accounted for is reported, never matched or missed again", () => {
    const claimed = new Map([
      [movementKey(p1), "rec_first"],
      [movementKey(p4), "rec_first"],
    ]);
    const r = matchSettlement({ file: [line(2, p1), line(3, p2)], named, day: ledger, claimed, expectedFee: fee });
    expect(r.lines.map((l) => [l.reference, l.status, l.reconciliation])).toEqual([
      ["pay_1", "already_reconciled", "rec_first"],
      ["pay_2", "matched", undefined],
      // pay_4 was accounted for by the earlier file: not missing from this one.
      ["pay_3", "missing_in_file", undefined],
      ["re_1", "missing_in_file", undefined],
    ]);
    expect(r.claims.map(movementKey)).toEqual(["capture:pay_2"]);
  });

  it("without a fee schedule, fees are not compared", () => {
    const r = matchSettlement({ file: [line(2, p1, { fee: 12_345 })], named, day: [p1], claimed: new Map() });
    expect(r.lines[0]).toMatchObject({ status: "matched", expected_fee: null });
  });
});
