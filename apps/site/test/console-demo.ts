// The console's demo merchant, shared by the layout test (test/console-layout.test.ts) and the
// screenshot command (scripts/screenshots.ts): one seeding, so the screens the test checks are
// the screens the docs show. Real API calls through the SDK; nothing is faked.

import type { TestApi } from "@softrack/api/testing";
import { Softrack } from "@softrack/sdk";
import type { Page } from "playwright-core";
import { ROUTES, type RouteName, routeHash } from "../src/console/routes";

/** The person who signs in to the demo console (an owner of the demo merchant). */
export const DEMO_EMAIL = "owner@layout.example.kg";

const card = (number: string) => ({ type: "card" as const, card: { number, exp_month: 12, exp_year: 2030, cvc: "123" } });

export interface ConsoleDemo {
  /** the platform's admin client (members, the development outbox) */
  admin: Softrack;
  /** the demo merchant's secret-key client */
  sk: Softrack;
  /** An id to open each route that needs (or may take) one, from the demo data. */
  sample: Partial<Record<RouteName, string>>;
}

/** A merchant with something in every list: payments of each status, a refund, orders and no-shows, a payout, a dispute, a webhook endpoint, transit rides. */
export async function seedConsoleDemo(api: TestApi): Promise<ConsoleDemo> {
  const admin = new Softrack({ apiKey: api.adminKey, baseUrl: api.url });
  const sk = new Softrack({ apiKey: api.merchant.secretKey, baseUrl: api.url });
  const sample: ConsoleDemo["sample"] = {};
  await admin.members.create(api.merchant.id, { email: DEMO_EMAIL, role: "owner" });
  await admin.members.create(api.merchant.id, { email: "support@layout.example.kg", role: "support" });
  const paid = [];
  for (const [amount, description] of [
    [15_000, "Order A-1001 · books"],
    [249_900, "Order A-1002 · headphones, a description long enough to need more than one line on a phone"],
    [89_000, "Order A-1003 · shoes"],
  ] as const) {
    const p = await sk.payments.create({ amount, currency: "KGS", description });
    paid.push(await sk.payments.confirm(p.id, { payment_method_data: card("4242424242424242") }));
  }
  const refunded = paid[1] as (typeof paid)[number];
  await sk.refunds.create({ payment: refunded.id, amount: 50_000, reason: "requested_by_customer" });
  sample.payment = refunded.id;
  const declined = await sk.payments.create({ amount: 12_000, currency: "KGS", description: "Order A-1004" });
  await sk.payments.confirm(declined.id, { payment_method_data: card("4000000000000002") }).catch(() => {});
  await sk.payments.create({ amount: 31_000, currency: "KGS", description: "Order A-1005" });

  // money out: a wallet sale (available at once), a bank account, a payout; a disputed payment
  const customer = await sk.customers.create({ name: "Aibek" });
  const topup = await sk.payments.create({ amount: 500_000, currency: "KGS", purpose: { type: "wallet_topup", customer: customer.id } });
  await sk.payments.confirm(topup.id, { payment_method_data: card("4242424242424242") });
  const sale = await sk.payments.create({ amount: 320_000, currency: "KGS", customer: customer.id, description: "Order A-1006 · wallet" });
  await sk.payments.confirm(sale.id, { payment_method_data: { type: "wallet", customer: customer.id } });
  await sk.bankAccounts.create({
    country: "KG",
    holder_name: "Demo Shop LLC",
    account_number: "1240020000123456",
    bank_code: "124002",
    currency: "KGS",
  });
  sample.payout = (await sk.payouts.create({ amount: 150_000, currency: "KGS" })).id;
  sample.dispute = (await sk.testHelpers.payments.dispute((paid[2] as (typeof paid)[number]).id, { reason: "product_not_received" })).id;

  // orders paid on pickup, two never collected: the orders list and the no-show screen
  const point = await sk.pickupPoints.create({ name: "PVZ Asanbay", address: "Bishkek, Asanbay 12" });
  for (const [i, phone] of ["+996555930001", "+996555930002", "+996555930003"].entries()) {
    const order = await sk.orders.create({
      currency: "KGS",
      items: [{ sku: "dress-red-42", name: "Dress, red, size 42", amount: 300_000, quantity: 1 }],
      delivery: { type: "pickup_point", point: point.id, collect_by: new Date(Date.now() + (i === 2 ? 30 : 3) * 86_400_000).toISOString() },
      buyer: { phone },
      payment_timing: "on_pickup",
    });
    sample.order ??= order.id;
  }
  await sk.testHelpers.runJobs({ now: new Date(Date.now() + 4 * 86_400_000).toISOString() });

  const endpoint = await sk.webhookEndpoints.create({
    url: "https://hooks.example.kg/softrack/a-rather-long-path/webhooks",
    events: ["*"],
  });
  sample.webhooks = endpoint.id;

  // transit: two routes' rides today (the browser runs in Bishkek time, as the report's default day)
  await sk.tariffs.put("layout-fares", {
    kind: "fare",
    rules: { default_fare: 2000, routes: { "7": 2000, M1: 3000 } },
    effective_from: "2020-01-01T00:00:00Z",
  });
  const rider = await sk.customers.create({ name: "Rider" });
  const riderTopup = await sk.payments.create({ amount: 20_000, currency: "KGS", purpose: { type: "wallet_topup", customer: rider.id } });
  await sk.payments.confirm(riderTopup.id, { payment_method_data: card("4242424242424242") });
  for (const [kind, route] of [
    ["bus_validator", "7"],
    ["turnstile", "M1"],
  ] as const) {
    const terminal = await sk.transit.terminals.create({ kind, route, fare_tariff: "layout-fares" });
    await sk.transit.taps.create({
      terminal: terminal.id,
      customer: rider.id,
      tapped_at: new Date(Date.now() - 60_000).toISOString(),
      client_tap_id: `layout-${route}`,
    });
  }
  return { admin, sk, sample };
}

