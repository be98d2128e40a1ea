import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "../scripts/openapi.js";
import { normalizePhone, PHONE, PHONE_AS_TYPED } from "../src/services/auth.js";
import { TAX_SERVICE_CODES, TIN, taxServices } from "../src/services/tax.js";

/** The document's statements of rules enforced in services agree with the services' own checks. */
describe("rules the document states", () => {
  it("the sign-in phone pattern accepts exactly what normalizePhone and PHONE accept", () => {
    const typed = fc
      .array(fc.constantFrom("+", "7", "9", "6", "8", "0", "5", " ", "-", "(", ")", "\t", "x"), { maxLength: 20 })
      .map((parts) => parts.join(""));
    fc.assert(
      fc.property(typed, (s) => {
        expect(PHONE_AS_TYPED.test(s), s).toBe(PHONE.test(normalizePhone(s)));
      }),
      { numRuns: 20_000 },
    );
    for (const ok of ["+996 555 123 456", "+7 (701) 123-45-67", "+998901234567"]) expect(PHONE_AS_TYPED.test(ok), ok).toBe(true);
    for (const bad of ["+99655512345", "996555123456", "+1 555 123 4567"]) expect(PHONE_AS_TYPED.test(bad), bad).toBe(false);
  });

  it("the tax purpose states the TIN pattern and the accepted service codes", () => {
    const schemas = openApiDocument().components?.schemas as Record<string, { oneOf?: { properties?: Record<string, unknown> }[] }>;
    const tax = schemas.PaymentPurpose?.oneOf?.find((s) => s.properties?.payer_tin);
    expect(tax?.properties?.payer_tin).toMatchObject({ pattern: TIN.source });
    expect(tax?.properties?.service_code).toMatchObject({ enum: [...taxServices().keys()] });
    expect(TAX_SERVICE_CODES).toEqual([...taxServices().keys()]);
  });

  it("metadata states its limits in JSON Schema's words", () => {
    const schemas = openApiDocument().components?.schemas as Record<string, { properties?: Record<string, unknown> }>;
    expect(schemas.CreateCustomer?.properties?.metadata).toMatchObject({
      maxProperties: 50,
      propertyNames: { minLength: 1, maxLength: 40 },
    });
  });
});
