import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatAmount, minorToDecimal } from "../../src/internal/money.js";
import { INTL_TAG, LOCALES, resolveLocale, translate } from "../../src/locales/index.js";

describe("money", () => {
  it("turns minor units into an exact decimal", () => {
    expect(minorToDecimal(15000, "KGS")).toBe("150.00");
    expect(minorToDecimal(5, "USD")).toBe("0.05");
    expect(minorToDecimal(-1999, "RUB")).toBe("-19.99");
    expect(() => minorToDecimal(1.5, "USD")).toThrow(RangeError);
  });
  it("never loses a tiyin, even past 2^53 / 100 (generated)", () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        expect(
          minorToDecimal(n, "KZT")
            .replace(".", "")
            .replace(/^(-?)0+(?=\d)/, "$1"),
        ).toBe(String(n));
      }),
    );
  });
  it("formats per locale with the currency", () => {
    expect(formatAmount(15000, "KGS", INTL_TAG.en)).toMatch(/KGS\s?150\.00/);
    expect(formatAmount(123456, "RUB", INTL_TAG.ru).replace(/\s/g, " ")).toBe("1 234,56 ₽");
    expect(formatAmount(100000001, "USD", INTL_TAG.en)).toBe("$1,000,000.01");
    expect(formatAmount(1000000, "KZT", INTL_TAG.kk)).toMatch(/10\s000,00\s₸/);
    expect(formatAmount(500000, "UZS", INTL_TAG.uz)).toMatch(/5\s000,00/);
  });
  it("falls back to the next tag when the runtime has no data for the first (Chromium has no ky, kk or uz)", () => {
    // "qaa" is a private-use language no runtime has data for, as Chromium lacks Kyrgyz
    expect(Intl.NumberFormat.supportedLocalesOf(["qaa-KG"])).toEqual([]);
    expect(formatAmount(249900, "KGS", ["qaa-KG", "ru-KG"]).replace(/\s/g, " ")).toMatch(/^2 499,00 /);
    for (const tags of [INTL_TAG.ky, INTL_TAG.kk, INTL_TAG.uz]) expect(tags.at(-1)).toMatch(/^ru-/);
  });
});

describe("locales", () => {
  const keys = Object.keys(LOCALES.en).sort();
  it.each(Object.keys(LOCALES))("%s has every message, none empty, same placeholders", (loc) => {
    const messages = LOCALES[loc as keyof typeof LOCALES] as Record<string, string>;
    expect(Object.keys(messages).sort()).toEqual(keys);
    for (const key of keys) {
      const text = messages[key] as string;
      expect(text.trim().length, key).toBeGreaterThan(0);
      const placeholders = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
      expect(placeholders(text), key).toEqual(placeholders((LOCALES.en as Record<string, string>)[key] as string));
    }
  });
  it("translates the visible strings (not English copies) outside en", () => {
    for (const loc of ["ru", "ky", "kk", "uz"] as const) {
      const same = keys.filter((k) => (LOCALES[loc] as Record<string, string>)[k] === (LOCALES.en as Record<string, string>)[k]);
      expect(same, loc).toEqual([]);
    }
  });
  it("fills placeholders and resolves tags", () => {
    expect(translate("ru", "payButton", { amount: "150 сом" })).toBe("Оплатить 150 сом");
    expect(resolveLocale("ky-KG")).toBe("ky");
    expect(resolveLocale("de")).toBe("en");
    expect(resolveLocale(undefined)).toBe("en");
  });
});
