import { setTimeout as sleep } from "node:timers/promises";
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv, Principal } from "../context.js";
import { isKeptRefusal } from "../lib/errors.js";
import { claimOf, requestInProgress, type StoredResponse } from "../store/idempotency.js";
import { commitAlone, keyedOutside } from "../store/writer.js";

/**
 * Reads a write's body once: its text, parsed once and handed to the route's validator, and its
 * Idempotency-Key claim built from it (`c.var.claim`), for whichever way the route commits. A body
 * that is not JSON is left to the validator's 400.
 */
export const readWrite: MiddlewareHandler<AppEnv> = async (c, next) => {
  const header = c.req.header("Idempotency-Key");
  // Any other type was refused with 415 before this.
  const raw = await c.req.text();
  let body: unknown;
  try {
    body = raw.trim() === "" ? undefined : JSON.parse(raw);
  } catch {
    body = undefined;
  }
  // The validator takes this parse (Hono's json() would parse the cached text again). An empty
  // body is no parameters, as at Stripe and as the key's hash reads it: a route whose parameters
  // are all optional runs, any other names what is missing. (Without a Content-Type the validator
  // reads no body at all.)
  const parsed = body ?? (raw.trim() === "" ? {} : undefined);
  if (parsed !== undefined) c.req.json = <T>() => Promise.resolve(parsed as T);
  const claim = claimOf(idempotencyScope(c.get("principal")), header, { method: c.req.method, path: c.req.path, body, raw });
  c.set("claim", claim);
  if (!claim) return next();
  // The same key while this request runs is 409 at once, in this process too: on the embedded
  // database the requests share one connection, so the second would otherwise wait behind the
  // first's transaction (and its provider call) and never meet the advisory lock it holds; and a
  // route whose steps commit alone (run_jobs) holds no lock at all while it runs.
  const deps = c.get("deps");
  const running = keysInFlight(deps);
  const id = `${claim.scope}\u0000${claim.key}`;
  if (running.has(id)) throw requestInProgress();
  running.add(id);
  try {
    // The embedded database answers every query without giving the event loop a turn, so this
    // request would run to its commit before a second one with the key were even read, and no
    // duplicate would ever meet it running. A millisecond's wait lets the requests that arrive
    // meanwhile be read first (the network is polled until the timer is due).
    if (deps.database.driver === "pglite") await sleep(1);
    await next();
  } finally {
    running.delete(id);
  }
};

/** The Idempotency-Keys of the requests each runtime is running (see readWrite). */
const RUNNING = new WeakMap<object, Set<string>>();
function keysInFlight(deps: object): Set<string> {
  const known = RUNNING.get(deps);
  if (known) return known;
  const running = new Set<string>();
  RUNNING.set(deps, running);
  return running;
}

/** A key has one mode for life; a console session changes mode, and a live answer must never replay to it in test mode. */
function idempotencyScope(p: Principal): string {
  if (p.kind === "job") return `job:${p.job}`; // never reached: jobs send no requests
  return p.kind === "secret" && p.session && p.livemode ? `${p.keyId}:live` : p.keyId;
}

/**
 * The commit mode of most writes (see lib/router.ts): the request runs in ONE database
 * transaction with its Idempotency-Key claim, so an effect and its stored response commit (or
 * vanish) together, and a retry with the same key is replayed or run afresh — never applied twice.
 *
 * Stored under the key: the responses the handler returned (2xx, and 402 declines whose failed
 * payment is recorded), and the refusals it raised for the state it met (lib/errors.ts
 * keptRefusal), whose effects roll back. Any other error (validation, a 5xx) rolls back
 * everything and stores nothing, as Stripe stores nothing for a request that failed validation.
 */
export const unitOfWork: MiddlewareHandler<AppEnv> = async (c, next) =>
  inUnitOfWork(c, async () => {
    await next();
    return c.res;
  });

/** The unit of work around `handler`, for a route that commits itself but has a request that must be alone. */
export async function inUnitOfWork(c: Context<AppEnv>, handler: () => Promise<Response>): Promise<Response> {
  const deps = c.get("deps");
  let res: Response | undefined;
  const afterCommit: (() => void)[] = [];
  c.set("afterCommit", afterCommit);
  try {
    const out = await commitAlone(
      deps,
      c.get("claim"),
      async (db) => {
        c.set("db", db);
        res = await handler();
        if (c.error) return isKeptRefusal(c.error) ? "refused" : false;
        return res.status < 500;
      },
      async () => ({ status: (res as Response).status, body: await (res as Response).clone().text() }),
    );
    if ("replay" in out) return replayed(c, out.replay);
    if (out.committed) for (const then of afterCommit) then();
  } finally {
    c.set("db", deps.database.db);
    c.set("afterCommit", undefined);
  }
  return res as Response;
}

/**
 * For a route whose work commits in transactions of its own (commit: "none" with readWrite, as
 * run_jobs): its Idempotency-Key is still honoured, checked before the work and sealed after it
 * (store/writer.ts keyedOutside). `work` answers the JSON body of a 200.
 */
export async function outsideUnitOfWork(c: Context<AppEnv>, work: () => Promise<unknown>): Promise<Response> {
  const out = await keyedOutside(c.get("deps"), c.get("claim"), async () => ({ status: 200, body: JSON.stringify(await work()) }));
  if ("replay" in out) return replayed(c, out.replay);
  return c.body(out.response.body, out.response.status as 200, { "Content-Type": "application/json" });
}

/**
 * A stored response, as it was first sent. A stored refusal (a 402 decline, a kept 400 or 404)
 * names in its body the request that was refused; the replay's Request-Id names the same one, so
 * the body, byte for byte the first, never contradicts its header.
 */
export function replayed(c: Context<AppEnv>, r: StoredResponse): Response {
  const first = r.status >= 400 ? refusedRequestId(r.body) : undefined;
  return c.body(r.body, r.status as 200, {
    "Content-Type": "application/json",
    "Idempotent-Replayed": "true",
    ...(first && { "Request-Id": first }),
  });
}

function refusedRequestId(body: string): string | undefined {
  try {
    const id = (JSON.parse(body) as { error?: { request_id?: unknown } }).error?.request_id;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}
