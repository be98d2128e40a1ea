import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "../scripts/openapi.js";

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
});
