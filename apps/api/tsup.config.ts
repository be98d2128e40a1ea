import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/testing.ts"],
  format: ["esm"],
  dts: { entry: ["src/testing.ts"] },
  sourcemap: true,
  clean: true,
  target: "node22",
  // Dependencies stay external: the image installs them from the pruned lockfile.
  skipNodeModulesBundle: true,
});
