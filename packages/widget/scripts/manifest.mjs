// custom-elements.json from the JSDoc (@event, @csspart, @cssproperty) via the CEM analyzer,
// minus internal reactive state, so IDEs and docs see only the public surface.
import { execFileSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { dist, root } from "./bundle.mjs";

export async function writeManifest() {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve("@custom-elements-manifest/analyzer/package.json");
  const cli = join(dirname(pkg), "cem.js");
  execFileSync(
    process.execPath,
    [
      cli,
      "analyze",
      "--litelement",
      "--globs",
      "src/checkout/checkout.ts",
      "src/checkout/events.ts",
      "src/define.ts",
      "--outdir",
      "dist",
      "--quiet",
    ],
    {
      cwd: root,
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  const file = join(dist, "custom-elements.json");
  const manifest = JSON.parse(await readFile(file, "utf8"));
  const isPublic = (x) => !x.name?.startsWith("_") && !x.name?.startsWith("#") && x.privacy !== "private" && x.privacy !== "protected";
  for (const mod of manifest.modules ?? []) {
    for (const decl of mod.declarations ?? []) {
      if (decl.attributes) decl.attributes = decl.attributes.filter(isPublic);
      if (decl.members) decl.members = decl.members.filter(isPublic);
      if (decl.events) {
        const seen = new Set();
        decl.events = decl.events.filter((e) => e.name && !seen.has(e.name) && seen.add(e.name) && e.description);
      }
    }
  }
  await writeFile(file, `${JSON.stringify(manifest, null, 2)}\n`);
}
