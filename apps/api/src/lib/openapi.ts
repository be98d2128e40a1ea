import { z } from "@hono/zod-openapi";
import { CURRENCY_CODES, MAX_AMOUNT } from "@softrack/core";

/** Shared pieces of the OpenAPI schemas, so the contract and validation come from one source. */
export const ErrorSchema = z
  .object({
    error: z.object({
      type: z.enum([
        "invalid_request_error",
        "authentication_error",
        "permission_error",
        "idempotency_error",
        "payment_error",
        "rate_limit_error",
        "api_error",
      ]),
      code: z.string(),
      message: z.string(),
      param: z.string().optional(),
      request_id: z.string(),
      payment: z
        .looseObject({ id: z.string(), object: z.literal("payment"), status: z.string() })
        .optional()
        .openapi({ description: "On a 402 decline: the failed payment, as GET /v1/payments/{id} returns it." }),
      payment_status: z
        .string()
        .optional()
        .openapi({ description: "On payment_unexpected_state: the payment's status, which does not allow the action." }),
      order_status: z
        .string()
        .optional()
        .openapi({ description: "On order_unexpected_state: the order's status, which does not allow the action." }),
      issues: z
        .array(z.object({ path: z.string(), message: z.string() }))
        .optional()
        .openapi({ description: "On tariff_invalid: every problem in the tariff, `param` naming the first." }),
    }),
  })
  .openapi("Error");

/**
 * Names a schema built outside the API (the core's) as a component, whatever the import order:
 * zod gives a schema the methods its prototype had when it was built, and `.openapi` arrives
 * with @hono/zod-openapi, which may load after the core.
 */
export function component<T extends z.ZodType>(schema: T, name: string): T {
  const { openapi } = z.ZodType.prototype as unknown as { openapi: (this: T, refId: string) => T };
  return openapi.call(schema, name);
}

const errorResponse = (description: string) => ({ content: { "application/json": { schema: ErrorSchema } }, description });

export const errors = {
  400: errorResponse("Invalid request"),
  401: errorResponse("Missing or invalid API key"),
  403: errorResponse("The key may not do this"),
  404: errorResponse("No such object"),
  409: errorResponse("Idempotent request still in progress"),
  422: errorResponse("Idempotency key reused with another body"),
  429: errorResponse("Rate limited"),
} as const;

/** A route that takes no query: any parameter is refused as unknown, as in a body. */
export const NoQuery = z.strictObject({});
export const unknownParameter = errorResponse("An unknown query parameter (parameter_unknown)");

export const paymentErrors = { ...errors, 402: errorResponse("The payment was declined") } as const;

export const json = <T extends z.ZodType>(schema: T, description = "OK") => ({
  content: { "application/json": { schema } },
  description,
});

/**
 * A JSON body and, where given, its request example: the body the reference shows and its
 * "Test Request" sends. An example must run as it stands in test mode (ids written `pay_01J…`
 * stand for an object of that kind); test/docs-examples.test.ts sends every one to a live API.
 */
export const body = <T extends z.ZodType>(schema: T, example?: z.input<T>) => ({
  body: { content: { "application/json": { schema, ...(example === undefined ? {} : { example }) } }, required: true },
});

/**
 * Placeholders in request examples for what only a live moment holds, as `pay_01J…` stands for
 * an id: test/docs-examples.test.ts puts the live value in their place before it sends one.
 */
export const examplePlaceholder = {
  /** A one-time code: the 6 digits of a sign-in email or SMS, or of an authenticator app now. */
  code: "123456",
  /** A sign-in's second step, as POST /v1/auth/verify answered it (`second_factor_token`). */
  secondFactorToken: "chl_01J….Wq8…",
  /** When a form was shown to the reader (ms since epoch): 2026-11-23T09:58:00Z. */
  formShownAt: 1_795_427_880_000,
} as const;

/** Optional JSON body (e.g. POST /cancel with nothing to say). */
export const optionalBody = <T extends z.ZodType>(schema: T, example?: z.input<T>) => ({
  body: { content: { "application/json": { schema, ...(example === undefined ? {} : { example }) } }, required: false },
});

/**
 * Text a row can hold: PostgreSQL refuses U+0000, and a lone UTF-16 surrogate has no UTF-8 form
 * (one driver replaces it, the other's statement fails). Refused by the field's name instead.
 */
