import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { StaticPathsRouter } from "../src/lib/static-paths.js";

/** An app shaped like the API's: middleware on every path and on /v1, literal and parameter routes side by side. */
function app(router: StaticPathsRouter<never>) {
  const seen: string[] = [];
  const a = new Hono({ router: router as never });
  a.use("*", async (c, next) => {
    seen.push(`* ${c.req.path}`);
    await next();
  });
  a.use("/v1/*", async (c, next) => {
    seen.push(`v1 ${c.req.path}`);
    await next();
  });
  a.post("/v1/payments", (c) => c.text("create"));
  a.get("/v1/payments/:id", (c) => c.text(`get ${c.req.param("id")}`));
  a.post("/v1/payments/:id/confirm", (c) => c.text(`confirm ${c.req.param("id")}`));
  a.post("/v1/auth/sessions/live_mode", (c) => c.text("live"));
  a.post("/v1/auth/sessions/:id/revoke", (c) => c.text(`revoke ${c.req.param("id")}`));
  a.get("*", (c) => c.text(`static ${c.req.path}`));
  return { a, seen };
}

describe("the router that remembers paths without parameters", () => {
  it("answers every request as a trie search would, the second time too", async () => {
    const { a, seen } = app(new StaticPathsRouter());
    const asked = [
      ["POST", "/v1/payments", "create"],
      ["GET", "/v1/payments/pay_1", "get pay_1"],
      ["GET", "/v1/payments/pay_2", "get pay_2"],
      ["POST", "/v1/payments/pay_3/confirm", "confirm pay_3"],
      ["POST", "/v1/auth/sessions/live_mode", "live"],
      ["POST", "/v1/auth/sessions/ses_9/revoke", "revoke ses_9"],
      ["GET", "/widget.js", "static /widget.js"],
    ] as const;
    for (let round = 0; round < 3; round++) {
      for (const [method, path, body] of asked) {
        const res = await a.request(path, { method });
        expect(await res.text()).toBe(body);
      }
      const unknown = await a.request("/v1/payments", { method: "DELETE" });
      expect(unknown.status).toBe(404);
    }
    // Each request went through the middleware for its path, once.
    expect(seen.filter((s) => s === "* /v1/payments")).toHaveLength(6);
    expect(seen.filter((s) => s === "v1 /v1/payments")).toHaveLength(6);
    expect(seen.filter((s) => s === "v1 /widget.js")).toHaveLength(0);
  });

  it("remembers a bounded number of paths, however many unknown ones arrive", async () => {
    const router = new StaticPathsRouter<never>();
    const { a } = app(router);
    for (let i = 0; i < 5_000; i++) await a.request(`/junk/${i}`);
    expect(router.remembered).toBeGreaterThan(0);
    expect(router.remembered).toBeLessThanOrEqual(1024);
    expect(await (await a.request("/v1/payments", { method: "POST" })).text()).toBe("create");
    expect(await (await a.request("/v1/payments/pay_7")).text()).toBe("get pay_7");
  });
});
