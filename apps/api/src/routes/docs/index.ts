import { createHash } from "node:crypto";
import { createReadStream, existsSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { Readable } from "node:stream";
import { Scalar } from "@scalar/hono-api-reference";
import { Hono } from "hono";
import type { AppEnv } from "../../context.js";
import { DOCS_CSS, FAVICON_SVG, LOGO_SVG } from "./brand.js";

/**
 * GET /docs renders /openapi.json with Scalar. The Scalar bundle is served from this
 * server (no CDN: the reference API must work offline and behind a firewall).
 */
const require = createRequire(import.meta.url);
const bundle = (() => {
  try {
    const file = require.resolve("@scalar/api-reference/browser/standalone.js");
    return existsSync(file) ? file : undefined;
  } catch {
    const guess = require.resolve("@scalar/api-reference").replace(/dist\/.*$/, "dist/browser/standalone.js");
    return existsSync(guess) ? guess : undefined;
  }
})();

/**
 * Softrack's reference, not Scalar's product: nothing is fetched from another host (no web
 * fonts, no telemetry, no registry), and Scalar's hosted extras (the AI agent, MCP, the
 * developer toolbar, the client app's button) are off. Every option is Scalar's own
 * configuration of the installed version.
 */
const reference = Scalar({
  url: "/openapi.json",
  pageTitle: "Softrack API reference",
  cdn: "/docs/scalar.js",
  favicon: "/docs/favicon.svg",
  theme: "none",
  customCss: DOCS_CSS,
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  mcp: { disabled: true },
  showDeveloperTools: "never",
  hideClientButton: true,
  hideDarkModeToggle: false,
  documentDownloadType: "json",
  defaultHttpClient: { targetKey: "shell", clientKey: "curl" },
});

export const docsRoutes = new Hono<AppEnv>()
  .get("/docs/scalar.js", (c) => {
    if (!bundle) return c.notFound();
    c.header("Content-Type", "text/javascript; charset=utf-8");
    c.header("Cache-Control", "public, max-age=86400");
    c.header("Content-Length", String(statSync(bundle).size));
    return c.body(Readable.toWeb(createReadStream(bundle)) as ReadableStream);
  })
  // zod (inside Scalar's bundle) probes `Function("")` to choose a faster validator; under
  // this page's CSP (no 'unsafe-eval') the probe is a reported violation. Its documented
  // global setting, read from globalThis, turns the probe off.
  .get("/docs/no-eval.js", (c) =>
    c.body("globalThis.__zod_globalConfig = Object.assign(globalThis.__zod_globalConfig || {}, { jitless: true });\n", 200, {
      "Content-Type": "text/javascript; charset=utf-8",
      "Cache-Control": "public, max-age=86400",
      "X-Content-Type-Options": "nosniff",
    }),
  )
  .get("/docs/favicon.svg", (c) => c.body(FAVICON_SVG, 200, svgHeaders))
  .get("/docs/logo.svg", (c) => c.body(LOGO_SVG, 200, svgHeaders))
  // Browsers ask for /favicon.ico by themselves (a JSON client, a tab opened on /openapi.json).
  .get("/favicon.ico", (c) => c.body(FAVICON_SVG, 200, svgHeaders))
  .get("/docs", async (c, next) => {
    const page = await reference(c as never, next);
    if (!(page instanceof Response)) return page;
    // Scalar's page names no language (the reference is written in English), and the validator
    // in its bundle is told not to probe eval before the bundle runs
    const html = (await page.text())
      .replace(/<html(?![^>]*\blang=)/i, '<html lang="en"')
      .replace(/<head>/i, '<head>\n    <script src="/docs/no-eval.js"></script>');
    return c.html(html, 200, docsHeaders(html));
  });

const svgHeaders = { "Content-Type": "image/svg+xml", "Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff" };

/**
 * The reference page is never framed, and runs only our bundle plus Scalar's one inline
 * start-up script (allowed by its hash). Its styles are inline and injected at run time.
 */
function docsHeaders(html: string): Record<string, string> {
  const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
    (m) =>
      `'sha256-${createHash("sha256")
        .update(m[1] ?? "")
        .digest("base64")}'`,
  );
  const csp = [
    "default-src 'self'",
    `script-src 'self' ${inline.join(" ")}`.trim(),
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
  ].join("; ");
  return { "Content-Security-Policy": csp, "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff" };
}
