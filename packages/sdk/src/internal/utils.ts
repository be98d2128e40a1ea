/** Internal helpers: free to change between releases, not exported from the package. */

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts (a caller gave up mid-backoff). */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const done = () => {
      signal?.removeEventListener("abort", abort);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", abort, { once: true });
  });

/**
 * Builds a path from a template, percent-encoding every parameter so an id can never
 * reach another endpoint (`pay_1/../refunds`), and refusing empty ones (`/payments/`
 * would silently become a list call).
 */
export const path = (strings: TemplateStringsArray, ...params: string[]): string =>
  strings.reduce((out, s, i) => {
    if (i === 0) return s;
    const p = params[i - 1];
    if (typeof p !== "string" || p === "") {
      throw new TypeError(`Softrack: path parameter ${i} must be a non-empty string, got ${JSON.stringify(p)}`);
    }
    return out + encodeURIComponent(p) + s;
  }, "");

/** Flat query string; undefined values are left out. */
export const query = (params: object | undefined): string => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined && v !== null) q.append(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
};

/** Case-insensitive header lookup over Headers, plain objects and Node's IncomingHttpHeaders. */
export type HeaderInput = Headers | Record<string, string | string[] | undefined>;
export const header = (headers: HeaderInput, name: string): string | undefined => {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
};
