// Every built page is valid HTML by html-validate's recommended rules (plus the document rules).
import { HtmlValidate } from "html-validate";
import { describe, expect, it } from "vitest";
import { htmlPages } from "./helpers";

const validator = new HtmlValidate({
  extends: ["html-validate:recommended", "html-validate:document"],
  rules: {
    // Astro minifies whitespace and omits optional tags' trailing slashes; these are style, not validity
    "void-style": "off",
    "no-trailing-whitespace": "off",
    // long Russian/English copy on one line is normal in built HTML
    "long-title": "off",
    // same-origin assets need no SRI; only cross-origin ones would
    "require-sri": ["error", { target: "crossorigin" }],
    // ids made from headings like "1. Run the API" are valid HTML5
    "valid-id": ["error", { relaxed: true }],
  },
});

describe("HTML validation", () => {
  it("validates every page", async () => {
    const problems: string[] = [];
    const pages = htmlPages();
    for (const page of pages) {
      const report = await validator.validateString(page.html, page.path);
      for (const r of report.results)
        for (const m of r.messages) problems.push(`${page.path}:${m.line}:${m.column} ${m.ruleId} ${m.message}`);
    }
    expect(problems).toEqual([]);
    expect(pages.length).toBeGreaterThan(30);
  });
});
