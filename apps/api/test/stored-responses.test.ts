import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AppEnv, MerchantPrincipal } from "../src/context.js";
import { SecretBox } from "../src/lib/crypto.js";
import { derivedSecret, newPaymentRow, type PaymentRow, paymentObject } from "../src/services/payments.js";
import { type StoredResponse, storedBody, storedText, storedTextOf, templated, untemplated } from "../src/store/idempotency.js";

// What idempotency_keys holds for a replayable answer: a payment's answer in clear without its
// derived client secret, anything else sealed. Either way the replay is the answer, byte for byte,
// and the table never holds the secret.
const box = new SecretBox("material-0123456789abcdef0123456789");
// A test merchant's request, as far as making and rendering a payment reads it.
const v = { deps: { box } } as unknown as AppEnv["Variables"];
const merchant: MerchantPrincipal = { kind: "secret", keyId: "key_test", merchantId: "mer_test", livemode: false };
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

  it("a key's row holds a derived answer as it differs from its template, and gives it back byte for byte", () => {
    fc.assert(
      fc.property(answer, (a) => {
        const text = storedText(rendered(a), box);
        expect(untemplated(templated(text))).toBe(text);
        expect(templated(text)).not.toContain("\u001e");
      }),
      { numRuns: 2_000 },
    );
  });

  it("a payment's answer is stored in about a third of its text", () => {
    fc.assert(
      fc.property(
        paymentId,
        paymentId,
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.date({ noInvalidDate: true }),
        fc.boolean(),
        (id, customer, amount, created, paid) => {
          // Made and rendered as the API makes and renders a payment, so a change of the answer's
          // shape shows here first; then paid (or not) as a wallet confirmation leaves it.
          const made = newPaymentRow(v, merchant, { amount, currency: "KGS", customer }, null, null);
          const payment: PaymentRow = {
            ...made,
            id,
            createdAt: created,
            ...(paid && {
              status: "succeeded",
              method: "wallet",
              paymentMethodDetails: { type: "wallet", wallet: { customer } },
              amountCaptured: amount,
              fee: Math.ceil(amount / 100),
              feeTariff: { code: "standard", version: 1 },
            }),
          };
          const body = JSON.stringify(paymentObject(v, payment));
          const text = storedText({ status: 200, body, ...derivedSecret(box, payment) }, box);
          const row = templated(text);
          expect(storedBody(untemplated(row), box)).toBe(body);
          expect(row.length).toBeLessThan(body.length * 0.4);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("still reads the keys whose answers were stored compressed in a group (z1)", () => {
    // A group of two answers, as the API stored them from session 31 to 34 (deflate, DICTIONARY_Z1).
    const bodies = "z1.w5oADAx9LSIsI128/AycLQMDIpwNzS18g0PC9XQNkdMFLmXY0wtyYqiVI8XeCOLsjcBvr7mBQS0A";
    expect(storedTextOf({ response_body: null, bodies, response_index: 1 })).toBe(
      'd1.client_secret.pay_01M8X9YDJN0C9QPXC178MSTX.-1.{"id":"pay_01M8X9YDJN0C9QPXC178MSTX","object":"payment","amount":700}',
    );
  });
});
