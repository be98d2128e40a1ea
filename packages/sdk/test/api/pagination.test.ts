import { beforeAll, describe, expect, it } from "vitest";
import { useApi } from "./harness.js";

const ctx = useApi();
/** This file's merchant's customers as the API lists them in one page: newest first. */
let newestFirst: string[];

beforeAll(async () => {
  for (let i = 0; i < 8; i++) await ctx.sk.customers.create({ name: `Customer ${i}` });
  newestFirst = (await ctx.sk.customers.list({ limit: 100 })).data.map((c) => c.id);
  expect(newestFirst).toHaveLength(8);
});

describe("auto-pagination against the real API", () => {
  it("with starting_after, for await yields every item once, newest first", async () => {
    const ids: string[] = [];
    for await (const c of ctx.sk.customers.list({ limit: 3 })) ids.push(c.id);
    expect(ids).toEqual(newestFirst);
  });

  it("with ending_before, for await yields every newer item once, oldest first, across pages", async () => {
    const oldest = newestFirst.at(-1) as string;
    const ids: string[] = [];
    // Pages of 3 over 7 newer items: three requests, each page read oldest first.
    for await (const c of ctx.sk.customers.list({ limit: 3, ending_before: oldest })) ids.push(c.id);
    expect(ids).toEqual(newestFirst.slice(0, -1).reverse());
  });

  it("with ending_before, an awaited page keeps the API's order", async () => {
    const page = await ctx.sk.customers.list({ limit: 3, ending_before: newestFirst.at(-1) as string });
    expect(page.data.map((c) => c.id)).toEqual(newestFirst.slice(-4, -1));
  });
});
