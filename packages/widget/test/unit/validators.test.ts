import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  caretAfterFormat,
  cvcLength,
  detectBrand,
  digitsOnly,
  formatCardNumber,
  formatExpiry,
  luhnValid,
  parseExpiry,
  validateCardNumber,
  validateCvc,
  validateExpiry,
} from "../../src/methods/card/validators.js";

/** Appends the Luhn check digit, so generated numbers are valid by construction. */
function withCheckDigit(body: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(body + d)) return body + d;
  throw new Error("unreachable");
}

describe("luhn", () => {
  it("accepts the contract's test cards", () => {
    for (const n of ["4242424242424242", "4000000000000002", "4000000000003220", "4000000000009995"]) {
      expect(luhnValid(n)).toBe(true);
    }
  });
  it("rejects a number with one digit changed", () => {
    expect(luhnValid("4242424242424241")).toBe(false);
    expect(luhnValid("4242 4242 4242 4243")).toBe(false);
  });
  it("finds every single-digit typo (generated)", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{15}$/), fc.nat(15), fc.integer({ min: 1, max: 9 }), (body, pos, delta) => {
        const n = withCheckDigit(body);
        const typo = n.slice(0, pos) + String((Number(n[pos]) + delta) % 10) + n.slice(pos + 1);
        expect(luhnValid(typo)).toBe(false);
      }),
    );
  });
});

describe("brand detection", () => {
  it.each([
    ["4242424242424242", "visa"],
    ["4", "visa"],
    ["5555555555554444", "mastercard"],
    ["2221000000000009", "mastercard"],
    ["2200123412341234", "mir"],
    ["2204", "mir"],
    ["378282246310005", "amex"],
    ["6200000000000005", "unionpay"],
    ["9860123412341234", "humo"],
    ["8600123412341234", "uzcard"],
    ["9417123412341234", "elcart"],
    ["", "unknown"],
    ["1234", "unknown"],
  ])("%s → %s", (n, brand) => {
    expect(detectBrand(n)).toBe(brand);
  });
  it("waits while the prefix is ambiguous (2 = Mir or Mastercard)", () => {
    expect(detectBrand("2")).toBe("unknown");
    expect(detectBrand("22")).toBe("unknown");
    expect(detectBrand("222")).toBe("mastercard");
    expect(detectBrand("220")).toBe("mir");
  });
});

describe("card number formatting", () => {
  it("groups 4-4-4-4 and Amex 4-6-5", () => {
    expect(formatCardNumber("4242424242424242")).toBe("4242 4242 4242 4242");
    expect(formatCardNumber("378282246310005")).toBe("3782 822463 10005");
    expect(formatCardNumber("42424")).toBe("4242 4");
  });
  it("drops letters and digits past the brand's longest length", () => {
    expect(formatCardNumber("4242-4242-4242-4242-4242-9")).toBe("4242 4242 4242 4242");
    expect(formatCardNumber("2200 1234 1234 1234 123")).toBe("2200 1234 1234 1234 123");
    expect(formatCardNumber("3782 8224 6310 0059")).toBe("3782 822463 10005");
  });
  it("is idempotent and keeps every digit it keeps (generated)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (s) => {
        const once = formatCardNumber(s);
        expect(formatCardNumber(once)).toBe(once);
        expect(digitsOnly(s).startsWith(digitsOnly(once))).toBe(true);
      }),
    );
  });
  it("puts the caret after the same digit", () => {
    // "4242 4|242": 5 digits before the caret
    expect(caretAfterFormat("4242 4242", 5)).toBe(6);
    expect(caretAfterFormat("4242 4242", 4)).toBe(4);
    expect(caretAfterFormat("4242", 0)).toBe(0);
  });
});

describe("card number validation", () => {
  it("complete only when long enough and Luhn-valid", () => {
    expect(validateCardNumber("4242 4242 4242 4242")).toEqual({ empty: false, complete: true, error: undefined });
    expect(validateCardNumber("4242 4242")).toMatchObject({ complete: false, error: "incomplete" });
    expect(validateCardNumber("")).toMatchObject({ empty: true, error: undefined });
  });
  it("says invalid as soon as a full-length number fails Luhn", () => {
    expect(validateCardNumber("4242 4242 4242 4241")).toMatchObject({ complete: false, error: "invalid" });
    // Mir runs to 19 digits: a 16-digit Luhn failure may still be a longer number
    expect(validateCardNumber("2200 0000 0000 0001")).toMatchObject({ complete: false, error: "incomplete" });
    expect(validateCardNumber("5555 5555 5555 4441")).toMatchObject({ error: "invalid" });
  });
});

describe("expiry", () => {
  const now = new Date(2026, 4, 15); // May 2026
  it("formats as MM / YY and pads a leading 2-9", () => {
    expect(formatExpiry("1")).toBe("1");
    expect(formatExpiry("4")).toBe("04 / ");
    expect(formatExpiry("12")).toBe("12 / ");
    expect(formatExpiry("12", true)).toBe("12");
    expect(formatExpiry("1230")).toBe("12 / 30");
    expect(formatExpiry("12 / 304")).toBe("12 / 30");
  });
  it("parses to a four-digit year", () => {
    expect(parseExpiry("12 / 30")).toEqual({ month: 12, year: 2030 });
    expect(parseExpiry("13 / 30")).toBeUndefined();
  });
  it("valid through the end of its month", () => {
    expect(validateExpiry("05 / 26", now)).toMatchObject({ complete: true });
    expect(validateExpiry("04 / 26", now)).toMatchObject({ error: "expired" });
    expect(validateExpiry("13", now)).toMatchObject({ error: "invalid" });
    expect(validateExpiry("00", now)).toMatchObject({ error: "invalid" });
    expect(validateExpiry("05 / 2", now)).toMatchObject({ error: "incomplete" });
    expect(validateExpiry("05 / 47", now)).toMatchObject({ error: "too_far" });
  });
});

describe("cvc", () => {
  it("needs 3 digits, 4 for Amex", () => {
    expect(cvcLength("4242")).toBe(3);
    expect(cvcLength("3782")).toBe(4);
    expect(validateCvc("123", "4242424242424242")).toMatchObject({ complete: true });
    expect(validateCvc("12", "4242424242424242")).toMatchObject({ error: "incomplete" });
    expect(validateCvc("123", "378282246310005")).toMatchObject({ error: "incomplete" });
    expect(validateCvc("1234", "378282246310005")).toMatchObject({ complete: true });
    expect(validateCvc("1234", "4242424242424242")).toMatchObject({ error: "invalid" });
    expect(validateCvc("12a", "4242424242424242")).toMatchObject({ error: "invalid" });
  });
});
