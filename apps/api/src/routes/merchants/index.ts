import { createRoute, z } from "@hono/zod-openapi";
import countries from "i18n-iso-countries";
import { notFound } from "../../lib/errors.js";
import { bearer, body, Currency, CurrencyCode, errors, IdParam, json, Livemode, Metadata, Timestamp } from "../../lib/openapi.js";
import { createRouter } from "../../lib/router.js";
import { allow } from "../../middleware/auth.js";
import { noParameters } from "../../middleware/no-parameters.js";
import { activateMerchant, createMerchant, getMerchant, merchantObject } from "../../services/merchants.js";

export const Merchant = z
  .object({
    id: z.string(),
    object: z.literal("merchant"),
    created: Timestamp,
    livemode: Livemode,
    name: z.string(),
    country: z.string(),
    default_currency: CurrencyCode,
    fee_tariff: z.string().nullable(),
    metadata: z.record(z.string(), z.string()),
    live_activated_at: Timestamp.nullable().openapi({
      description: "When live mode was activated (live keys issued); null: test mode only.",
    }),
  })
  .openapi("Merchant");

const MerchantWithKeys = Merchant.extend({
  keys: z.object({ secret_key: z.string(), publishable_key: z.string() }).openapi({ description: "Test-mode keys, shown once." }),
}).openapi("MerchantWithKeys");

// ISO 3166-1's assigned alpha-2 codes (and XK, Kosovo's code in common use): the shape alone let ZZ through.
const COUNTRY_CODES = new Set(Object.keys(countries.getAlpha2Codes()));
const COUNTRY_RULE = "country must be an ISO 3166-1 alpha-2 code such as KG";

const CreateMerchant = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, COUNTRY_RULE)
      .refine((code) => COUNTRY_CODES.has(code), COUNTRY_RULE)
      .openapi({ description: "An assigned ISO 3166-1 alpha-2 code (XK for Kosovo too).", example: "KG" }),
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
  request: body(CreateMerchant, { name: "Shop Example", country: "KG", default_currency: "KGS", metadata: { crm_id: "4711" } }),
  responses: { 200: json(MerchantWithKeys, "The merchant, with its keys"), ...errors },
});

const LiveActivation = Merchant.extend({
  keys: z.object({ secret_key: z.string(), publishable_key: z.string() }).openapi({ description: "Live-mode keys." }),
}).openapi("LiveActivation", {
  description:
    "The merchant's live keys, shown once. Activation is idempotent per merchant: a repeat within 24 hours answers the first activation's keys (header Idempotent-Replayed: true) and mints none, while neither key was rolled or revoked; later, it is refused with 400 merchant_already_activated.",
});

const activate = createRoute({
  method: "post",
  path: "/v1/merchants/{id}/activate",
  tags: ["Merchants"],
  summary: "Activate live mode (platform admin key): issues the merchant's live keys",
  security: bearer,
  middleware: [allow("admin"), noParameters] as const,
  request: { params: IdParam("mer") },
  responses: { 200: json(LiveActivation, "The merchant and its live keys"), ...errors },
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
  .openapi(create, async (c) => c.json(await createMerchant(c.get("db"), c.req.valid("json")), 200))
  .openapi(activate, async (c) => {
    const r = await activateMerchant(c.get("db"), c.get("deps").box, c.req.valid("param").id, c.get("deps").now());
    if (r.replayed) c.header("Idempotent-Replayed", "true");
    return c.json({ ...r.merchant, keys: r.keys }, 200);
  })
  .openapi(retrieve, async (c) => {
    const { id } = c.req.valid("param");
    const p = c.get("principal");
    // A merchant sees only itself; another merchant's id is "no such merchant", not "forbidden".
    if (p.kind !== "admin" && p.merchantId !== id) throw notFound("merchant", id);
    return c.json(merchantObject(await getMerchant(c.get("db"), id)), 200);
  });
