import { createRoute, z } from "@hono/zod-openapi";
import { bearer, CurrencyCode, errors, json, ListQuery, Livemode, listOf, Timestamp } from "../../lib/openapi.js";
import { createRouter } from "../../lib/router.js";
import { allow, merchantOf } from "../../middleware/auth.js";
import { listLedgerTransactions, merchantBalance } from "../../services/balance.js";

const MoneyAmount = z.object({ amount: z.number().int(), currency: CurrencyCode });
const Balance = z
  .object({
    object: z.literal("balance"),
    livemode: Livemode,
    available: z.array(MoneyAmount),
    pending: z.array(MoneyAmount).openapi({ description: "Captured, not yet available (e.g. inside an order's return window)" }),
    held: z.array(MoneyAmount).openapi({ description: "Authorised or in escrow: not the merchant's yet" }),
    debt: z.array(MoneyAmount).openapi({
      description:
        "What the merchant owes the platform: disputes and refunds its available balance could not cover. Later payments repay it first, before they become available",
    }),
  })
  .openapi("Balance");

const LedgerTransaction = z
  .object({
    id: z.string(),
    object: z.literal("ledger_transaction"),
    created: Timestamp,
    livemode: Livemode,
    type: z.string().openapi({ example: "payment.capture" }),
    description: z.string().nullable(),
    source: z.string().nullable().openapi({ description: "The object that caused it (pay_…, re_…, ord_…, tap_…)" }),
    postings: z.array(
      z.object({ account: z.string(), amount: z.number().int().openapi({ description: "debit < 0, credit > 0" }), currency: CurrencyCode }),
    ),
  })
  .openapi("LedgerTransaction");

const balance = createRoute({
  method: "get",
  path: "/v1/balance",
  tags: ["Balance"],
  summary: "The calling merchant's balance: available, pending and held, per currency",
  security: bearer,
  middleware: [allow("secret")] as const,
  responses: { 200: json(Balance), ...errors },
});

const transactions = createRoute({
  method: "get",
  path: "/v1/ledger/transactions",
  reads: "replica",
  tags: ["Ledger"],
  summary: "The merchant's ledger transactions, newest first, each with its postings",
  security: bearer,
  middleware: [allow("secret")] as const,
  request: { query: ListQuery.extend({ source: z.string().max(64).optional() }) },
  responses: { 200: json(listOf(LedgerTransaction, "LedgerTransactionList")), ...errors },
});

export const balanceRoutes = createRouter()
  .openapi(balance, async (c) => c.json(await merchantBalance(c.get("deps").database, c.get("db"), merchantOf(c.var)), 200))
  .openapi(transactions, async (c) =>
    c.json(await listLedgerTransactions(c.get("deps").database, c.get("db"), merchantOf(c.var), c.req.valid("query")), 200),
  );
