import { createRoute, z } from "@hono/zod-openapi";
import {
  FareRulesSchema,
  FeeRulesSchema,
  quote,
  selectTariffVersion,
  type TariffDocument,
  TariffError,
  toTariffIssues,
} from "@softrack/core";
import type { Context } from "hono";
import type { AppEnv } from "../../context.js";
import { invalid } from "../../lib/errors.js";
import {
  bearer,
  body,
  Currency,
  CurrencyCode,
  component,
  errors,
  json,
  ListQuery,
  Livemode,
  STORABLE_TIME,
  storableTime,
  Timestamp,
  TimeZone,
} from "../../lib/openapi.js";
import { pageOf } from "../../lib/pagination.js";
import { createRouter, validationHook } from "../../lib/router.js";
import { allow } from "../../middleware/auth.js";
import {
  getTariff,
  mayPutTariff,
  periodVolume,
  putTariff,
  quoteDocument,
  tariffInvalid,
  tariffObject,
  tariffVersions,
  toDocument,
} from "../../services/tariffs.js";

const Code = z.object({
  code: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "code must be 1 to 64 letters, digits, '_', '.' or '-'")
    .openapi({ param: { name: "code", in: "path" }, example: "bishkek-bus" }),
});

const Breakdown = z.array(z.object({ type: z.string(), amount: z.number().int(), description: z.string() }));

// The rules' shapes are the core's schemas, the very ones its validator is built from.
const FeeRules = component(FeeRulesSchema, "FeeRules");
const FareRules = component(FareRulesSchema, "FareRules");

const tariffFields = {
  id: z.string(),
  object: z.literal("tariff"),
  created: Timestamp,
  livemode: Livemode,
  owner: z.enum(["platform", "merchant"]),
  code: z.string(),
  version: z.number().int(),
  currency: CurrencyCode,
  timezone: z.string(),
  effective_from: Timestamp,
};

const Tariff = z
  .discriminatedUnion("kind", [
    z.object({ ...tariffFields, kind: z.literal("fee"), rules: FeeRules }).openapi("FeeTariff"),
    z.object({ ...tariffFields, kind: z.literal("fare"), rules: FareRules }).openapi("FareTariff"),
  ])
  .openapi("Tariff");

const putFields = {
  currency: Currency.optional(),
  timezone: TimeZone.optional(),
  effective_from: z.iso
    .datetime({ offset: true })
    .refine(storableTime, STORABLE_TIME)
    .optional()
    .openapi({ description: "Default: now. A version applies from this instant on." }),
};

const PutTariff = z
  .discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("fee"), rules: FeeRules, ...putFields }).openapi("PutFeeTariff"),
    z.strictObject({ kind: z.literal("fare"), rules: FareRules, ...putFields }).openapi("PutFareTariff"),
  ])
  .openapi("PutTariff", { description: "A fee tariff (the platform's, admin key) or a fare tariff (a transit operator's), by `kind`." });

/**
 * Problems in `rules` are one 400 tariff_invalid listing every issue (as the core's validator
 * reports them); anything else in the body is the usual first-problem 400.
 */
function putTariffHook(result: Parameters<typeof validationHook>[0] & { data?: unknown }, c: Context<AppEnv>) {
  // Who may set a tariff of this kind is decided before what it says: a merchant's key that
  // sends a fee tariff hears 403, not the faults of rules it could never set.
  if (!result.success) mayPutTariff(c.get("principal"), (result.data as { kind?: unknown } | undefined)?.kind);
  const issues = result.success ? [] : (result.error?.issues ?? []).filter((i) => i.path[0] === "rules");
  if (issues.length > 0) throw tariffInvalid(toTariffIssues(issues as never));
  return validationHook(result);
}

const Ride = z.strictObject({
  tapped_at: z.string(),
  route: z.string(),
  fare: z.number().int().min(0),
  full_fare: z.number().int().min(0).optional(),
  transfer: z.boolean().optional(),
});

const QuoteTariff = z
  .strictObject({
    version: z
      .number()
      .int()
      .positive()
      .optional()
      .openapi({ description: "Price with this version; default: the version in effect at `at` (fares: at `tapped_at`)." }),
    at: z.iso.datetime({ offset: true }).refine(storableTime, STORABLE_TIME).optional(),
    // Fare context.
    route: z.string().min(1).max(64).optional(),
    zone_from: z.string().min(1).max(64).optional(),
    zone_to: z.string().min(1).max(64).optional(),
    category: z.string().min(1).max(32).optional(),
    tapped_at: z.string().max(40).optional(),
    history: z.array(Ride).max(1000).optional().openapi({
      description:
        "The rider's other rides, before or after `tapped_at`: caps count every ride of the tap's day and week, and a ride that arrives late joins the journey the next ride started within the transfer window.",
    }),
    // Fee context.
    amount: z.number().int().min(0).optional(),
    currency: z.string().max(3).optional(),
    method: z.string().max(32).optional(),
    period_volume: z
      .number()
      .int()
      .min(0)
      .max(Number.MAX_SAFE_INTEGER)
      .optional()
      .openapi({ description: "The merchant's volume earlier in the tier period, in minor units. Default 0." }),
  })
  .openapi("QuoteTariff");

const TariffQuote = z
  .object({
    object: z.literal("tariff_quote"),
    kind: z.enum(["fee", "fare"]),
    amount: z.number().int(),
    currency: CurrencyCode,
    breakdown: Breakdown,
    tariff: z.object({ code: z.string(), version: z.number().int() }),
  })
  .passthrough()
  .openapi("TariffQuote");

