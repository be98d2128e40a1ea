import type { LookupAddress } from "node:dns";
import { lookup } from "node:dns/promises";
import ipaddr from "ipaddr.js";
import type { Env } from "../env.js";
import { ApiError, invalid } from "../lib/errors.js";

/** Every address a host name resolves to. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;
const systemResolver: Resolver = (hostname) => lookup(hostname, { all: true, verbatim: true });
let resolver: Resolver = systemResolver;

/**
 * Tests stand in for DNS (a name whose answer changes between calls); returns the function
 * that puts the system's resolver back.
 */
export function useResolver(r: Resolver): () => void {
  resolver = r;
  return () => {
    resolver = systemResolver;
  };
}

/** How long saving an endpoint waits for its name to resolve (a delivery has its own, longer deadline). */
const SAVE_RESOLVE_TIMEOUT_MS = 5_000;

/** IPv6 global unicast; everything else (::/96 IPv4-compatible like ::7f00:1, ULA, link-local …) is not public. */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR("2000::/3");

/**
 * Only public unicast is reachable (SSRF). An IPv4 address written as IPv6 (::ffff:a.b.c.d) is
 * judged as that IPv4 address; the ranges that lead to IPv4 elsewhere (NAT64, 6to4, Teredo) are
 * not "unicast" to ipaddr.js and so are refused.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const ip = ipaddr.parse(address);
  if (ip.kind() === "ipv4") return ip.range() === "unicast";
  const v6 = ip as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return isPublicAddress(v6.toIPv4Address().toString());
  return v6.range() === "unicast" && v6.match(GLOBAL_UNICAST_V6);
}

/**
 * Whether an endpoint may reach only public addresses: live endpoints always, and test ones in
 * production too. Only a development (or test-suite) server lets a test endpoint reach localhost
 * and private networks, so partners can develop against their own machine.
 */
export function publicAddressesOnly(livemode: boolean, env: Pick<Env, "NODE_ENV">): boolean {
  return livemode || env.NODE_ENV === "production";
}

/**
 * Checks a webhook URL when an endpoint is saved. Live mode demands https; the address rules
 * (see publicAddressesOnly) are checked again at every delivery, on the one resolution the
 * delivery then connects to (resolveWebhookHost).
 */
export async function checkWebhookUrl(raw: string, livemode: boolean, env: Pick<Env, "NODE_ENV">): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid("url_invalid", "url must be an absolute http(s) URL.", "url");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw invalid("url_invalid", "url must use https (or http in test mode).", "url");
  if (url.username || url.password) throw invalid("url_invalid", "url must not carry credentials.", "url");
  if (livemode && url.protocol !== "https:") throw invalid("url_invalid", "Live-mode webhook endpoints must use https.", "url");
  if (publicAddressesOnly(livemode, env)) {
    // The merchant's name server answers inside the request (and its transaction): bounded too.
    const deadline = AbortSignal.timeout(SAVE_RESOLVE_TIMEOUT_MS);
    await resolveWebhookHost(url, true, deadline).catch((err: unknown) => {
      if (deadline.aborted && !(err instanceof ApiError))
        throw invalid("url_unresolvable", `The host ${url.hostname} did not resolve within ${SAVE_RESOLVE_TIMEOUT_MS / 1000} s.`, "url");
      throw err;
    });
  }
  return url;
}

/**
 * The lookup raced against the caller's deadline: the system resolver takes no signal, and a
 * merchant's slow name server must not hold a delivery (and the worker's batch) past it. The
 * abandoned lookup settles on its own; its answer is ignored.
 */
function beforeDeadline<T>(work: Promise<T>, deadline: AbortSignal | undefined): Promise<T> {
  if (!deadline) return work;
  if (deadline.aborted) return Promise.reject(deadline.reason);
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(deadline.reason);
    deadline.addEventListener("abort", abort, { once: true });
    work.then(resolve, reject).finally(() => deadline.removeEventListener("abort", abort));
  });
}

/**
 * Resolves the URL's host once and checks every address. A delivery connects to the addresses
 * returned here and never resolves the name again, so a DNS answer that changes after the check
 * (rebinding) cannot point it elsewhere. With a deadline, a lookup still pending when it passes
 * rejects with the signal's reason (a TimeoutError for AbortSignal.timeout).
 */
export async function resolveWebhookHost(url: URL, publicOnly: boolean, deadline?: AbortSignal): Promise<LookupAddress[]> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const addresses: LookupAddress[] = ipaddr.isValid(host)
    ? [{ address: host, family: ipaddr.parse(host).kind() === "ipv6" ? 6 : 4 }]
    : await beforeDeadline(
        resolver(host).catch(() => []),
        deadline,
      );
  if (addresses.length === 0) throw invalid("url_unresolvable", `The host ${url.hostname} does not resolve.`, "url");
  if (publicOnly && !addresses.every((a) => isPublicAddress(a.address))) {
    throw invalid(
      "url_not_public",
      "Webhook endpoints must resolve to public addresses (no loopback, private or link-local networks).",
      "url",
    );
  }
  return addresses;
}
