import { describe, expect, it } from "vitest";
import { isDatabaseDown } from "../src/db/errors.js";

describe("isDatabaseDown", () => {
  it("calls a write refused by a standby (25006, a switchover under way) the database being away: 503, not 500", () => {
    expect(isDatabaseDown({ code: "25006", message: "cannot execute INSERT in a read-only transaction" })).toBe(true);
    // As drizzle wraps the driver's error.
    expect(isDatabaseDown({ message: "Failed query", cause: { code: "25006" } })).toBe(true);
  });

  it("keeps a request's own errors as they are", () => {
    expect(isDatabaseDown({ code: "23505" })).toBe(false); // unique violation
    expect(isDatabaseDown({ code: "22P02" })).toBe(false); // bad text for a type
    expect(isDatabaseDown(new Error("boom"))).toBe(false);
  });

  it("knows a lost connection by code and by the driver's message", () => {
    expect(isDatabaseDown({ code: "57P01" })).toBe(true);
    expect(isDatabaseDown({ code: "ECONNREFUSED" })).toBe(true);
    expect(isDatabaseDown(new Error("Connection terminated unexpectedly"))).toBe(true);
  });
});
