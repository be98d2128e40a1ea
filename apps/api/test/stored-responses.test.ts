import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SecretBox } from "../src/lib/crypto.js";
import { type StoredResponse, storedBody, storedText } from "../src/store/idempotency.js";

// What idempotency_keys holds for a replayable answer: a payment's answer in clear without its
// derived client secret, anything else sealed. Either way the replay is the answer, byte for byte,
// and the table never holds the secret.
const box = new SecretBox("material-0123456789abcdef0123456789");
const other = new SecretBox("another-material-0123456789abcdef");
const paymentId = fc.stringMatching(/^pay_[0-9A-Z]{26}$/);

/** A body around the client secret (or without it): any text, JSON's or not, before and after. */
const answer = fc.record({
  id: paymentId,
  before: fc.string({ unit: "binary" }),
  after: fc.string({ unit: "binary" }),
  holds: fc.boolean(),
});

function rendered(a: { id: string; before: string; after: string; holds: boolean }): StoredResponse & { secret: string } {
  const secret = box.derive("client_secret", a.id);
  const body = a.holds ? `${a.before}${a.id}_secret_${secret}${a.after}` : `${a.before}${a.after}`;
  return { status: 200, body, secret, derived: { purpose: "client_secret", name: a.id, secret } };
}

describe("stored answers", () => {
  it("replay byte for byte, and never hold the derived secret", () => {
    fc.assert(
      fc.property(answer, (a) => {
        const r = rendered(a);
        const text = storedText(r, box);
        expect(storedBody(text, box)).toBe(r.body);
        expect(text).not.toContain(r.secret);
        expect(text).not.toContain("\u001e");
      }),
      { numRuns: 2_000 },
    );
  });

  it("a body that holds the secret twice, or the carrier's separator, is sealed whole", () => {
    const r = rendered({ id: "pay_01M8X9YDJN0C9QPXC178MSTW", before: "{", after: "}", holds: true });
    for (const body of [`${r.body}${r.secret}`, `${r.body}\u001e`]) {
      const text = storedText({ ...r, body }, box);
      expect(text.startsWith("v1.")).toBe(true);
      expect(storedBody(text, box)).toBe(body);
    }
  });

  it("an answer that names no derived secret is sealed whole: it may carry a key", () => {
    const body = JSON.stringify({ keys: { secret_key: "sk_test_abc" } });
    const text = storedText({ status: 200, body }, box);
    expect(text.startsWith("v1.")).toBe(true);
    expect(text).not.toContain("sk_test_abc");
    expect(storedBody(text, box)).toBe(body);
  });

  it("a client secret is made again only with the same key material", () => {
    expect(box.derive("client_secret", "pay_1")).toBe(
      new SecretBox("material-0123456789abcdef0123456789").derive("client_secret", "pay_1"),
    );
    expect(other.derive("client_secret", "pay_1")).not.toBe(box.derive("client_secret", "pay_1"));
    expect(box.derive("client_secret", "pay_1")).not.toBe(box.derive("client_secret", "pay_2"));
    expect(box.derive("client_secret", "pay_1")).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
});
