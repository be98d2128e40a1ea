import { createRoute, z } from "@hono/zod-openapi";
import { customers } from "../../db/schema/index.js";
import {
  bearer,
  body,
  Currency,
  CurrencyCode,
  Email,
  errors,
  IdParam,
  json,
  ListQuery,
  Livemode,
  listOf,
  Metadata,
  Timestamp,
} from "../../lib/openapi.js";
import { listOwned } from "../../lib/pagination.js";
import { createRouter } from "../../lib/router.js";
import { allow, merchantOf } from "../../middleware/auth.js";
import { createCustomer, customerObject, findCustomer } from "../../services/customers.js";

const Customer = z
  .object({
    id: z.string(),
    object: z.literal("customer"),
    created: Timestamp,
    livemode: Livemode,
    name: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    category: z.string().openapi({ description: "Rider category for transit fares: adult, student, pensioner, …" }),
    wallet: z.object({ balance: z.number().int(), currency: CurrencyCode }),
    metadata: z.record(z.string(), z.string()),
  })
  .openapi("Customer");

const CreateCustomer = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    email: Email.optional(),
    phone: z
      .string()
      .regex(/^\+\d{7,15}$/, "phone must be in international format, e.g. +996555123456")
      .optional(),
    category: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,31}$/)
      .optional(),
    wallet_currency: Currency.optional(),
    metadata: Metadata.optional(),
  })
  .openapi("CreateCustomer");

const tags = ["Customers"];
const create = createRoute({
  method: "post",
  path: "/v1/customers",
  tags,
  summary: "Create a customer (with a wallet in the merchant's currency)",
  security: bearer,
  middleware: [allow("secret")] as const,
  request: body(CreateCustomer, { name: "Aida Bekova", email: "aida@example.kg", phone: "+996555123456" }),
  responses: { 200: json(Customer), ...errors },
});
const retrieve = createRoute({
  method: "get",
  path: "/v1/customers/{id}",
  tags,
  summary: "Retrieve a customer and its wallet balance",
  security: bearer,
  middleware: [allow("secret")] as const,
  request: { params: IdParam("cus") },
  responses: { 200: json(Customer), ...errors },
});
const list = createRoute({
  method: "get",
  path: "/v1/customers",
  tags,
  summary: "List customers, newest first",
  security: bearer,
  middleware: [allow("secret")] as const,
  request: { query: ListQuery },
  responses: { 200: json(listOf(Customer, "CustomerList")), ...errors },
});

export const customerRoutes = createRouter()
  .openapi(create, async (c) => c.json(await customerObject(c.var, await createCustomer(c.var, c.req.valid("json"))), 200))
  .openapi(retrieve, async (c) =>
    c.json(await customerObject(c.var, await findCustomer(c.get("db"), merchantOf(c.var), c.req.valid("param").id, "id")), 200),
  )
  .openapi(list, async (c) => {
    const l = await listOwned(c.get("db"), merchantOf(c.var), customers, c.req.valid("query"), "/v1/customers");
    return c.json({ ...l, data: await Promise.all(l.data.map((r) => customerObject(c.var, r))) }, 200);
  });
