import type { ServerResponse } from "node:http";
import type { Context } from "hono";

/**
 * A header every answer to this request carries unless its handler sets its own (Request-Id,
 * Cache-Control, CORS, RateLimit-Remaining). On Node's server it goes on Node's response, where a
 * handler's header of the same name replaces it when the answer is written. Not `c.header()`: one
 * call there makes Hono build the answer's headers as a web `Headers`, which @hono/node-server
 * then reads back into a plain object for Node, header by header (BENCHMARKS.md, issue 18,
 * session 19: about 25 µs a request by a diagnostic route, within the noise of the request bench).
 * Without Node's response (the app served by another runtime's fetch): `c.header()`.
 */
export function defaultHeader(c: Context, name: string, value: string): void {
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  if (outgoing && !outgoing.headersSent) outgoing.setHeader(name, value);
  else c.header(name, value);
}
