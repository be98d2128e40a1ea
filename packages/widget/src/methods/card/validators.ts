/**
 * Card number, expiry and CVC rules. Pure functions shared by the card iframe
 * (where the digits are typed) and the unit tests; nothing here ever logs a number.
 */

export type CardBrand = "visa" | "mastercard" | "mir" | "amex" | "unionpay" | "humo" | "uzcard" | "elcart" | "unknown";

interface BrandRule {
  brand: Exclude<CardBrand, "unknown">;
  /** prefix ranges, inclusive, compared on the same number of leading digits */
  ranges: ReadonlyArray<readonly [number, number]>;
  lengths: readonly number[];
  cvc: number;
  /** digit groups for display, e.g. 4-4-4-4 */
  gaps: readonly number[];
}

const GAPS_16: readonly number[] = [4, 8, 12, 16];

// Order matters: narrower national ranges (Mir 2200-2204, Humo 9860) before wide ones.
const RULES: readonly BrandRule[] = [
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

const DEFAULT_RULE: Pick<BrandRule, "lengths" | "cvc" | "gaps"> = { lengths: [16], cvc: 3, gaps: GAPS_16 };

export function digitsOnly(value: string): string {
  return value.replace(/\D+/g, "");
}

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

function ruleFor(digits: string): BrandRule | undefined {
  if (digits.length === 0) return undefined;
  const partial: BrandRule[] = [];
  for (const rule of RULES) {
    const m = rule.ranges.map(([from, to]) => matches(digits, from, to));
    if (m.includes("full")) return rule;
    if (m.includes("partial")) partial.push(rule);
  }
  // Say a brand early only when the digits so far leave no doubt.
  return partial.length === 1 ? partial[0] : undefined;
}

/** The card brand from the leading digits (IIN); "unknown" until they say. */
export function detectBrand(number: string): CardBrand {
  return ruleFor(digitsOnly(number))?.brand ?? "unknown";
}

/** Luhn (mod 10) checksum. */
export function luhnValid(number: string): boolean {
  const digits = digitsOnly(number);
  if (digits.length < 12) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

export function maxNumberLength(number: string): number {
  const rule = ruleFor(digitsOnly(number)) ?? DEFAULT_RULE;
  return Math.max(...rule.lengths);
}

export function cvcLength(number: string): number {
  return (ruleFor(digitsOnly(number)) ?? DEFAULT_RULE).cvc;
}

/** "4242424242424242" → "4242 4242 4242 4242" (Amex 4-6-5); extra digits are dropped. */
export function formatCardNumber(value: string): string {
  const digits = digitsOnly(value);
  const rule = ruleFor(digits) ?? DEFAULT_RULE;
  const clipped = digits.slice(0, Math.max(...rule.lengths));
  let out = "";
  for (let i = 0; i < clipped.length; i++) {
    if (rule.gaps.includes(i)) out += " ";
    out += clipped[i];
  }
  return out;
}

export type FieldError = "incomplete" | "invalid" | "expired" | "too_far" | undefined;

export interface FieldState {
  /** nothing typed */
  empty: boolean;
  /** typed, valid, and as long as it can be: move on to the next field */
  complete: boolean;
  /** an error to show now; "incomplete" only once the buyer has left the field */
  error: FieldError;
}

export function validateCardNumber(value: string): FieldState {
  const digits = digitsOnly(value);
  if (digits.length === 0) return { empty: true, complete: false, error: undefined };
  const rule = ruleFor(digits) ?? DEFAULT_RULE;
  const max = Math.max(...rule.lengths);
  const lengthOk = rule.lengths.includes(digits.length);
  if (lengthOk && luhnValid(digits)) return { empty: false, complete: true, error: undefined };
  // A full-length number that fails Luhn is wrong already: say so while typing.
  if (digits.length >= max) return { empty: false, complete: false, error: "invalid" };
  return { empty: false, complete: false, error: "incomplete" };
}

/** "1" → "1", "12" → "12 / ", "1234" → "12 / 34"; a leading 2-9 month gets a 0. */
export function formatExpiry(value: string, deleting = false): string {
  let digits = digitsOnly(value).slice(0, 4);
  if (digits.length === 1 && Number(digits) > 1) digits = `0${digits}`;
  if (digits.length < 2) return digits;
  if (digits.length === 2) return deleting ? digits : `${digits} / `;
  return `${digits.slice(0, 2)} / ${digits.slice(2)}`;
}

export interface Expiry {
  month: number;
  /** four-digit year */
  year: number;
}

export function parseExpiry(value: string): Expiry | undefined {
  const digits = digitsOnly(value);
  if (digits.length !== 4) return undefined;
  const month = Number(digits.slice(0, 2));
  const year = 2000 + Number(digits.slice(2));
  if (month < 1 || month > 12) return undefined;
  return { month, year };
}

export function validateExpiry(value: string, now: Date = new Date()): FieldState {
  const digits = digitsOnly(value);
  if (digits.length === 0) return { empty: true, complete: false, error: undefined };
  const month = Number(digits.slice(0, 2));
  if (digits.length >= 2 && (month < 1 || month > 12)) return { empty: false, complete: false, error: "invalid" };
  const expiry = parseExpiry(digits);
  if (!expiry) return { empty: false, complete: false, error: "incomplete" };
  // Cards are valid through the last day of their month.
  const nowIndex = now.getFullYear() * 12 + now.getMonth();
  const expIndex = expiry.year * 12 + (expiry.month - 1);
  if (expIndex < nowIndex) return { empty: false, complete: false, error: "expired" };
  if (expIndex > nowIndex + 20 * 12) return { empty: false, complete: false, error: "too_far" };
  return { empty: false, complete: true, error: undefined };
}

export function validateCvc(value: string, cardNumber: string): FieldState {
  const digits = digitsOnly(value);
  if (digits.length === 0) return { empty: true, complete: false, error: undefined };
  const need = cvcLength(cardNumber);
  if (digits.length === need && digits.length === value.trim().length) {
    return { empty: false, complete: true, error: undefined };
  }
  if (digits.length !== value.trim().length) return { empty: false, complete: false, error: "invalid" };
  return { empty: false, complete: false, error: digits.length > need ? "invalid" : "incomplete" };
}

/**
 * Where the caret belongs after reformatting: after the same count of digits
 * that stood before it, so typing in the middle of a number does not jump to the end.
 */
export function caretAfterFormat(formatted: string, digitsBeforeCaret: number): number {
  if (digitsBeforeCaret <= 0) return 0;
  let seen = 0;
  for (let i = 0; i < formatted.length; i++) {
    if (/\d/.test(formatted[i] ?? "")) seen++;
    if (seen === digitsBeforeCaret) return i + 1;
  }
  return formatted.length;
}
