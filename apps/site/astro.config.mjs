// Static site; the API serves dist/ under a strict CSP (script-src 'self'; style-src 'self'),
// so nothing may be inlined: stylesheets and scripts always go to files.
import { defineConfig } from "astro/config";

export default defineConfig({
  site: process.env.SITE_URL ?? "https://softrack.kg",
  output: "static",
  trailingSlash: "always",
  compressHTML: true,
  devToolbar: { enabled: false },
  build: { format: "directory", inlineStylesheets: "never" },
  // Shiki colours code with inline style attributes, which the CSP blocks: plain blocks, styled by CSS
  markdown: { syntaxHighlight: false },
  vite: { build: { assetsInlineLimit: 0 } },
});
