import { createRoute, z } from "@hono/zod-openapi";
import { notFound } from "../../lib/errors.js";
import { bearer, body, Currency, errors, IdParam, json, Metadata, Timestamp } from "../../lib/openapi.js";
import { createRouter } from "../../lib/router.js";
import { allow } from "../../middleware/auth.js";
import { createMerchant, getMerchant, merchantObject } from "../../services/merchants.js";

export const Merchant = z
  .object({
    id: z.string(),
    object: z.literal("merchant"),
    created: Timestamp,
    livemode: z.boolean(),
    name: z.string(),
    country: z.string(),
    default_currency: z.string(),
    fee_tariff: z.string().nullable(),
    metadata: z.record(z.string(), z.string()),
  })
  .openapi("Merchant");

const MerchantWithKeys = Merchant.extend({
  keys: z.object({ secret_key: z.string(), publishable_key: z.string() }).openapi({ description: "Test-mode keys, shown once." }),
}).openapi("MerchantWithKeys");

const CreateMerchant = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    country: z.string().regex(/^[A-Z]{2}$/, "country must be an ISO 3166-1 alpha-2 code such as KG"),
    default_currency: Currency,
    fee_tariff: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/)
      .optional(),
    metadata: Metadata.optional(),
  })
  .openapi("CreateMerchant");

const create = createRoute({
  method: "post",
  path: "/v1/merchants",
  tags: ["Merchants"],
  summary: "Create a merchant (platform admin key); returns its test keys once",
  security: bearer,
  middleware: [allow("admin")] as const,
  request: body(CreateMerchant),
  responses: { 200: json(MerchantWithKeys, "The merchant, with its keys"), ...errors },
});

const retrieve = createRoute({
  method: "get",
  path: "/v1/merchants/{id}",
  tags: ["Merchants"],
  summary: "Retrieve a merchant (platform admin key, or the merchant's own secret key)",
  security: bearer,
  middleware: [allow("admin", "secret")] as const,
  request: { params: IdParam("mer") },
  responses: { 200: json(Merchant), ...errors },
});

export const merchantRoutes = createRouter()
  .openapi(create, async (c) => c.json(await createMerchant(c.var.db, c.req.valid("json")), 200))
  .openapi(retrieve, async (c) => {
    const { id } = c.req.valid("param");
    const p = c.var.principal;
    // A merchant sees only itself; another merchant's id is "no such merchant", not "forbidden".
    if (p.kind !== "admin" && p.merchantId !== id) throw notFound("merchant", id);
    return c.json(merchantObject(await getMerchant(c.var.db, id)), 200);
  });
