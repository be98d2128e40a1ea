/**
 * The React and Vue wrappers, as a shop uses them: the example apps (examples/*) are built
 * against the package's exports, served from their own origin, and run in Chromium against the
 * real API. Each must hand the element its props and hear its events.
 */
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error plain ESM build script without types
import { buildExamples } from "../../scripts/build-examples.mjs";
import { createPayment, type Harness, startHarness } from "./harness.js";

let h: Harness;
let shops: Server;
let shop: string;

beforeAll(async () => {
  await buildExamples();
  h = await startHarness();
  const examples = new URL("../../examples/", import.meta.url);
  shops = createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const [, name, rest] = path.match(/^\/(react|vue)\/(.*)$/) ?? [];
    try {
      const file = !rest ? `${name}/index.html` : `${name}/${rest}`;
      const body = await readFile(new URL(file, examples));
      res.setHeader("Content-Type", file.endsWith(".html") ? "text/html; charset=utf-8" : "text/javascript");
      res.end(body);
    } catch {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => shops.listen(0, "127.0.0.1", r));
  // localhost vs the API's 127.0.0.1: the shop and the API are two origins, as in production.
  shop = `http://localhost:${(shops.address() as AddressInfo).port}`;
});
afterAll(async () => {
  shops?.close();
  await h?.close();
});

describe.each(["react", "vue"])("the %s wrapper", (framework) => {
  const open = async (clientSecret: string) => {
    const page = await h.browser.newPage();
    const q = new URLSearchParams({ client_secret: clientSecret, publishable_key: h.api.merchant.publishableKey, api: h.api.url });
    await page.goto(`${shop}/${framework}/?${q}`);
    return page;
  };

  it("gives the element its payment and hears it ready", async () => {
    const p = await createPayment(h.api, { amount: 15000, currency: "KGS", description: "Order 1001" });
    const page = await open(p.client_secret);
    await expect.poll(() => page.locator("#status").textContent(), { timeout: 30_000 }).toBe(`ready ${p.id}`);
    // Set as properties, not only attributes: what the element itself reads.
    expect(
      await page.evaluate(() => (document.querySelector("softrack-checkout") as unknown as { clientSecret: string }).clientSecret),
    ).toBe(p.client_secret);
    expect(await page.locator("softrack-checkout").getAttribute("locale")).toBe("en");
    await page.close();
  });

  it("hears the element's error event", async () => {
    const page = await open("pay_nothing_secret_nothing");
    await expect.poll(() => page.locator("#status").textContent(), { timeout: 30_000 }).toMatch(/^error \w+/);
    await page.close();
  });
});
