import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../context.js";
import { terminals } from "../../db/schema/index.js";
import { type CsvColumn, csvListResponse, FormatParam, listResponse } from "../../lib/csv-export.js";
import { ApiError } from "../../lib/errors.js";
import { bearer, body, errors, IdParam, json, ListQuery, listOf, STORABLE_TIME, storableTime } from "../../lib/openapi.js";
import { listOwned } from "../../lib/pagination.js";
import { createRouter, validationHook } from "../../lib/router.js";
import { allow, merchantOf } from "../../middleware/auth.js";
import { inUnitOfWork } from "../../middleware/unit-of-work.js";
import {
  createTerminal,
  dailyReport,
  findTap,
  findTerminal,
  listTaps,
  reportCsv,
  type TapItem,
  type TapResult,
  tapErrorBody,
  terminalObject,
} from "../../services/transit/index.js";
import { decideTap, decideUpload, tapsCommitThemselves } from "../../services/transit-group-commit.js";
import { BatchTaps, CreateTap, CreateTerminal, DailyReport, ReportQuery, Tap, TapBatchResult, Terminal } from "./schemas.js";

const tags = ["Transit"];

const routes = {
  createTerminal: createRoute({
    method: "post",
    path: "/v1/transit/terminals",
    tags,
    summary: "Register a bus validator or metro turnstile on a route with a fare tariff",
    security: bearer,
    middleware: [allow("secret")] as const,
    request: body(CreateTerminal, { kind: "bus_validator", route: "7", fare_tariff: "bishkek-bus" }),
    responses: { 200: json(Terminal), ...errors },
  }),
  retrieveTerminal: createRoute({
    method: "get",
    path: "/v1/transit/terminals/{id}",
    tags,
    summary: "Retrieve a terminal",
    security: bearer,
    middleware: [allow("secret")] as const,
    request: { params: IdParam("term") },
    responses: { 200: json(Terminal), ...errors },
  }),
  listTerminals: createRoute({
    method: "get",
    path: "/v1/transit/terminals",
    tags,
    summary: "List terminals, newest first",
    security: bearer,
    middleware: [allow("secret")] as const,
    request: { query: ListQuery },
    responses: { 200: json(listOf(Terminal, "TerminalList")), ...errors },
  }),
  tap: createRoute({
    method: "post",
    path: "/v1/transit/taps",
    commit: "self",
    tags,
    summary: "Decide an online tap in one round trip: fare from the tariff (transfers, caps), wallet debit, accepted or declined",
    description: 'A decline (insufficient_funds, unknown_rider, …) is a 200 answer with decision "declined" and a reason, and is recorded.',
    security: bearer,
    middleware: [allow("secret")] as const,
    request: body(CreateTap, {
      terminal: "term_01J…",
      customer: "cus_01J…",
      tapped_at: "2026-11-23T04:00:00.000Z",
      client_tap_id: "7f1c2a",
    }),
    responses: { 200: json(Tap), ...errors },
  }),
  batch: createRoute({
    method: "post",
    path: "/v1/transit/taps/batch",
    commit: "self",
    tags,
    summary: "Upload up to 1,000 taps a terminal stored offline; one result per tap, in input order",
    description:
      "Each tap is deduplicated by (terminal, client_tap_id): a re-upload returns the stored result and charges nothing twice. A bad tap gets its own error; the rest are processed.",
    security: bearer,
    middleware: [allow("secret")] as const,
    request: body(BatchTaps, {
      taps: [
        { terminal: "term_01J…", customer: "cus_01J…", tapped_at: "2026-11-23T04:00:00.000Z", client_tap_id: "7f1c2a" },
        { terminal: "term_01J…", customer: "cus_01J…", tapped_at: "2026-11-23T09:30:00.000Z", client_tap_id: "7f1c2b" },
      ],
    }),
    responses: { 200: json(TapBatchResult), ...errors },
  }),
  retrieveTap: createRoute({
    method: "get",
    path: "/v1/transit/taps/{id}",
    tags,
    summary: "Retrieve a tap",
    security: bearer,
    middleware: [allow("secret")] as const,
    request: { params: IdParam("tap") },
    responses: { 200: json(Tap), ...errors },
  }),
  listTaps: createRoute({
    method: "get",
    path: "/v1/transit/taps",
    tags,
    summary: "List taps, newest first, of one terminal, route, decision or local day if asked (format=csv: a file)",
    security: bearer,
    middleware: [allow("secret")] as const,
    request: {
      query: ListQuery.extend({
        terminal: z.string().max(64).optional(),
        route: z.string().max(64).optional(),
        decision: z.enum(["accepted", "declined"]).optional(),
        date: z.iso
          .date()
          .refine((d) => storableTime(`${d}T12:00:00Z`), STORABLE_TIME)
          .optional()
          .openapi({
            example: "2026-11-23",
            description: "Only the taps made on this local calendar date (in `timezone`), as the daily report counts them",
          }),
        timezone: ReportQuery.shape.timezone,
        ...FormatParam,
      }),
    },
    responses: { 200: listResponse(listOf(Tap, "TapList")), ...errors },
  }),
  daily: createRoute({
    method: "get",
    path: "/v1/transit/reports/daily",
    reads: "replica",
    tags,
    summary: "Rides, revenue and declines of a day, per route and per terminal (CSV with Accept: text/csv)",
    security: bearer,
    middleware: [allow("secret")] as const,
    request: { query: ReportQuery },
    responses: {
      200: { content: { "application/json": { schema: DailyReport }, "text/csv": { schema: z.string() } }, description: "The report" },
      ...errors,
    },
  }),
};

