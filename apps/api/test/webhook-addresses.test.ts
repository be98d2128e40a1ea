import type { LookupAddress } from "node:dns";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { checkWebhookUrl, useResolver } from "../src/services/webhook-url.js";
import type { TestApi } from "../src/testing.js";
import { type Http, http, startTestApi, TEST_CARD } from "./support.js";

/**
 * Issue 19, findings 6 and 7: where a webhook may go. The API runs in this process, so a test
 * stands in for DNS with useResolver (a name whose answer changes between calls).
 */

/** A real HTTP receiver that records what reaches it. */
async function receiver(host: string, port = 0) {
  const received: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    received.push(req);
    req.resume();
    req.on("end", () => res.writeHead(200).end("ok"));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  return { port: (server.address() as AddressInfo).port, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const v4 = (address: string): LookupAddress[] => [{ address, family: 4 }];
let restoreDns: (() => void) | undefined;
afterEach(() => restoreDns?.());

/** A payment event for the merchant's endpoints, then one run of the jobs (webhook deliveries included). */
async function eventAndDelivery(sk: Http) {
  const p = (await sk.post("/v1/payments", { amount: 1_000, currency: "KGS" })).body;
  expect((await sk.post(`/v1/payments/${p.id}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } })).body.status).toBe(
    "succeeded",
  );
  return (await sk.post("/v1/test_helpers/run_jobs", { now: new Date().toISOString() })).body.webhooks;
}

describe("on a production server, test endpoints follow the address rules too (finding 6)", () => {
  let api: TestApi;
  let sk: Http;
  let hook: Awaited<ReturnType<typeof receiver>>;
  beforeAll(async () => {
    // Whatever production's config check asks for besides (PUBLIC_URL, a metrics token).
    api = await startTestApi({
      env: {
        NODE_ENV: "production",
        WORKERS: "off",
        PUBLIC_URL: "https://pay.softrack.test",
        METRICS_TOKEN: "metrics-token-for-tests-000",
        BUYER_HASH_KEY: "buyer-hash-key-for-tests-0123456789",
      },
    });
    sk = http(api.url, api.merchant.secretKey);
    hook = await receiver("127.0.0.1");
  });
  afterAll(async () => {
    await hook.close();
    await api.close();
  });

  const refused = () => [
    `http://127.0.0.1:${hook.port}/hooks`,
    `http://localhost:${hook.port}/hooks`,
    "http://169.254.169.254/latest/meta-data",
    "http://10.0.0.1/",
    "http://192.168.1.10/",
    "http://[::1]/",
    "http://[::127.0.0.1]/",
    "http://[::7f00:1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://[2002:a9fe:a9fe::]/",
    "http://[fd00::1]/",
    "http://0.0.0.0/",
    "http://100.64.0.1/",
  ];

  it("creating a test endpoint on loopback, private, link-local or IPv4-in-IPv6 addresses is refused", async () => {
    for (const url of refused()) {
      const r = await sk.post("/v1/webhook_endpoints", { url, events: ["*"] });
      expect([url, r.status, r.body.error?.code, r.body.error?.param]).toEqual([url, 400, "url_not_public", "url"]);
    }
    expect((await sk.get("/v1/webhook_endpoints")).body.data).toEqual([]);
  });

  it("a name is refused when any of its addresses is not public, and an endpoint cannot be moved to one", async () => {
    restoreDns = useResolver(async (name) =>
      name === "mixed.partner.test" ? [...v4("93.184.216.34"), ...v4("10.0.0.1")] : v4("93.184.216.34"),
    );
    const mixed = await sk.post("/v1/webhook_endpoints", { url: "http://mixed.partner.test/hooks", events: ["*"] });
    expect(mixed.body.error).toMatchObject({ code: "url_not_public", param: "url" });
    const ok = await sk.post("/v1/webhook_endpoints", { url: "https://partner.test/hooks", events: ["*"] });
    expect(ok.status).toBe(200);
    const moved = await sk.post(`/v1/webhook_endpoints/${ok.body.id}`, { url: "http://169.254.169.254/" });
    expect(moved.body.error).toMatchObject({ code: "url_not_public", param: "url" });
    expect((await sk.get(`/v1/webhook_endpoints/${ok.body.id}`)).body.url).toBe("https://partner.test/hooks");
    expect((await sk.call("DELETE", `/v1/webhook_endpoints/${ok.body.id}`)).status).toBe(200);
  });

  it("a name that resolves to loopback at delivery gets nothing (no port scanning through /attempts)", async () => {
    let answers = 0;
    // Public when the endpoint is saved, loopback (where the system's DNS also sends `localhost`) afterwards.
    restoreDns = useResolver(async () => (answers++ === 0 ? v4("93.184.216.34") : v4("127.0.0.1")));
    const endpoint = await sk.post("/v1/webhook_endpoints", { url: `http://localhost:${hook.port}/hooks`, events: ["*"] });
    expect(endpoint.status).toBe(200);
    expect(await eventAndDelivery(sk)).toEqual({ attempted: 1, delivered: 0 });
    expect(hook.received).toHaveLength(0);
    const [attempt] = (await sk.get(`/v1/webhook_endpoints/${endpoint.body.id}/attempts`)).body.data;
    expect(attempt).toMatchObject({ response_status: null, error: "url_not_public", succeeded: false });
  });
});

describe("live endpoints: IPv4 written as IPv6 is not public (finding 7)", () => {
  it.each([
    "https://[::127.0.0.1]/hook",
    "https://[::7f00:1]/hook",
    "https://[::a9fe:a9fe]/hook",
    "https://[::ffff:7f00:1]/hook",
    "https://[::ffff:0:7f00:1]/hook",
    "https://[64:ff9b::7f00:1]/hook",
    "https://[64:ff9b:1::a00:1]/hook",
    "https://[2002:7f00:1::]/hook",
    "https://[2001::1]/hook",
    "https://[fe80::1]/hook",
    "https://[::]/hook",
  ])("%s is refused", async (url) => {
    await expect(checkWebhookUrl(url, true, { NODE_ENV: "development" })).rejects.toMatchObject({ code: "url_not_public" });
  });

  it("public addresses pass", async () => {
    await expect(checkWebhookUrl("https://[2606:4700:4700::1111]/hook", true, { NODE_ENV: "production" })).resolves.toBeInstanceOf(URL);
    await expect(checkWebhookUrl("https://1.1.1.1/hook", true, { NODE_ENV: "production" })).resolves.toBeInstanceOf(URL);
  });
});

describe("a delivery connects to the address it resolved and checked (finding 7)", () => {
  let api: TestApi;
  let sk: Http;
  beforeAll(async () => {
    api = await startTestApi({ env: { WORKERS: "off" } });
    sk = http(api.url, api.merchant.secretKey);
  });
  afterAll(() => api.close());

  it("the name is resolved once; a second resolution (the system's) never decides where the POST goes", async () => {
    // The checked address: 127.0.0.2. The system's DNS sends `localhost` to 127.0.0.1, same port.
    const checked = await receiver("127.0.0.2");
    const elsewhere = await receiver("127.0.0.1", checked.port);
    try {
      let answers = 0;
      restoreDns = useResolver(async (name) => {
        answers++;
        return name === "localhost" ? v4("127.0.0.2") : [];
      });
      const endpoint = await sk.post("/v1/webhook_endpoints", {
        url: `http://localhost:${checked.port}/hooks`,
        events: ["payment.succeeded"],
      });
      expect(endpoint.status).toBe(200);
      answers = 0;
      expect(await eventAndDelivery(sk)).toEqual({ attempted: 1, delivered: 1 });
      expect(answers).toBe(1);
      expect(checked.received).toHaveLength(1);
      expect(checked.received[0]?.headers.host).toBe(`localhost:${checked.port}`);
      expect(elsewhere.received).toHaveLength(0);
    } finally {
      await checked.close();
      await elsewhere.close();
    }
  });
});

describe("a name server that never answers does not stall deliveries (review M8)", () => {
  let api: TestApi;
  let sk: Http;
  beforeAll(async () => {
    api = await startTestApi({ env: { WORKERS: "off" } });
    sk = http(api.url, api.merchant.secretKey);
  });
  afterAll(() => api.close());

  it("the lookup is bounded by the attempt's deadline: recorded as a failed attempt, and the other deliveries go", async () => {
    const hook = await receiver("127.0.0.1");
    try {
      // The merchant's own name server for stalled.shop.test never answers; localhost answers at once.
      restoreDns = useResolver((name) =>
        name === "localhost" ? Promise.resolve(v4("127.0.0.1")) : new Promise<LookupAddress[]>(() => {}),
      );
      const stalled = await sk.post("/v1/webhook_endpoints", { url: "http://stalled.shop.test/hooks", events: ["payment.succeeded"] });
      const healthy = await sk.post("/v1/webhook_endpoints", { url: `http://localhost:${hook.port}/hooks`, events: ["payment.succeeded"] });
      expect([stalled.status, healthy.status]).toEqual([200, 200]);

      // One event, two deliveries in one batch: the stalled one fails at the deadline, the other is delivered.
      expect(await eventAndDelivery(sk)).toEqual({ attempted: 2, delivered: 1 });
      expect(hook.received).toHaveLength(1);
      const attempts = (await sk.get(`/v1/webhook_endpoints/${stalled.body.id}/attempts`)).body.data;
      expect(attempts).toHaveLength(1);
      expect(attempts[0]).toMatchObject({ attempt: 1, succeeded: false, response_status: null, error: "timeout" });

      // The next event still reaches the healthy endpoint (the stalled one is switched off so its retry ends at once).
      expect((await sk.post(`/v1/webhook_endpoints/${stalled.body.id}`, { status: "disabled" })).status).toBe(200);
      expect(await eventAndDelivery(sk)).toMatchObject({ delivered: 1 });
      expect(hook.received).toHaveLength(2);
    } finally {
      await hook.close();
    }
  });
});

describe("saving a live endpoint whose name server never answers (review M8)", () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ env: { WORKERS: "off" } });
  });
  afterAll(() => api.close());

  it("answers 400 url_unresolvable at the lookup's deadline and saves nothing", async () => {
    const admin = http(api.url, api.adminKey);
    const m = await admin.post("/v1/merchants", { name: "Karakol Tours", country: "KG", default_currency: "KGS" });
    const live = http(api.url, (await admin.post(`/v1/merchants/${m.body.id}/activate`)).body.keys.secret_key);
    restoreDns = useResolver(() => new Promise<LookupAddress[]>(() => {}));
    const saved = await live.post("/v1/webhook_endpoints", { url: "https://stalled.karakol.test/hooks", events: ["payment.succeeded"] });
    expect(saved.status).toBe(400);
    expect(saved.body.error).toMatchObject({ type: "invalid_request_error", code: "url_unresolvable", param: "url" });
    expect((await live.get("/v1/webhook_endpoints")).body.data).toEqual([]);
  });
});
