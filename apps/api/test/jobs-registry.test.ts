import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../src/context.js";
import { JobRegistry } from "../src/jobs/registry.js";
import { jobVars } from "../src/jobs/runner.js";
import { allow, merchantOf } from "../src/middleware/auth.js";
import type { TestApi } from "../src/testing.js";
import { http, startTestApi } from "./support.js";

const done = async () => "done";

describe("the job registry", () => {
  it("knows the kinds it was built with and refuses a kind with two handlers", () => {
    const r = new JobRegistry<unknown>({ "a.one": done }, { "b.two": done });
    expect(r.kinds).toEqual(["a.one", "b.two"]);
    expect(r.handler("a.one")).toBe(done);
    expect(r.handler("c.three")).toBeUndefined();
    expect(() => new JobRegistry<unknown>({ "a.one": done }, { "a.one": done })).toThrow("job kind 'a.one' has two handlers");
  });

  it("close() waits for the run in flight, and no run starts after it", async () => {
    const r = new JobRegistry<unknown>();
    let finish: (v: string) => void = () => {};
    const running = r.run(() => new Promise<string>((resolve) => (finish = resolve)), "idle");
    let closed = false;
    const closing = r.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closed).toBe(false);
    finish("ran");
    expect(await running).toBe("ran");
    await closing;
    expect(closed).toBe(true);
    let called = false;
    expect(
      await r.run(async () => {
        called = true;
        return "ran";
      }, "idle"),
    ).toBe("idle");
    expect(called).toBe(false);
  });
});

describe("a job is not an API key", () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ env: { WORKERS: "off" } });
  });
  afterAll(() => api.close());

  it("runs as its own principal: kind job, no keyId, the job's id as the request id", () => {
    const deps = api.runtime.deps;
    const now = new Date("2030-01-01T00:00:00Z");
    const v = jobVars({ deps, tx: deps.database.db, now, job: { id: "job_1", kind: "order.expire" }, payload: {} }, api.merchant.id, false);
    expect(v.principal).toEqual({ kind: "job", job: "order.expire", merchantId: api.merchant.id, livemode: false });
    expect("keyId" in v.principal).toBe(false);
    expect(v.requestId).toBe("job_1");
    expect(v.deps.now()).toEqual(now);
    // It acts for the merchant in the services...
    expect(merchantOf(v)).toBe(v.principal);
  });

  it("no route admits it: allow() takes only caller kinds", () => {
    const job: Principal["kind"] = "job";
    // @ts-expect-error a job is never an HTTP caller (tsc --noEmit checks this line)
    expect(typeof allow(job)).toBe("function");
  });

  it("a job of a kind this process has no handler for stays scheduled for a process that has one", async () => {
    const { database } = api.runtime.deps;
    await database.rows(
      sql`INSERT INTO jobs (id, kind, dedupe_key, run_at, payload, livemode)
          VALUES ('job_other_version', 'invoice.remind', 'invoice.remind:1', now() - interval '1 minute',
                  ${JSON.stringify({ merchant_id: api.merchant.id })}::jsonb, false)`,
    );
    const run = await http(api.url, api.merchant.secretKey).post("/v1/test_helpers/run_jobs", { now: new Date().toISOString() });
    expect(run.status).toBe(200);
    expect(run.body.jobs).toEqual({ ran: 0, by_kind: {}, failed: 0 });
    const [row] = await database.rows<{ status: string; result: string | null }>(
      sql`SELECT status, result FROM jobs WHERE id = 'job_other_version'`,
    );
    expect(row).toEqual({ status: "scheduled", result: null });
  });
});
