// Size of what a partner's bundler ships: esbuild bundle + minify for the browser,
// then gzip -9. `node scripts/size.mjs` prints the figures and fails over budget;
// test/size.test.ts runs the same measurement.

import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

// Measured from src (esbuild reads TypeScript), so the check never runs against a stale dist.
const src = fileURLToPath(new URL("../src/", import.meta.url));

/** Budgets in bytes, min+gzip. */
export const budgets = {
  "full client (import * from @softrack/sdk)": 10_240,
  "webhooks only (@softrack/sdk/webhooks)": 2_048,
};

const entries = {
  "full client (import * from @softrack/sdk)": `export * from ${JSON.stringify(`${src}index.ts`)};`,
  "webhooks only (@softrack/sdk/webhooks)": `export { verify } from ${JSON.stringify(`${src}webhooks.ts`)};`,
};

/** Bundles `source` (an ES module importing the entry) and returns min and min+gzip bytes. */
export async function measure(source, resolveDir = src) {
  const out = await build({
    stdin: { contents: source, resolveDir, loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  const code = out.outputFiles[0].contents;
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

export async function measureAll() {
  const rows = [];
  for (const [name, source] of Object.entries(entries)) rows.push({ name, ...(await measure(source)), budget: budgets[name] });
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = await measureAll();
  let over = false;
  for (const r of rows) {
    const ok = r.gzip <= r.budget;
    over ||= !ok;
    console.log(`${ok ? "ok  " : "OVER"} ${r.name}: ${r.min} B min, ${r.gzip} B min+gzip (budget ${r.budget} B)`);
  }
  process.exit(over ? 1 : 0);
}
