import { createRoute, z } from "@hono/zod-openapi";
import { BANK_COUNTRIES } from "@softrack/core";
import { type CsvColumn, csvListResponse, FormatParam, listResponse } from "../../lib/csv-export.js";
import {
  Amount,
  bearer,
  body,
  Currency,
  CurrencyCode,
  errors,
  IdParam,
  json,
  ListQuery,
  Livemode,
  listOf,
  Timestamp,
} from "../../lib/openapi.js";
import { createRouter } from "../../lib/router.js";
import { allow, merchantOf, ownerSessions } from "../../middleware/auth.js";
import { noParameters } from "../../middleware/no-parameters.js";
import { clientIp } from "../../middleware/rate-limit.js";
import {
  bankAccountObject,
  createBankAccount,
  deleteBankAccount,
  findBankAccount,
  listBankAccounts,
} from "../../services/bank-accounts.js";
import {
  cancelPayout,
  createPayout,
  findPayout,
  getPayoutSchedule,
  listPayouts,
  payoutObject,
  payoutTransactions,
  putPayoutSchedule,
  WEEKDAYS,
} from "../../services/payouts.js";

const BankAccount = z
  .object({
    id: z.string(),
    object: z.literal("bank_account"),
    created: Timestamp,
    livemode: Livemode,
    country: z.enum(BANK_COUNTRIES),
    currency: CurrencyCode,
    holder_name: z.string(),
    bank_code: z.string().openapi({ description: "KZ: BIC; KG: BIK; UZ: MFO" }),
    last4: z.string().openapi({ description: "The last 4 characters of the account number: all that is ever shown again" }),
    default_for_currency: z.boolean().openapi({ description: "Payouts in this currency that name no bank account go here" }),
  })
  .openapi("BankAccount");

const CreateBankAccount = z
  .strictObject({
    country: z.enum(BANK_COUNTRIES, { message: `country must be one of ${BANK_COUNTRIES.join(", ")}` }),
    holder_name: z.string().trim().min(1).max(200),
    account_number: z
      .string()
      .min(1)
      .max(64)
      .openapi({ description: "KZ: IBAN (20 characters); KG: 16 digits; UZ: 20 digits", example: "KZ86125KZT5004100100" }),
    bank_code: z
      .string()
      .min(1)
      .max(32)
      .openapi({ description: "KZ: BIC (8 or 11); KG: BIK (6 digits); UZ: MFO (5 digits)", example: "HSBKKZKX" }),
    currency: Currency,
  })
  .openapi("CreateBankAccount");

const PayoutStatus = z.enum(["pending", "in_transit", "paid", "failed", "canceled"]);
const Payout = z
  .object({
    id: z.string(),
    object: z.literal("payout"),
    created: Timestamp,
    livemode: Livemode,
    amount: z.number().int(),
    currency: CurrencyCode,
    status: PayoutStatus,
    arrival_date: Timestamp.openapi({ description: "When the money is expected in the bank account" }),
    bank_account: z.string(),
    automatic: z.boolean().openapi({ description: "Made by the payout schedule" }),
    failure_code: z.string().nullable().openapi({ example: "account_closed" }),
    failure_message: z.string().nullable(),
  })
  .openapi("Payout");

const CreatePayout = z
  .strictObject({
    amount: Amount,
    currency: Currency,
    bank_account: z
      .string()
      .max(64)
      .optional()
      .openapi({ description: "ba_…; default: the merchant's default bank account in the currency" }),
  })
  .openapi("CreatePayout");

const PayoutTransaction = z
  .object({
    id: z.string().openapi({ description: "The ledger transaction (txn_…) of the balance movement" }),
    object: z.literal("payout_transaction"),
    created: Timestamp,
    livemode: Livemode,
    type: z.string().openapi({ example: "payment.capture" }),
    source: z.string().nullable().openapi({ description: "What moved the balance (pay_…, re_…, dp_…, tap_…)" }),
    description: z.string().nullable(),
    amount: z.number().int().openapi({ description: "The part of the movement this payout settles (net of fees; negative for a debit)" }),
    fee: z.number().int().openapi({
      description:
        "The platform's fee taken on the movement; a movement split over payouts shows it on its first part only (0 on the others, and on a failed or canceled payout's), so each fee counts once across reports",
    }),
    currency: CurrencyCode,
  })
  .openapi("PayoutTransaction");

const PayoutSchedule = z
  .object({
    object: z.literal("payout_schedule"),
    livemode: Livemode,
    interval: z.enum(["manual", "daily", "weekly"]),
    weekly_anchor: z.enum(WEEKDAYS).nullable(),
    minimum: z.number().int(),
    next_run: Timestamp.nullable().openapi({ description: "When the next scheduled payout is made (midnight UTC)" }),
  })
  .openapi("PayoutSchedule");

