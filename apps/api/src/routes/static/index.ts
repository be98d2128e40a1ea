import { existsSync, readFileSync, statSync } from "node:fs";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { Hono, type MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { AppEnv, Deps } from "../../context.js";
import { demoEnabled, type Env } from "../../env.js";
import { ApiError, invalid } from "../../lib/errors.js";
import { clientIp, rateLimit } from "../../middleware/rate-limit.js";
import { ensureDemoMerchant } from "../../services/demo.js";
import { createPayment, paymentObject } from "../../services/payments.js";
import { chooseSiteLanguage, SITE_HOME_PAGES, SITE_LANGUAGE_COOKIE } from "./site-language.js";

/**
 * What the reference API serves besides the API, so a newcomer needs no CDN and no second
 * server: the widget's script-tag bundle (/widget.js), the card iframe (/elements/card),
 * a demo checkout (/demo) and the built marketing site (everything else).
 */
function repoRoot(): string {
  let dir = fileURLToPath(new URL(".", import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, "packages")) && existsSync(join(dir, "apps"))) return dir;
    dir = resolve(dir, "..");
  }
  return process.cwd();
}

let foundRoot: string | undefined;
/** Where the built widget and site are: STATIC_ROOT, else the repository this file is in. */
function builtDirs(env: Env): { widget: string; site: string } {
  if (!env.STATIC_ROOT) foundRoot ??= repoRoot();
  const root = env.STATIC_ROOT ?? (foundRoot as string);
  return { widget: join(root, "packages/widget/dist"), site: join(root, "apps/site/dist") };
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".xml": "application/xml",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json",
};

/** Strict by default: no inline script or style anywhere we serve. */
const POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'self'; object-src 'none'";
/** The console, the demo and the site are never framed (clickjacking). */
export const NO_FRAMING = { "Content-Security-Policy": `${POLICY}; frame-ancestors 'none'`, "X-Frame-Options": "DENY" };
/** The checkout demo is framed by the site's own widget guide, and by nobody else. */
const OWN_FRAMING = { "Content-Security-Policy": `${POLICY}; frame-ancestors 'self'`, "X-Frame-Options": "SAMEORIGIN" };
/**
 * The card iframe lives inside merchants' checkouts, and talks only to the parent origin the
 * widget names in its URL (`?origin=`, checked against ancestorOrigins where the browser has it,
 * packages/widget/src/elements/card). The browser enforces the same pairing for every browser:
 * only that origin may frame this page, and without a well-formed one, nobody may.
 */
function cardFrameAncestor(origin: string | undefined): string {
  if (!origin) return "'none'";
  const parsed = URL.parse(origin);
  const ok = parsed !== null && (parsed.protocol === "https:" || parsed.protocol === "http:") && parsed.origin === origin;
  return ok ? origin : "'none'";
}

/** Resolves a file under `base`, refusing anything that climbs out of it (a sibling folder named `${base}-private` included). */
function fileUnder(base: string, path: string): string | null {
  const root = resolve(base);
  const target = resolve(root, `.${sep}${path}`);
  if (target !== root && !target.startsWith(root + sep)) return null;
  if (existsSync(target) && statSync(target).isFile()) return target;
  if (existsSync(join(target, "index.html"))) return join(target, "index.html");
  if (existsSync(`${target}.html`)) return `${target}.html`;
  return null;
}

