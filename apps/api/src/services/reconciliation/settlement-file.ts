import { CURRENCY_CODES, MAX_AMOUNT } from "@softrack/core";
import { CsvError, type Options, parse } from "csv-parse/sync";
import { csvFile } from "../../lib/csv.js";
import { invalid } from "../../lib/errors.js";

/**
 * A provider's daily settlement file: one line per movement it settled (a capture or a
 * refund), with its own fee. Pure: no database, no clock.
 *
 *   reference,type,amount,currency,fee,date
 *   pay_01J…,capture,15000,KGS,225,2026-12-02
 *   re_01J…,refund,5000,KGS,0,2026-12-02
 *
 * `reference` is Softrack's id of the movement, which is what the connector sends the provider
 * as its reference (the payment's id for a capture, the refund's id for a refund). Amounts and
 * fees are integers in minor units, as everywhere in the API; `date` is the UTC day.
 */
export const SETTLEMENT_COLUMNS = ["reference", "type", "amount", "currency", "fee", "date"] as const;
export type MovementType = "capture" | "refund";

export interface SettlementLine {
  /** The line in the file (1 is the header). */
  line: number;
  reference: string;
  type: MovementType;
  amount: number;
  currency: string;
  fee: number;
  date: string;
}

/** One movement as the file generator writes it. */
export type SettlementRow = Omit<SettlementLine, "line">;

/** The key a movement is known by: a payment's capture and a refund never share an id. */
export const movementKey = (m: { type: string; reference: string }) => `${m.type}:${m.reference}`;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
/** A real calendar day written YYYY-MM-DD. */
export function isDay(s: string): boolean {
  const m = DAY.exec(s);
  if (!m) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Every value is an id, a code, an integer or a day: none needs quoting. */
export function formatSettlementFile(rows: readonly SettlementRow[]): string {
  return csvFile(
    SETTLEMENT_COLUMNS,
    rows.map((r) => [r.reference, r.type, r.amount, r.currency, r.fee, r.date]),
  );
}

/** What csv-parse refused, said without quoting the file (its lines stay out of answers and logs). */
const CSV_PROBLEMS: Partial<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED: "opens a quoted field that is never closed",
  CSV_INVALID_CLOSING_QUOTE: "has a character after a closing quote",
  INVALID_OPENING_QUOTE: "has a quote inside an unquoted field",
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: "has a character after a closing quote",
  CSV_MAX_RECORD_SIZE: "is too long",
};

/** 400 naming the line, in `message`, in `line`, and `param: "content"`. */
export function badLine(line: number, problem: string, code = "invalid_settlement_file") {
  return invalid(code, `Line ${line} of the settlement file ${problem}.`, "content", { line });
}

const CURRENCIES = new Set<string>(CURRENCY_CODES);
const INTEGER = /^\d{1,15}$/;
/** Softrack's ids, and what a provider may call a movement: no spaces, no separators. */
const REFERENCE = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * Parses and checks a settlement file; the first problem is a 400 with its line number. The
 * header names the columns (any order; unknown columns are ignored); empty and blank lines are skipped.
 */
export function parseSettlementFile(content: string): SettlementLine[] {
  let records: [line: number, fields: string[]][];
  try {
    records = parse(content, {
      bom: true,
      skip_empty_lines: true,
      // Counted below, after the header is known good: a bad header is the first thing to say.
      relax_column_count: true,
      max_record_size: 4096,
      // The line each record ends on, without csv-parse's per-record `info` copy (3x slower).
      on_record: ((record: string[], context: { lines: number }) => [context.lines, record]) as unknown as Options["on_record"],
    }) as unknown as [number, string[]][];
  } catch (e) {
    if (e instanceof CsvError) {
      const line = typeof e.lines === "number" && e.lines > 0 ? e.lines : 1;
      throw badLine(line, CSV_PROBLEMS[e.code] ?? "is not valid CSV");
    }
    throw e;
  }
  const header = records[0];
  if (!header) throw badLine(1, `is empty: the first line must be the header ${SETTLEMENT_COLUMNS.join(",")}`);
  const [headerLine, headerFields] = header;
  const names = headerFields.map((h) => h.trim().toLowerCase());
  const at = {} as Record<(typeof SETTLEMENT_COLUMNS)[number], number>;
  for (const col of SETTLEMENT_COLUMNS) {
    const i = names.indexOf(col);
    if (i < 0) throw badLine(headerLine, `header has no '${col}' column (expected ${SETTLEMENT_COLUMNS.join(",")})`);
    if (names.indexOf(col, i + 1) >= 0) throw badLine(headerLine, `header names '${col}' twice`);
    at[col] = i;
  }

  const lines: SettlementLine[] = [];
  const seen = new Map<string, number>();
  for (let r = 1; r < records.length; r++) {
    const [n, record] = records[r] as [number, string[]];
    // A line of nothing but spaces (or a stray line ending after the last line) is empty too.
    if (record.every((f) => f.trim() === "")) continue;
    if (record.length !== headerFields.length) throw badLine(n, "has a different number of fields than the header");
    // Spaces around a field are padding, not data.
    const reference = (record[at.reference] as string).trim();
    const type = (record[at.type] as string).trim();
    const amount = (record[at.amount] as string).trim();
    const currency = (record[at.currency] as string).trim();
    const fee = (record[at.fee] as string).trim();
    const date = (record[at.date] as string).trim();
    if (!REFERENCE.test(reference)) throw badLine(n, "has no valid reference (letters, digits, _ . : -, at most 64)");
    if (type !== "capture" && type !== "refund") throw badLine(n, "has a type other than capture or refund");
    if (!INTEGER.test(amount) || Number(amount) <= 0 || Number(amount) > MAX_AMOUNT)
      throw badLine(n, "has an amount that is not a positive integer of minor units");
    if (!CURRENCIES.has(currency)) throw badLine(n, `has a currency other than ${CURRENCY_CODES.join(", ")}`);
    if (!INTEGER.test(fee) || Number(fee) > MAX_AMOUNT) throw badLine(n, "has a fee that is not a non-negative integer of minor units");
    if (!isDay(date)) throw badLine(n, "has a date that is not a day written YYYY-MM-DD");
    const key = movementKey({ type, reference });
    const first = seen.get(key);
    if (first !== undefined) throw badLine(n, `repeats the ${type} on line ${first}`, "duplicate_settlement_line");
    seen.set(key, n);
    lines.push({ line: n, reference, type, amount: Number(amount), currency, fee: Number(fee), date });
  }
  return lines;
}