type TapObject = Awaited<ReturnType<typeof listTaps>>["data"][number];
const TAP_CSV: CsvColumn<TapObject>[] = [
  ["id", (t) => t.id],
  ["tapped_at", (t) => t.tapped_at],
  ["terminal", (t) => t.terminal],
  ["route", (t) => t.route],
  ["customer", (t) => t.customer],
  ["decision", (t) => t.decision],
  ["reason", (t) => t.reason],
  ["fare", (t) => t.fare],
  ["currency", (t) => t.currency],
  ["is_transfer", (t) => t.is_transfer],
  ["client_tap_id", (t) => t.client_tap_id],
];

const echoed = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** A tap of a batch, checked on its own: a malformed one gets its error, the others go on. */
function readTap(raw: Record<string, unknown>): TapItem {
  const parsed = CreateTap.safeParse(raw);
  if (parsed.success) return { input: parsed.data };
  try {
    validationHook({ success: false, error: parsed.error as never });
  } catch (err) {
    // Only a string is echoed back: anything else (an array nested 10,000 deep) is the caller's mistake, not ours to serialise.
    if (err instanceof ApiError) return { error: err, terminal: echoed(raw.terminal), client_tap_id: echoed(raw.client_tap_id) };
    throw err;
  }
  throw new Error("unreachable: a failed parse always yields an error");
}

/**
 * Taps commit themselves on a PostgreSQL server (the tap group commit, upload rounds); with an
 * Idempotency-Key, or on the embedded database, in the request's unit of work.
 */
function tapCommit<R extends Response>(c: Context<AppEnv>, handler: () => Promise<R>): Promise<R> {
  return tapsCommitThemselves(c.get("deps"), c.get("claim")?.key) ? handler() : (inUnitOfWork(c, handler) as Promise<R>);
}

const resultBody = (r: TapResult) =>
  r.ok ? r.tap : { terminal: r.terminal, client_tap_id: r.client_tap_id, error: tapErrorBody(r.error) };

export const transitRoutes = createRouter()
  .openapi(routes.createTerminal, async (c) => c.json(terminalObject(await createTerminal(c.var, c.req.valid("json"))), 200))
  .openapi(routes.retrieveTerminal, async (c) => c.json(terminalObject(await findTerminal(c.var, c.req.valid("param").id)), 200))
  .openapi(routes.listTerminals, async (c) => {
    const l = await listOwned(c.get("db"), merchantOf(c.var), terminals, c.req.valid("query"), "/v1/transit/terminals");
    return c.json({ ...l, data: l.data.map(terminalObject) }, 200);
  })
  .openapi(routes.tap, (c) =>
    tapCommit(c, async () => {
      const result = await decideTap(c.var, c.req.valid("json"));
      if (!result.ok) throw result.error;
      return c.json(result.tap, 200);
    }),
  )
  .openapi(routes.batch, (c) =>
    tapCommit(c, async () => {
      const results = await decideUpload(c.var, c.req.valid("json").taps.map(readTap), c.get("claim")?.key);
      return c.json({ object: "list" as const, data: results.map(resultBody), has_more: false, url: "/v1/transit/taps/batch" }, 200);
    }),
  )
  .openapi(routes.listTaps, async (c) => {
    const { format, ...q } = c.req.valid("query");
    if (format === "csv") return csvListResponse(c, "taps", q, (page) => listTaps(c.var, page), TAP_CSV) as never;
    return c.json(await listTaps(c.var, q), 200);
  })
  .openapi(routes.retrieveTap, async (c) => c.json(await findTap(c.var, c.req.valid("param").id), 200))
  .openapi(routes.daily, async (c) => {
    const q = c.req.valid("query");
    const report = await dailyReport(c.var, q.date, q.timezone);
    if (/\btext\/csv\b/i.test(c.req.header("Accept") ?? "")) {
      return c.body(reportCsv(report), 200, {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="transit-${q.date}.csv"`,
      }) as never;
    }
    return c.json(report, 200);
  });
