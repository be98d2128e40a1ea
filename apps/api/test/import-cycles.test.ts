import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { type ImportGraph, importCycles, importGraph } from "./import-graph.js";

const src = fileURLToPath(new URL("../src", import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const graph = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges));

describe("the cycle finder", () => {
  it("finds a two-file cycle, a longer one and a file importing itself, and nothing in a tree", () => {
    expect(importCycles(graph({ a: ["b"], b: ["c"], c: [] }))).toEqual([]);
    expect(importCycles(graph({ a: ["b"], b: ["a"], c: ["a"] }))).toEqual([["a", "b"]]);
    expect(importCycles(graph({ a: ["b"], b: ["c"], c: ["a"], d: ["d"] }))).toEqual([["a", "b", "c"], ["d"]]);
  });

  it("reads value, type-only, re-exporting, side-effect and multi-line imports of .js specifiers", () => {
    const root = mkdtempSync(join(tmpdir(), "softrack-imports-"));
    dirs.push(root);
    const files: Record<string, string> = {
      "a.ts": 'import { b } from "./b.js";\nexport const a = b;\n',
      "b.ts": 'import type {\n  C,\n} from "./lib/c.js";\nexport const b = 1 as unknown as C;\n',
      "lib/c.ts": 'export * from "../d.js";\nexport type C = number;\n',
      "d.ts": 'import "./a.js";\nimport { z } from "zod";\nexport const d = z;\n',
    };
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, name)), { recursive: true });
      writeFileSync(join(root, name), text);
    }
    const g = importGraph(root);
    expect(Object.fromEntries(g)).toEqual({ "a.ts": ["b.ts"], "b.ts": ["lib/c.ts"], "lib/c.ts": ["d.ts"], "d.ts": ["a.ts"] });
    expect(importCycles(g)).toEqual([["a.ts", "b.ts", "d.ts", "lib/c.ts"]]);
  });
});

describe("apps/api/src", () => {
  it("has no import cycle (type-only imports included)", () => {
    const g = importGraph(src);
    // The reading works on this tree: the order service calls into the payment service.
    expect(g.get("services/orders.ts")).toContain("services/payments.ts");
    expect(g.get("context.ts")).toContain("jobs/registry.ts");
    expect(importCycles(g)).toEqual([]);
  });
});
