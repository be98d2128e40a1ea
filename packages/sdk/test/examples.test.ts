import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { useApi } from "./api/harness.js";

const run = promisify(execFile);
const dir = fileURLToPath(new URL("../examples/", import.meta.url));
const ctx = useApi();

/** Runs examples/<name>.ts with plain Node (type stripping) against the in-process API, importing the built package. */
async function example(name: string, env: Record<string, string> = {}) {
  const { stdout } = await run(process.execPath, [`${dir}${name}.ts`], {
    cwd: dir,
    env: {
      ...process.env,
      SOFTRACK_BASE_URL: ctx.url,
      SOFTRACK_SECRET_KEY: ctx.secretKey,
      SOFTRACK_ADMIN_KEY: ctx.adminKey,
      ...env,
    },
  });
  return stdout;
}

describe("examples/ run against the local API", () => {
  it("type-check against the published types", async () => {
    const tsc = fileURLToPath(new URL("../../../node_modules/typescript/bin/tsc", import.meta.url));
    await expect(run(process.execPath, [tsc, "-p", `${dir}tsconfig.json`])).resolves.toMatchObject({ stdout: "" });
  });

  it("every example has a test below", () => {
    const tested = ["quickstart", "manual-capture", "wallet", "errors", "webhook-handler", "courier-order", "transit"];
    const files = readdirSync(dir)
      .filter((f) => f.endsWith(".ts"))
      .map((f) => f.slice(0, -3));
    expect(files.sort()).toEqual(tested.sort());
  });

  it("quickstart: a succeeded payment and a balanced ledger", async () => {
    const out = await example("quickstart");
    expect(out).toMatch(/payment pay_\S+: succeeded, captured 15000 KGS/);
    expect(out).toMatch(/ledger .+ sum 0/);
    expect(out).not.toMatch(/sum -?[1-9]/);
  });

  it("manual-capture: held, partly captured, partly refunded", async () => {
    const out = await example("manual-capture");
    expect(out).toContain("held 10000 (requires_capture)");
    expect(out).toMatch(/captured 7000/);
    expect(out).toMatch(/refund re_\S+: 2000 KGS/);
  });

  it("wallet: topped up with 5000, spent 1800", async () => {
    expect(await example("wallet")).toContain("wallet balance 3200 KGS");
  });

  it("errors: declined, replayed, reused key refused, bad amount named", async () => {
    const out = await example("errors");
    expect(out).toMatch(/declined: card_declined \(status 402, request req_\S+\)/);
    expect(out).toContain("same payment: true");
    expect(out).toContain("key reused with another body: idempotency_key_reused");
    expect(out).toContain("invalid: invalid_request_error on amount");
  });

  it("courier-order: held, then only the accepted shoes captured", async () => {
    const out = await example("courier-order");
    expect(out).toMatch(/order ord_\S+: held 510000 KGS/);
    expect(out).toContain("delivered: captured 450000, refunded 60000");
  });

  it("transit: one charged tap, the offline re-upload not charged twice", async () => {
    const out = await example("transit");
    expect(out).toContain("tap: accepted, fare 2000, wallet 8000");
    expect(out).toContain("batch: v7-0001 accepted 2000");
    expect(out).toContain("batch: v7-0002 accepted 2000");
    expect(out).toContain("wallet after: 6000");
  });

  it("webhook-handler: accepts the genuine delivery, rejects the forged one", async () => {
    const out = await example("webhook-handler");
    expect(out).toContain("paid: pay_example 15000 KGS");
    expect(out).toContain("rejected: no_matching_signature");
    expect(out).toContain("genuine → 204, forged → 400");
  });
});
