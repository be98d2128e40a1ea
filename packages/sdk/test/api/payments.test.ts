import { describe, expect, expectTypeOf, it } from "vitest";
import { type Payment, SoftrackInvalidRequestError, SoftrackPaymentError, SoftrackPermissionError } from "../../src/index.js";
import { useApi } from "./harness.js";

const ctx = useApi();
const card = (number: string) => ({
  type: "card" as const,
  card: { number, exp_month: 12, exp_year: 2030, cvc: "123" },
});

describe("payments against the real API", () => {
  it("create → confirm with 4242… succeeds; retrieve reads it back; no card number is echoed", async () => {
    const p = await ctx.sk.payments.create({
      amount: 15000,
      currency: "KGS",
      description: "Book",
      metadata: { order_ref: "A-1" },
    });
    expect(p).toMatchObject({
      object: "payment",
      amount: 15000,
      currency: "KGS",
      status: "requires_payment_method",
    });
    expect(p.id).toMatch(/^pay_/);
    const paid = await ctx.sk.payments.confirm(p.id, {
      payment_method_data: card("4242424242424242"),
    });
    expect(paid.status).toBe("succeeded");
    expect(paid.amount_captured).toBe(15000);
    expect(JSON.stringify(paid)).not.toContain("4242424242424242");
    await expect(ctx.sk.payments.retrieve(p.id)).resolves.toMatchObject({
      id: p.id,
      status: "succeeded",
      metadata: { order_ref: "A-1" },
    });
  });

  it("one request per payment: create with confirm: true answers the confirmed payment, or a payment error", async () => {
    const paid = await ctx.sk.payments.create({
      amount: 2500,
      currency: "KGS",
      confirm: true,
      payment_method_data: card("4242424242424242"),
    });
    expect(paid).toMatchObject({ object: "payment", status: "succeeded", amount_captured: 2500 });
    const err = await ctx.sk.payments
      .create({ amount: 2500, currency: "KGS", confirm: true, payment_method_data: card("4000000000000002") })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SoftrackPaymentError);
    expect(err).toMatchObject({ status: 402, code: "card_declined" });
  });

  it("a declined create with confirm: true carries the failed payment, typed, on the error", async () => {
    const err = await ctx.sk.payments
      .create({ amount: 2600, currency: "KGS", confirm: true, payment_method_data: card("4000000000000002") })
      .catch((e: unknown) => e);
    if (!(err instanceof SoftrackPaymentError)) throw err;
    expectTypeOf(err.payment).toEqualTypeOf<Payment | undefined>();
    expect(err.payment).toMatchObject({
      object: "payment",
      amount: 2600,
      status: "failed",
      last_payment_error: { code: "card_declined" },
    });
    // The only way to learn the new payment's id: it is the one the API keeps.
    const kept = await ctx.sk.payments.retrieve(err.payment?.id as string);
    expect(kept).toMatchObject({ status: "failed", amount: 2600 });
  });

  it("a declined card is a SoftrackPaymentError with its code", async () => {
    for (const [number, code] of [
      ["4000000000000002", "card_declined"],
      ["4000000000009995", "insufficient_funds"],
    ] as const) {
      const p = await ctx.sk.payments.create({ amount: 500, currency: "KGS" });
      const err = await ctx.sk.payments.confirm(p.id, { payment_method_data: card(number) }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SoftrackPaymentError);
      expect(err).toMatchObject({ status: 402, type: "payment_error", code, payment: { id: p.id, status: "failed" } });
    }
  });

  it("3-D Secure: requires_action, then verify with 000000 succeeds; a wrong code fails the payment", async () => {
    const p = await ctx.sk.payments.create({ amount: 2500, currency: "KGS" });
    const challenged = await ctx.sk.payments.confirm(p.id, {
      payment_method_data: card("4000000000003220"),
    });
    expect(challenged.status).toBe("requires_action");
    expect(challenged.next_action).toMatchObject({ type: "three_d_secure" });
    await expect(ctx.sk.payments.verify(p.id, { code: "000000" })).resolves.toMatchObject({ status: "succeeded" });

    const q = await ctx.sk.payments.create({ amount: 2500, currency: "KGS" });
    await ctx.sk.payments.confirm(q.id, {
      payment_method_data: card("4000000000003220"),
    });
    const err = await ctx.sk.payments.verify(q.id, { code: "123456" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SoftrackPaymentError);
    expect(err).toMatchObject({ payment: { id: q.id, status: "failed" } });
    await expect(ctx.sk.payments.retrieve(q.id)).resolves.toMatchObject({
      status: "failed",
    });
  });

  it("SMS: a code is asked for and 000000 passes", async () => {
    const p = await ctx.sk.payments.create({ amount: 3000, currency: "KGS" });
    const asked = await ctx.sk.payments.confirm(p.id, {
      payment_method_data: { type: "sms", phone: "+996555123456" },
    });
    expect(asked.status).toBe("requires_action");
    expect(asked.next_action).toMatchObject({ type: "sms_code" });
    await expect(ctx.sk.payments.verify(p.id, { code: "000000" })).resolves.toMatchObject({ status: "succeeded" });
  });

  it("QR: next_action carries a payload; testHelpers.payments.completeQr plays the payer", async () => {
    const p = await ctx.sk.payments.create({ amount: 4000, currency: "KGS" });
    const shown = await ctx.sk.payments.confirm(p.id, {
      payment_method_data: { type: "qr" },
    });
    expect(shown.next_action).toMatchObject({ type: "qr" });
    expect(typeof shown.next_action?.payload).toBe("string");
    await expect(ctx.sk.testHelpers.payments.completeQr(p.id)).resolves.toMatchObject({ id: p.id, status: "succeeded" });
  });

  it("manual capture: hold, capture part, the rest is released; cancel releases a hold", async () => {
    const p = await ctx.sk.payments.create({
      amount: 10000,
      currency: "KGS",
      capture_method: "manual",
    });
    const held = await ctx.sk.payments.confirm(p.id, {
      payment_method_data: card("4242424242424242"),
    });
    expect(held).toMatchObject({
      status: "requires_capture",
      amount_capturable: 10000,
    });
    const captured = await ctx.sk.payments.capture(p.id, { amount: 7000 });
    expect(captured).toMatchObject({
      status: "succeeded",
      amount_captured: 7000,
    });
    await expect(ctx.sk.payments.capture(p.id, { amount: 1 })).rejects.toBeInstanceOf(SoftrackInvalidRequestError);

    const q = await ctx.sk.payments.create({
      amount: 2000,
      currency: "KGS",
      capture_method: "manual",
    });
    await ctx.sk.payments.confirm(q.id, {
      payment_method_data: card("4242424242424242"),
    });
    await expect(ctx.sk.payments.cancel(q.id)).resolves.toMatchObject({
      status: "canceled",
    });
    // A full capture with no params captures everything capturable.
    const r = await ctx.sk.payments.create({
      amount: 3000,
      currency: "KGS",
      capture_method: "manual",
    });
    await ctx.sk.payments.confirm(r.id, {
      payment_method_data: card("4242424242424242"),
    });
    await expect(ctx.sk.payments.capture(r.id)).resolves.toMatchObject({
      amount_captured: 3000,
    });
  });

  it("list: one page with await, every payment with for await, filtered by status", async () => {
    const page = await ctx.sk.payments.list({ limit: 2 });
    expect(page.data).toHaveLength(2);
    expect(page.has_more).toBe(true);
    const seen: Payment[] = [];
    for await (const p of ctx.sk.payments.list({ limit: 3 })) seen.push(p);
    expect(new Set(seen.map((p) => p.id)).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(8);
    // Newest first.
    expect([...seen].sort((a, b) => b.created.localeCompare(a.created)).map((p) => p.created)).toEqual(seen.map((p) => p.created));
    for await (const p of ctx.sk.payments.list({ status: "canceled" })) expect(p.status).toBe("canceled");
  });

  it("a publishable key confirms and reads a payment with its client_secret, and may not list", async () => {
    const p = await ctx.sk.payments.create({ amount: 1200, currency: "KGS" });
    const secret = p.client_secret ?? "";
    expect(secret).not.toBe("");
    const paid = await ctx.pk.payments.confirm(p.id, {
      client_secret: secret,
      payment_method_data: card("4242424242424242"),
    });
    expect(paid.status).toBe("succeeded");
    await expect(ctx.pk.payments.retrieve(p.id, { client_secret: secret })).resolves.toMatchObject({ status: "succeeded" });
    await expect(ctx.pk.payments.list()).rejects.toBeInstanceOf(SoftrackPermissionError);
  });
});

describe("refunds against the real API", () => {
  it("create partial refunds up to what was captured; retrieve; list by payment", async () => {
    const p = await ctx.sk.payments.create({ amount: 9000, currency: "KGS" });
    await ctx.sk.payments.confirm(p.id, {
      payment_method_data: card("4242424242424242"),
    });
    const r1 = await ctx.sk.refunds.create({
      payment: p.id,
      amount: 4000,
      reason: "requested_by_customer",
    });
    expect(r1).toMatchObject({
      object: "refund",
      payment: p.id,
      amount: 4000,
      currency: "KGS",
    });
    expect(r1.id).toMatch(/^re_/);
    await expect(ctx.sk.refunds.retrieve(r1.id)).resolves.toMatchObject({
      id: r1.id,
      amount: 4000,
    });
    const tooMuch = await ctx.sk.refunds.create({ payment: p.id, amount: 5001 }).catch((e: unknown) => e);
    expect(tooMuch).toBeInstanceOf(SoftrackInvalidRequestError);
    const rest = await ctx.sk.refunds.create({ payment: p.id });
    expect(rest.amount).toBe(5000);
    await expect(ctx.sk.payments.retrieve(p.id)).resolves.toMatchObject({
      amount_refunded: 9000,
    });
    const ids: string[] = [];
    for await (const r of ctx.sk.refunds.list({ payment: p.id })) ids.push(r.id);
    expect(ids).toEqual([rest.id, r1.id]);
  });
});

describe("customers and wallets against the real API", () => {
  it("create, retrieve with wallet, list; a top-up fills the wallet and a wallet payment spends it", async () => {
    const c = await ctx.sk.customers.create({
      name: "Aida",
      email: "aida@example.kg",
      phone: "+996555000111",
    });
    expect(c).toMatchObject({
      object: "customer",
      name: "Aida",
      wallet: { balance: 0 },
    });
    const topup = await ctx.sk.payments.create({
      amount: 5000,
      currency: "KGS",
      purpose: { type: "wallet_topup", customer: c.id },
    });
    await ctx.sk.payments.confirm(topup.id, {
      payment_method_data: card("4242424242424242"),
    });
    await expect(ctx.sk.customers.retrieve(c.id)).resolves.toMatchObject({
      wallet: { balance: 5000, currency: "KGS" },
    });

    const spend = await ctx.sk.payments.create({
      amount: 3000,
      currency: "KGS",
      customer: c.id,
    });
    await ctx.sk.payments.confirm(spend.id, {
      payment_method_data: { type: "wallet", customer: c.id },
    });
    await expect(ctx.sk.customers.retrieve(c.id)).resolves.toMatchObject({
      wallet: { balance: 2000 },
    });
    // Never below zero.
    const over = await ctx.sk.payments.create({
      amount: 2001,
      currency: "KGS",
      customer: c.id,
    });
    await expect(
      ctx.sk.payments.confirm(over.id, {
        payment_method_data: { type: "wallet", customer: c.id },
      }),
    ).rejects.toBeInstanceOf(SoftrackPaymentError);

    const ids: string[] = [];
    for await (const x of ctx.sk.customers.list({ limit: 1 })) ids.push(x.id);
    expect(ids).toContain(c.id);
  });
});
