// Where the repository is, for the files the site reads at build time (BENCHMARKS.md, the API's
// openapi.json).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * The repository root, found from the working directory (astro build and the tests run in
 * apps/site). Not from import.meta.url: once Astro bundles a page, the module lives elsewhere.
 */
export function repoRoot(): string {
  let dir = process.cwd();
  for (let i = 0; i < 6; i++) {
    // apps/site has a turbo.json of its own: the root is where apps/ and packages/ sit together
    if (existsSync(join(dir, "turbo.json")) && existsSync(join(dir, "apps")) && existsSync(join(dir, "packages"))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}
