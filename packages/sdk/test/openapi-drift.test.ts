import { readFileSync } from "node:fs";
import { describe, expect, inject, it } from "vitest";
// @ts-expect-error plain ESM script without types
import { generate, loadDocument, outFile } from "../scripts/gen-types.mjs";

describe("generated types", () => {
  it("src/generated/openapi.ts is exactly what the API's OpenAPI document generates", async () => {
    // apps/api/openapi.json when committed (apps/api keeps it equal to GET /openapi.json), else the live document.
    const { doc, from } = await loadDocument({ url: inject("api").url });
    expect(readFileSync(outFile, "utf8"), `drifted from ${from}: run npm run gen:types -w @softrack/sdk`).toBe(await generate(doc));
  }, 120_000);
});
