// The courier payment guarantee: the buyer pays, the money is held until the handover,
// then only what the buyer accepted is captured.
import Softrack from "@softrack/sdk";

const softrack = new Softrack({ apiKey: process.env.SOFTRACK_SECRET_KEY ?? "", baseUrl: process.env.SOFTRACK_BASE_URL });

const point = await softrack.pickupPoints.create({ name: "Point Asia Mall", address: "Bishkek, Chui 155" });
const order = await softrack.orders.create({
  currency: "KGS",
  items: [
    { sku: "shoes-42", name: "Running shoes", amount: 450000, quantity: 1 },
    { sku: "socks", name: "Socks", amount: 30000, quantity: 2 },
  ],
  delivery: { type: "pickup_point", point: point.id, collect_by: new Date(Date.now() + 3 * 86_400_000).toISOString() },
  no_show_fee: 20000,
});

// The buyer pays like any payment (here on the server; in a browser, with the widget).
const paymentId = typeof order.payment === "string" ? order.payment : order.payment.id;
await softrack.payments.confirm(paymentId, {
  payment_method_data: { type: "card", card: { number: "4242424242424242", exp_month: 12, exp_year: 2030, cvc: "123" } },
});
const held = await softrack.orders.retrieve(order.id);
console.log(`order ${held.id}: ${held.status} ${held.amount} ${held.currency}`);

// At the pickup point the buyer keeps the shoes and refuses the socks.
const delivered = await softrack.orders.handover(order.id, { accepted: [{ sku: "shoes-42", quantity: 1 }] });
console.log(`${delivered.status}: captured ${delivered.amount_captured}, refunded ${delivered.amount_refunded}`);
