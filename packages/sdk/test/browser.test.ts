import { createReadStream, existsSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchBrowser } from "@softrack/testing";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useApi } from "./api/harness.js";

const dist = fileURLToPath(new URL("../dist/", import.meta.url));
const ctx = useApi();
let browser: Browser;
let origin: string;
let close: () => void;

beforeAll(async () => {
  // A merchant's page on its own origin, serving the built package as plain ES modules.
  const server = createServer((req, res) => {
    const file = join(dist, (req.url ?? "/").replace(/^\/dist\//, "").replace(/\?.*$/, ""));
    if (req.url === "/") return res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>shop</title>");
    if (!req.url?.startsWith("/dist/") || !existsSync(file)) return res.writeHead(404).end();
    res.writeHead(200, { "content-type": "text/javascript" });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  close?.();
});

/** The shop page with the built ES modules loaded as window.sdk and window.webhooks. */
async function openShop() {
  const page = await browser.newPage();
  await page.goto(origin);
  // A string, so the test runner does not rewrite import() for Node.
  await page.evaluate(
    "Promise.all([import('/dist/index.js'), import('/dist/webhooks.js')]).then(([s, w]) => { window.sdk = s; window.webhooks = w; })",
  );
  return page;
}

describe("in a real browser (Chromium), from another origin", () => {
  it("a publishable key confirms and reads a payment through CORS; errors keep their class", async () => {
    const payment = await ctx.sk.payments.create({ amount: 4200, currency: "KGS" });
    const page = await openShop();
    const result = await page.evaluate(
      async ({ url, pk, id, secret }) => {
        const { Softrack, SoftrackPaymentError } = (window as unknown as { sdk: typeof import("../src/index.js") }).sdk;
        const softrack = new Softrack({ apiKey: pk, baseUrl: url });
        const declined = await softrack.payments.create({ amount: 1, currency: "KGS" }).catch((e: unknown) => e);
        const paid = await softrack.payments.confirm(id, {
          client_secret: secret,
          payment_method_data: { type: "card", card: { number: "4242424242424242", exp_month: 12, exp_year: 2030, cvc: "123" } },
        });
        const read = await softrack.payments.retrieve(id, { client_secret: secret });
        return {
          paid: paid.status,
          read: read.status,
          createWithPk: (declined as Error).name,
          // A publishable key may not create payments: a permission error, not a payment error.
          status: declined instanceof SoftrackPaymentError ? "payment" : (declined as { status?: number }).status,
        };
      },
      { url: ctx.url, pk: ctx.publishableKey, id: payment.id, secret: payment.client_secret ?? "" },
    );
    expect(result).toEqual({ paid: "succeeded", read: "succeeded", createWithPk: "SoftrackPermissionError", status: 403 });
    await page.close();
  });

  it("verifies the Standard Webhooks vector with the browser's Web Crypto", async () => {
    const page = await openShop();
    const out = await page.evaluate(async () => {
      const { verify } = (window as unknown as { webhooks: typeof import("../src/webhooks.js") }).webhooks;
      const headers = new Headers({
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
      });
      const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
      const ok = await verify('{"test": 2432232314}', headers, secret, { now: 1614265330 });
      const tampered = await verify('{"test": 2432232315}', headers, secret, { now: 1614265330 }).catch((e: { code: string }) => e.code);
      return { ok, tampered };
    });
    expect(out).toEqual({ ok: { test: 2432232314 }, tampered: "no_matching_signature" });
    await page.close();
  });
});
