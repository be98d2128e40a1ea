// Take a card payment, then look at the balance and the ledger.
// SOFTRACK_SECRET_KEY=sk_test_… SOFTRACK_BASE_URL=http://127.0.0.1:3000 node examples/quickstart.ts
import Softrack from "@softrack/sdk";

const softrack = new Softrack({
  apiKey: process.env.SOFTRACK_SECRET_KEY ?? "",
  baseUrl: process.env.SOFTRACK_BASE_URL,
});

// 15000 = 150.00 KGS: amounts are integers in minor units.
const payment = await softrack.payments.create({ amount: 15000, currency: "KGS", description: "Quickstart" });
const paid = await softrack.payments.confirm(payment.id, {
  payment_method_data: { type: "card", card: { number: "4242424242424242", exp_month: 12, exp_year: 2030, cvc: "123" } },
});
console.log(`payment ${paid.id}: ${paid.status}, captured ${paid.amount_captured} ${paid.currency}`);

const balance = await softrack.balance.retrieve();
console.log("available:", balance.available.map((m) => `${m.amount} ${m.currency}`).join(", ") || "none");

// Every movement of money is a balanced ledger transaction.
for await (const txn of softrack.ledger.transactions.list({ source: paid.id })) {
  const sum = txn.postings.reduce((s, p) => s + p.amount, 0);
  console.log(`ledger ${txn.type}: ${txn.postings.length} postings, sum ${sum}`);
}
