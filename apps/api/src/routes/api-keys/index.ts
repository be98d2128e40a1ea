import { createRoute, z } from "@hono/zod-openapi";
import { bearer, body, errors, IdParam, json, ListQuery, Livemode, listOf, optionalBody, Timestamp } from "../../lib/openapi.js";
import { createRouter } from "../../lib/router.js";
import { allow, merchantOf } from "../../middleware/auth.js";
import { noParameters } from "../../middleware/no-parameters.js";
import { clientIp } from "../../middleware/rate-limit.js";
import { createKey, listKeys, MAX_GRACE_SECONDS, revokeKey, rollKey } from "../../services/api-keys.js";

const ApiKey = z
  .object({
    id: z.string(),
    object: z.literal("api_key"),
    created: Timestamp,
    livemode: Livemode,
    kind: z.enum(["secret", "publishable"]),
    hint: z.string().openapi({ example: "sk_test_…a1b2" }),
    expires_at: Timestamp.nullable(),
    revoked_at: Timestamp.nullable(),
    secret: z.string().optional().openapi({ description: "The key itself: shown once, when created or rolled" }),
  })
  .openapi("ApiKey");
const Create = z.strictObject({ kind: z.enum(["secret", "publishable"]) }).openapi("CreateApiKey");
const Roll = z
  .strictObject({
    expires_in: z
      .number()
      .int()
      .min(0)
      .max(MAX_GRACE_SECONDS)
      .default(86_400)
      .openapi({ description: "Seconds the old key keeps working (0: stops now); default one day" }),
  })
  .openapi("RollApiKey");
const Rolled = z.object({ object: z.literal("api_key_roll"), rolled: ApiKey, key: ApiKey }).openapi("ApiKeyRoll");
const tags = ["API keys"];
const STANDING =
  "A key that was rolled (it has an `expires_at`) may not create, roll or revoke keys: 403 `api_key_rolled`. Recorded as a security event naming who did it: the signed-in person, or the acting key's id in `detail.actor`.";
const guard = allow("secret");

const r = {
  list: createRoute({
    method: "get",
    path: "/v1/api_keys",
    tags,
    summary: "The merchant's API keys (hints only)",
    security: bearer,
    middleware: guard,
    request: { query: ListQuery },
    responses: { 200: json(listOf(ApiKey, "ApiKeyList")), ...errors },
  }),
  create: createRoute({
    method: "post",
    path: "/v1/api_keys",
    tags,
    summary: "Create an API key; the key is shown once",
    description: STANDING,
    security: bearer,
    middleware: guard,
    request: body(Create, { kind: "publishable" }),
    responses: { 200: json(ApiKey), ...errors },
  }),
  roll: createRoute({
    method: "post",
    path: "/v1/api_keys/{id}/roll",
    tags,
    summary: "Replace a key; the old one works for a grace period",
    description: `A key rolls once: a revoked, expired or already rolled key answers 400 \`api_key_inactive\` (revoke it to end its grace period early). ${STANDING}`,
    security: bearer,
    middleware: guard,
    request: { params: IdParam("key"), ...optionalBody(Roll, { expires_in: 3600 }) },
    responses: { 200: json(Rolled), ...errors },
  }),
  revoke: createRoute({
    method: "post",
    path: "/v1/api_keys/{id}/revoke",
    tags,
    summary: "Revoke a key at once",
    description: `A key cannot revoke itself (400 \`api_key_in_use\`). Revoking a revoked key answers it unchanged and records nothing. ${STANDING}`,
    security: bearer,
    middleware: [guard, noParameters] as const,
    request: { params: IdParam("key") },
    responses: { 200: json(ApiKey), ...errors },
  }),
};

export const apiKeyRoutes = createRouter()
  .openapi(r.list, async (c) => c.json(await listKeys(c.var, merchantOf(c.var), c.req.valid("query")), 200))
  .openapi(r.create, async (c) => c.json(await createKey(c.var, merchantOf(c.var), c.req.valid("json").kind, clientIp(c)), 200))
  .openapi(r.roll, async (c) => {
    const grace = (c.req.valid("json") as { expires_in?: number } | undefined)?.expires_in ?? 86_400;
    return c.json(
      { object: "api_key_roll" as const, ...(await rollKey(c.var, merchantOf(c.var), c.req.valid("param").id, grace, clientIp(c))) },
      200,
    );
  })
  .openapi(r.revoke, async (c) => c.json(await revokeKey(c.var, merchantOf(c.var), c.req.valid("param").id, clientIp(c)), 200));
