import { lookup } from "node:dns/promises";
import ipaddr from "ipaddr.js";
import { invalid } from "../lib/errors.js";

/** Address ranges a live-mode webhook may never reach (SSRF): only public unicast is allowed. */
function isPublic(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let ip = ipaddr.parse(address);
  if (ip.kind() === "ipv6" && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  return ip.range() === "unicast";
}

/**
 * Checks a webhook URL. Test mode allows loopback and private addresses so partners can
 * develop against localhost; live mode demands https and a public address, checked when
 * the endpoint is saved and again at every delivery (a DNS answer can change).
 */
export async function checkWebhookUrl(raw: string, livemode: boolean): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid("url_invalid", "url must be an absolute http(s) URL.", "url");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw invalid("url_invalid", "url must use https (or http in test mode).", "url");
  if (url.username || url.password) throw invalid("url_invalid", "url must not carry credentials.", "url");
  if (!livemode) return url;
  if (url.protocol !== "https:") throw invalid("url_invalid", "Live-mode webhook endpoints must use https.", "url");
  await assertPublicHost(url.hostname);
  return url;
}

export async function assertPublicHost(hostname: string): Promise<void> {
  const host = hostname.replace(/^\[|\]$/g, "");
  const addresses = ipaddr.isValid(host) ? [host] : (await lookup(host, { all: true }).catch(() => [])).map((a) => a.address);
  if (addresses.length === 0) throw invalid("url_unresolvable", `The host ${hostname} does not resolve.`, "url");
  if (!addresses.every(isPublic)) {
    throw invalid(
      "url_not_public",
      "Live-mode webhook endpoints must resolve to public addresses (no loopback or private networks).",
      "url",
    );
  }
}
