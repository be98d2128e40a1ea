// Build: dist/ (unbundled ESM + .d.ts for npm users), dist/cdn/softrack-checkout.js
// (the script-tag bundle), dist/elements/card.{html,js,css} (the card iframe page).
import { execFileSync } from "node:child_process";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { buildBundles, dist, root } from "./bundle.mjs";
import { writeManifest } from "./manifest.mjs";
import { recordSize } from "./size.mjs";

await rm(dist, { recursive: true, force: true });
execFileSync(process.execPath, [join(root, "../../node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
  cwd: root,
  stdio: "inherit",
});
await buildBundles();
await writeManifest();
const size = await recordSize();
console.log(`dist/cdn/softrack-checkout.js: ${size.min} B min, ${size.gzip} B min+gzip, ${size.brotli} B min+brotli`);