const TariffList = z
  .object({ object: z.literal("list"), data: z.array(Tariff), has_more: z.boolean(), url: z.string() })
  .openapi("TariffList");

const tags = ["Tariffs"];
// Fee tariffs are the platform's (admin key), fare tariffs the transit operator's (secret key); putTariff enforces it.
const routes = {
  put: createRoute({
    method: "put",
    path: "/v1/tariffs/{code}",
    tags,
    summary: "Publish a new version of a tariff (versions are immutable)",
    security: bearer,
    middleware: [allow("secret", "admin")] as const,
    request: {
      params: Code,
      ...body(PutTariff, {
        kind: "fare",
        rules: { default_fare: 2000, routes: { "7": 2000, M1: 3000 } },
        effective_from: "2026-01-01T00:00:00Z",
      }),
    },
    responses: { 200: json(Tariff), ...errors },
  }),
  retrieve: createRoute({
    method: "get",
    path: "/v1/tariffs/{code}",
    tags,
    summary: "Retrieve the version in effect now, or any earlier version with ?version=N",
    description:
      "The built-in plans that payments cite in `fee_tariff` read here too: `default` (version 1, in KGS; payments in another currency are priced by its percentages without the KGS minimums, and a quote in that currency does the same) and `wallet_topup` (version 1, no fee). Their codes cannot be published over.",
    security: bearer,
    middleware: [allow("secret", "admin")] as const,
    request: { params: Code, query: z.object({ version: z.coerce.number().int().positive().optional() }) },
    responses: { 200: json(Tariff), ...errors },
  }),
  versions: createRoute({
    method: "get",
    path: "/v1/tariffs/{code}/versions",
    tags,
    summary: "Every version of a tariff, newest first",
    security: bearer,
    middleware: [allow("secret", "admin")] as const,
    request: { params: Code, query: ListQuery },
    responses: { 200: json(TariffList), ...errors },
  }),
  quote: createRoute({
    method: "post",
    path: "/v1/tariffs/{code}/quote",
    tags,
    summary: "Price a payment (fee) or a ride (fare) with a tariff, with its breakdown",
    security: bearer,
    middleware: [allow("secret", "admin")] as const,
    request: { params: Code, ...body(QuoteTariff, { route: "7", tapped_at: "2026-11-23T04:00:00.000Z" }) },
    responses: { 200: json(TariffQuote), ...errors },
  }),
};

export const tariffRoutes = createRouter()
  .openapi(
    routes.put,
    async (c) => c.json(tariffObject(await putTariff(c.var, c.req.valid("param").code, c.req.valid("json"))) as never, 200),
    putTariffHook as never,
  )
  .openapi(routes.retrieve, async (c) => {
    const row = await getTariff(
      c.get("db"),
      c.get("principal"),
      c.req.valid("param").code,
      c.get("deps").now(),
      c.req.valid("query").version,
    );
    return c.json(tariffObject(row) as never, 200);
  })
  .openapi(routes.versions, async (c) => {
    const { code } = c.req.valid("param");
    const rows = await tariffVersions(c.get("db"), c.get("principal"), code);
    if (rows.length === 0) await getTariff(c.get("db"), c.get("principal"), code, c.get("deps").now()); // the 404
    const page = pageOf(rows, c.req.valid("query"), "tariff version", `/v1/tariffs/${code}/versions`);
    return c.json({ ...page, data: page.data.map((r) => tariffObject(r)) as never[] }, 200);
  })
  .openapi(routes.quote, async (c) => {
    const { code } = c.req.valid("param");
    const { version, at, ...context } = c.req.valid("json");
    const rows = await tariffVersions(c.get("db"), c.get("principal"), code);
    let tariff: TariffDocument;
    if (version !== undefined || rows.length === 0) {
      tariff = toDocument(await getTariff(c.get("db"), c.get("principal"), code, c.get("deps").now(), version));
    } else {
      // A fare is priced by the version in effect when the rider tapped, a fee by the one in effect now.
      const when = at ?? (rows[0]?.kind === "fare" && typeof context.tapped_at === "string" ? context.tapped_at : undefined);
      const instant = when === undefined ? c.get("deps").now() : new Date(when);
      if (Number.isNaN(instant.getTime()))
        throw invalid("parameter_invalid", "tapped_at must be an ISO 8601 instant with offset.", "tapped_at");
      const chosen = selectTariffVersion(rows.map(toDocument), instant);
      if (!chosen)
        throw invalid(
          "tariff_not_in_effect",
          `No version of tariff '${code}' is in effect at ${instant.toISOString()}.`,
          at ? "at" : "tapped_at",
        );
      tariff = chosen;
    }
    tariff = quoteDocument(tariff, context.currency);
    // A merchant's fee quote without a volume is priced with its real volume so far in the tier period.
    const p = c.get("principal");
    if (tariff.kind === "fee" && p.kind === "secret" && context.period_volume === undefined && typeof context.currency === "string") {
      const when = at === undefined ? c.get("deps").now() : new Date(at);
      context.period_volume = await periodVolume(
        c.var,
        tariff,
        { merchantId: p.merchantId, livemode: p.livemode, currency: context.currency },
        when,
      );
    }
    try {
      const q = quote(tariff, context);
      return c.json({ object: "tariff_quote" as const, ...q }, 200);
    } catch (err) {
      if (err instanceof TariffError) throw invalid(err.code, `The tariff cannot price this: ${err.message}.`, err.path);
      throw err;
    }
  });
