import type { MiddlewareHandler } from "hono";
import { invalid } from "../lib/errors.js";

/**
 * A write that takes no parameters (cancel a payment, complete a QR payment): no body, an empty
 * one (whatever its Content-Type says), or `{}`. Anything else is refused and changes nothing, never
 * ignored: a malformed body is 400 invalid_json, a field 400 parameter_unknown.
 */
export const noParameters: MiddlewareHandler = async (c, next) => {
  const raw = (await c.req.text()).trim();
  if (raw === "") return next();
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw invalid("invalid_json", "The request body is not valid JSON.");
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw invalid("parameter_invalid", "This request takes no parameters: send no body, or {}.");
  }
  const [first] = Object.keys(body);
  if (first !== undefined) throw invalid("parameter_unknown", `Received unknown parameter: ${first}`, first);
  return next();
};
