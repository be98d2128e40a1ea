import { createHash } from "node:crypto";
import { createReadStream, existsSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { Readable } from "node:stream";
import { Scalar } from "@scalar/hono-api-reference";
import { Hono } from "hono";
import type { AppEnv } from "../../context.js";

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

const reference = Scalar({ url: "/openapi.json", pageTitle: "Softrack API reference", cdn: "/docs/scalar.js" });

export const docsRoutes = new Hono<AppEnv>()
  .get("/docs/scalar.js", (c) => {
    if (!bundle) return c.notFound();
    c.header("Content-Type", "text/javascript; charset=utf-8");
    c.header("Cache-Control", "public, max-age=86400");
    c.header("Content-Length", String(statSync(bundle).size));
    return c.body(Readable.toWeb(createReadStream(bundle)) as ReadableStream);
  })
  .get("/docs", async (c, next) => {
    const page = await reference(c as never, next);
    if (!(page instanceof Response)) return page;
    const html = await page.text();
    return c.html(html, 200, docsHeaders(html));
  });

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
