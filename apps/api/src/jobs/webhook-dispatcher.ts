import { randomInt } from "node:crypto";
import type { LookupAddress } from "node:dns";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { sql } from "drizzle-orm";
import type { Deps } from "../context.js";
import { hmacSha256Base64 } from "../lib/crypto.js";
import { ApiError } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { at } from "../lib/json.js";
import { publicAddressesOnly, resolveWebhookHost } from "../services/webhook-url.js";
import type { JobScope } from "./runner.js";

/**
 * Delay before each retry (Standard Webhooks' schedule): 5 s, 5 min, 30 min, 2 h, 5 h,
 * 10 h, 10 h — about 28 hours in all, so an endpoint is tried for at least 24 hours.
 * Each delay gets ±10 % jitter so a recovering endpoint is not hit by a thundering herd.
 */
export const RETRY_DELAYS_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
/** A claimed delivery comes back into the queue after this long if its worker died mid-send. */
const LEASE_MS = 60_000;
const TIMEOUT_MS = 10_000;

export function nextDelay(attempt: number): number | null {
  const base = RETRY_DELAYS_MS[attempt - 1];
  if (base === undefined) return null;
  return base + randomInt(0, Math.floor(base / 5) + 1) - Math.floor(base / 10);
}

/** Standard Webhooks signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body"> keyed by the whsec_ secret's bytes. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  return `v1,${hmacSha256Base64(key, `${id}.${timestamp}.${body}`)}`;
}

/**
 * POSTs to the addresses that were checked, never resolving the name again (DNS rebinding);
 * the Host header and TLS SNI stay the URL's name. No connection pool (a pooled socket was
 * opened for an earlier answer) and no redirects: the status is the answer.
 */
function postTo(
  url: URL,
  addresses: LookupAddress[],
  signal: AbortSignal,
  opts: { headers: Record<string, string>; body: string },
): Promise<number> {
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, addresses);
    else callback(null, (addresses[0] as LookupAddress).address, (addresses[0] as LookupAddress).family);
  };
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: "POST",
        agent: false,
        lookup: pinned,
        signal,
        headers: { ...opts.headers, "Content-Length": String(Buffer.byteLength(opts.body)) },
      },
      (res) => {
        resolve(res.statusCode ?? 0);
        res.destroy();
      },
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}

interface Claimed {
  id: string;
  event_id: string;
  endpoint_id: string;
  attempts: number;
  created_at: Date | string;
}

/**
 * Delivers every due webhook once. Deliveries are claimed with FOR UPDATE SKIP LOCKED
 * and leased, so several API processes share the queue without sending one attempt
 * twice; the outcome of each attempt is recorded before the next is scheduled. Delivery
 * is at least once: a crash after the POST but before the record means one more try.
 */
export async function deliverDueWebhooks(
  deps: Deps,
  opts: { now: Date; only?: JobScope; limit?: number },
): Promise<{ attempted: number; delivered: number }> {
  const { database } = deps;
  let attempted = 0;
  let delivered = 0;
  for (;;) {
    // A delivery has the mode of its endpoint (events.ts queues only endpoints of the event's mode).
    const scope = opts.only
      ? sql`AND merchant_id = ${opts.only.merchantId}
            AND endpoint_id IN (SELECT w.id FROM webhook_endpoints w WHERE w.merchant_id = ${opts.only.merchantId} AND w.livemode = ${opts.only.livemode})`
      : sql``;
    const claimed = await database.rows<Claimed>(
      sql`UPDATE webhook_deliveries SET next_attempt_at = ${at(new Date(opts.now.getTime() + LEASE_MS))}
          WHERE id IN (SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ${at(opts.now)} ${scope}
                       ORDER BY next_attempt_at LIMIT ${opts.limit ?? 25} FOR UPDATE SKIP LOCKED)
          RETURNING id, event_id, endpoint_id, attempts, created_at`,
    );
    if (claimed.length === 0) break;
    const results = await Promise.all(claimed.map((d) => attempt(deps, d, opts.now)));
    attempted += results.length;
    delivered += results.filter(Boolean).length;
  }
  return { attempted, delivered };
}

