import { z } from "zod";
import { FareRulesSchema, FeeRulesSchema, type TariffIssue, toTariffIssues } from "./schema.js";
import { canonicalTimeZone, DEFAULT_TARIFF_TIMEZONE, parseInstant } from "./time.js";
import type { FareRules, FeeRules, TariffDocument, TariffKind, TariffValidationResult } from "./types.js";

export { FEE_METHODS, MAX_TARIFF_AMOUNT, WEEKDAYS } from "./schema.js";

const CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const CURRENCY = /^[A-Z]{3}$/;

/** The document around the rules; the rules are checked by their kind's schema (schema.ts). */
const TariffEnvelope = z.strictObject(
  {
    code: z
      .string({ error: "must be a non-empty string" })
      .regex(CODE, "must be 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit"),
    version: z
      .number({ error: "must be a positive integer" })
      .int("must be a positive integer")
      .min(1, "must be at least 1")
      .max(Number.MAX_SAFE_INTEGER, `must be at most ${Number.MAX_SAFE_INTEGER}`),
    kind: z.enum(["fee", "fare"], { error: 'must be one of "fee", "fare"' }),
    currency: z.string({ error: "must be a non-empty string" }).regex(CURRENCY, "must be an upper-case ISO 4217 code, e.g. KGS"),
    timezone: z
      .string({ error: "must be a non-empty string" })
      .min(1, "must be a non-empty string")
      .max(256, "must be at most 256 characters")
      .refine((name) => canonicalTimeZone(name) !== null, { error: (i) => `"${i.input}" is not a known IANA time zone` })
      .optional(),
    effective_from: z.unknown().refine((v) => parseInstant(v) !== null, {
      error: 'must be an ISO 8601 instant with offset, e.g. "2024-05-01T00:00:00Z"',
    }),
    rules: z.unknown(),
  },
  { error: "must be an object" },
);

const RULES = { fee: FeeRulesSchema, fare: FareRulesSchema } as const;

function checkRules(kind: TariffKind, rules: unknown): { issues: TariffIssue[]; value?: FeeRules | FareRules } {
  const parsed = RULES[kind].safeParse(rules);
  return parsed.success ? { issues: [], value: parsed.data } : { issues: toTariffIssues(parsed.error.issues, "rules") };
}

/**
 * Checks the `rules` of a tariff of the given kind. Paths start with "rules."
 * (e.g. "rules.methods.card.percent_bps"), as in a PUT /v1/tariffs/:code body.
 */
export function validateTariffRules(kind: "fee", rules: unknown): TariffValidationResult<FeeRules>;
export function validateTariffRules(kind: "fare", rules: unknown): TariffValidationResult<FareRules>;
export function validateTariffRules(kind: unknown, rules: unknown): TariffValidationResult<FeeRules | FareRules>;
export function validateTariffRules(kind: unknown, rules: unknown): TariffValidationResult<FeeRules | FareRules> {
  if (kind !== "fee" && kind !== "fare") return { ok: false, issues: [{ path: "kind", message: 'must be one of "fee", "fare"' }] };
  const { issues, value } = checkRules(kind, rules);
  return value ? { ok: true, value } : { ok: false, issues };
}

/**
 * Checks a whole tariff document and returns a clean copy: `timezone` defaults to
 * Asia/Bishkek and is written in its canonical spelling, `effective_from` is
 * normalised to UTC ("2024-05-01T00:00:00.000Z"). Unknown keys anywhere are refused.
 */
export function validateTariff(input: unknown): TariffValidationResult<TariffDocument> {
  const envelope = TariffEnvelope.safeParse(input);
  const issues = envelope.success ? [] : toTariffIssues(envelope.error.issues);
  // The rules are checked whenever the kind is known, so every issue is reported at once.
  const raw = typeof input === "object" && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : undefined;
  const kind = raw?.kind === "fee" || raw?.kind === "fare" ? raw.kind : undefined;
  const rules = kind ? checkRules(kind, raw?.rules) : undefined;
  if (rules) issues.push(...rules.issues);
  if (!envelope.success || !rules?.value) return { ok: false, issues };
  const { code, version, currency, timezone, effective_from } = envelope.data;
  const base = {
    code,
    version,
    currency,
    timezone: canonicalTimeZone(timezone ?? DEFAULT_TARIFF_TIMEZONE) as string,
    effective_from: new Date(parseInstant(effective_from) as number).toISOString(),
  };
  const value: TariffDocument =
    envelope.data.kind === "fee"
      ? { ...base, kind: "fee", rules: rules.value as FeeRules }
      : { ...base, kind: "fare", rules: rules.value as FareRules };
  return { ok: true, value };
}
