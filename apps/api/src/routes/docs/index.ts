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

export const docsRoutes = new Hono<AppEnv>()
  .get("/docs/scalar.js", (c) => {
    if (!bundle) return c.notFound();
    c.header("Content-Type", "text/javascript; charset=utf-8");
    c.header("Cache-Control", "public, max-age=86400");
    c.header("Content-Length", String(statSync(bundle).size));
    return c.body(Readable.toWeb(createReadStream(bundle)) as ReadableStream);
  })
  .get("/docs", Scalar({ url: "/openapi.json", pageTitle: "Softrack API reference", cdn: "/docs/scalar.js" }));
