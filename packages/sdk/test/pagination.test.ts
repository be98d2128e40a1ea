import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Page, Softrack } from "../src/index.js";
import { json, startServer } from "./helpers/server.js";

// 250 payments, newest first, served the way the contract pages them.
const all = Array.from({ length: 250 }, (_, i) => ({
  id: `pay_${String(250 - i).padStart(3, "0")}`,
  object: "payment",
}));
let server: Awaited<ReturnType<typeof startServer>>;
let client: Softrack;

beforeAll(async () => {
  server = await startServer((req, res) => {
    const url = new URL(req.url, "http://x");
    const limit = Number(url.searchParams.get("limit") ?? 10);
    const before = url.searchParams.get("ending_before");
    if (before) {
      // Newer than `before`, still newest first, as Stripe-style APIs page backwards.
      const end = all.findIndex((p) => p.id === before);
      const data = all.slice(Math.max(0, end - limit), end);
      return json(res, 200, {
        object: "list",
        data,
        has_more: end - limit > 0,
      });
    }
    const after = url.searchParams.get("starting_after");
    const start = after ? all.findIndex((p) => p.id === after) + 1 : 0;
    const data = all.slice(start, start + limit);
    json(res, 200, {
      object: "list",
      data,
      has_more: start + limit < all.length,
    });
  });
  client = new Softrack({ apiKey: "sk_test_x", baseUrl: server.url });
});
afterAll(() => server.close());

describe("list pagination", () => {
  it("for await walks every item of every page, in order, once", async () => {
    const before = server.received.length;
    const ids: string[] = [];
    for await (const p of client.payments.list({ limit: 100 })) ids.push(p.id);
    expect(ids).toEqual(all.map((p) => p.id));
    const urls = server.received.slice(before).map((r) => r.url);
    expect(urls).toEqual([
      "/v1/payments?limit=100",
      "/v1/payments?limit=100&starting_after=pay_151",
      "/v1/payments?limit=100&starting_after=pay_051",
    ]);
  });

  it("await gives one page; nextPage() the one after", async () => {
    const page = await client.payments.list({ limit: 3 });
    expect(page).toBeInstanceOf(Page);
    expect(page.object).toBe("list");
    expect(page.data.map((p) => p.id)).toEqual(["pay_250", "pay_249", "pay_248"]);
    expect(page.has_more).toBe(true);
    expect(page.hasNextPage()).toBe(true);
    const next = await page.nextPage();
    expect(next.data.map((p) => p.id)).toEqual(["pay_247", "pay_246", "pay_245"]);
  });

  it("the last page says so and does not fetch further", async () => {
    const last = await client.payments.list({
      limit: 100,
      starting_after: "pay_051",
    });
    expect(last.data).toHaveLength(50);
    expect(last.hasNextPage()).toBe(false);
    await expect(last.nextPage()).rejects.toThrow("no next page");
  });

  it("breaking out of the loop stops fetching", async () => {
    const before = server.received.length;
    let n = 0;
    for await (const _ of client.payments.list({ limit: 10 })) if (++n === 15) break;
    expect(server.received.length - before).toBe(2);
  });

  it("sends nothing until the list is awaited or iterated", async () => {
    const before = server.received.length;
    const list = client.payments.list();
    await new Promise((r) => setTimeout(r, 20));
    expect(server.received.length).toBe(before);
    await list;
    expect(server.received.length).toBe(before + 1);
  });

  it("with ending_before, for await walks towards newer items, oldest first", async () => {
    const ids: string[] = [];
    for await (const p of client.payments.list({
      limit: 2,
      ending_before: "pay_245",
    }))
      ids.push(p.id);
    expect(ids).toEqual(["pay_246", "pay_247", "pay_248", "pay_249", "pay_250"]);
  });

  it("a page serializes like the API's list object", async () => {
    const page = await client.payments.list({ limit: 1 });
    expect(JSON.parse(JSON.stringify(page))).toEqual({
      object: "list",
      data: [all[0]],
      has_more: true,
    });
  });
});
