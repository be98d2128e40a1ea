/**
 * Real parts only: the reference API (in-process, embedded PGlite, 127.0.0.1), a merchant
 * page on a second origin under a strict CSP, and Debian's Chromium driven by playwright-core.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { startApi, type TestApi } from "@softrack/api/testing";
import { launchBrowser } from "@softrack/testing";
import type { Browser, BrowserContext, Frame, Page } from "playwright-core";

export interface Harness {
  api: TestApi;
  /** the merchant page's origin (different port = different origin from the API) */
  shop: string;
  browser: Browser;
  close(): Promise<void>;
}

export interface PageOptions {
  clientSecret: string;
  locale?: string;
  theme?: "light" | "dark";
  apiBase?: string;
  /** wrap the checkout in the merchant's own shadow root */
  shadow?: boolean;
  reducedMotion?: boolean;
  colorScheme?: "light" | "dark";
  beforeGoto?: (page: Page) => Promise<unknown>;
  /** more attributes for the element, e.g. { "pickup-requirement": "none" } */
  attributes?: Record<string, string>;
}

/** Page script (served as a file: the CSP forbids inline scripts) that records every event. */
const SHOP_JS = `
const params = new URLSearchParams(location.search);
window.__events = [];
window.__violations = [];
window.__cls = 0;
window.__shifts = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.hadRecentInput) continue;
    window.__cls += e.value;
    for (const s of e.sources ?? []) window.__shifts.push((s.node?.nodeName ?? "?") + "." + (s.node?.className ?? "") + " " + JSON.stringify([s.previousRect, s.currentRect]));
  }
}).observe({ type: "layout-shift", buffered: true });
document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI));
for (const type of ["softrack-ready", "softrack-change", "softrack-submit", "softrack-success", "softrack-error", "softrack-cancel", "softrack-pay-on-pickup"]) {
  document.addEventListener(type, (e) => window.__events.push({ type, detail: JSON.parse(JSON.stringify(e.detail ?? null)) }));
}
const el = document.createElement("softrack-checkout");
el.id = "checkout";
for (const [k, v] of params) if (k !== "shadow") el.setAttribute(k, v);
if (params.get("shadow")) {
  const host = document.createElement("div");
  host.id = "shop-host";
  host.attachShadow({ mode: "open" }).append(el);
  document.querySelector("main").append(host);
} else {
  document.querySelector("main").append(el);
}
window.__checkout = el;
if (params.get("theme") === "dark") document.body.classList.add("dark");
`;

function shopHtml(api: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop checkout</title>
<link rel="stylesheet" href="/shop.css">
<script type="module" src="${api}/widget.js"></script>
<script type="module" src="/shop.js"></script></head>
<body><main><h1>Shop</h1></main></body></html>`;
}

const SHOP_CSS =
  "body{font-family:system-ui,sans-serif;margin:24px;max-width:480px;background:#fff;color:#111}body.dark{background:#0b0f19;color:#eee}";

function serveShop(api: string): Promise<Server> {
  const csp = [
    "default-src 'self'",
    `script-src 'self' ${api}`,
    "style-src 'self'",
    `frame-src ${api}`,
    `connect-src ${api}`,
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
  ].join("; ");
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    res.setHeader("Content-Security-Policy", csp);
    if (path === "/shop.js") {
      res.setHeader("Content-Type", "text/javascript");
      res.end(SHOP_JS);
    } else if (path === "/shop.css") {
      res.setHeader("Content-Type", "text/css");
      res.end(SHOP_CSS);
    } else if (path === "/") {
      res.setHeader("Content-Type", "text/html; charset=utf-8");
      res.end(shopHtml(api));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

// TEMPORARY, until apps/api serves /widget.js and /elements/* and answers CORS on /v1 (see
// INTEGRATION.md): a front that serves dist/ and passes /v1 through to the real API, adding
// only the CORS headers. Used only when the API itself cannot yet serve a cross-origin page.
import { readFile } from "node:fs/promises";

async function apiServesWidget(apiUrl: string): Promise<boolean> {
  try {
    const js = await fetch(`${apiUrl}/widget.js`, { headers: { Origin: "http://localhost" } });
    const frame = await fetch(`${apiUrl}/elements/card`);
    const pre = await fetch(`${apiUrl}/v1/payments/pay_probe`, {
      method: "OPTIONS",
      headers: {
        Origin: "http://localhost",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,idempotency-key",
      },
    });
    return js.ok && !!js.headers.get("access-control-allow-origin") && frame.ok && !!pre.headers.get("access-control-allow-origin");
  } catch {
    return false;
  }
}
async function apiFront(apiUrl: string): Promise<{ url: string; server: Server } | undefined> {
  if (await apiServesWidget(apiUrl)) return undefined;
  process.stderr.write("widget tests: apps/api does not serve the widget cross-origin yet; using the test front (INTEGRATION.md)\n");
  const dist = new URL("../../dist/", import.meta.url);
  const types: Record<string, string> = { js: "text/javascript", css: "text/css", html: "text/html; charset=utf-8" };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    res.setHeader("Access-Control-Allow-Origin", "*");
    res.setHeader("Access-Control-Allow-Headers", "Authorization, Content-Type, Idempotency-Key");
    res.setHeader("Access-Control-Allow-Methods", "GET, POST");
    if (req.method === "OPTIONS") return res.end();
    let file: string | undefined;
    if (url.pathname === "/widget.js") file = "cdn/softrack-checkout.js";
    else if (url.pathname === "/elements/card") file = "elements/card.html";
    else if (url.pathname.startsWith("/elements/")) file = `elements/${url.pathname.slice(10)}`;
    if (file) {
      try {
        const body = await readFile(new URL(file, dist));
        res.setHeader("Content-Type", types[file.split(".").pop() ?? ""] ?? "application/octet-stream");
        res.setHeader("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'");
        return res.end(body);
      } catch {
        res.statusCode = 404;
        return res.end();
      }
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers: Record<string, string> = {};
    for (const k of ["authorization", "content-type", "idempotency-key"]) if (req.headers[k]) headers[k] = String(req.headers[k]);
    const up = await fetch(apiUrl + url.pathname + url.search, {
      method: req.method ?? "GET",
      headers,
      ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
    });
    res.statusCode = up.status;
    res.setHeader("Content-Type", up.headers.get("content-type") ?? "application/json");
    res.end(Buffer.from(await up.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** `env`: the API's settings for this file, e.g. a low rate limit. */
export async function startHarness(opts: { env?: Record<string, string> } = {}): Promise<Harness> {
  const real = await startApi(opts.env ? { env: opts.env } : {});
  const front = await apiFront(real.url);
  const api: TestApi = front
    ? {
        ...real,
        url: front.url,
        close: async () => {
          front.server.close();
          await real.close();
        },
      }
    : real;
  const shopServer = await serveShop(api.url);
  // "localhost" vs the API's "127.0.0.1": two origins, as in production.
  const shop = `http://localhost:${(shopServer.address() as AddressInfo).port}`;
  const browser = await launchBrowser();
  return {
    api,
    shop,
    browser,
    async close() {
      await browser.close();
      await new Promise<void>((r) => shopServer.close(() => r()));
      await api.close();
    },
  };
}

