import { execFileSync, execSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

describe("published package", () => {
  it("npm pack ships only dist, README, LICENSE and package.json", () => {
    const out = execSync("npm pack --dry-run --json --ignore-scripts", {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    const files: string[] = JSON.parse(out)[0].files.map((f: { path: string }) => f.path);
    const stray = files.filter((f) => !/^(dist\/.+|README\.md|LICENSE|package\.json)$/.test(f));
    expect(stray).toEqual([]);
    for (const f of [
      "README.md",
      "LICENSE",
      "dist/index.js",
      "dist/index.cjs",
      "dist/index.d.ts",
      "dist/index.d.cts",
      "dist/webhooks.js",
      "dist/webhooks.cjs",
      "dist/webhooks.d.ts",
    ]) {
      expect(files).toContain(f);
    }
  });

  it("publint finds no errors or warnings in package.json and exports", () => {
    const out = execSync("npx publint --strict", {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    expect(out).not.toMatch(/error|warning/i);
  });

  it("loads with require() and import in plain Node, and Softrack.webhooks is the same in both", () => {
    const dir = mkdtempSync(join(tmpdir(), "softrack-sdk-consumer-"));
    const cjs = join(dir, "consumer.cjs");
    const mjs = join(dir, "consumer.mjs");
    writeFileSync(
      cjs,
      `const { Softrack, SoftrackPaymentError } = require(${JSON.stringify(join(root, "dist/index.cjs"))});
       const c = new Softrack({ apiKey: "sk_test_x" });
       console.log([typeof c.payments.list, typeof Softrack.webhooks.verify, new SoftrackPaymentError("x") instanceof Error].join(","));`,
    );
    writeFileSync(
      mjs,
      `import Softrack, { SoftrackPaymentError } from ${JSON.stringify(join(root, "dist/index.js"))};
       import { verify } from ${JSON.stringify(join(root, "dist/webhooks.js"))};
       const c = new Softrack({ apiKey: "sk_test_x" });
       console.log([typeof c.payments.list, Softrack.webhooks.verify === verify, new SoftrackPaymentError("x") instanceof Error].join(","));`,
    );
    expect(execFileSync(process.execPath, [cjs], { encoding: "utf8" }).trim()).toBe("function,function,true");
    expect(execFileSync(process.execPath, [mjs], { encoding: "utf8" }).trim()).toBe("function,true,true");
  });
});
