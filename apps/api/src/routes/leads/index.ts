import { createRoute, z } from "@hono/zod-openapi";
import { cors } from "hono/cors";
import { leads } from "../../db/schema/index.js";
import { sha256Hex } from "../../lib/crypto.js";
import { invalid } from "../../lib/errors.js";
import { newId } from "../../lib/ids.js";
import { body, Email, errors, examplePlaceholder, json, noAuth, Timestamp } from "../../lib/openapi.js";
import { createRouter } from "../../lib/router.js";
import { clientIp, rateLimit } from "../../middleware/rate-limit.js";

/** Spam checks: the honeypot field must stay empty and a person takes more than 3 s to write. */
const MIN_FILL_MS = 3_000;

const CreateLead = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    email: Email,
    company: z.string().trim().max(200).optional(),
    message: z.string().trim().min(1).max(5_000),
    website: z.string().max(200).optional().openapi({ description: "Honeypot: leave empty" }),
    started_at: z
      .number()
      .int()
      .positive()
      .openapi({ description: "When the form was shown (ms since epoch): at least 3 seconds and at most a day before it is sent" }),
    locale: z.string().max(8).optional(),
  })
  .openapi("CreateLead");

const Lead = z.object({ id: z.string(), object: z.literal("lead"), created: Timestamp }).openapi("Lead");

const create = createRoute({
  method: "post",
  path: "/v1/leads",
  commit: "none",
  tags: ["Site"],
  security: noAuth,
  summary: "The site's contact form (no key needed; rate-limited per address)",
  middleware: [rateLimit({ name: "leads", windowMs: 60_000, max: 5, key: (c) => `lead:${clientIp(c)}` })] as const,
  request: body(CreateLead, {
    name: "Aida Bekova",
    email: "aida@example.kg",
    company: "Demo Shop LLC",
    message: "We run 40 buses in Bishkek and would like to take cards and QR payments on board. Could we talk this week?",
    started_at: examplePlaceholder.formShownAt,
    locale: "en",
  }),
  responses: { 201: json(Lead, "Stored"), ...errors },
});

export const leadRoutes = createRouter();
leadRoutes.use("/v1/leads", cors({ origin: "*", allowMethods: ["POST", "OPTIONS"], allowHeaders: ["Content-Type"], maxAge: 600 }));
leadRoutes.openapi(create, async (c) => {
  const input = c.req.valid("json");
  if (input.website) throw invalid("spam_suspected", "This submission looks automated.", "website");
  const age = Date.now() - input.started_at;
  if (age < MIN_FILL_MS || age > 86_400_000)
    throw invalid("spam_suspected", "The form was sent too quickly; please try again.", "started_at");
  const day = new Date().toISOString().slice(0, 10);
  const [row] = await c
    .get("db")
    .insert(leads)
    .values({
      id: newId("lead"),
      name: input.name,
      email: input.email,
      company: input.company ?? null,
      message: input.message,
      ipHash: sha256Hex(`${day}:${clientIp(c)}`),
    })
    .returning();
  const lead = row as { id: string; createdAt: Date };
  return c.json({ id: lead.id, object: "lead" as const, created: lead.createdAt.toISOString() }, 201);
});
