import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import type { Logger } from "pino";
import { ApiError, invalid } from "../lib/errors.js";
import { type ConnectorMethod, isConnectorInputError, LIVE_METHODS, type PaymentConnector } from "./connector.js";

/**
 * The operator's live providers: `LIVE_CONNECTORS="card=/abs/path/acquirer.js,sms=@acme/sms-connector"`.
 * Each module is imported once at start and must export a PaymentConnector (as `default`
 * or as `connector`) for that method. A bad value stops the server with one clear line.
 */
export type LiveConnectors = Readonly<Partial<Record<ConnectorMethod, PaymentConnector>>>;

/** A configuration problem found at start: index.ts prints it as one line and exits. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** The methods a live provider can serve today (QR needs a completion callback the API does not take yet). */
export const SERVED_LIVE: readonly ConnectorMethod[] = ["card", "sms"];

/** What a live connector must implement besides authorize: every later movement of the money. */
const MOVEMENTS = ["capture", "void", "refund"] as const;

/** An npm package name (optionally a path inside it), as `import()` resolves it from the API's node_modules. */
const PACKAGE = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*(\/[A-Za-z0-9._/-]+)?$/;

/** Parses the variable's text; returns the problem as one sentence instead of throwing (env.ts reports it). */
export function parseLiveConnectors(value: string): { method: ConnectorMethod; module: string }[] | string {
  const entries: { method: ConnectorMethod; module: string }[] = [];
  for (const part of value.split(",")) {
    const item = part.trim();
    if (!item) continue;
    const eq = item.indexOf("=");
    const method = item.slice(0, eq).trim();
    const module = item.slice(eq + 1).trim();
    if (eq < 1 || !module) return `'${item}' is not method=module (e.g. card=/opt/softrack/acquirer.js)`;
    if (!(LIVE_METHODS as readonly string[]).includes(method))
      return `'${method}' is not a method a connector serves (one of ${LIVE_METHODS.join(", ")}; wallets and transit need none)`;
    // A QR payment completes when the payer's bank reports the scan; the API takes no such
    // provider callback yet (test mode completes one with a test helper), so live QR would hang.
    if (!(SERVED_LIVE as readonly string[]).includes(method))
      return `'${method}' cannot be served live yet: a live QR payment would never complete (no provider callback; see docs/configuration.md)`;
    if (entries.some((e) => e.method === method)) return `${method} is configured twice`;
    if (!isAbsolute(module) && !PACKAGE.test(module))
      return `'${module}' must be an absolute path to a module or an installed package name (a relative path is ambiguous)`;
    entries.push({ method: method as ConnectorMethod, module });
  }
  return entries;
}

/**
 * Imports each configured module and checks what it exports. The connector is wrapped so a
 * provider's failure is a clean answer (400 for bad method data it reports, 502 otherwise),
 * never a 500 with the provider's stack, and never logs the payer's data.
 */
export async function loadLiveConnectors(value: string | undefined, nodeEnv: string, logger: Logger): Promise<LiveConnectors> {
  if (!value) return {};
  const entries = parseLiveConnectors(value);
  if (typeof entries === "string") throw new ConfigError(`LIVE_CONNECTORS: ${entries}`);
  const loaded: Partial<Record<ConnectorMethod, PaymentConnector>> = {};
  for (const { method, module } of entries) {
    let exported: Record<string, unknown>;
    try {
      exported = await import(isAbsolute(module) ? pathToFileURL(module).href : module);
    } catch (err) {
      const e = err as Error & { code?: string };
      throw new ConfigError(
        `LIVE_CONNECTORS: cannot load the ${method} connector '${module}': ${e.code ? `${e.code} ` : ""}${String(e.message).split("\n")[0]}`,
      );
    }
    const c = (exported.default ?? exported.connector) as Partial<PaymentConnector> | undefined;
    if (!c || typeof c !== "object" || typeof c.authorize !== "function")
      throw new ConfigError(
        `LIVE_CONNECTORS: '${module}' must export a PaymentConnector (default export or 'connector' with an authorize function)`,
      );
    // A provider that cannot capture, release or refund would leave the ledger and the acquirer apart.
    const missing = MOVEMENTS.filter((step) => typeof c[step] !== "function");
    if (missing.length > 0)
      throw new ConfigError(
        `LIVE_CONNECTORS: '${module}' must also implement ${missing.join(", ")} (every capture, cancel and refund reaches the provider)`,
      );
    if (c.method !== method) throw new ConfigError(`LIVE_CONNECTORS: '${module}' serves method '${String(c.method)}', not ${method}`);
    // A simulator approves any well-formed card or code: in production it would be free money.
    if (c.simulator && nodeEnv === "production")
      throw new ConfigError(`LIVE_CONNECTORS: '${module}' is a test simulator; production takes real providers only`);
    loaded[method] = guarded(c as PaymentConnector, logger);
  }
  return loaded;
}

function guarded(c: PaymentConnector, logger: Logger): PaymentConnector {
  const failed = (err: unknown, step: string): never => {
    if (err instanceof ApiError) throw err;
    if (isConnectorInputError(err)) throw invalid(err.code, err.message, err.param ?? "payment_method_data");
    // The message only: a provider's error object may carry the request, i.e. the payer's data.
    logger.error({ method: c.method, step, err: String((err as Error)?.message ?? err).slice(0, 300) }, "live connector failed");
    throw new ApiError(502, "api_error", "provider_error", "The payment provider failed to answer; try again shortly.");
  };
  // Promise.resolve().then(): a connector that throws before returning its promise is caught too.
  const call = <T>(step: string, work: () => Promise<T>): Promise<T> =>
    Promise.resolve()
      .then(work)
      .catch((e) => failed(e, step));
  return {
    method: c.method,
    authorize: (input) => call("authorize", () => c.authorize(input)),
    capture: (id, amount) => call("capture", () => c.capture(id, amount)),
    void: (id) => call("void", () => c.void(id)),
    refund: (id, amount, refundId) => call("refund", () => c.refund(id, amount, refundId)),
    ...(typeof c.settlementFee === "function" ? { settlementFee: settlementFeeOf(c.settlementFee.bind(c), failed) } : {}),
  };
}

/** A provider's fee schedule, held to what a fee is: a non-negative integer of minor units. */
function settlementFeeOf(
  fee: NonNullable<PaymentConnector["settlementFee"]>,
  failed: (err: unknown, step: string) => never,
): NonNullable<PaymentConnector["settlementFee"]> {
  return (m) => {
    let n: number;
    try {
      n = fee(m);
    } catch (e) {
      return failed(e, "settlementFee");
    }
    return Number.isSafeInteger(n) && n >= 0 ? n : failed(new Error(`settlementFee answered ${String(n)}`), "settlementFee");
  };
}
