// A customer's wallet: top it up with a card, pay from it.
import Softrack from "@softrack/sdk";

const softrack = new Softrack({ apiKey: process.env.SOFTRACK_SECRET_KEY ?? "", baseUrl: process.env.SOFTRACK_BASE_URL });
const card = { number: "4242424242424242", exp_month: 12, exp_year: 2030, cvc: "123" };

const customer = await softrack.customers.create({ name: "Aida", phone: "+996555000111" });
const topup = await softrack.payments.create({
  amount: 5000,
  currency: "KGS",
  purpose: { type: "wallet_topup", customer: customer.id },
});
await softrack.payments.confirm(topup.id, { payment_method_data: { type: "card", card } });

const coffee = await softrack.payments.create({ amount: 1800, currency: "KGS", customer: customer.id });
await softrack.payments.confirm(coffee.id, { payment_method_data: { type: "wallet", customer: customer.id } });

const after = await softrack.customers.retrieve(customer.id);
console.log(`wallet balance ${after.wallet.balance} ${after.wallet.currency}`);
