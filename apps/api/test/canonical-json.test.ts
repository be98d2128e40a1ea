import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../src/lib/json.js";

/**
 * `value` rebuilt with every object's keys in `order` (integer-like keys still come first in
 * JavaScript's own order). fromEntries, not assignment: a "__proto__" key stays a key.
 */
function rekeyed(value: unknown, order: (keys: string[]) => string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => rekeyed(v, order));
  if (value === null || typeof value !== "object") return value;
  const object = value as Record<string, unknown>;
  return Object.fromEntries(order(Object.keys(object)).map((k) => [k, rekeyed(object[k], order)]));
}
/** Keys sorted the slow way, at every depth: what an Idempotency-Key's request hash is taken over. */
const sortedCopy = (value: unknown) => rekeyed(value, (keys) => keys.sort());
const reversed = (value: unknown) => rekeyed(value, (keys) => keys.reverse());

/** A JSON body as the API parses it: any key, including "__proto__" and integer-like ones. */
const body = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown);

describe("canonicalJson, the text a request body is hashed as", () => {
  it("is one text for one meaning, whatever order a client wrote the keys in", () => {
    fc.assert(
      fc.property(body, (value) => {
        const text = canonicalJson(value);
        expect(JSON.parse(text)).toEqual(value);
        expect(canonicalJson(reversed(value))).toBe(text);
        expect(canonicalJson(JSON.parse(JSON.stringify(sortedCopy(value))))).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });

  it("sorts keys by code unit, integer-like keys among the rest", () => {
    expect(canonicalJson(JSON.parse('{"b":1,"a":{"z":[{"y":1,"x":2}],"10":0,"9":0,"2":0}}'))).toBe(
      '{"a":{"10":0,"2":0,"9":0,"z":[{"x":2,"y":1}]},"b":1}',
    );
    expect(canonicalJson(JSON.parse('{"amount":500,"currency":"KGS"}'))).toBe('{"amount":500,"currency":"KGS"}');
    expect(canonicalJson(JSON.parse('{"currency":"KGS","amount":500}'))).toBe('{"amount":500,"currency":"KGS"}');
  });
});
