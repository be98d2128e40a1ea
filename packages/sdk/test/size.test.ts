import { describe, expect, it } from "vitest";
// @ts-expect-error plain ESM script without types
import { measureAll } from "../scripts/size.mjs";

describe("bundle size budget (esbuild minify + gzip -9)", () => {
  it("the full client stays ≤ 10 kB and the webhooks entry ≤ 2 kB", async () => {
    const rows: Array<{ name: string; gzip: number; budget: number }> = await measureAll();
    expect(rows).toHaveLength(2);
    for (const r of rows) expect(r.gzip, r.name).toBeLessThanOrEqual(r.budget);
  });
});
