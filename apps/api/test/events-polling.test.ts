import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../src/lib/ids.js";
import type { TestApi } from "../src/testing.js";
import { fundedCustomer, type Http, http, realPostgresDatabaseUrl, startTestApi } from "./support.js";

// A poller of GET /v1/events?ending_before=<newest seen> on a PostgreSQL server, where writes
// commit side by side: an event made earlier can commit after a later one. Embedded, one
// connection commits one write at a time.
let api: TestApi;
let sk: Http;
let databaseUrl: string;

beforeAll(async () => {
  databaseUrl = await realPostgresDatabaseUrl();
  api = await startTestApi({ databaseUrl, env: { WORKERS: "off" } });
  sk = http(api.url, api.merchant.secretKey);
});
afterAll(() => api.close());

type Page = { data: { id: string; type: string }[] };

describe("polling events with ending_before", () => {
  it("misses no event that commits after a newer one", async () => {
    const customer = await fundedCustomer(sk, 50_000);
    const pay = () =>
      sk.post("/v1/payments", { amount: 1_000, currency: "KGS", customer, confirm: true, payment_method_data: { type: "wallet" } });
    await pay();
    let cursor = ((await sk.get("/v1/events?limit=1")).body as Page).data[0]?.id as string;
    const seen: string[] = [];
    const poll = async () => {
      const page = (await sk.get(`/v1/events?limit=100&ending_before=${cursor}`)).body as Page;
      for (const e of [...page.data].reverse()) seen.push(e.id);
      cursor = page.data[0]?.id ?? cursor;
    };

    // A write that has made its event and not committed yet (another API process, a slow group).
    const session = new pg.Client({ connectionString: databaseUrl });
    await session.connect();
    const slow = newId("event");
    try {
      await session.query("BEGIN");
      await session.query(
        `INSERT INTO events (id, merchant_id, livemode, type, data) VALUES ($1, $2, false, 'payment.succeeded', '{"object":{}}')`,
        [slow, api.merchant.id],
      );
      await new Promise((done) => setTimeout(done, 5));
      // A later write commits first, and the poller asks while the slow one is still open.
      const later = (await pay()).body.id as string;
      await poll();
      await session.query("COMMIT");
      await new Promise((done) => setTimeout(done, 150));
      await poll();
      const events = ((await sk.get("/v1/events?limit=5")).body as Page).data;
      const laterEvent = events.find((e) => e.type === "payment.succeeded" && e.id > slow)?.id as string;
      expect(laterEvent).toBeDefined();
      expect(later).toMatch(/^pay_/);
      expect(seen).toEqual([slow, laterEvent]);
    } finally {
      await session.end();
    }
  });
});
