import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Softrack, SoftrackSignatureVerificationError } from "../src/index.js";
import { verify as verifyAlone } from "../src/webhooks.js";

// The published Standard Webhooks test vector (standard-webhooks/standard-webhooks libraries' tests).
const vector = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};
const headers = {
  "webhook-id": vector.id,
  "webhook-timestamp": String(vector.timestamp),
  "webhook-signature": vector.signature,
};
const at = { now: vector.timestamp };

const code = (p: Promise<unknown>) =>
  p.then(
    () => "verified",
    (e: unknown) => (e instanceof SoftrackSignatureVerificationError ? e.code : `other: ${String(e)}`),
  );

describe("Softrack.webhooks.verify (Standard Webhooks)", () => {
  it("accepts the published vector and returns the parsed body", async () => {
    await expect(Softrack.webhooks.verify(vector.body, headers, vector.secret, at)).resolves.toEqual({ test: 2432232314 });
  });

  it("accepts the body as bytes (Buffer, Uint8Array, ArrayBuffer) and Headers objects", async () => {
    const bytes = new TextEncoder().encode(vector.body);
    await expect(Softrack.webhooks.verify(Buffer.from(vector.body), headers, vector.secret, at)).resolves.toBeTruthy();
    await expect(Softrack.webhooks.verify(bytes.buffer, new Headers(headers), vector.secret, at)).resolves.toBeTruthy();
  });

  it("refuses a tampered body", async () => {
    expect(await code(Softrack.webhooks.verify('{"test": 2432232315}', headers, vector.secret, at))).toBe("no_matching_signature");
  });

  it("refuses the wrong secret", async () => {
    const other = `whsec_${Buffer.from("another secret of 24 bytes").toString("base64")}`;
    expect(await code(Softrack.webhooks.verify(vector.body, headers, other, at))).toBe("no_matching_signature");
  });

  it("refuses a stale timestamp (replay) and one too far in the future", async () => {
    expect(
      await code(
        Softrack.webhooks.verify(vector.body, headers, vector.secret, {
          now: vector.timestamp + 301,
        }),
      ),
    ).toBe("timestamp_outside_tolerance");
    expect(
      await code(
        Softrack.webhooks.verify(vector.body, headers, vector.secret, {
          now: vector.timestamp - 301,
        }),
      ),
    ).toBe("timestamp_outside_tolerance");
    // Real clock: the vector is from 2021, far outside the default 5 minutes.
    expect(await code(Softrack.webhooks.verify(vector.body, headers, vector.secret))).toBe("timestamp_outside_tolerance");
    await expect(
      Softrack.webhooks.verify(vector.body, headers, vector.secret, {
        now: vector.timestamp + 600,
        tolerance: 600,
      }),
    ).resolves.toBeTruthy();
  });

  it("refuses a signature moved to another message id or timestamp", async () => {
    expect(await code(Softrack.webhooks.verify(vector.body, { ...headers, "webhook-id": "msg_other" }, vector.secret, at))).toBe(
      "no_matching_signature",
    );
    const ts = String(vector.timestamp + 1);
    expect(await code(Softrack.webhooks.verify(vector.body, { ...headers, "webhook-timestamp": ts }, vector.secret, at))).toBe(
      "no_matching_signature",
    );
  });

  it("finds the valid one among several signatures (secret rotation) and skips unknown versions", async () => {
    const sigs = `v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= v2,whatever ${vector.signature}`;
    await expect(Softrack.webhooks.verify(vector.body, { ...headers, "webhook-signature": sigs }, vector.secret, at)).resolves.toBeTruthy();
    const onlyV2 = `v2,${vector.signature.slice(3)}`;
    expect(await code(Softrack.webhooks.verify(vector.body, { ...headers, "webhook-signature": onlyV2 }, vector.secret, at))).toBe(
      "no_matching_signature",
    );
  });

  it("refuses missing headers, a non-numeric timestamp, a malformed signature and parsed JSON", async () => {
    const { "webhook-signature": _, ...noSig } = headers;
    expect(await code(Softrack.webhooks.verify(vector.body, noSig, vector.secret, at))).toBe("missing_headers");
    expect(await code(Softrack.webhooks.verify(vector.body, { ...headers, "webhook-timestamp": "1e9" }, vector.secret, at))).toBe(
      "invalid_timestamp",
    );
    expect(await code(Softrack.webhooks.verify(vector.body, { ...headers, "webhook-signature": "v1,%%%" }, vector.secret, at))).toBe(
      "no_matching_signature",
    );
    const parsed = JSON.parse(vector.body) as unknown as string;
    expect(await code(Softrack.webhooks.verify(parsed, headers, vector.secret, at))).toBe("invalid_payload");
  });

  it("reads Node's IncomingHttpHeaders whatever the case of the names", async () => {
    const upper = {
      "Webhook-Id": vector.id,
      "WEBHOOK-TIMESTAMP": String(vector.timestamp),
      "webhook-signature": [vector.signature],
    };
    await expect(verifyAlone(vector.body, upper, vector.secret, at)).resolves.toBeTruthy();
  });

  it("sign() produces what an independent HMAC (node:crypto) produces, and verify() accepts it", async () => {
    const body = JSON.stringify({
      id: "evt_1",
      object: "event",
      type: "payment.succeeded",
      data: { object: { id: "pay_1" } },
    });
    const secret = `whsec_${Buffer.from("0123456789abcdef0123456789abcdef").toString("base64")}`;
    const h = await Softrack.webhooks.sign(body, secret, {
      id: "msg_1",
      timestamp: 1_700_000_000,
    });
    const expected = createHmac("sha256", Buffer.from("0123456789abcdef0123456789abcdef"))
      .update(`msg_1.1700000000.${body}`)
      .digest("base64");
    expect(h["webhook-signature"]).toBe(`v1,${expected}`);
    const event = await Softrack.webhooks.verify(body, h, secret, {
      now: 1_700_000_000,
    });
    expect(event.type).toBe("payment.succeeded");
  });
});