export const storable = (s: string) => !s.includes("\u0000") && !/[\uD800-\uDFFF]/u.test(s);
export const STORABLE = "must be text without U+0000 or a lone UTF-16 surrogate";

/**
 * A time a row can hold and a day's window around it can be computed for: from year 1 (year 0
 * PostgreSQL refuses) to before 9000 (past 9999 JavaScript writes +010000, which it cannot read).
 */
const FIRST_TIME = Date.parse("0001-01-02T00:00:00Z");
const LAST_TIME = Date.parse("9000-01-01T00:00:00Z");
export const storableTime = (s: string) => {
  const t = Date.parse(s);
  return t >= FIRST_TIME && t < LAST_TIME;
};
export const STORABLE_TIME = "must be between the years 1 and 9000";

/** The currency of an amount in an answer (answers name any currency they hold, so a string). */
export const CurrencyCode = z.string().openapi({ example: "KGS", description: "ISO 4217 code" });

/** A customer named by id: never empty, since an empty id names no one and must not read as "none". */
export const CustomerId = z
  .string()
  .min(1, "a customer id cannot be empty; leave the field out to name no customer")
  .max(64)
  .openapi({ example: "cus_01J…" });

/** Whether the object belongs to live mode; test-mode keys (sk_test_…) only ever see false. */
export const Livemode = z.boolean().openapi({ example: false });

export const Amount = z
  .number()
  .int("amount must be an integer number of minor units (no decimals)")
  .positive("amount must be greater than zero")
  .max(MAX_AMOUNT, `amount must be at most ${MAX_AMOUNT}`)
  .openapi({ example: 15000, description: "Integer in minor units: 15000 KGS = 150.00 KGS" });

export const Currency = z
  .enum(CURRENCY_CODES as [string, ...string[]], { message: `currency must be one of ${CURRENCY_CODES.join(", ")}` })
  .openapi({ example: "KGS" });

const METADATA_KEYS = 50;
const METADATA_KEY_LENGTH = 40;
export const Metadata = z
  .record(z.string().min(1).max(METADATA_KEY_LENGTH), z.string().max(500))
  .refine((m) => Object.keys(m).length <= METADATA_KEYS, `metadata may have at most ${METADATA_KEYS} keys`)
  .openapi({
    // zod's record check is the rule; the document states it in JSON Schema's words, from the same numbers.
    maxProperties: METADATA_KEYS,
    // OpenAPI 3.1's JSON Schema has propertyNames; the library's metadata type (3.0's) does not.
    ...({ propertyNames: { type: "string", minLength: 1, maxLength: METADATA_KEY_LENGTH } } as object),
    description: `Up to ${METADATA_KEYS} string values (500 characters each) under keys of 1 to ${METADATA_KEY_LENGTH} characters.`,
    example: { order_ref: "A-1001" },
  });

/**
 * An email address as the API accepts it: zod's email check, which is stricter than JSON
 * Schema's `format: email` (no quoted local parts, no IP literals), so the document gives its pattern.
 */
export const Email = z.email().max(254).openapi({ pattern: z.regexes.email.source, example: "aida@example.kg" });

/** An IANA time zone name, as Intl knows it. */
export const TimeZone = z
  .string()
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, "timezone must be an IANA time zone")
  .openapi({ description: "An IANA time zone name (tz database), e.g. Asia/Bishkek or Asia/Almaty.", example: "Asia/Bishkek" });

export const IdParam = (prefix: string) =>
  z.object({
    id: z
      .string()
      .max(64)
      .openapi({ param: { name: "id", in: "path" }, example: `${prefix}_01J…` }),
  });

// Strict, as bodies are: an unknown query parameter is a 400 parameter_unknown, never silently ignored.
export const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(10).openapi({ example: 10 }),
  starting_after: z.string().max(64).optional(),
  ending_before: z.string().max(64).optional(),
});

export const listOf = <T extends z.ZodType>(item: T, name: string) =>
  z.object({ object: z.literal("list"), data: z.array(item), has_more: z.boolean(), url: z.string().optional() }).openapi(name);

export const Timestamp = z.string().openapi({ example: "2026-11-23T10:00:00.000Z", description: "ISO 8601 UTC" });

export const bearer = [{ bearerAuth: [] }];
/** A public operation: no credentials (said outright, so a reader of the document need not guess). */
export const noAuth: { [name: string]: string[] }[] = [];
