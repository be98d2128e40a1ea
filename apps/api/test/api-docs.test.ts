import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { API_DOCS, apiDocs } from "../scripts/api-docs.js";

describe("docs/api.md", () => {
  it("its reference is what /openapi.json says (else: npm run api-docs -w @softrack/api)", () => {
    const committed = readFileSync(API_DOCS, "utf8");
    expect(committed).toBe(apiDocs(committed));
  });

  it("keeps its hand-written conventions above the generated part", () => {
    const committed = readFileSync(API_DOCS, "utf8");
    expect(committed.indexOf("## Conventions")).toBeGreaterThan(-1);
    expect(committed.indexOf("## Conventions")).toBeLessThan(committed.indexOf("# Reference"));
    expect(committed).toContain("### POST `/v1/payments`");
  });
});
