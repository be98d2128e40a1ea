import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { countryByDialCode, countryFromInput, formatPhone, isPhoneComplete, PHONE_COUNTRIES, toE164 } from "../../src/methods/sms/phone.js";

const KG = countryByDialCode("+996");
const KZ = countryByDialCode("+7");
const UZ = countryByDialCode("+998");

describe("phone masks", () => {
  it("formats each country's national number", () => {
    expect(formatPhone("700123456", KG)).toBe("700 123 456");
    expect(formatPhone("7011234567", KZ)).toBe("701 123-45-67");
    expect(formatPhone("901234567", UZ)).toBe("90 123-45-67");
    expect(formatPhone("7001", KG)).toBe("700 1");
  });
  it("strips a pasted dial code and trunk prefix", () => {
    expect(formatPhone("+996 700 123 456", KG)).toBe("700 123 456");
    expect(formatPhone("0700123456", KG)).toBe("700 123 456");
    expect(formatPhone("87011234567", KZ)).toBe("701 123-45-67");
    expect(formatPhone("+998901234567", UZ)).toBe("90 123-45-67");
  });
  it("knows the country of a pasted international number", () => {
    expect(countryFromInput("+7 701 123 45 67")?.country).toBe("KZ");
    expect(countryFromInput("+998 90 123 45 67")?.country).toBe("UZ");
    expect(countryFromInput("996700123456")?.country).toBe("KG");
    expect(countryFromInput("700 123")).toBeUndefined();
  });
  it("gives E.164 for the confirm call only when complete", () => {
    expect(isPhoneComplete("700 123 45", KG)).toBe(false);
    expect(isPhoneComplete("700 123 456", KG)).toBe(true);
    expect(toE164("700 123 456", KG)).toBe("+996700123456");
    expect(toE164("701 123-45-67", KZ)).toBe("+77011234567");
  });
  it("formatting is idempotent and E.164 round-trips (generated)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...PHONE_COUNTRIES), fc.stringMatching(/^[1-79]\d{11}$/), (c, digits) => {
        const national = digits.slice(0, c.length);
        const once = formatPhone(national, c);
        expect(formatPhone(once, c)).toBe(once);
        expect(toE164(once, c)).toBe(c.dialCode + national);
        expect(formatPhone(toE164(once, c), c)).toBe(once);
      }),
    );
  });
});
