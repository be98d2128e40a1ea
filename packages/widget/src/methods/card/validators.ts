/**
 * Card number, expiry and CVC rules. Pure functions shared by the card iframe
 * (where the digits are typed) and the unit tests; nothing here ever logs a number.
 */

import { type CardBrand, cardRule, DEFAULT_CARD_RULE, luhnValid as luhnDigits } from "@softrack/core";

// The issuer table lives in @softrack/core, shared with the API: the brand shown while typing
// is the brand the API records.
export type { CardBrand };

export function digitsOnly(value: string): string {
  return value.replace(/\D+/g, "");
}

/** The card brand from the leading digits (IIN); "unknown" until they say. */
export function detectBrand(number: string): CardBrand {
  return cardRule(digitsOnly(number))?.brand ?? "unknown";
}

/** Luhn (mod 10) checksum of the digits typed (spaces and dashes ignored). */
export function luhnValid(number: string): boolean {
  return luhnDigits(digitsOnly(number));
}

export function maxNumberLength(number: string): number {
  const rule = cardRule(digitsOnly(number)) ?? DEFAULT_CARD_RULE;
  return Math.max(...rule.lengths);
}

export function cvcLength(number: string): number {
  return (cardRule(digitsOnly(number)) ?? DEFAULT_CARD_RULE).cvc;
}

/** "4242424242424242" → "4242 4242 4242 4242" (Amex 4-6-5); extra digits are dropped. */
export function formatCardNumber(value: string): string {
  const digits = digitsOnly(value);
  const rule = cardRule(digits) ?? DEFAULT_CARD_RULE;
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
  const rule = cardRule(digits) ?? DEFAULT_CARD_RULE;
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
