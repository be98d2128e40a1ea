import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * A bad configuration stops the built API (dist/index.js, what the image runs) with one
 * clear line per problem on stderr and a non-zero exit: never a stack trace, never a secret.
 */
const apiDir = fileURLToPath(new URL("..", import.meta.url));
const built = join(apiDir, "dist", "index.js");
const dirs: string[] = [];

/** Builds dist/ when it is missing or older than a source file (tests may run before `npm run build`). */
function ensureBuilt() {
  const newest = (dir: string): number =>
    Math.max(
      ...readdirSync(dir, { withFileTypes: true }).map((e) =>
        e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs,
      ),
    );
  let builtAt = 0;
  try {
    builtAt = statSync(built).mtimeMs;
  } catch {}
  if (builtAt < newest(join(apiDir, "src"))) {
    execFileSync(process.execPath, [join(apiDir, "../../node_modules/tsup/dist/cli-default.js")], { cwd: apiDir, stdio: "ignore" });
  }
}

beforeAll(() => ensureBuilt(), 120_000);
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function run(env: Record<string, string>): Promise<{ code: number | null; stderr: string[]; stdout: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), "softrack-config-"));
  dirs.push(dataDir);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [built], {
      cwd: apiDir,
      env: { PATH: process.env.PATH ?? "", NODE_ENV: "test", HOST: "127.0.0.1", PORT: "0", DATA_DIR: dataDir, WORKERS: "off", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
      // A configuration that starts is a failure of the test, not a hang.
      if (stdout.includes("ready on")) child.kill("SIGTERM");
    });
    child.stderr.on("data", (d) => (stderr += d));
    // Only a guard against a hang: the embedded database's first start and migrations took over
    // 60 s on a loaded 2-core machine, which failed a good configuration.
    const timer = setTimeout(() => child.kill("SIGKILL"), 180_000);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr: stderr.split("\n").filter(Boolean), stdout });
    });
  });
}

function expectOneClearLine(result: { code: number | null; stderr: string[]; stdout: string }, pattern: RegExp) {
  expect(result.code, result.stdout + result.stderr.join("\n")).not.toBe(0);
  expect(result.code).not.toBeNull();
  expect(result.stderr).toHaveLength(1);
  expect(result.stderr[0]).toMatch(/^softrack-api: /);
  expect(result.stderr[0]).toMatch(pattern);
  expect(result.stderr[0]).not.toMatch(/\n|\s+at .+:\d+:\d+/);
}