async function attempt(deps: Deps, d: Claimed, now: Date): Promise<boolean> {
  const { database } = deps;
  const [row] = await database.rows<{
    url: string;
    secret_sealed: string;
    status: string;
    livemode: boolean;
    type: string;
    data: unknown;
    created_at: Date | string;
    ev_livemode: boolean;
  }>(
    sql`SELECT w.url, w.secret_sealed, w.status, w.livemode, e.type, e.data, e.created_at, e.livemode AS ev_livemode
        FROM webhook_endpoints w JOIN events e ON e.id = ${d.event_id} WHERE w.id = ${d.endpoint_id}`,
  );
  if (row?.status !== "enabled") {
    await database.rows(sql`UPDATE webhook_deliveries SET status = 'failed' WHERE id = ${d.id}`);
    return false;
  }
  const body = JSON.stringify({
    id: d.event_id,
    object: "event",
    type: row.type,
    created: new Date(row.created_at).toISOString(),
    livemode: row.ev_livemode,
    data: row.data,
  });
  const timestamp = Math.floor(Date.now() / 1000);
  const n = d.attempts + 1;
  const started = performance.now();
  let status: number | null = null;
  let error: string | null = null;
  // One deadline for the whole attempt: the name's resolution and the POST.
  const signal = AbortSignal.timeout(TIMEOUT_MS);
  try {
    const url = new URL(row.url);
    const addresses = await resolveWebhookHost(url, publicAddressesOnly(row.livemode, deps.env), signal);
    status = await postTo(url, addresses, signal, {
      headers: {
        "Content-Type": "application/json",
        "User-Agent": "Softrack-Webhooks/1.0",
        "webhook-id": d.event_id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": signWebhook(deps.box.open(row.secret_sealed), d.event_id, timestamp, body),
      },
      body,
    });
  } catch (err) {
    error =
      err instanceof ApiError
        ? err.code
        : signal.aborted
          ? "timeout"
          : ((err as { code?: string }).code ?? (err as Error).message).slice(0, 200);
  }
  const ok = status !== null && status >= 200 && status < 300;
  const durationMs = Math.round(performance.now() - started);
  await database.db.transaction(async (tx) => {
    await database.rows(
      sql`INSERT INTO webhook_attempts (id, delivery_id, endpoint_id, event_id, attempt, response_status, error, duration_ms, succeeded)
          VALUES (${newId("delivery")}, ${d.id}, ${d.endpoint_id}, ${d.event_id}, ${n}, ${status}, ${error}, ${durationMs}, ${ok})`,
      tx,
    );
    if (ok) {
      await database.rows(
        sql`UPDATE webhook_deliveries SET status = 'delivered', attempts = ${n}, delivered_at = now() WHERE id = ${d.id}`,
        tx,
      );
    } else if (status === 410) {
      // 410 Gone: the partner took the endpoint down on purpose.
      await database.rows(sql`UPDATE webhook_deliveries SET status = 'failed', attempts = ${n} WHERE id = ${d.id}`, tx);
      await database.rows(
        sql`UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = 'endpoint answered 410 Gone' WHERE id = ${d.endpoint_id}`,
        tx,
      );
    } else {
      const delay = nextDelay(n);
      await database.rows(
        delay === null
          ? sql`UPDATE webhook_deliveries SET status = 'failed', attempts = ${n} WHERE id = ${d.id}`
          : sql`UPDATE webhook_deliveries SET attempts = ${n}, next_attempt_at = ${at(new Date(now.getTime() + delay))} WHERE id = ${d.id}`,
        tx,
      );
    }
  });
  if (!ok) deps.logger.warn({ delivery: d.id, endpoint: d.endpoint_id, attempt: n, status, error }, "webhook attempt failed");
  return ok;
}
