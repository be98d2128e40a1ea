// Bundles shared by the build, the size check and the tests.
import { copyFile, mkdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, gzipSync } from "node:zlib";
import * as esbuild from "esbuild";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const dist = join(root, "dist");

/** Size budget of the script-tag bundle, Lit included: bytes after minify + gzip -9. */
export const CDN_BUDGET_BYTES = 25_000;

/** Collapses the whitespace inside css`…` templates (esbuild leaves template text alone). */
export function minifyCssTemplate(source) {
  return source.replace(/css`([^`]*)`/g, (_, body) => {
    const min = body
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/\s+/g, " ")
      .replace(/\s*([{};,>])\s*/g, "$1")
      .replace(/:\s+/g, ":")
      .replace(/;}/g, "}")
      .trim();
    return `css\`${min}\``;
  });
}

const cssTemplates = {
  name: "minify-css-templates",
  setup(build) {
    build.onLoad({ filter: /\.styles\.ts$/ }, async (args) => ({
      contents: minifyCssTemplate(await readFile(args.path, "utf8")),
      loader: "ts",
    }));
  },
};

const common = {
  bundle: true,
  format: "esm",
  target: "es2022",
  platform: "browser",
  minify: true,
  legalComments: "none",
  charset: "utf8",
  absWorkingDir: root,
  tsconfig: join(root, "tsconfig.json"),
  logLevel: "warning",
  plugins: [cssTemplates],
};

/** One file for <script type="module" src=…>: Lit, the client and every method inside. */
export function cdnOptions(write = true) {
  return {
    ...common,
    entryPoints: [join(root, "src/cdn.ts")],
    outfile: join(dist, "cdn/softrack-checkout.js"),
    sourcemap: write ? "linked" : false,
    write,
  };
}

/** The card iframe's module and stylesheet, served by the API under /elements/. */
export function elementsOptions(write = true) {
  return {
    ...common,
    entryPoints: [join(root, "src/elements/card/card.ts"), join(root, "src/elements/card/card.css")],
    outdir: join(dist, "elements"),
    entryNames: "[name]",
    sourcemap: false,
    write,
  };
}

export async function buildBundles() {
  await esbuild.build(cdnOptions(true));
  await esbuild.build(elementsOptions(true));
  await mkdir(join(dist, "elements"), { recursive: true });
  await copyFile(join(root, "src/elements/card/card.html"), join(dist, "elements/card.html"));
  // The /demo page template and its assets, for the reference API to serve.
  await mkdir(join(dist, "demo"), { recursive: true });
  for (const f of ["index.html", "demo.js", "demo.css"]) await copyFile(join(root, "demo", f), join(dist, "demo", f));
}

/** Minified, gzip -9 and brotli sizes of the script-tag bundle, built in memory. */
export async function measureCdn() {
  const result = await esbuild.build(cdnOptions(false));
  const file = result.outputFiles.find((f) => f.path.endsWith(".js"));
  const bytes = file.contents;
  return {
    min: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes).length,
  };
}
