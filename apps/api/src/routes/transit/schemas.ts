import { z } from "@hono/zod-openapi";
import {
  CurrencyCode,
  Livemode,
  Metadata,
  STORABLE,
  STORABLE_TIME,
  storable,
  storableTime,
  Timestamp,
  TimeZone,
} from "../../lib/openapi.js";

export const TerminalKind = z.enum(["bus_validator", "turnstile"]);

export const CreateTerminal = z
  .strictObject({
    kind: TerminalKind,
    route: z.string().trim().min(1).max(64).openapi({ example: "7" }),
    fare_tariff: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "fare_tariff must be a tariff code")
      .openapi({
        example: "bishkek-bus",
        description: "Code of a fare tariff; each tap is priced by the version in effect when it happened.",
      }),
    metadata: Metadata.optional(),
  })
  .openapi("CreateTerminal");

export const Terminal = z
  .object({
    id: z.string(),
    object: z.literal("terminal"),
    created: Timestamp,
    livemode: Livemode,
    kind: TerminalKind,
    route: z.string(),
    fare_tariff: z.string(),
    metadata: z.record(z.string(), z.string()),
  })
  .openapi("Terminal");

export const CreateTap = z
  .strictObject({
    terminal: z.string().min(1).max(64).refine(storable, STORABLE).openapi({ example: "term_01J…" }),
    customer: z
      .string()
      .min(1)
      .max(64)
      .refine(storable, STORABLE)
      .openapi({ example: "cus_01J…", description: "The rider (a customer with a wallet)" }),
    tapped_at: z.iso
      .datetime({ offset: true })
      .refine(storableTime, STORABLE_TIME)
      .openapi({ example: "2026-11-23T04:00:00.000Z", description: "When the rider tapped, by the terminal's clock" }),
    client_tap_id: z.string().min(1).max(128).refine(storable, STORABLE).openapi({
      example: "7f1c2a",
      description: "The terminal's own id of the tap: a re-upload with the same id is answered from the record, never charged again",
    }),
  })
  .openapi("CreateTap");

const ErrorObject = z.object({ type: z.string(), code: z.string(), message: z.string(), param: z.string().optional() });

export const Tap = z
  .object({
    id: z.string(),
    object: z.literal("tap"),
    created: Timestamp,
    livemode: Livemode,
    terminal: z.string(),
    client_tap_id: z.string(),
    customer: z
      .string()
      .nullable()
      .openapi({ description: "The rider; null in a list when the terminal named no known rider (unknown_rider)" }),
    route: z.string(),
    tapped_at: Timestamp,
    decision: z.enum(["accepted", "declined"]),
    reason: z
      .string()
      .nullable()
      .openapi({ description: "Why it was declined: insufficient_funds, unknown_rider, currency_mismatch, no_fare, unknown_category" }),
    fare: z.number().int().openapi({ description: "The fare the tariff gives this ride; charged only when accepted" }),
    currency: CurrencyCode,
    wallet_balance: z.number().int().openapi({ description: "The rider's wallet after this tap" }),
    is_transfer: z.boolean(),
    tariff: z.object({ code: z.string(), version: z.number().int() }).nullable(),
    breakdown: z.array(z.object({ type: z.string(), amount: z.number().int(), description: z.string() })),
    replayed: z
      .boolean()
      .openapi({ description: "True when this tap had already been recorded: the stored result, nothing charged again" }),
  })
  .openapi("Tap");

export const BatchTaps = z
  .strictObject({
    taps: z
      .array(
        z.record(z.string(), z.unknown()).openapi({
          description: "A tap as in POST /v1/transit/taps; each is checked on its own, a bad one gets its own error",
          example: { terminal: "term_01J…", customer: "cus_01J…", tapped_at: "2026-11-23T04:00:00.000Z", client_tap_id: "7f1c2a" },
        }),
      )
      .min(1)
      .max(1000),
  })
  .openapi("BatchTaps");

export const TapBatchResult = z
  .object({
    object: z.literal("list"),
    data: z.array(
      z
        .union([Tap, z.object({ terminal: z.unknown().optional(), client_tap_id: z.unknown().optional(), error: ErrorObject })])
        .openapi({ description: "Per tap, in input order: the tap, or an error" }),
    ),
    has_more: z.boolean(),
    url: z.string(),
  })
  .openapi("TapBatchResult");

const ReportLine = { currency: CurrencyCode, rides: z.number().int(), revenue: z.number().int(), declines: z.number().int() };

export const DailyReport = z
  .object({
    object: z.literal("transit_daily_report"),
    date: z.string(),
    timezone: z.string(),
    livemode: Livemode,
    period: z.object({ start: Timestamp, end: Timestamp }),
    totals: z.array(z.object(ReportLine)),
    declines_by_reason: z.record(z.string(), z.number().int()),
    routes: z.array(z.object({ route: z.string(), ...ReportLine })),
    terminals: z.array(z.object({ terminal: z.string(), route: z.string(), ...ReportLine })),
  })
  .openapi("TransitDailyReport");

export const ReportQuery = z.object({
  date: z.iso
    .date()
    .refine((d) => storableTime(`${d}T12:00:00Z`), STORABLE_TIME)
    .openapi({ example: "2026-11-23", description: "Local calendar date" }),
  timezone: TimeZone.default("Asia/Bishkek"),
});