const PutPayoutSchedule = z
  .strictObject({
    interval: z.enum(["manual", "daily", "weekly"]),
    weekly_anchor: z.enum(WEEKDAYS).optional(),
    minimum: z
      .number()
      .int()
      .min(0)
      .max(999_999_999_999)
      .optional()
      .openapi({ description: "Minor units: a smaller available balance waits" }),
  })
  .openapi("PutPayoutSchedule");

const tags = ["Payouts"];
const baId = { params: IdParam("ba") };
const OWNER_ONLY = "A member's session needs the owner role (else 403 `role_not_allowed`); a secret API key may.";
const audited = (type: string) => `${OWNER_ONLY} Recorded as the security event \`${type}\`, naming who did it.`;
const poId = { params: IdParam("po") };

const routes = {
  createBankAccount: createRoute({
    method: "post",
    path: "/v1/bank_accounts",
    tags,
    summary: "Add a bank account for payouts (validated per country; the number is stored encrypted)",
    description: audited("bank_account.created"),
    security: bearer,
    middleware: [allow("secret"), ownerSessions()] as const,
    request: body(CreateBankAccount, {
      country: "KZ",
      holder_name: "Shop Example LLP",
      account_number: "KZ86125KZT5004100100",
      bank_code: "HSBKKZKX",
      currency: "KZT",
    }),
    responses: { 200: json(BankAccount), ...errors },
  }),
  listBankAccounts: createRoute({
    method: "get",
    path: "/v1/bank_accounts",
    tags,
    summary: "List bank accounts, newest first",
    security: bearer,
    middleware: [allow("secret")] as const,
    request: { query: ListQuery },
    responses: { 200: json(listOf(BankAccount, "BankAccountList")), ...errors },
  }),
  retrieveBankAccount: createRoute({
    method: "get",
    path: "/v1/bank_accounts/{id}",
    tags,
    summary: "Retrieve a bank account",
    security: bearer,
    middleware: [allow("secret")] as const,
    request: baId,
    responses: { 200: json(BankAccount), ...errors },
  }),
  deleteBankAccount: createRoute({
    method: "delete",
    path: "/v1/bank_accounts/{id}",
    tags,
    summary: "Remove a bank account (payouts already made keep it)",
    description: audited("bank_account.deleted"),
    security: bearer,
    middleware: [allow("secret"), ownerSessions()] as const,
    request: baId,
    responses: { 200: json(z.object({ id: z.string(), object: z.literal("bank_account"), deleted: z.literal(true) })), ...errors },
  }),
  createPayout: createRoute({
    method: "post",
    path: "/v1/payouts",
    tags,
    summary: "Pay out part of the available balance to a bank account (never more than available)",
    description:
      "The amount leaves `available` at once. Refusals (400, nothing changes): `balance_insufficient` (param `amount`, with " +
      "`available`), `bank_account_missing` (no default account in the currency), `bank_account_currency_mismatch`, and in live " +
      "mode without a configured payout rail `method_unavailable`. Test mode: an account number ending in 0000 fails with " +
      "`failure_code: account_closed`; others are `paid` once run_jobs passes `arrival_date`. " +
      OWNER_ONLY,
    security: bearer,
    middleware: [allow("secret"), ownerSessions()] as const,
    request: body(CreatePayout, { amount: 100000, currency: "KGS" }),
    responses: { 200: json(Payout), ...errors },
  }),
  listPayouts: createRoute({
    method: "get",
    path: "/v1/payouts",
    reads: "replica",
    tags,
    summary: "List payouts, newest first",
    security: bearer,
    middleware: [allow("secret")] as const,
    request: { query: ListQuery.extend(FormatParam) },
    responses: { 200: listResponse(listOf(Payout, "PayoutList")), ...errors },
  }),
  retrievePayout: createRoute({
    method: "get",
    path: "/v1/payouts/{id}",
    tags,
    summary: "Retrieve a payout",
    security: bearer,
    middleware: [allow("secret")] as const,
    request: poId,
    responses: { 200: json(Payout), ...errors },
  }),
  cancelPayout: createRoute({
    method: "post",
    path: "/v1/payouts/{id}/cancel",
    tags,
    summary: "Cancel a pending payout: its amount returns to available",
    description: `Only while \`pending\` (before the rail hands it to the bank); otherwise 400 \`payout_unexpected_state\`. ${OWNER_ONLY}`,
    security: bearer,
    middleware: [allow("secret"), ownerSessions(), noParameters] as const,
    request: poId,
    responses: { 200: json(Payout), ...errors },
  }),
  payoutTransactions: createRoute({
    method: "get",
    path: "/v1/payouts/{id}/transactions",
    tags,
    summary: "The payout's settlement report: the balance movements it settles, summing to its amount (format=csv: a file)",
    security: bearer,
    middleware: [allow("secret")] as const,
    request: { ...poId, query: ListQuery.extend({ format: z.enum(["json", "csv"]).default("json") }) },
    responses: {
      200: {
        content: {
          "application/json": { schema: listOf(PayoutTransaction, "PayoutTransactionList") },
          "text/csv": {
            schema: z
              .string()
              .openapi({ description: "UTF-8 with BOM, one header row; the JSON list's movements, newest first, amounts in minor units" }),
          },
        },
        description: "OK",
      },
      ...errors,
    },
  }),
  getSchedule: createRoute({
    method: "get",
    path: "/v1/payout_schedule",
    tags,
    summary: "The merchant's payout schedule",
    security: bearer,
    middleware: [allow("secret")] as const,
    responses: { 200: json(PayoutSchedule), ...errors },
  }),
  putSchedule: createRoute({
    method: "put",
    path: "/v1/payout_schedule",
    tags,
    summary: "Set the payout schedule: manual, daily or weekly (with its day), paying out the whole available balance above a minimum",
    description: audited("payout_schedule.updated"),
    security: bearer,
    middleware: [allow("secret"), ownerSessions()] as const,
    request: body(PutPayoutSchedule, { interval: "weekly", weekly_anchor: "monday", minimum: 100000 }),
    responses: { 200: json(PayoutSchedule), ...errors },
  }),
};

