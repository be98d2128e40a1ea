import { describe, expect, it } from "vitest";
import { buildReference } from "../src/lib/openapi";

const doc = {
  openapi: "3.1.0",
  info: { title: "Softrack API", version: "1.0.0" },
  security: [{ bearer: [] }],
  tags: [{ name: "Payments", description: "Take money." }],
  components: {
    schemas: {
      Amount: { type: "integer", description: "Minor units." },
      PaymentCreate: {
        type: "object",
        required: ["amount", "currency"],
        properties: {
          amount: { $ref: "#/components/schemas/Amount" },
          currency: { type: "string", enum: ["KGS", "USD"] },
          metadata: { type: "object" },
        },
      },
    },
  },
  paths: {
    "/v1/payments": {
      post: {
        tags: ["Payments"],
        summary: "Create a payment",
        requestBody: { content: { "application/json": { schema: { $ref: "#/components/schemas/PaymentCreate" } } } },
        responses: { "200": { description: "The payment" }, "400": { description: "Bad input" } },
      },
    },
    "/v1/payments/{id}": {
      parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
      get: { tags: ["Payments"], summary: "Retrieve a payment", responses: { "200": { description: "The payment" } } },
    },
    "/health": { get: { security: [], summary: "Health", responses: { "200": { description: "ok" } } } },
  },
};

describe("API reference from OpenAPI", () => {
  const ref = buildReference(doc);

  it("groups operations by tag and counts them", () => {
    expect(ref.count).toBe(3);
    expect(ref.groups.map((g) => [g.tag, g.operations.length])).toEqual([
      ["Payments", 2],
      ["Other", 1],
    ]);
    expect(ref.groups[0]?.description).toBe("Take money.");
  });

  it("resolves $ref body fields with their types, enums and required flags", () => {
    const create = ref.groups[0]?.operations[0];
    expect(create?.body).toEqual([
      { name: "amount", type: "integer", required: true, description: "Minor units." },
      { name: "currency", type: '"KGS" | "USD"', required: true, description: "" },
      { name: "metadata", type: "object", required: false, description: "" },
    ]);
    expect(create?.responses.map((r) => r.status)).toEqual(["200", "400"]);
  });

  it("keeps path-level parameters and tells which operations need a key", () => {
    const retrieve = ref.groups[0]?.operations[1];
    expect(retrieve?.params).toEqual([{ name: "id", in: "path", type: "string", required: true, description: "" }]);
    expect(retrieve?.auth).toBe(true);
    expect(ref.groups[1]?.operations[0]?.auth).toBe(false);
  });
});