// Each case starts the built server, some several times: a slow, shared machine gets room (no timing is asserted).
describe("configuration checked at start (built API)", { timeout: 240_000 }, () => {
  it("rejects a DATABASE_URL that is not a PostgreSQL URL", async () => {
    expectOneClearLine(
      await run({ DATABASE_URL: "mysql://root@db/softrack" }),
      /invalid environment: DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL/,
    );
  });

  it("names the database it cannot reach, without its password", async () => {
    const r = await run({ DATABASE_URL: "postgres://softrack:hunter2-secret@127.0.0.1:1/softrack" });
    expectOneClearLine(r, /cannot open the database \(DATABASE_URL\): .*ECONNREFUSED/);
    expect(r.stderr.join("\n")).not.toContain("hunter2-secret");
  });

  it("rejects an unknown LOG_LEVEL, listing the levels it accepts", async () => {
    expectOneClearLine(await run({ LOG_LEVEL: "loud" }), /invalid environment: LOG_LEVEL: .*"info"/);
  });

  it("says the port is in use", async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      expectOneClearLine(
        await run({ PORT: String(port) }),
        new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use; set PORT to a free port`),
      );
    } finally {
      blocker.close();
    }
  });

  it("rejects a bad LOG_GELF, LOG_SAMPLE_SUCCESS and METRICS_TOKEN", async () => {
    expectOneClearLine(await run({ LOG_GELF: "tcp://graylog:12201" }), /LOG_GELF: must be udp:\/\/host:port/);
    expectOneClearLine(await run({ LOG_SAMPLE_SUCCESS: "10%" }), /LOG_SAMPLE_SUCCESS: /);
    expectOneClearLine(await run({ LOG_SAMPLE_SUCCESS: "1.5" }), /LOG_SAMPLE_SUCCESS: .*1/);
    expectOneClearLine(await run({ METRICS_TOKEN: "short" }), /METRICS_TOKEN: must be at least 16 characters/);
  });

  it("rejects the features' variables it cannot use: a sign-in limit, a mail URL, a tax services file", async () => {
    expectOneClearLine(await run({ AUTH_FAILURES_PER_IP: "0" }), /invalid environment: AUTH_FAILURES_PER_IP: /);
    expectOneClearLine(
      await run({ SMTP_URL: "mail.example.com" }),
      /invalid environment: SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/,
    );
    expectOneClearLine(
      await run({ TAX_SERVICES_FILE: "/nonexistent/softrack/tax.json" }),
      /invalid environment: TAX_SERVICES_FILE: cannot read '\/nonexistent\/softrack\/tax\.json'/,
    );
  });

  it("gives one line per problem when there are several", async () => {
    const r = await run({ PORT: "http", LOG_LEVEL: "loud", DATABASE_URL: "sqlite://x" });
    expect(r.code).toBe(1);
    expect(r.stderr).toHaveLength(3);
    expect(r.stderr.map((l) => l.match(/invalid environment: (\w+):/)?.[1]).sort()).toEqual(["DATABASE_URL", "LOG_LEVEL", "PORT"]);
  });

  it("rejects a LIVE_CONNECTORS it cannot use: bad text, a module that does not load", async () => {
    expectOneClearLine(
      await run({ LIVE_CONNECTORS: "wallet=/opt/wallet.js" }),
      /invalid environment: LIVE_CONNECTORS: 'wallet' is not a method a connector serves/,
    );
    expectOneClearLine(
      await run({ LIVE_CONNECTORS: "card=/nonexistent/softrack/acquirer.js" }),
      /invalid environment: LIVE_CONNECTORS: cannot load the card connector '\/nonexistent\/softrack\/acquirer\.js'/,
    );
    expectOneClearLine(
      await run({ LIVE_CONNECTORS: `sms=${join(apiDir, "test/fixtures/acquirer.mjs")}` }),
      /invalid environment: LIVE_CONNECTORS: .* serves method 'card', not sms/,
    );
    const good = await run({ LIVE_CONNECTORS: `card=${join(apiDir, "test/fixtures/acquirer.mjs")}` });
    expect(good.stdout).toContain("ready on http://127.0.0.1:");
  });

  it("production refuses development-only settings, one line per problem", async () => {
    // Issue 19, findings 4, 15, 17: no generated admin key, no link built from a request's Host, no public /metrics.
    const r = await run({ NODE_ENV: "production" });
    expect(r.code).toBe(1);
    expect(r.stderr).toHaveLength(4);
    for (const line of r.stderr) expect(line).toMatch(/^softrack-api: invalid environment: \w+: must be set in production/);
    expect(r.stderr.map((l) => l.match(/invalid environment: (\w+):/)?.[1]).sort()).toEqual([
      "BUYER_HASH_KEY",
      "METRICS_TOKEN",
      "PLATFORM_ADMIN_KEY",
      "PUBLIC_URL",
    ]);
  });

  const production = {
    NODE_ENV: "production",
    PLATFORM_ADMIN_KEY: "a".repeat(30),
    METRICS_TOKEN: "t".repeat(20),
    BUYER_HASH_KEY: "b".repeat(40),
  };

  it("production requires PUBLIC_URL, an https:// origin (http:// only on localhost)", async () => {
    expectOneClearLine(await run(production), /invalid environment: PUBLIC_URL: must be set in production/);
    expectOneClearLine(await run({ ...production, PUBLIC_URL: "http://pay.example.com" }), /PUBLIC_URL: must be https:\/\/ in production/);
    expectOneClearLine(
      await run({ ...production, PUBLIC_URL: "javascript:alert(1)" }),
      /PUBLIC_URL: must be an http:\/\/ or https:\/\/ URL/,
    );
  });

  it("production requires METRICS_TOKEN unless METRICS=off", async () => {
    const { METRICS_TOKEN: _, ...noToken } = production;
    expectOneClearLine(
      await run({ ...noToken, PUBLIC_URL: "https://pay.example.com" }),
      /invalid environment: METRICS_TOKEN: must be set in production \(or METRICS=off\)/,
    );
    const off = await run({ ...noToken, PUBLIC_URL: "https://pay.example.com", METRICS: "off" });
    expect(off.stdout).toContain("ready on http://127.0.0.1:");
  });

  it("production starts with them set, printing no demo and no keys", async () => {
    const r = await run({ ...production, PUBLIC_URL: "https://pay.example.com" });
    expect(r.stdout).toContain("ready on http://127.0.0.1:");
    expect(r.stdout).not.toContain("/demo");
    expect(r.stdout).not.toMatch(/sk_test_|Platform admin key/);
    expect(r.stderr.filter((l) => l.startsWith("softrack-api:"))).toEqual([]);
  });

  it("the image runs in production", () => {
    const dockerfile = readFileSync(join(apiDir, "../../Dockerfile"), "utf8");
    const runtime = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
    expect(runtime).toMatch(/\nENV NODE_ENV=production\b/);
  });

  it("starts with a good configuration (the checks above are not always-fail)", async () => {
    const r = await run({
      LOG_GELF: "udp://127.0.0.1:12201",
      LOG_SAMPLE_SUCCESS: "0.1",
      METRICS_TOKEN: "t".repeat(20),
      PLATFORM_ADMIN_KEY: "a".repeat(30),
    });
    expect(r.stdout).toContain("ready on http://127.0.0.1:");
    expect(r.stderr.filter((l) => l.startsWith("softrack-api:"))).toEqual([]);
  });
});
