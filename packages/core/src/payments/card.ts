/**
 * Card rules shared by the API (validation, the brand it records) and the widget (as-you-type
 * checks, formatting): one table of issuer ranges, so the two never disagree on a brand —
 * national schemes of the region included (Mir, Humo, Uzcard, Elcart).
 */
export type CardBrand = "visa" | "mastercard" | "mir" | "amex" | "unionpay" | "humo" | "uzcard" | "elcart" | "unknown";

export interface CardRule {
  brand: Exclude<CardBrand, "unknown">;
  /** IIN prefix ranges, inclusive, compared on the same number of leading digits */
  ranges: ReadonlyArray<readonly [number, number]>;
  lengths: readonly number[];
  cvc: number;
  /** digit groups for display, e.g. 4-4-4-4 */
  gaps: readonly number[];
}

const GAPS_16: readonly number[] = [4, 8, 12, 16];

// Order matters: narrower national ranges (Mir 2200-2204, Humo 9860) before wide ones.
const RULES: readonly CardRule[] = [
  { brand: "mir", ranges: [[2200, 2204]], lengths: [16, 17, 18, 19], cvc: 3, gaps: GAPS_16 },
  { brand: "humo", ranges: [[9860, 9860]], lengths: [16], cvc: 3, gaps: GAPS_16 },
  {
    brand: "uzcard",
    ranges: [
      [8600, 8600],
      [5614, 5614],
    ],
    lengths: [16],
    cvc: 3,
    gaps: GAPS_16,
  },
  { brand: "elcart", ranges: [[9417, 9417]], lengths: [16], cvc: 3, gaps: GAPS_16 },
  {
    brand: "amex",
    ranges: [
      [34, 34],
      [37, 37],
    ],
    lengths: [15],
    cvc: 4,
    gaps: [4, 10],
  },
  { brand: "visa", ranges: [[4, 4]], lengths: [16], cvc: 3, gaps: GAPS_16 },
  {
    brand: "mastercard",
    ranges: [
      [51, 55],
      [2221, 2720],
    ],
    lengths: [16],
    cvc: 3,
    gaps: GAPS_16,
  },
  { brand: "unionpay", ranges: [[62, 62]], lengths: [16, 17, 18, 19], cvc: 3, gaps: GAPS_16 },
];

/** Lengths, CVC and grouping of a card whose brand is not known yet. */
export const DEFAULT_CARD_RULE: Pick<CardRule, "lengths" | "cvc" | "gaps"> = { lengths: [16], cvc: 3, gaps: GAPS_16 };

function matches(digits: string, from: number, to: number): "full" | "partial" | undefined {
  const width = String(from).length;
  if (digits.length >= width) {
    const head = Number(digits.slice(0, width));
    return head >= from && head <= to ? "full" : undefined;
  }
  // Fewer digits than the prefix: compatible if some prefix in the range starts with them.
  const k = digits.length;
  const n = Number(digits);
  return n >= Number(String(from).slice(0, k)) && n <= Number(String(to).slice(0, k)) ? "partial" : undefined;
}

/**
 * The rule for a card number's leading digits (digits only); while only a few digits are
 * typed, a rule is returned only when those digits leave no doubt.
 */
export function cardRule(digits: string): CardRule | undefined {
  if (digits.length === 0) return undefined;
  const partial: CardRule[] = [];
  for (const rule of RULES) {
    const m = rule.ranges.map(([from, to]) => matches(digits, from, to));
    if (m.includes("full")) return rule;
    if (m.includes("partial")) partial.push(rule);
  }
  return partial.length === 1 ? partial[0] : undefined;
}

/** The brand of a card number (digits only): "unknown" when no range matches. */
export function cardBrand(number: string): CardBrand {
  return cardRule(number)?.brand ?? "unknown";
}

/** Luhn (mod 10) checksum of 12 to 19 digits; anything else is invalid. */
export function luhnValid(number: string): boolean {
  if (!/^\d{12,19}$/.test(number)) return false;
  let sum = 0;
  let double = false;
  for (let i = number.length - 1; i >= 0; i--) {
    let d = number.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** A card is usable until the end of its expiry month (UTC). */
export function cardExpired(expMonth: number, expYear: number, now: Date): boolean {
  const endOfMonth = Date.UTC(expYear, expMonth, 1); // first instant of the following month
  return now.getTime() >= endOfMonth;
}
