import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error plain ESM build script without types
import { CDN_BUDGET_BYTES, measureCdn, root } from "../../scripts/bundle.mjs";

describe("size budget", () => {
  it("the script-tag bundle, Lit included, stays within 25 kB min+gzip", async () => {
    const size = (await measureCdn()) as { min: number; gzip: number; brotli: number };
    expect(size.gzip).toBeGreaterThan(5_000); // it really contains Lit and the component
    expect(size.gzip).toBeLessThanOrEqual(CDN_BUDGET_BYTES);
  });
  it("SIZE.md records the budget", async () => {
    const doc = await readFile(join(root as string, "SIZE.md"), "utf8");
    expect(doc).toContain("25 kB");
  });
});
