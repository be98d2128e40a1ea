/** The floor of any Node HTTP API on this machine: Hono parsing a JSON body and answering JSON. */
import { serve } from "@hono/node-server";
import { Hono } from "hono";

const app = new Hono().post("/echo", async (c) => c.json({ ok: true, got: await c.req.json() }));
serve({ fetch: app.fetch, hostname: "127.0.0.1", port: Number(process.env.PORT ?? 0) }, (info) => {
  process.stdout.write(`ready on http://127.0.0.1:${info.port}\n`);
});
