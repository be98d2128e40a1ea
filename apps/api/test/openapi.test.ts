import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SwaggerParser from "@apidevtools/swagger-parser";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "../scripts/openapi.js";
import { operationId } from "../src/lib/router.js";

describe("openapi.json", () => {
  it("the committed document is what the routes generate (else: npm run openapi -w @softrack/api)", () => {
    const committed = JSON.parse(readFileSync(new URL("../openapi.json", import.meta.url), "utf8"));
    expect(committed).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
  });

  it("documents every route of the contract", () => {
    const paths = Object.keys(openApiDocument().paths ?? {});
    for (const p of [
      "/v1/merchants",
      "/v1/payments/{id}/confirm",
      "/v1/refunds",
      "/v1/customers/{id}",
      "/v1/orders/{id}/handover",
      "/v1/webhook_endpoints",
      "/v1/events",
      "/v1/balance",
      "/v1/ledger/transactions",
      "/v1/admin/ledger/verify",
      "/v1/test_helpers/run_jobs",
      "/health",
    ]) {
      expect(paths).toContain(p);
    }
  });

  // The contract: "Every object has id, object, created, livemode". What is left out is an answer
  // computed for the caller (a balance, a quote, a report, a sign-in step), not a record.
  it("every record the API answers with has id, object, created and livemode", () => {
    const computed = new Set([
      "balance",
      "payout_schedule",
      "buyer_reliability",
      "buyer_reliability_summary",
      "analytics_overview",
      "tariff_quote",
      "transit_daily_report",
      "job_run",
      "lead",
      "sign_in",
      "totp_setup",
      "recovery_codes",
      "sign_out",
      "api_key_roll",
    ]);
    const schemas = openApiDocument().components?.schemas ?? {};
    const missing: string[] = [];
    for (const [name, schema] of Object.entries(schemas) as [
      string,
      { properties?: Record<string, { enum?: string[] }>; required?: string[] },
    ][]) {
      const object = schema.properties?.object?.enum?.[0];
      if (!object || object === "list" || computed.has(object)) continue;
      for (const field of ["id", "created", "livemode"])
        if (!schema.properties?.[field] || !schema.required?.includes(field)) missing.push(`${name}.${field}`);
    }
    expect(missing).toEqual([]);
  });

  it("every list takes limit, starting_after and ending_before (the contract's Lists)", () => {
    const doc = openApiDocument();
    const schemas = (doc.components?.schemas ?? {}) as Record<string, { properties?: { object?: { enum?: string[] } } }>;
    // A test helper, not a merchant's list: the newest messages the dev outbox holds for an address.
    const helpers = new Set(["/v1/test_helpers/outbox"]);
    const unpaged: string[] = [];
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      if (helpers.has(path)) continue;
      const get = (item as { get?: { parameters?: { name: string }[]; responses?: Record<string, unknown> } }).get;
      const ok = get?.responses?.["200"] as { content?: Record<string, { schema?: { $ref?: string } }> } | undefined;
      const ref = ok?.content?.["application/json"]?.schema?.$ref?.split("/").pop();
      if (!ref || schemas[ref]?.properties?.object?.enum?.[0] !== "list") continue;
      const names = new Set((get?.parameters ?? []).map((p) => p.name));
      for (const name of ["limit", "starting_after", "ending_before"]) if (!names.has(name)) unpaged.push(`${path} ${name}`);
    }
    expect(unpaged).toEqual([]);
  });

  // What partners' pipelines run on the document: a linter and a validating parser, by other people.
  it("passes Redocly's recommended rules with no error and no warning", () => {
    const file = join(mkdtempSync(join(tmpdir(), "openapi-")), "openapi.json");
    writeFileSync(file, JSON.stringify(openApiDocument()));
    const redocly = new URL("../../../node_modules/.bin/redocly", import.meta.url).pathname;
    const report = JSON.parse(
      execFileSync(redocly, ["lint", file, "--format=json"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }),
    );
    expect(report.problems.map((p: { ruleId: string; message: string }) => `${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it("is valid OpenAPI 3.1 to swagger-parser", async () => {
    await expect(SwaggerParser.validate(structuredClone(openApiDocument()) as never)).resolves.toBeTruthy();
  });

  it("gives every operation a unique operationId a generator can use", () => {
    const ids: string[] = [];
    for (const item of Object.values(openApiDocument().paths ?? {})) {
      for (const op of Object.values(item as Record<string, { operationId?: string }>)) if (op?.operationId) ids.push(op.operationId);
    }
    expect(ids.length).toBeGreaterThan(50);
    expect(new Set(ids).size).toBe(ids.length);
    expect(operationId("post", "/v1/payments/{id}/confirm")).toBe("postPaymentsIdConfirm");
    expect(operationId("get", "/v1/test_helpers/settlement_files")).toBe("getTestHelpersSettlementFiles");
  });
});
