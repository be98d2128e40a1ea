import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkWebhookUrl } from "../src/services/webhook-url.js";
import { freshDatabaseUrl, http, startTestApi, TEST_CARD } from "./support.js";

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP receiver on 127.0.0.1 that answers with the statuses it is given, in order. */
async function receiver(statuses: number[]) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.statusCode = statuses[received.length - 1] ?? 200;
      res.end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/hooks`, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Standard Webhooks verification, written here independently of the server's signer. */
function verify(secret: string, r: Received): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key)
    .update(`${r.headers["webhook-id"]}.${r.headers["webhook-timestamp"]}.${r.body}`)
    .digest("base64");
  return String(r.headers["webhook-signature"]).split(" ").includes(`v1,${expected}`);
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("webhooks", () => {
  it("a receiver that fails twice gets the event on the third try, across an API restart, and never twice", async () => {
    const hook = await receiver([500, 503, 200]);
    const adminKey = `sk_admin_${"w".repeat(40)}`;
    const dataDir = mkdtempSync(join(tmpdir(), "softrack-wh-"));
    dirs.push(dataDir);
    const databaseUrl = await freshDatabaseUrl();
    const env = { WORKERS: "off", DATA_DIR: dataDir };
    let api = await startTestApi({ env, adminKey, ...(databaseUrl ? { databaseUrl } : {}) });
    const merchantKey = api.merchant.secretKey;
    const sk = http(api.url, merchantKey);
    const endpoint = (await sk.post("/v1/webhook_endpoints", { url: hook.url, events: ["payment.succeeded"] })).body;
    expect(endpoint.secret).toMatch(/^whsec_/);
    expect((await sk.get(`/v1/webhook_endpoints/${endpoint.id}`)).body.secret).toBeUndefined();

    const p = (await sk.post("/v1/payments", { amount: 5_000, currency: "KGS" })).body;
    await sk.post(`/v1/payments/${p.id}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } });
    const t0 = Date.now();
    const at = (ms: number) => ({ now: new Date(t0 + ms).toISOString() });

    expect((await sk.post("/v1/test_helpers/run_jobs", at(0))).body.webhooks).toEqual({ attempted: 1, delivered: 0 });
    expect((await sk.post("/v1/test_helpers/run_jobs", at(1_000))).body.webhooks.attempted).toBe(0); // not due: 5 s back-off
    expect((await sk.post("/v1/test_helpers/run_jobs", at(60_000))).body.webhooks).toEqual({ attempted: 1, delivered: 0 });

    await api.close();
    // The same database and admin key: the queue, the endpoint's sealed secret and the merchant's key survive.
    api = await startTestApi({ env, adminKey, ...(databaseUrl ? { databaseUrl } : {}) });
    const after = http(api.url, merchantKey);
    expect((await after.post("/v1/test_helpers/run_jobs", at(3_600_000))).body.webhooks).toEqual({ attempted: 1, delivered: 1 });
    // Delivered: nothing more, however far time moves.
    expect((await after.post("/v1/test_helpers/run_jobs", at(3 * 86_400_000))).body.webhooks.attempted).toBe(0);

    expect(hook.received).toHaveLength(3);
    const ids = new Set(hook.received.map((r) => r.headers["webhook-id"]));
    expect(ids.size).toBe(1);
    for (const r of hook.received) {
      expect(verify(endpoint.secret, r)).toBe(true);
      expect(verify(`whsec_${Buffer.from("wrong").toString("base64")}`, r)).toBe(false);
      const event = JSON.parse(r.body);
      expect(event).toMatchObject({ object: "event", type: "payment.succeeded", data: { object: { id: p.id, status: "succeeded" } } });
      expect(event.data.object.client_secret).toBeUndefined();
    }
    const attempts = (await after.get(`/v1/webhook_endpoints/${endpoint.id}/attempts`)).body.data;
    expect(
      attempts.map((a: { attempt: number; response_status: number; succeeded: boolean }) => [a.attempt, a.response_status, a.succeeded]),
    ).toEqual([
      [3, 200, true],
      [2, 503, false],
      [1, 500, false],
    ]);
    for (const a of attempts) expect(a).toMatchObject({ object: "webhook_attempt", livemode: false, created: expect.any(String) });
    await api.close();
    await hook.close();
    // A disk-backed embedded database is created, closed and reopened here: slow on a busy machine.
  }, 300_000);

  it("the background worker delivers at once; an endpoint answering 410 is disabled", async () => {
    const hook = await receiver([410]);
    const api = await startTestApi({ env: { WORKERS: "on" } });
    try {
      const sk = http(api.url, api.merchant.secretKey);
      const endpoint = (await sk.post("/v1/webhook_endpoints", { url: hook.url, events: ["*"] })).body;
      const p = (await sk.post("/v1/payments", { amount: 1_000, currency: "KGS" })).body;
      await sk.post(`/v1/payments/${p.id}/cancel`);
      for (let i = 0; i < 100 && hook.received.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(JSON.parse(hook.received[0]?.body ?? "{}").type).toBe("payment.canceled");
      for (let i = 0; i < 100; i++) {
        if ((await sk.get(`/v1/webhook_endpoints/${endpoint.id}`)).body.status === "disabled") break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect((await sk.get(`/v1/webhook_endpoints/${endpoint.id}`)).body).toMatchObject({
        status: "disabled",
        disabled_reason: expect.stringContaining("410"),
      });
    } finally {
      await api.close();
      await hook.close();
    }
  });

  it("events are listed newest first and only for their merchant", async () => {
    const api = await startTestApi({ env: { WORKERS: "off" } });
    try {
      const sk = http(api.url, api.merchant.secretKey);
      const p = (await sk.post("/v1/payments", { amount: 1_000, currency: "KGS", capture_method: "manual" })).body;
      await sk.post(`/v1/payments/${p.id}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } });
      await sk.post(`/v1/payments/${p.id}/capture`);
      const types = (await sk.get("/v1/events")).body.data.map((e: { type: string }) => e.type);
      expect(types).toEqual(["payment.succeeded", "payment.requires_capture"]);
      const other = await http(api.url, api.adminKey).post("/v1/merchants", { name: "Other", country: "KG", default_currency: "KGS" });
      expect((await http(api.url, other.body.keys.secret_key).get("/v1/events")).body.data).toEqual([]);
    } finally {
      await api.close();
    }
  });
});

describe("live-mode endpoints and SSRF", () => {
  it.each([
    ["http://127.0.0.1/hook", "url_invalid"],
    ["https://127.0.0.1/hook", "url_not_public"],
    ["https://10.0.0.5/hook", "url_not_public"],
    ["https://192.168.1.10/hook", "url_not_public"],
    ["https://[::1]/hook", "url_not_public"],
    ["https://169.254.169.254/latest/meta-data", "url_not_public"],
    ["https://localhost/hook", "url_not_public"],
    ["ftp://example.com/hook", "url_invalid"],
    ["https://user:pw@example.com/hook", "url_invalid"],
  ])("refuses %s in live mode (%s)", async (url, code) => {
    await expect(checkWebhookUrl(url, true, { NODE_ENV: "development" })).rejects.toMatchObject({ code });
  });

  it("test mode accepts loopback so partners can develop locally (on a development server)", async () => {
    await expect(checkWebhookUrl("http://127.0.0.1:4000/hook", false, { NODE_ENV: "development" })).resolves.toBeInstanceOf(URL);
  });
});
