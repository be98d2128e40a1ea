// Measures the script-tag bundle and rewrites the measured block of SIZE.md.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CDN_BUDGET_BYTES, measureCdn, root } from "./bundle.mjs";

export async function recordSize() {
  const size = await measureCdn();
  const file = join(root, "SIZE.md");
  const doc = await readFile(file, "utf8");
  const block = [
    "<!-- size:start (written by `npm run size -w @softrack/widget`; do not edit) -->",
    "| file | minified | min+gzip -9 | min+brotli | budget (min+gzip) |",
    "| --- | ---: | ---: | ---: | ---: |",
    `| dist/cdn/softrack-checkout.js (Lit, client, 4 methods, 5 locales, QR encoder) | ${size.min} B | **${size.gzip} B** | ${size.brotli} B | ${CDN_BUDGET_BYTES} B (25 kB) |`,
    "<!-- size:end -->",
  ].join("\n");
  const next = doc.replace(/<!-- size:start[\s\S]*?<!-- size:end -->/, block);
  if (next !== doc) await writeFile(file, next);
  return size;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const s = await recordSize();
  console.log(`softrack-checkout.js: ${s.min} B min, ${s.gzip} B min+gzip, ${s.brotli} B min+brotli (budget ${CDN_BUDGET_BYTES} B)`);
  if (s.gzip > CDN_BUDGET_BYTES) process.exit(1);
}