/** Every route's address, with a demo id where the route takes one (both forms of an optional id). */
export function consoleAddresses(sample: ConsoleDemo["sample"]): { route: RouteName; hash: string; name: string }[] {
  return (Object.keys(ROUTES) as RouteName[]).flatMap((route) => {
    const { id } = ROUTES[route];
    if (id === "none") return [{ route, hash: routeHash({ name: route }), name: route }];
    const sampleId = sample[route];
    if (!sampleId) throw new Error(`the console demo has no id for the console route "${route}": add one to seedConsoleDemo()`);
    const withId = { route, hash: routeHash({ name: route, id: sampleId }), name: id === "optional" ? `${route}-detail` : route };
    return id === "optional" ? [{ route, hash: routeHash({ name: route }), name: route }, withId] : [withId];
  });
}

/** The newest one-time code the development outbox holds for `email`, newer than message `before`. */
async function codeFor(admin: Softrack, email: string, before: string | undefined): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const m = (await admin.testHelpers.outbox({ to: email })).data[0];
    const code = m && m.id !== before ? /\b(\d{6})\b/.exec(m.text)?.[1] : undefined;
    if (code) return code;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no sign-in code reached the outbox for ${email}`);
}

/**
 * Signs the demo owner in on the console's sign-in form (the page shows it), with the code the
 * API "sent" to the development outbox. Finds the fields by their `id`s, so it works in any
 * of the console's languages; resolves once the overview is drawn, its requests answered (a
 * navigation right after would otherwise abort them, and a test would see failed requests).
 */
export async function signInConsole(page: Page, admin: Softrack, email = DEMO_EMAIL): Promise<void> {
  const before = (await admin.testHelpers.outbox({ to: email })).data[0]?.id;
  await page.locator("console-sign-in #address").fill(email);
  await page.locator("console-sign-in button[type=submit]").click();
  await page.locator("console-sign-in #code").waitFor();
  await page.locator("console-sign-in #code").fill(await codeFor(admin, email, before));
  await page.locator("console-sign-in button[type=submit]").click();
  await page.locator("console-overview h1").waitFor();
  // drawn: the view shows Loading… with its heading until the balance, charts and payments are in
  // (a locator, not waitForFunction: that polls with eval, which the console's CSP refuses)
  await page.locator("console-overview [role=status]").first().waitFor({ state: "detached" });
}
