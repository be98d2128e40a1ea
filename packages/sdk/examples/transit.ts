// A bus line: a fare tariff, a validator, a rider's wallet, live and offline taps.
import Softrack from "@softrack/sdk";

const softrack = new Softrack({ apiKey: process.env.SOFTRACK_SECRET_KEY ?? "", baseUrl: process.env.SOFTRACK_BASE_URL });

// 20.00 KGS a ride, at most 80.00 KGS a day.
await softrack.tariffs.put("city-bus", {
  kind: "fare",
  currency: "KGS",
  rules: { default_fare: 2000, caps: { daily: 8000 } },
});
const validator = await softrack.transit.terminals.create({ kind: "bus_validator", route: "7", fare_tariff: "city-bus" });

const rider = await softrack.customers.create({ name: "Bakyt" });
const topup = await softrack.payments.create({ amount: 10000, currency: "KGS", purpose: { type: "wallet_topup", customer: rider.id } });
await softrack.payments.confirm(topup.id, {
  payment_method_data: { type: "card", card: { number: "4242424242424242", exp_month: 12, exp_year: 2030, cvc: "123" } },
});

const boarded = new Date(); // the tariff version in effect at the tap prices it
const tap = await softrack.transit.taps.create({
  terminal: validator.id,
  customer: rider.id,
  tapped_at: boarded.toISOString(),
  client_tap_id: "v7-0001",
});
console.log(`tap: ${tap.decision}, fare ${tap.fare}, wallet ${tap.wallet_balance}`);

// The validator was offline for a while: it uploads what it stored, including v7-0001 again.
const batch = await softrack.transit.taps.batch({
  taps: [
    { terminal: validator.id, customer: rider.id, tapped_at: boarded.toISOString(), client_tap_id: "v7-0001" },
    { terminal: validator.id, customer: rider.id, tapped_at: new Date().toISOString(), client_tap_id: "v7-0002" },
  ],
});
for (const r of batch.data)
  console.log("error" in r ? `batch: error ${r.error.code}` : `batch: ${r.client_tap_id} ${r.decision} ${r.fare}`);
const after = await softrack.customers.retrieve(rider.id);
console.log(`wallet after: ${after.wallet.balance}`);
