// Hold an amount, capture part of it, refund part of what was captured.
import Softrack from "@softrack/sdk";

const softrack = new Softrack({ apiKey: process.env.SOFTRACK_SECRET_KEY ?? "", baseUrl: process.env.SOFTRACK_BASE_URL });

const payment = await softrack.payments.create({ amount: 10000, currency: "KGS", capture_method: "manual" });
const held = await softrack.payments.confirm(payment.id, {
  payment_method_data: { type: "card", card: { number: "4242424242424242", exp_month: 12, exp_year: 2030, cvc: "123" } },
});
console.log(`held ${held.amount_capturable} (${held.status})`);

// The shop had only 70.00 worth in stock: capture that, the rest of the hold is released.
const captured = await softrack.payments.capture(payment.id, { amount: 7000 });
console.log(`captured ${captured.amount_captured}, fee ${captured.fee}`);

const refund = await softrack.refunds.create({ payment: payment.id, amount: 2000, reason: "requested_by_customer" });
console.log(`refund ${refund.id}: ${refund.amount} ${refund.currency} ${refund.status}`);
