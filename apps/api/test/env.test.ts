import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { envSchema, parseEnv } from "../src/env.js";
import { http, startTestApi } from "./support.js";

/**
 * The environment is read in one place (src/env.ts) and documented in one place
 * (docs/configuration.md, with .env.example as the operator's template).
 */
const apiDir = fileURLToPath(new URL("..", import.meta.url));
const repoDir = join(apiDir, "../..");
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The variables env.ts declares, read from its source text (each is a key of envSchema). */
function declaredInEnvTs(): string[] {
  const source = readFileSync(join(apiDir, "src/env.ts"), "utf8");
  const body = source.slice(source.indexOf("export const envSchema = z.object({"));
  return [...body.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1] as string);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

describe("every variable is read through env.ts and documented", () => {
  it("the source text of env.ts and its schema name the same variables", () => {
    // Guards the reading below: a variable declared in some other shape would escape it.
    expect(declaredInEnvTs().sort()).toEqual(Object.keys(envSchema.shape).sort());
    expect(declaredInEnvTs().length).toBeGreaterThan(30);
  });

  it("docs/configuration.md has a row (default and meaning) for every variable env.ts knows", () => {
    const doc = readFileSync(join(repoDir, "docs/configuration.md"), "utf8");
    const missing = declaredInEnvTs().filter((name) => !new RegExp(`^\\| \`${name}\` \\| [^|]+ \\| [^|]+ \\|$`, "m").test(doc));
    expect(missing).toEqual([]);
  });

  it(".env.example names every variable env.ts knows", () => {
    const example = readFileSync(join(repoDir, ".env.example"), "utf8");
    const missing = declaredInEnvTs().filter((name) => !new RegExp(`^#? ?${name}=`, "m").test(example));
    expect(missing).toEqual([]);
  });

  it("no source file but the entry point reads process.env", () => {
    const readers = sourceFiles(join(apiDir, "src"))
      .filter((f) => readFileSync(f, "utf8").includes("process.env"))
      .map((f) => f.slice(apiDir.length));
    expect(readers).toEqual(["src/index.ts"]);
  });
});

describe("the variables that features used to read themselves", () => {
  it("rejects sign-in limits that are not whole numbers of at least 1, and URLs of the wrong kind", () => {
    const r = parseEnv({
      AUTH_FAILURES_PER_IP: "0",
      AUTH_CODE_REQUESTS_PER_IP: "lots",
      SMTP_URL: "mail.example.com",
      SMS_GATEWAY_URL: "ftp://x",
    });
    expect(r.ok).toBe(false);
    const names = r.ok ? [] : r.problems.map((p) => p.split(":")[0]).sort();
    expect(names).toEqual(["AUTH_CODE_REQUESTS_PER_IP", "AUTH_FAILURES_PER_IP", "SMS_GATEWAY_URL", "SMTP_URL"]);
  });

  it("defaults the sign-in limits to the documented figures", () => {
    const r = parseEnv({});
    if (!r.ok) throw new Error(r.problems.join("; "));
    expect(r.env).toMatchObject({
      AUTH_CODE_REQUESTS_PER_IP: 30,
      AUTH_CODE_REQUESTS_PER_IDENTITY: 5,
      AUTH_CODE_REQUESTS_PER_ADDRESS: 30,
      AUTH_ATTEMPTS_PER_IP: 100,
      AUTH_FAILURES_PER_IP: 20,
      AUTH_CODE_FAILURES_PER_ADDRESS: 10,
      MAIL_FROM: "Softrack <no-reply@softrack.test>",
    });
  });

  it("TAX_SERVICES_FILE replaces the accepted service codes; an unusable file stops the start", async () => {
    const dir = mkdtempSync(join(tmpdir(), "softrack-tax-"));
    dirs.push(dir);
    const file = join(dir, "services.json");
    writeFileSync(file, JSON.stringify({ services: [{ code: "WATER_BILL", name: "Water bill" }] }));
    const api = await startTestApi({ env: { TAX_SERVICES_FILE: file, WORKERS: "off" } });
    try {
      const m = http(api.url, api.merchant.secretKey);
      const tax = (service_code: string) =>
        m.post("/v1/payments", { amount: 10_000, currency: "KGS", purpose: { type: "tax", payer_tin: "21204199100123", service_code } });
      expect((await tax("WATER_BILL")).status).toBe(200);
      const bundled = await tax("PROPERTY_TAX");
      expect(bundled.status).toBe(400);
      expect(bundled.body.error.code).toBe("unknown_service_code");
    } finally {
      await api.close();
    }
    const broken = join(dir, "broken.json");
    writeFileSync(broken, '{"services": "none"}');
    await expect(startTestApi({ env: { TAX_SERVICES_FILE: broken, WORKERS: "off" } })).rejects.toThrow(/^TAX_SERVICES_FILE: /);
    await expect(startTestApi({ env: { TAX_SERVICES_FILE: join(dir, "missing.json"), WORKERS: "off" } })).rejects.toThrow(
      /^TAX_SERVICES_FILE: cannot read/,
    );
  });
});
