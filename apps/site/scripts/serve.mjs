// A small static server for the built site (dist/) on 127.0.0.1, with the same strict CSP the
// API sends. With an API origin, /v1/*, /demo, /widget.js, /elements/* and /openapi.json are
// proxied to it so the site and the API share one origin, as when the API serves the site.
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; frame-ancestors 'self'";

const types = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".xml": "application/xml; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".ico": "image/x-icon",
};

const proxied = /^\/(v1\/|demo$|demo\/|widget\.js$|elements\/|openapi\.json$|health$)/;

/**
 * @param {{ root?: string, port?: number, api?: string }} [options]
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function serveSite(options = {}) {
  const root = resolve(options.root ?? fileURLToPath(new URL("../dist", import.meta.url)));
  if (!existsSync(join(root, "index.html"))) throw new Error(`no built site in ${root}: run npm run build first`);
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (options.api && proxied.test(url.pathname)) {
      try {
        const chunks = [];
        for await (const c of req) chunks.push(c);
        const headers = { ...req.headers };
        delete headers.host;
        delete headers.connection;
        const upstream = await fetch(new URL(url.pathname + url.search, options.api), {
          method: req.method,
          headers: /** @type {Record<string,string>} */ (headers),
          body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
          redirect: "manual",
        });
        const out = {};
        upstream.headers.forEach((v, k) => {
          if (!["content-encoding", "content-length", "transfer-encoding", "connection"].includes(k)) out[k] = v;
        });
        res.writeHead(upstream.status, out);
        res.end(Buffer.from(await upstream.arrayBuffer()));
      } catch (error) {
        res.writeHead(502, { "Content-Type": "text/plain" });
        res.end(`upstream error: ${error}`);
      }
      return;
    }
    let path = normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, "");
    let file = join(root, path);
    if (!file.startsWith(root)) file = join(root, "404.html");
    if (existsSync(file) && statSync(file).isDirectory()) {
      if (!path.endsWith("/")) {
        res.writeHead(301, { Location: `${url.pathname}/${url.search}` });
        res.end();
        return;
      }
      file = join(file, "index.html");
    }
    let status = 200;
    if (!existsSync(file)) {
      status = 404;
      file = join(root, "404.html");
      path = "/404.html";
    }
    const type = types[extname(file)] ?? "application/octet-stream";
    res.writeHead(status, {
      "Content-Type": type,
      "Content-Security-Policy": CSP,
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": path.startsWith("/_astro/") ? "public, max-age=31536000, immutable" : "no-cache",
    });
    if (req.method === "HEAD") res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise((ok) => server.listen(options.port ?? 0, "127.0.0.1", () => ok(undefined)));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((ok) => server.close(() => ok(undefined))),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 4321);
  const site = await serveSite({ port, api: process.env.API_URL });
  console.log(`site on ${site.url}${process.env.API_URL ? ` (API proxied to ${process.env.API_URL})` : ""}`);
}
