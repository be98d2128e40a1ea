// Which language's home page answers `/` (routes/static/site-language.ts). The HTTP side, with the
// built site and a browser, is apps/site/test/language.test.ts.
import { describe, expect, it } from "vitest";
import { chooseSiteLanguage } from "../src/routes/static/site-language.js";

describe("chooseSiteLanguage", () => {
  it("gives an English browser English", () => {
    expect(chooseSiteLanguage("en-US,en;q=0.9", undefined)).toBe("en");
    expect(chooseSiteLanguage("en-GB", undefined)).toBe("en");
  });

  it("gives a Russian browser, and readers of the region's languages, Russian", () => {
    expect(chooseSiteLanguage("ru-RU,ru;q=0.9,en;q=0.8", undefined)).toBe("ru");
    expect(chooseSiteLanguage("ky-KG", undefined)).toBe("ru");
    expect(chooseSiteLanguage("kk,en;q=0.5", undefined)).toBe("ru");
  });

  it("follows q-values, not order, and ignores q=0; a wildcard means the default page", () => {
    expect(chooseSiteLanguage("ru;q=0.3,en;q=0.8", undefined)).toBe("en");
    expect(chooseSiteLanguage("en;q=0,ru", undefined)).toBe("ru");
    expect(chooseSiteLanguage("*,ru;q=0.5", undefined)).toBe("ru");
    expect(chooseSiteLanguage("en;q=0.5,*", undefined)).toBe("ru");
    expect(chooseSiteLanguage("*;q=0.1,en", undefined)).toBe("en");
    expect(chooseSiteLanguage("de-DE,de;q=0.9,ru;q=0.5", undefined)).toBe("ru");
  });

  it("gives English when the browser names neither language, Russian without a header or with only *", () => {
    expect(chooseSiteLanguage("de-DE,fr;q=0.8", undefined)).toBe("en");
    expect(chooseSiteLanguage(undefined, undefined)).toBe("ru");
    expect(chooseSiteLanguage("  ", undefined)).toBe("ru");
    expect(chooseSiteLanguage("*", undefined)).toBe("ru");
  });

  it("honours the reader's remembered choice over the header", () => {
    expect(chooseSiteLanguage("en-US,en;q=0.9", "ru")).toBe("ru");
    expect(chooseSiteLanguage("ru-RU", "en")).toBe("en");
    expect(chooseSiteLanguage("en-US", "ky")).toBe("ky");
  });

  it("ignores a cookie that names no language of the site, and malformed headers", () => {
    expect(chooseSiteLanguage("en-US", "fr")).toBe("en");
    expect(chooseSiteLanguage("en-US", "<script>")).toBe("en");
    expect(chooseSiteLanguage(";;;,,q=abc", undefined)).toBe("en");
    expect(chooseSiteLanguage("en;q=abc,ru;q=0.1", undefined)).toBe("ru");
  });
});
