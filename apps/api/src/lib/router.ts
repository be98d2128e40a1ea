import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../context.js";
import { invalid } from "./errors.js";

interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
  input?: unknown;
}

/**
 * One validation hook for every route: the first problem becomes a 400 in the
 * contract's envelope, with `param` naming the field (`items[0].quantity`).
 */
export function validationHook(result: { success: boolean; error?: { issues: Issue[] }; target?: string }) {
  if (result.success) return;
  const issue = result.error?.issues[0];
  if (!issue) throw invalid("parameter_invalid", "Invalid request.");
  const path = issue.path.reduce<string>(
    (acc, seg) => (typeof seg === "number" ? `${acc}[${seg}]` : acc ? `${acc}.${String(seg)}` : String(seg)),
    "",
  );
  if (issue.code === "unrecognized_keys") {
    const name = path ? `${path}.${issue.keys?.[0]}` : String(issue.keys?.[0]);
    throw invalid("parameter_unknown", `Received unknown parameter: ${name}`, name);
  }
  const missing = issue.code === "invalid_type" && /received undefined/i.test(issue.message);
  throw invalid(
    missing ? "parameter_missing" : "parameter_invalid",
    missing ? `Missing required parameter: ${path}.` : `Invalid ${path || "request"}: ${issue.message}`,
    path || undefined,
  );
}

export function createRouter() {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook as never });
}
