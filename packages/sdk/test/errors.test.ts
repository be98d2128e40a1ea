import { describe, expect, it } from "vitest";
import {
  SoftrackAPIError,
  SoftrackAuthenticationError,
  SoftrackError,
  SoftrackIdempotencyError,
  SoftrackInvalidRequestError,
  SoftrackPaymentError,
  SoftrackPermissionError,
  SoftrackRateLimitError,
} from "../src/index.js";

const envelope = (type: string, code: string, param?: string) => ({
  error: {
    type,
    code,
    message: `${type}: ${code}`,
    param,
    request_id: "req_123",
  },
});

describe("SoftrackError.generate", () => {
  it("picks one class per error type, carrying code, param, requestId and status", () => {
    const cases = [
      [400, "invalid_request_error", SoftrackInvalidRequestError, "SoftrackInvalidRequestError"],
      [401, "authentication_error", SoftrackAuthenticationError, "SoftrackAuthenticationError"],
      [403, "permission_error", SoftrackPermissionError, "SoftrackPermissionError"],
      [422, "idempotency_error", SoftrackIdempotencyError, "SoftrackIdempotencyError"],
      [402, "payment_error", SoftrackPaymentError, "SoftrackPaymentError"],
      [429, "rate_limit_error", SoftrackRateLimitError, "SoftrackRateLimitError"],
      [500, "api_error", SoftrackAPIError, "SoftrackAPIError"],
    ] as const;
    for (const [status, type, Class, name] of cases) {
      const e = SoftrackError.generate(status, envelope(type, "some_code", "amount"), new Headers());
      expect(e).toBeInstanceOf(Class);
      expect(e).toBeInstanceOf(SoftrackError);
      expect(e).toBeInstanceOf(Error);
      expect(e).toMatchObject({
        name,
        type,
        status,
        code: "some_code",
        param: "amount",
        requestId: "req_123",
      });
      expect(e.message).toBe(`${type}: some_code`);
    }
  });

  it("without an envelope, falls back on the status and the Request-Id header", () => {
    const e = SoftrackError.generate(402, "", new Headers({ "request-id": "req_h" }));
    expect(e).toBeInstanceOf(SoftrackPaymentError);
    expect(e.requestId).toBe("req_h");
    expect(SoftrackError.generate(503, undefined, new Headers())).toBeInstanceOf(SoftrackAPIError);
    expect(SoftrackError.generate(404, undefined, new Headers())).toBeInstanceOf(SoftrackInvalidRequestError);
  });

  it("gives a 402 the payment its envelope carries, and no other error a payment field", () => {
    const payment = { id: "pay_1", object: "payment", status: "failed" };
    const body = { error: { ...envelope("payment_error", "card_declined").error, payment } };
    const e = SoftrackError.generate(402, body, new Headers());
    expect(e).toBeInstanceOf(SoftrackPaymentError);
    expect((e as SoftrackPaymentError).payment).toEqual(payment);
    expect(SoftrackError.generate(402, envelope("payment_error", "card_declined"), new Headers())).not.toHaveProperty("payment");
    expect(SoftrackError.generate(400, envelope("invalid_request_error", "x"), new Headers())).not.toHaveProperty("payment");
  });

  it("keeps the stack and a readable toString", () => {
    const e = SoftrackError.generate(402, envelope("payment_error", "card_declined"), new Headers());
    expect(String(e)).toBe("SoftrackPaymentError: payment_error: card_declined");
    expect(e.stack).toContain("SoftrackPaymentError");
  });
});
