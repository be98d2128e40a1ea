// What failures look like: typed errors, and idempotency keys that make retries safe.
import Softrack, { SoftrackError, SoftrackIdempotencyError, SoftrackPaymentError } from "@softrack/sdk";

const softrack = new Softrack({ apiKey: process.env.SOFTRACK_SECRET_KEY ?? "", baseUrl: process.env.SOFTRACK_BASE_URL });

const payment = await softrack.payments.create({ amount: 2500, currency: "KGS" });
try {
  await softrack.payments.confirm(payment.id, {
    payment_method_data: { type: "card", card: { number: "4000000000000002", exp_month: 12, exp_year: 2030, cvc: "123" } },
  });
} catch (err) {
  if (!(err instanceof SoftrackPaymentError)) throw err;
  console.log(`declined: ${err.code} (status ${err.status}, request ${err.requestId})`);
}

// Your own key for an operation you may repeat (a job that can crash and restart): the
// second call returns the first payment instead of creating another.
const key = `invoice-${Date.now()}`;
const first = await softrack.payments.create({ amount: 990, currency: "KGS" }, { idempotencyKey: key });
const again = await softrack.payments.create({ amount: 990, currency: "KGS" }, { idempotencyKey: key });
console.log(`same payment: ${first.id === again.id}`);

try {
  await softrack.payments.create({ amount: 991, currency: "KGS" }, { idempotencyKey: key });
} catch (err) {
  if (!(err instanceof SoftrackIdempotencyError)) throw err;
  console.log(`key reused with another body: ${err.code}`);
}

try {
  await softrack.payments.create({ amount: 10.5, currency: "KGS" });
} catch (err) {
  if (!(err instanceof SoftrackError)) throw err;
  console.log(`invalid: ${err.type} on ${err.param}`);
}