/** `frameAncestor`: the one origin that may frame an HTML page (the card iframe); every other page is never framed. */
function send(file: string, opts: { frameAncestor?: string } = {}) {
  const type = TYPES[extname(file)] ?? "application/octet-stream";
  // Merchants load the widget cross-origin as a module script, which is fetched in CORS mode.
  const headers: Record<string, string> = {
    "Content-Type": type,
    "Cache-Control": "public, max-age=300",
    "X-Content-Type-Options": "nosniff",
    "Access-Control-Allow-Origin": "*",
  };
  if (type.startsWith("text/html"))
    Object.assign(
      headers,
      opts.frameAncestor ? { "Content-Security-Policy": `${POLICY}; frame-ancestors ${opts.frameAncestor}` } : NO_FRAMING,
    );
  return new Response(readFileSync(file), { status: 200, headers });
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** Each /demo view stores a test payment: anonymous callers get a few a minute per address (per running app). */
export const DEMO_VIEWS_PER_MINUTE = 10;
const demoLimits = new WeakMap<Deps, MiddlewareHandler<AppEnv>>();
const demoRateLimit: MiddlewareHandler<AppEnv> = (c, next) => {
  let limit = demoLimits.get(c.get("deps"));
  if (!limit) {
    limit = rateLimit({ windowMs: 60_000, max: DEMO_VIEWS_PER_MINUTE, key: clientIp, name: "demo" });
    demoLimits.set(c.get("deps"), limit);
  }
  return limit(c, next);
};

export const staticRoutes = new Hono<AppEnv>()
  .get("/widget.js", (c) => {
    const file = fileUnder(builtDirs(c.get("deps").env).widget, "cdn/softrack-checkout.js");
    return file ? send(file) : c.text("The widget is not built: npm run build -w @softrack/widget", 404);
  })
  .get("/elements/:file{.+}", (c) => {
    const file = fileUnder(join(builtDirs(c.get("deps").env).widget, "elements"), c.req.param("file"));
    return file ? send(file, { frameAncestor: cardFrameAncestor(c.req.query("origin")) }) : c.text("Not found", 404);
  })
  .get("/demo.css", (c) => c.body(DEMO_CSS, 200, { "Content-Type": "text/css; charset=utf-8" }))
  .get(
    "/demo",
    async (c, next) => {
      // No demo (and no demo merchant) unless this deployment asked for one: the same 404 as any unknown URL.
      if (!demoEnabled(c.get("deps").env))
        throw new ApiError(404, "invalid_request_error", "route_not_found", `Unrecognized request URL (GET: ${c.req.path}).`);
      return next();
    },
    demoRateLimit,
    async (c) => {
      const deps = c.get("deps");
      const demo = await ensureDemoMerchant(deps);
      const amount = 15_000;
      const res = await c.get("deps").database.db.transaction(async (tx) => {
        const v = { ...c.var, db: tx, principal: { kind: "secret" as const, keyId: "demo", merchantId: demo.id, livemode: false } };
        return paymentObject(v, await createPayment(v, { amount, currency: "KGS", description: "Softrack checkout demo" }));
      });
      const locale = /^(ru|ky|kk|en|uz)$/.test(c.req.query("locale") ?? "") ? (c.req.query("locale") as string) : "en";
      const html = `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Softrack checkout demo</title>
<link rel="stylesheet" href="/demo.css">
<script type="module" src="/widget.js"></script>
</head>
<body>
<main>
  <p class="brand">Softrack · test mode</p>
  <h1>Demo Shop</h1>
  <p>Pay <strong>150.00 KGS</strong> for a test order. Nothing real is charged.</p>
  <softrack-checkout client-secret="${escapeHtml(res.client_secret as string)}" publishable-key="${escapeHtml(demo.publishableKey)}" locale="${locale}"></softrack-checkout>
  <section class="cards" aria-label="Test cards">
    <h2>Test cards</h2>
    <ul>
      <li><code>4242 4242 4242 4242</code> succeeds</li>
      <li><code>4000 0000 0000 0002</code> is declined</li>
      <li><code>4000 0000 0000 3220</code> asks for 3-D Secure (code <code>000000</code>)</li>
      <li><code>4000 0000 0000 9995</code> has insufficient funds</li>
    </ul>
    <p>SMS payments: any +996/+7/+998 number, code <code>000000</code>. Payment <code>${escapeHtml(res.id)}</code>.</p>
  </section>
</main>
</body>
</html>`;
      return c.body(html, 200, { "Content-Type": "text/html; charset=utf-8", ...OWN_FRAMING, "Cache-Control": "no-store" });
    },
  )
  // `/` in the reader's language, without a redirect: the same URL answers per cookie and header
  .get("/", (c, next) => {
    const lang = chooseSiteLanguage(c.req.header("Accept-Language"), getCookie(c, SITE_LANGUAGE_COOKIE));
    const file = fileUnder(builtDirs(c.get("deps").env).site, SITE_HOME_PAGES[lang]);
    if (!file) return next();
    const res = send(file);
    res.headers.set("Vary", "Accept-Language, Cookie");
    res.headers.set("Content-Language", lang);
    // revalidate each time: a reader who just switched language must not get the cached page
    res.headers.set("Cache-Control", "no-cache");
    return res;
  })
  .get("*", (c, next) => {
    const raw = new URL(c.req.url).pathname;
    if (raw.startsWith("/v1/")) return next();
    let path: string;
    try {
      path = decodeURIComponent(raw);
    } catch {
      throw invalid("invalid_path", "The path has a malformed percent-escape.");
    }
    const file = fileUnder(builtDirs(c.get("deps").env).site, path);
    if (file) return send(file);
    return next();
  });

const DEMO_CSS = `:root{color-scheme:light dark;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
body{margin:0;background:Canvas;color:CanvasText}
main{max-width:34rem;margin:3rem auto;padding:0 1.25rem}
.brand{font-weight:600;color:#2457d6;letter-spacing:.02em}
h1{margin:.2rem 0 .5rem;font-size:1.8rem}
.cards{margin-top:2rem;font-size:.92rem;line-height:1.6}
code{font-family:ui-monospace,monospace;background:color-mix(in srgb,CanvasText 8%,transparent);padding:.05rem .3rem;border-radius:4px}
softrack-checkout{display:block;margin-top:1.5rem;min-height:22rem}`;
