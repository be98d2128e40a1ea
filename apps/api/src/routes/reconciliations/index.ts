import { createRoute, z } from "@hono/zod-openapi";
import { bearer, body, CurrencyCode, errors, IdParam, json, ListQuery, Livemode, listOf, Timestamp } from "../../lib/openapi.js";
import { createRouter } from "../../lib/router.js";
import { allow } from "../../middleware/auth.js";
import { isDay } from "../../services/reconciliation/settlement-file.js";
import {
  createReconciliation,
  getReconciliation,
  listReconciliations,
  reconciliationObject,
  SETTLEMENT_PROVIDERS,
  settlementFile,
} from "../../services/reconciliations.js";

const Provider = z.enum(SETTLEMENT_PROVIDERS).openapi({ example: "card", description: "Who sent the settlement file: the card acquirer." });
const Day = z
  .string()
  .refine(isDay, "date must be a day written YYYY-MM-DD")
  .openapi({ example: "2026-12-02", description: "The UTC day the file settles" });

const LineStatus = z.enum(["matched", "missing_in_ledger", "missing_in_file", "amount_mismatch", "fee_mismatch", "already_reconciled"]);

const ReconciliationLine = z
  .object({
    line: z.number().int().nullable().openapi({ description: "The line in the file (1 is the header); null: missing_in_file" }),
    reference: z.string().openapi({ description: "The payment (capture) or refund (refund) id the provider settled" }),
    type: z.enum(["capture", "refund"]),
    status: LineStatus,
    amount: z.number().int().nullable().openapi({ description: "As the file says (null: missing_in_file)" }),
    fee: z.number().int().nullable().openapi({ description: "The provider's fee as the file says (null: missing_in_file)" }),
    currency: CurrencyCode,
    ledger_amount: z.number().int().nullable().openapi({ description: "As the ledger says (null: missing_in_ledger)" }),
    ledger_currency: z.string().nullable(),
    expected_fee: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "The provider's fee by its own schedule; null: the provider publishes none, fees are not compared" }),
    reconciliation: z.string().optional().openapi({ description: "already_reconciled: the reconciliation that accounted for it first" }),
  })
  .openapi("ReconciliationLine");

const counts = {
  line_count: z.number().int().openapi({ description: "Lines in the file, header not counted" }),
  matched: z.number().int(),
  missing_in_ledger: z.number().int().openapi({ description: "In the file, not in the ledger (for this provider and mode)" }),
  missing_in_file: z.number().int().openapi({ description: "In the ledger that day, not in the file, nor in an earlier reconciliation" }),
  amount_mismatch: z.number().int().openapi({ description: "The amount or currency differs" }),
  fee_mismatch: z.number().int().openapi({ description: "The amount agrees, the provider's fee differs from its schedule" }),
  already_reconciled: z
    .number()
    .int()
    .openapi({ description: "Movements an earlier reconciliation (of another file) already accounted for: not counted again" }),
};

const ReconciliationBase = z.object({
  id: z.string(),
  object: z.literal("reconciliation"),
  created: Timestamp,
  livemode: Livemode,
  provider: Provider,
  date: z.string(),
  ...counts,
});
const Reconciliation = ReconciliationBase.extend({
  lines: z.array(ReconciliationLine).openapi({
    description:
      "The findings: every line of the file that did not match, in file order, then each movement the file left out (missing_in_file). Matched lines are counted in `matched`, not listed: a file line absent from here matched.",
  }),
}).openapi("Reconciliation");
const ReconciliationSummary = ReconciliationBase.openapi("ReconciliationSummary", {
  description: "A reconciliation without its findings (retrieve it for them).",
});

const CreateReconciliation = z
  .strictObject({
    provider: Provider,
    date: Day,
    content: z.string().min(1).openapi({ description: "The settlement file, CSV: reference,type,amount,currency,fee,date" }),
    livemode: Livemode.optional().openapi({ description: "Reconcile live-mode movements (default false: test mode)" }),
  })
  .openapi("CreateReconciliation");

const SettlementFileQuery = z.strictObject({ provider: Provider, date: Day });

const file = createRoute({
  method: "get",
  path: "/v1/test_helpers/settlement_files",
  tags: ["Test helpers"],
  summary: "Test mode: the settlement file the simulated card acquirer sends for one UTC day (platform admin key)",
  description:
    "One line per test-mode card capture or refund of that day: reference (the payment or refund id), type (capture|refund), amount and fee in minor units (the simulated acquirer charges 1.5% of a capture, rounded half up, and nothing on a refund), currency, date.",
  security: bearer,
  middleware: [allow("admin")] as const,
  request: { query: SettlementFileQuery },
  responses: {
    200: { content: { "text/csv": { schema: z.string() } }, description: "The settlement file (CSV, one header row)" },
    ...errors,
  },
});

const create = createRoute({
  method: "post",
  path: "/v1/reconciliations",
  tags: ["Reconciliations"],
  summary: "Match a provider's settlement file against the ledger, line by line (platform admin key)",
  description:
    "Idempotent per file content: the same file for the same provider, day and mode answers the first reconciliation again (header Idempotent-Replayed: true). A movement an earlier reconciliation of another file matched is reported already_reconciled and not counted again; one that disagreed (amount, currency or fee) stays open for a corrected file. Bad CSV: 400 with the line number in `message` and `line`.",
  security: bearer,
  middleware: [allow("admin")] as const,
  request: body(CreateReconciliation, {
    provider: "card",
    date: "2026-12-02",
    content: "reference,type,amount,currency,fee,date\npay_01JDEMO,capture,15000,KGS,225,2026-12-02\n",
  }),
  responses: { 200: json(Reconciliation, "The reconciliation"), ...errors },
});

const retrieve = createRoute({
  method: "get",
  path: "/v1/reconciliations/{id}",
  tags: ["Reconciliations"],
  summary: "Retrieve a reconciliation with its findings (platform admin key)",
  security: bearer,
  middleware: [allow("admin")] as const,
  request: { params: IdParam("rec") },
  responses: { 200: json(Reconciliation), ...errors },
});

const list = createRoute({
  method: "get",
  path: "/v1/reconciliations",
  reads: "replica",
  tags: ["Reconciliations"],
  summary: "List reconciliations, newest first, without their findings (platform admin key)",
  security: bearer,
  middleware: [allow("admin")] as const,
  request: { query: ListQuery },
  responses: { 200: json(listOf(ReconciliationSummary, "ReconciliationList")), ...errors },
});

export const reconciliationRoutes = createRouter()
  .openapi(file, async (c) => {
    const { provider, date } = c.req.valid("query");
    const csv = await settlementFile(c.var, provider, date);
    c.header("Content-Disposition", `attachment; filename="settlement-${provider}-${date}.csv"`);
    return c.body(csv, 200, { "Content-Type": "text/csv; charset=utf-8" });
  })
  .openapi(create, async (c) => {
    const r = await createReconciliation(c.var, c.req.valid("json"));
    if (r.replayed) c.header("Idempotent-Replayed", "true");
    return c.json(reconciliationObject(r.row) as z.infer<typeof Reconciliation>, 200);
  })
  .openapi(retrieve, async (c) =>
    c.json(reconciliationObject(await getReconciliation(c.get("db"), c.req.valid("param").id)) as z.infer<typeof Reconciliation>, 200),
  )
  .openapi(list, async (c) => {
    const page = await listReconciliations(c.get("db"), c.req.valid("query"), "/v1/reconciliations");
    return c.json({ ...page, data: page.data.map((r) => reconciliationObject(r, false)) } as never, 200);
  });
