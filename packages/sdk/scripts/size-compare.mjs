// Measures stripe-node and openai-node exactly as scripts/size.mjs measures this SDK:
// bundle the package's whole client from node_modules (devDependencies pinned in
// package.json) with esbuild for the browser/worker target, minify, gzip -9.
// `node scripts/size-compare.mjs` prints a Markdown table for SIZE.md.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { measure, measureAll } from "./size.mjs";

const here = fileURLToPath(new URL("..", import.meta.url));
const version = (name) => {
  // Walk up to the node_modules that holds it (npm workspaces hoist to the root).
  for (let dir = here; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, "node_modules", name, "package.json");
    if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")).version;
  }
  return "?";
};

const ours = await measureAll();
const rows = [
  ["@softrack/sdk (full client)", "0.1.0", ours[0]],
  ["@softrack/sdk/webhooks (verify only)", "0.1.0", ours[1]],
];
for (const name of ["stripe", "openai"]) {
  // Import the default export and keep it alive, so the whole client is counted.
  const r = await measure(`import C from "${name}"; globalThis.__c = C;`, here);
  rows.push([name, version(name), r]);
}
console.log("| package | version | min | min+gzip |\n|---|---|---:|---:|");
for (const [name, v, r] of rows) console.log(`| ${name} | ${v} | ${r.min} B | ${r.gzip} B |`);
