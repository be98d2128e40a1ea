/**
 * The built API (apps/api/dist) as a child process on a bench's PostgreSQL, configured as in
 * production (NODE_ENV=production, background workers off unless asked), so the bench's load
 * generator and the API each have their own event loop on the shared cores.
 *
 *   const api = await startApiProcess({ databaseUrl: pg.url("api"), adminKey, connections: 32 });
 *   … api.url …
 *   api.stop();
 */
import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";

const root = resolve(import.meta.dirname, "../..");

export interface ApiProcess {
  url: string;
  child: ChildProcess;
  stop(): void;
}

export function startApiProcess(opts: {
  databaseUrl: string;
  adminKey: string;
  /** The API's database pool (DB_POOL_SIZE). */
  connections: number;
  env?: Record<string, string>;
  /** Run apps/api/src with tsx instead of the build (a branch not built yet; slower to start, the same code once running). */
  source?: boolean;
}): Promise<ApiProcess> {
  const entry = opts.source ? ["--import", "tsx", resolve(root, "apps/api/src/index.ts")] : [resolve(root, "apps/api/dist/index.js")];
  return startServerProcess(entry, {
    DATABASE_URL: opts.databaseUrl,
    NODE_ENV: "production",
    BUYER_HASH_KEY: "bench-buyer-hash-key-0123456789abcdef",
    PUBLIC_URL: "http://localhost",
    METRICS: "off",
    PLATFORM_ADMIN_KEY: opts.adminKey,
    PORT: "0",
    LOG_LEVEL: "warn",
    WORKERS: "off",
    DB_POOL_SIZE: String(opts.connections),
    ...opts.env,
  });
}

/**
 * `node <args>` with this process's environment plus `env`, resolved with the URL once it prints
 * `ready on http://…` (the API and bench/bare-hono.ts both do).
 */
export function startServerProcess(args: string[], env: Record<string, string>): Promise<ApiProcess> {
  return new Promise((ready, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    const onData = (d: Buffer) => {
      out += d;
      const m = /ready on (http:\/\/[\d.:]+)/.exec(out);
      if (!m) return;
      child.stdout?.off("data", onData);
      child.stdout?.resume(); // keep draining, so a chatty server never blocks on a full pipe
      ready({ url: m[1] as string, child, stop: () => void child.kill("SIGTERM") });
    };
    child.stdout?.on("data", onData);
    child.on("exit", (code) => reject(new Error(`${args.at(-1)} exited ${code}`)));
  });
}
