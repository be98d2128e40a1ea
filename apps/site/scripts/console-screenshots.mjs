// Screenshots of the merchant console's main screens, in English and Russian, into
// docs/screenshots/console/. Starts the real API in-process (it serves the built site), seeds a
// demo merchant, signs in through the dev outbox and drives Debian's Chromium.
//   npm run build -w @softrack/site && npm run screenshots:console -w @softrack/site
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startApi } from "@softrack/api/testing";
import { Softrack } from "@softrack/sdk";
import { launchBrowser } from "@softrack/testing";
import sharp from "sharp";

const outDir = fileURLToPath(new URL("../../../docs/screenshots/console/", import.meta.url));
const email = "aida@demo-shop.kg";
const card = (number) => ({ type: "card", card: { number, exp_month: 12, exp_year: 2030, cvc: "123" } });

mkdirSync(outDir, { recursive: true });
const api = await startApi();
const browser = await launchBrowser();
let count = 0;
try {
  const admin = new Softrack({ apiKey: api.adminKey, baseUrl: api.url });
  const sk = new Softrack({ apiKey: api.merchant.secretKey, baseUrl: api.url });
  await admin.members.create(api.merchant.id, { email, role: "owner" });
  // demo payments: paid, partly refunded, declined, awaiting payment
  const paid = [];
  for (const [amount, description] of [
    [15_000, "Order A-1001 · books"],
    [249_900, "Order A-1002 · headphones"],
    [4_500, "Bus pass top-up"],
    [89_000, "Order A-1003 · shoes"],
  ]) {
    const p = await sk.payments.create({ amount, currency: "KGS", description });
    paid.push(await sk.payments.confirm(p.id, { payment_method_data: card("4242424242424242") }));
  }
  await sk.refunds.create({ payment: paid[1].id, amount: 50_000, reason: "requested_by_customer" });
  const declined = await sk.payments.create({ amount: 12_000, currency: "KGS", description: "Order A-1004" });
  await sk.payments.confirm(declined.id, { payment_method_data: card("4000000000000002") }).catch(() => {});
  await sk.payments.create({ amount: 31_000, currency: "KGS", description: "Order A-1005" });
  // money out: a wallet sale (available at once), a bank account, a payout, a disputed payment
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
  const payout = await sk.payouts.create({ amount: 150_000, currency: "KGS" });
  const dispute = await sk.testHelpers.payments.dispute(paid[3].id, { reason: "product_not_received" });

  for (const lang of ["en", "ru"]) {
    const context = await browser.newContext({
      locale: lang === "ru" ? "ru-RU" : "en-GB",
      viewport: { width: 1280, height: 860 },
      colorScheme: "light",
      reducedMotion: "reduce",
    });
    const page = await context.newPage();
    const shot = async (name) => {
      await page.waitForLoadState("networkidle");
      const png = await page.screenshot({ fullPage: true });
      await sharp(png).png({ palette: true, quality: 90, compressionLevel: 9 }).toFile(`${outDir}${lang}-${name}.png`);
      count++;
    };
    await page.goto(`${api.url}/console/`, { waitUntil: "load" });
    await page.locator("console-sign-in form").waitFor();
    await shot("sign-in");
    // sign in with the code the API "sent" (the development outbox)
    const before = (await admin.testHelpers.outbox({ to: email })).data[0]?.id;
    await page.locator("#address").fill(email);
    await page.locator("console-sign-in button[type=submit]").click();
    await page.locator("#code").waitFor();
    let code;
    for (let i = 0; i < 50 && !code; i++) {
      const m = (await admin.testHelpers.outbox({ to: email })).data[0];
      if (m && m.id !== before) code = /\b(\d{6})\b/.exec(m.text)?.[1];
      else await new Promise((r) => setTimeout(r, 100));
    }
    await page.locator("#code").fill(code);
    await page.locator("console-sign-in button[type=submit]").click();
    await page.locator("console-overview .stat").first().waitFor();
    await shot("overview");
    await page.goto(`${api.url}/console/#/payments`);
    await page.locator("console-payments tbody tr").first().waitFor();
    await shot("payments");
    await page.goto(`${api.url}/console/#/payments/${paid[1].id}`);
    await page.locator("console-payment dl.facts").waitFor();
    await page.locator("console-payment tbody tr").first().waitFor();
    await shot("payment");
    await page.goto(`${api.url}/console/#/payouts`);
    await page.locator("console-payouts tbody tr").first().waitFor();
    await shot("payouts");
    await page.goto(`${api.url}/console/#/payouts/${payout.id}`);
    await page.locator("console-payout tbody tr").first().waitFor();
    await shot("payout");
    await page.goto(`${api.url}/console/#/disputes`);
    await page.locator("console-disputes tbody tr").first().waitFor();
    await shot("disputes");
    await page.goto(`${api.url}/console/#/disputes/${dispute.id}`);
    await page.locator("console-dispute #evidence-text").waitFor();
    await shot("dispute");
    await page.goto(`${api.url}/console/#/keys`);
    await page.locator("console-api-keys tbody tr").first().waitFor();
    await shot("api-keys");
    await page.goto(`${api.url}/console/#/settings`);
    await page.locator("console-settings #totp-title").waitFor();
    await page.locator("console-settings section[aria-labelledby=totp-title] button").first().click();
    await page.locator("console-settings .qr svg").waitFor();
    await shot("settings-2fa");
    await context.close();
  }
} finally {
  await browser.close();
  await api.close();
}
console.log(`${count} screenshots in ${outDir}`);
