import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import type { TestApi } from "../src/testing.js";
import { freshDatabaseUrl, http, type Reply, realPostgresDatabaseUrl, startTestApi } from "./support.js";

const dirs: string[] = [];
const apis: TestApi[] = [];
afterAll(async () => {
  for (const api of apis.splice(0)) await api.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The same admin key on every start: the sign-in subjects are hashed with a key derived from it. */
const adminKey = `sk_admin_${"l".repeat(40)}`;

async function start(env: Record<string, string>, databaseUrl?: string): Promise<TestApi> {
  const api = await startTestApi({ env: { WORKERS: "off", ...env }, adminKey, ...(databaseUrl ? { databaseUrl } : {}) });
  apis.push(api);
  return api;
}

async function stop(api: TestApi) {
  apis.splice(apis.indexOf(api), 1);
  await api.close();
}

const startEmail = (api: TestApi, email: string) => http(api.url).post("/v1/auth/email/start", { email, audience: "member" });

function expectRateLimited(r: Reply, windowSeconds: number) {
  expect(r.status).toBe(429);
  expect(r.body.error).toMatchObject({ type: "rate_limit_error", code: "rate_limited" });
  const wait = Number(r.headers.get("retry-after"));
  expect(wait).toBeGreaterThan(0);
  expect(wait).toBeLessThanOrEqual(windowSeconds);
}

describe("sign-in start limits are kept in the database", () => {
  it("an address answered 429 is still refused after the API restarts on the same data, and so is the client address", async () => {
    // Audit F12: the limits lived in process memory, so a restart gave the guesser a fresh budget at once.
    const dataDir = mkdtempSync(join(tmpdir(), "softrack-limits-"));
    dirs.push(dataDir);
    const databaseUrl = await freshDatabaseUrl();
    const env = { DATA_DIR: dataDir, AUTH_CODE_REQUESTS_PER_IP: "8" };
    let api = await start(env, databaseUrl);

    // 5 codes for one address from one client (AUTH_CODE_REQUESTS_PER_IDENTITY), then 429.
    for (let i = 0; i < 5; i++) expect((await startEmail(api, "flood@shop.test")).status).toBe(200);
    expectRateLimited(await startEmail(api, "flood@shop.test"), 600);
    // The client's own budget (AUTH_CODE_REQUESTS_PER_IP, 8 in 10 minutes), spent on other addresses.
    const others: number[] = [];
    for (let i = 0; i < 8 && !others.includes(429); i++) others.push((await startEmail(api, `other${i}@shop.test`)).status);
    expect(others.at(-1)).toBe(429);
    expect(others.filter((s) => s === 200).length).toBeLessThanOrEqual(3);

    await stop(api);
    api = await start(env, databaseUrl);
    expectRateLimited(await startEmail(api, "flood@shop.test"), 600);
    expectRateLimited(await startEmail(api, "fresh-after-restart@shop.test"), 600);

    // Nothing in the table names the email or the client address.
    const stored = await api.runtime.database.rows<{ subject_hash: string }>(sql`SELECT subject_hash FROM sign_in_throttles`);
    expect(stored.length).toBeGreaterThanOrEqual(2);
    for (const r of stored) expect(r.subject_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("two API processes on one PostgreSQL database share one budget, also when the requests race", async () => {
    const databaseUrl = await realPostgresDatabaseUrl();
    const env = { AUTH_CODE_REQUESTS_PER_IP: "1000" };
    const one = await start(env, databaseUrl);
    const two = await start(env, databaseUrl);

    // Taking turns: 5 in all between the two, not 5 each.
    const turns = [];
    for (let i = 0; i < 6; i++) turns.push((await startEmail(i % 2 ? two : one, "turns@shop.test")).status);
    expect(turns).toEqual([200, 200, 200, 200, 200, 429]);

    // 20 at once, half on each process: the atomic count lets exactly 5 through.
    const raced = await Promise.all(Array.from({ length: 20 }, (_, i) => startEmail(i % 2 ? two : one, "race@shop.test")));
    expect(raced.filter((r) => r.status === 200)).toHaveLength(5);
    for (const r of raced.filter((r) => r.status !== 200)) expectRateLimited(r, 600);
  });
});
