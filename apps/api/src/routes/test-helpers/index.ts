import { createRoute, z } from "@hono/zod-openapi";
import { runDueJobs } from "../../jobs/runner.js";
import { deliverDueWebhooks } from "../../jobs/webhook-dispatcher.js";
import { forbidden } from "../../lib/errors.js";
import { bearer, body, errors, json, STORABLE_TIME, storableTime } from "../../lib/openapi.js";
import { createRouter } from "../../lib/router.js";
import { allow, merchantOf } from "../../middleware/auth.js";
import { outsideUnitOfWork, readWrite } from "../../middleware/unit-of-work.js";

// Jobs schedule their next steps after `now` (retries, arrival dates): near 9999 those pass the
// year JavaScript writes as +010000, which PostgreSQL does not read, so the clock stops well before.
const RunJobs = z
  .strictObject({
    now: z.iso.datetime({ offset: true }).refine(storableTime, STORABLE_TIME).openapi({ example: "2026-12-10T00:00:00Z" }),
  })
  .openapi("RunJobs");
const JobRun = z
  .object({
    object: z.literal("job_run"),
    now: z.string(),
    jobs: z.object({
      ran: z.number().int(),
      by_kind: z.record(z.string(), z.number().int()),
      failed: z.number().int().openapi({ description: "Jobs whose work failed: each is tried again 15 minutes after `now`." }),
    }),
    webhooks: z.object({ attempted: z.number().int(), delivered: z.number().int() }),
  })
  .openapi("JobRun");

const runJobs = createRoute({
  method: "post",
  path: "/v1/test_helpers/run_jobs",
  // Each job commits on its own, as the background worker's would; the Idempotency-Key is
  // checked before the jobs run and sealed after them (readWrite builds its claim).
  commit: "none",
  tags: ["Test helpers"],
  summary: "Test mode: run every due test-mode job of this merchant (order expiry, settlement, webhook retries) as if the time were `now`",
  security: bearer,
  middleware: [allow("secret"), readWrite] as const,
  request: body(RunJobs, { now: "2026-12-10T00:00:00Z" }),
  responses: { 200: json(JobRun), ...errors },
});

/**
 * Runs outside a unit of work (commit: "none"): each job commits on its own, as
 * the background worker's would, and webhook attempts are real HTTP calls.
 */
export const testHelperRoutes = createRouter().openapi(runJobs, async (c) => {
  const p = merchantOf(c.var);
  if (p.livemode) throw forbidden("Test helpers work with test keys only.", "test_mode_only");
  const now = new Date(c.req.valid("json").now);
  // Test-mode rows only: the caller's clock never reaches a live job or a live delivery.
  const only = { merchantId: p.merchantId, livemode: false };
  return outsideUnitOfWork(c, async () => {
    const jobs = await runDueJobs(c.get("deps"), { now, only });
    const webhooks = await deliverDueWebhooks(c.get("deps"), { now, only });
    return {
      object: "job_run" as const,
      now: now.toISOString(),
      jobs: { ran: jobs.ran, by_kind: jobs.byKind, failed: jobs.failed },
      webhooks,
    };
  }) as never;
});
