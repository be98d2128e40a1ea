import { afterEach, describe, expect, it } from "vitest";
import { Softrack } from "../../src/index.js";
import { startSabotageProxy } from "../helpers/proxy.js";
import { useApi } from "./harness.js";

const ctx = useApi();
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe("retries through a failing proxy, against the real API", () => {
  it("the API acts, the connection is reset, the retry gets the replay: one merchant, not two", async () => {
    const proxy = await startSabotageProxy(ctx.url, ["reset_after_effect", "pass"]);
    close = proxy.close;
    const admin = new Softrack({
      apiKey: ctx.adminKey,
      baseUrl: proxy.url,
    });
    const m = await admin.merchants.create({
      name: "Retry Books",
      country: "KG",
      default_currency: "KGS",
    });
    expect(proxy.upstream).toHaveLength(2);
    const [first, second] = proxy.upstream;
    expect(first?.status).toBe(200);
    expect(second?.replayed).toBe(true);
    // The merchant the client got is the one the lost first response described.
    expect(JSON.parse(first?.body ?? "{}").id).toBe(m.id);
    expect(second?.body).toBe(first?.body);
  });

  it("500 and 429 in front of the API are retried and the call succeeds once", async () => {
    const proxy = await startSabotageProxy(ctx.url, ["500_before", "429_before", "pass"]);
    close = proxy.close;
    const admin = new Softrack({
      apiKey: ctx.adminKey,
      baseUrl: proxy.url,
      maxRetries: 3,
    });
    const m = await admin.merchants.create({
      name: "Flaky Net",
      country: "KG",
      default_currency: "KGS",
    });
    expect(m.id).toMatch(/^mer_/);
    expect(proxy.received).toHaveLength(3);
    expect(proxy.upstream).toHaveLength(1);
    expect(new Set(proxy.received.map((r) => r.headers["idempotency-key"])).size).toBe(1);
  });
});
