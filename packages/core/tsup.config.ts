import { defineConfig } from "tsup";

export default defineConfig({
  // currency: the currency table alone, for browser bundles that must not carry the tariff
  // schemas (zod probes eval, which a strict CSP reports)
  entry: { index: "src/index.ts", currency: "src/money/currency.ts" },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "es2022",
});
