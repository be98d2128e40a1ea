import { hash } from "node:crypto";
import type { BreakdownLine } from "@softrack/core";
import { sql } from "drizzle-orm";
import { ApiError, type ErrorBody } from "../../lib/errors.js";

/** How far in the future a terminal's clock may be before its tap is refused. */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;
export const MAX_BATCH = 1000;

export interface TapInput {
  terminal: string;
  customer: string;
  tapped_at: string;
  client_tap_id: string;
}

/** A tap the route could not even read: its per-tap error is already known. */
export interface TapRejected {
  error: ApiError;
  terminal?: unknown;
  client_tap_id?: unknown;
}

export type TapItem = { input: TapInput } | TapRejected;

export type TapObject = ReturnType<typeof tapObject>;
export type TapResult = { ok: true; tap: TapObject } | { ok: false; error: ApiError; terminal?: unknown; client_tap_id?: unknown };

/** A stored tap as every query here reads it: instants as epoch milliseconds. */
export interface TapRecord {
  id: string;
  livemode: boolean;
  created_ms: number;
  terminal_id: string;
  client_tap_id: string;
  content_hash: string;
  customer_id: string;
  route: string;
  tapped_ms: number;
  decision: "accepted" | "declined";
  reason: string | null;
  fare: number;
  full_fare: number;
  is_transfer: boolean;
  currency: string;
  tariff_code: string | null;
  tariff_version: number | null;
  wallet_balance: number;
  breakdown: BreakdownLine[];
}

export const TAP_COLUMNS = sql.raw(`id, livemode, (extract(epoch from created_at) * 1000)::bigint AS created_ms, terminal_id, client_tap_id,
  content_hash, customer_id, route, (extract(epoch from tapped_at) * 1000)::bigint AS tapped_ms, decision, reason, fare, full_fare,
  is_transfer, currency, tariff_code, tariff_version, wallet_balance, breakdown`);

export function tapObject(r: TapRecord, replayed = false) {
  return {
    id: r.id,
    object: "tap" as const,
    created: new Date(Number(r.created_ms)).toISOString(),
    livemode: r.livemode,
    terminal: r.terminal_id,
    client_tap_id: r.client_tap_id,
    customer: r.customer_id,
    route: r.route,
    tapped_at: new Date(Number(r.tapped_ms)).toISOString(),
    decision: r.decision,
    reason: r.reason,
    fare: Number(r.fare),
    currency: r.currency,
    wallet_balance: Number(r.wallet_balance),
    is_transfer: r.is_transfer,
    tariff: r.tariff_code === null ? null : { code: r.tariff_code, version: Number(r.tariff_version) },
    breakdown: r.breakdown,
    /** True when this tap was already recorded (a re-uploaded batch): nothing was charged again. */
    replayed,
  };
}

/** One (terminal, client_tap_id): what makes two uploads the same tap. */
export const tapKey = (t: { terminal: string; client_tap_id: string }) => `${t.terminal}\u0000${t.client_tap_id}`;

/** What makes two uploads of one (terminal, client_tap_id) the same tap. */
export function contentHash(customer: string, tappedMs: number): string {
  return hash("sha256", `${customer}\n${tappedMs}`, "base64url").slice(0, 22);
}

export const tapError = (status: 400 | 404 | 422, code: string, message: string, param?: string) =>
  new ApiError(status, "invalid_request_error", code, message, param);

export function fail(input: TapInput, error: ApiError): TapResult {
  return { ok: false, error, terminal: input.terminal, client_tap_id: input.client_tap_id };
}

/** A per-tap error in a batch answer: the contract's error object without the request id. */
export function tapErrorBody(e: ApiError): { type: ErrorBody["type"]; code: string; message: string; param?: string } {
  return { type: e.type, code: e.code, message: e.message, ...(e.param ? { param: e.param } : {}) };
}
