import { createRoute, z } from "@hono/zod-openapi";
import { ping } from "../../db/client.js";
import { unavailable } from "../../lib/errors.js";
import { bearer, errors, json, NoQuery, noAuth, unknownParameter } from "../../lib/openapi.js";
import { createRouter } from "../../lib/router.js";
import { allow } from "../../middleware/auth.js";

const health = createRoute({
  method: "get",
  path: "/health",
  tags: ["Operations"],
  security: noAuth,
  summary: "Liveness: 200 once migrations ran and the database answers",
  request: { query: NoQuery },
  responses: {
    200: json(z.object({ status: z.literal("ok") })),
    400: unknownParameter,
    503: json(z.object({ error: z.any() }), "Database unreachable"),
  },
});

const VerifyReport = z
  .object({
    balanced: z.boolean(),
    totals: z.record(z.string(), z.number().int()),
    accounts_checked: z.number().int(),
    mismatches: z.array(z.record(z.string(), z.unknown())),
  })
  .openapi("LedgerVerifyReport");

const verify = createRoute({
  method: "get",
  path: "/v1/admin/ledger/verify",
  tags: ["Ledger"],
  summary: "Checks every currency sums to zero and every stored balance equals the sum of its postings (admin key)",
  security: bearer,
  middleware: [allow("admin")] as const,
  responses: { 200: json(VerifyReport), ...errors },
});

export const healthRoutes = createRouter().openapi(health, async (c) => {
  if (!(await ping(c.get("deps").database))) throw unavailable();
  return c.json({ status: "ok" as const }, 200);
});

export const adminRoutes = createRouter().openapi(verify, async (c) => c.json(await c.get("deps").ledger.verify(), 200));