/** Creates a test payment with the merchant's secret key, as the merchant's server would. */
export async function createPayment(
  api: TestApi,
  body: Record<string, unknown>,
): Promise<{ id: string; client_secret: string; [k: string]: unknown }> {
  const res = await fetch(`${api.url}/v1/payments`, {
    method: "POST",
    headers: { Authorization: `Bearer ${api.merchant.secretKey}`, "Content-Type": "application/json" },
    body: JSON.stringify({ amount: 15000, currency: "KGS", capture_method: "automatic", ...body }),
  });
  if (!res.ok) throw new Error(`create payment: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string; client_secret: string };
}

export async function apiCall(
  api: TestApi,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${api.merchant.secretKey}`, "Content-Type": "application/json" },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

export interface CheckoutPage {
  context: BrowserContext;
  page: Page;
  /** the card iframe (API origin) */
  cardFrame(): Promise<Frame>;
  events(): Promise<{ type: string; detail: unknown }[]>;
  violations(): Promise<string[]>;
  waitForEvent(type: string): Promise<{ type: string; detail: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function openCheckout(h: Harness, opts: PageOptions): Promise<CheckoutPage> {
  const context = await h.browser.newContext({
    viewport: { width: 560, height: 900 },
    reducedMotion: opts.reducedMotion ? "reduce" : "no-preference",
    colorScheme: opts.colorScheme ?? "light",
    locale: "en-US",
  });
  const page = await context.newPage();
  const q = new URLSearchParams({
    "client-secret": opts.clientSecret,
    "publishable-key": h.api.merchant.publishableKey,
    "api-base": opts.apiBase ?? h.api.url,
    locale: opts.locale ?? "en",
    theme: opts.theme ?? "light",
    ...(opts.shadow ? { shadow: "1" } : {}),
    ...opts.attributes,
  });
  await opts.beforeGoto?.(page);
  await page.goto(`${h.shop}/?${q}`);
  const cp: CheckoutPage = {
    context,
    page,
    async cardFrame() {
      const handle = await page.locator("softrack-checkout iframe.card-frame").elementHandle({ timeout: 15_000 });
      const frame = await handle?.contentFrame();
      if (!frame) throw new Error("card iframe not found");
      await frame.waitForSelector("#number");
      return frame;
    },
    events: () => page.evaluate(() => (window as unknown as { __events: { type: string; detail: unknown }[] }).__events),
    violations: () => page.evaluate(() => (window as unknown as { __violations: string[] }).__violations),
    async waitForEvent(type) {
      await page.waitForFunction((t) => (window as unknown as { __events: { type: string }[] }).__events.some((e) => e.type === t), type, {
        timeout: 20_000,
      });
      const all = await cp.events();
      return all.find((e) => e.type === type) as { type: string; detail: Record<string, unknown> };
    },
    close: () => context.close(),
  };
  return cp;
}