const PAYOUT_CSV: CsvColumn<ReturnType<typeof payoutObject>>[] = [
  ["id", (p) => p.id],
  ["created", (p) => p.created],
  ["status", (p) => p.status],
  ["amount", (p) => p.amount],
  ["currency", (p) => p.currency],
  ["arrival_date", (p) => p.arrival_date],
  ["bank_account", (p) => p.bank_account],
  ["automatic", (p) => p.automatic],
  ["failure_code", (p) => p.failure_code],
];

const REPORT_CSV: CsvColumn<Awaited<ReturnType<typeof payoutTransactions>>["data"][number]>[] = [
  ["id", (t) => t.id],
  ["created", (t) => t.created],
  ["type", (t) => t.type],
  ["source", (t) => t.source],
  ["description", (t) => t.description],
  ["amount", (t) => t.amount],
  ["fee", (t) => t.fee],
  ["currency", (t) => t.currency],
];

export const payoutRoutes = createRouter()
  .openapi(routes.createBankAccount, async (c) =>
    c.json(bankAccountObject(await createBankAccount(c.var, c.req.valid("json"), clientIp(c))), 200),
  )
  .openapi(routes.listBankAccounts, async (c) => {
    const l = await listBankAccounts(c.var, c.req.valid("query"));
    return c.json({ ...l, data: l.data.map(bankAccountObject) }, 200);
  })
  .openapi(routes.retrieveBankAccount, async (c) =>
    c.json(bankAccountObject(await findBankAccount(c.get("db"), merchantOf(c.var), c.req.valid("param").id)), 200),
  )
  .openapi(routes.deleteBankAccount, async (c) => c.json(await deleteBankAccount(c.var, c.req.valid("param").id, clientIp(c)), 200))
  .openapi(routes.createPayout, async (c) => c.json(payoutObject(await createPayout(c.var, c.req.valid("json"))), 200))
  .openapi(routes.listPayouts, async (c) => {
    const { format, ...q } = c.req.valid("query");
    const list = async (page: typeof q) => {
      const l = await listPayouts(c.var, page);
      return { ...l, data: l.data.map(payoutObject) };
    };
    if (format === "csv") return csvListResponse(c, "payouts", q, list, PAYOUT_CSV) as never;
    return c.json(await list(q), 200);
  })
  .openapi(routes.retrievePayout, async (c) =>
    c.json(payoutObject(await findPayout(c.get("db"), merchantOf(c.var), c.req.valid("param").id)), 200),
  )
  .openapi(routes.cancelPayout, async (c) => c.json(payoutObject(await cancelPayout(c.var, c.req.valid("param").id)), 200))
  .openapi(routes.payoutTransactions, async (c) => {
    const { id } = c.req.valid("param");
    const { format, ...q } = c.req.valid("query");
    // The file is the list itself, every page of it and never cut (its lines sum to the payout):
    // the same movements, order and minor units.
    if (format === "csv") {
      const list = (page: typeof q) => payoutTransactions(c.var, id, page);
      return csvListResponse(c, `${id}-transactions`, q, list, REPORT_CSV, Number.POSITIVE_INFINITY) as never;
    }
    return c.json(await payoutTransactions(c.var, id, q), 200);
  })
  .openapi(routes.getSchedule, async (c) => c.json(await getPayoutSchedule(c.var), 200))
  .openapi(routes.putSchedule, async (c) => c.json(await putPayoutSchedule(c.var, c.req.valid("json"), clientIp(c)), 200));
