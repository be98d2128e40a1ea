import { execSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

const root = fileURLToPath(new URL("..", import.meta.url));

const newest = (dir: string): number =>
  Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((e) =>
      e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs,
    ),
  );

declare module "vitest" {
  export interface ProvidedContext {
    api: { url: string; adminKey: string };
  }
}

/**
 * 1. The pack, consumer and example tests use the built package (what npm users get):
 *    build it when dist is missing or older than src (under turbo, `build` already ran).
 * 2. One real API (in-process, embedded PGlite in memory) for every test file; each file
 *    creates its own merchant, so files stay independent.
 */
export default async function setup(project: TestProject) {
  const built = join(root, "dist", "index.js");
  if (!existsSync(built) || statSync(built).mtimeMs < newest(join(root, "src"))) {
    execSync("npx tsup --silent", { cwd: root, stdio: "inherit" });
  }
  const { startApi } = await import("@softrack/api/testing");
  const api = await startApi();
  project.provide("api", { url: api.url, adminKey: api.adminKey });
  return () => api.close();
}
