// Builds the React and Vue example shops (examples/*/dist/main.js) against the package as npm
// users get it: "@softrack/widget/react" and "/vue" resolve through package.json's exports to
// dist/. Typechecks them first, so a wrapper's types that no longer fit the element fail here.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));

export async function buildExamples() {
  execFileSync(process.execPath, [join(root, "../../node_modules/typescript/bin/tsc"), "-p", "examples/tsconfig.json"], {
    cwd: root,
    stdio: "inherit",
  });
  for (const [name, entry] of [
    ["react", "main.tsx"],
    ["vue", "main.ts"],
  ]) {
    await build({
      entryPoints: [join(root, "examples", name, entry)],
      outfile: join(root, "examples", name, "dist", "main.js"),
      bundle: true,
      format: "esm",
      minify: true,
      jsx: "automatic",
      define: {
        "process.env.NODE_ENV": '"production"',
        __VUE_OPTIONS_API__: "false",
        __VUE_PROD_DEVTOOLS__: "false",
        __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: "false",
      },
      logLevel: "warning",
    });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildExamples();
