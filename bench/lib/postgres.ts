/**
 * Shared bench helpers: a private PostgreSQL 15 cluster (initdb into a temp dir, own port,
 * unix socket in the same dir) and pgbench runs against it, so every bench measures its
 * workload and PostgreSQL's own ceiling side by side, in one run, on one server.
 *
 *   const pg = await startPostgres({ name: "transit" });
 *   await pg.createDatabase("ledger");
 *   await pg.psqlFile("ledger", `${REFERENCE_DIR}/ledger_schema.sql`);
 *   const r = await pg.pgbench("ledger", { script: ".../ledger_transfer.sql", clients: 8, threads: 2, seconds: 10, prepared: true });
 *   await pg.stop();
 *
 * Runs the server as the `postgres` OS user when started as root (initdb refuses root).
 * Settings are PostgreSQL's defaults (fsync and synchronous_commit on) plus what you pass.
 */
import { execFile, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BIN =
  ["/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin"].find((d) => existsSync(join(d, "initdb"))) ??
  "";

export interface PgbenchResult {
  /** Transactions per second (pgbench "excluding connections establishing" where shown). */
  tps: number;
  /** Average latency per transaction, ms. */
  latencyMs: number;
  transactions: number;
  failed: number;
  output: string;
}

export interface PgCluster {
  /** postgres:// URL over TCP on 127.0.0.1 for database `db` (default "postgres"). */
  url(db?: string): string;
  port: number;
  /**
   * Environment for a child process to reach database `db` over the unix socket (as pgbench
   * does; cheaper than TCP on loopback): postgres.js and libpq both read PGHOST/PGPORT/PGUSER when
   * the URL names no host.
   */
  socketEnv(db: string): { DATABASE_URL: string; PGHOST: string; PGPORT: string; PGUSER: string };
  /** Directory holding the unix socket (pgbench and psql use it). */
  socketDir: string;
  dataDir: string;
  /** The server log (log_min_duration_statement output lands here). */
  logFile: string;
  createDatabase(name: string): Promise<void>;
  psql(db: string, sqlText: string): Promise<string>;
  psqlFile(db: string, file: string): Promise<string>;
  pgbench(
    db: string,
    opts: { script: string; clients: number; threads?: number; seconds: number; prepared?: boolean },
  ): Promise<PgbenchResult>;
  /** Stops the server (fast shutdown) and removes its files. */
  stop(): Promise<void>;
}

function run(cmd: string, args: string[], asPostgres: boolean): Promise<string> {
  const [file, argv] = asPostgres ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    execFile(file, argv as string[], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(" ")} failed: ${stderr || err.message}`));
      else resolve(stdout + stderr);
    });
  });
}

/** True when nothing listens on (or holds) 127.0.0.1:`port` right now. */
function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = createServer();
    s.once("error", () => done(false));
    s.listen(port, "127.0.0.1", () => s.close(() => done(true)));
  });
}

/**
 * A port for a throw-away cluster: below Linux's ephemeral range (32768–60999), where a busy
 * client socket of an earlier suite can hold any port and make the server's bind fail.
 */
async function clusterPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await portFree(port)) return port;
  }
}

/** Starts a throw-away cluster on `port` (default: a free one below the ephemeral range). */
export async function startPostgres(
  opts: { name: string; port?: number; settings?: Record<string, string | number> } = { name: "bench" },
): Promise<PgCluster> {
  if (!BIN) throw new Error("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin");
  const asPostgres = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), `pg-${opts.name}-`));
  chmodSync(dir, 0o777);
  const dataDir = join(dir, "data");
  await run(join(BIN, "initdb"), ["-D", dataDir, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"], asPostgres);
  const settings: Record<string, string | number> = {
    listen_addresses: "127.0.0.1",
    max_connections: 200,
    shared_buffers: "256MB",
    ...opts.settings,
  };
  // A port can still be taken between the check and the server's bind: a chosen port gets one
  // try, a picked one three, and a failure carries the server log's tail (CI keeps no files).
  let port = opts.port ?? (await clusterPort());
  for (let attempt = 1; ; attempt++) {
    const o = [`-p ${port}`, `-k ${dir}`, ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`)].join(" ");
    try {
      await run(join(BIN, "pg_ctl"), ["-D", dataDir, "-o", o, "-l", join(dir, "log"), "-w", "start"], asPostgres);
      break;
    } catch (err) {
      const log = existsSync(join(dir, "log")) ? readFileSync(join(dir, "log"), "utf8").trim().split("\n").slice(-15).join("\n") : "";
      if (opts.port !== undefined || attempt === 3) {
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`${(err as Error).message}\nserver log (last lines):\n${log}`);
      }
      console.error(`PostgreSQL did not start on port ${port} (attempt ${attempt}); trying another. Log:\n${log}`);
      port = await clusterPort();
    }
  }

  const bin = (name: string) => (existsSync(join(BIN, name)) ? join(BIN, name) : name);
  const cluster: PgCluster = {
    port,
    socketDir: dir,
    dataDir,
    logFile: join(dir, "log"),
    socketEnv: (db) => ({ DATABASE_URL: `postgres:///${db}`, PGHOST: dir, PGPORT: String(port), PGUSER: "postgres" }),
    url: (db = "postgres") => `postgres://postgres@127.0.0.1:${port}/${db}`,
    createDatabase: async (name) => {
      await run(bin("psql"), ["-h", dir, "-p", String(port), "-U", "postgres", "-d", "postgres", "-qc", `CREATE DATABASE ${name}`], false);
    },
    psql: (db, sqlText) =>
      run(bin("psql"), ["-h", dir, "-p", String(port), "-U", "postgres", "-d", db, "-v", "ON_ERROR_STOP=1", "-qc", sqlText], false),
    psqlFile: (db, file) =>
      run(bin("psql"), ["-h", dir, "-p", String(port), "-U", "postgres", "-d", db, "-v", "ON_ERROR_STOP=1", "-q", "-f", file], false),
    pgbench: async (db, p) => {
      const args = [
        "-h",
        dir,
        "-p",
        String(port),
        "-U",
        "postgres",
        "-n",
        "-c",
        String(p.clients),
        "-j",
        String(p.threads ?? Math.min(2, p.clients)),
        "-T",
        String(p.seconds),
        "-f",
        p.script,
      ];
      if (p.prepared) args.push("-M", "prepared");
      args.push(db);
      const out = await run(bin("pgbench"), args, false);
      // pgbench's backends exit as it ends: answer once the postmaster has reaped them, or a
      // caller reading the cluster's CPU finds theirs neither among the live children nor yet in
      // the postmaster's reaped total (a run once read 0).
      await new Promise((r) => setTimeout(r, 300));
      const num = (re: RegExp) => Number(out.match(re)?.[1] ?? Number.NaN);
      return {
        tps: num(/tps = ([\d.]+) \(without initial connection time\)/) || num(/tps = ([\d.]+)/),
        latencyMs: num(/latency average = ([\d.]+) ms/),
        transactions: num(/number of transactions actually processed: (\d+)/),
        failed: num(/number of failed transactions: (\d+)/) || 0,
        output: out,
      };
    },
    stop: async () => {
      await run(join(BIN, "pg_ctl"), ["-D", dataDir, "-m", "fast", "-w", "stop"], asPostgres).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}

/** Runs `fn` with a fresh cluster and always stops it, even when `fn` throws or the process is interrupted. */
export async function withPostgres<T>(
  opts: { name: string; port?: number; settings?: Record<string, string | number> },
  fn: (pg: PgCluster) => Promise<T>,
): Promise<T> {
  const pg = await startPostgres(opts);
  const onSignal = () => {
    void pg.stop().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    return await fn(pg);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    // KEEP_PG=1 leaves the cluster running for a look at what the run left (EXPLAIN, pg_stat_*).
    if (process.env.KEEP_PG === "1") {
      console.log(
        `KEEP_PG: cluster left running: psql -h 127.0.0.1 -p ${pg.port} -U postgres; stop: pg_ctl -D ${pg.dataDir} stop (as postgres)`,
      );
    } else {
      await pg.stop();
    }
  }
}

/** Spawns a child process and resolves with its first stdout line that parses as JSON (a server announcing itself). */
export function spawnJsonAnnouncer(
  cmd: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ child: ReturnType<typeof spawn>; announce: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
    let buf = "";
    const onData = (chunk: Buffer) => {
      buf += chunk.toString();
      for (const line of buf.split("\n")) {
        if (!line.trim().startsWith("{")) continue;
        try {
          const announce = JSON.parse(line) as Record<string, unknown>;
          child.stdout?.off("data", onData);
          child.stdout?.resume(); // keep draining, so a chatty child never blocks on a full pipe
          resolve({ child, announce });
          return;
        } catch {}
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${cmd} exited with ${code} before announcing itself`)));
  });
}
