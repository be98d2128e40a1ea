import type { ServerResponse } from "node:http";
import type { Context } from "hono";

/**
 * A header every answer to this request carries unless its handler sets its own (Request-Id,
 * Cache-Control, CORS, RateLimit-Remaining). On Node's server it goes on Node's response, where a
 * handler's header of the same name replaces it when the answer is written. Not `c.header()`: one
 * call there makes Hono build the answer's headers as a web `Headers`, which @hono/node-server
 * then reads back into a plain object for Node, header by header; the API's five cost a small
 * request about a third of its CPU (BENCHMARKS.md, issue 18, session 19). Without Node's response
 * (the app served by another runtime's fetch): `c.header()`.
 */
export function defaultHeader(c: Context, name: string, value: string): void {
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  if (outgoing && !outgoing.headersSent) outgoing.setHeader(name, value);
  else c.header(name, value);
}
