// The merchant console in real Chromium against the real API (in-process, serving the built
// site under its strict CSP): sign in by an email code read from the dev outbox, refund a
// payment, turn on TOTP, sign out, sign in again with the second factor; money out (bank account,
// payout, its report as CSV, the schedule) and a dispute answered with evidence; and the ru switch.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { startApi, type TestApi } from "@softrack/api/testing";
import { Softrack } from "@softrack/sdk";
import { launchBrowser } from "@softrack/testing";
import { TOTP } from "otpauth";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let api: TestApi;
let browser: Browser;
let admin: Softrack;
let sk: Softrack;
const email = "owner@console.example.kg";
const developer = "dev@console.example.kg";
const axeSource: string = createRequire(import.meta.url)("axe-core").source;

beforeAll(async () => {
  api = await startApi();
  browser = await launchBrowser();
  admin = new Softrack({ apiKey: api.adminKey, baseUrl: api.url });
  sk = new Softrack({ apiKey: api.merchant.secretKey, baseUrl: api.url });
  await admin.members.create(api.merchant.id, { email, role: "owner" });
  await admin.members.create(api.merchant.id, { email: developer, role: "developer" });
});
afterAll(async () => {
  await browser?.close();
  await api?.close();
});

async function paidPayment(amount: number, description: string) {
  const p = await sk.payments.create({ amount, currency: "KGS", description });
  return sk.payments.confirm(p.id, {
    payment_method_data: { type: "card", card: { number: "4242424242424242", exp_month: 12, exp_year: 2030, cvc: "123" } },
  });
}

/** The 6-digit code of the newest message to `to` in the API's dev outbox. */
async function outboxCode(to: string, after: string | undefined): Promise<string> {
  let code: string | undefined;
  await expect
    .poll(async () => {
      const m = (await admin.testHelpers.outbox({ to })).data[0];
      code = m && m.id !== after ? /\b(\d{6})\b/.exec(m.text)?.[1] : undefined;
      return code;
    })
    .toBeTruthy();
  return code as string;
}
const lastOutboxId = async (to: string) => (await admin.testHelpers.outbox({ to })).data[0]?.id;

async function signInByEmail(page: Page, who = email): Promise<void> {
  const before = await lastOutboxId(who);
  await page.getByLabel("Work email").fill(who);
  await page.getByRole("button", { name: "Send code" }).click();
  await page.getByLabel("6-digit code").waitFor();
  await page.getByLabel("6-digit code").fill(await outboxCode(who, before));
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

describe("merchant console", () => {
  it("signs in by email code, refunds part of a payment, turns on TOTP and asks for it at the next sign-in, manages the team", async () => {
    const payment = await paidPayment(15_000, "Console test order");
    expect(payment.status).toBe("succeeded");
    const context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("console", (m) => m.type() === "error" && !/401|403|400/.test(m.text()) && problems.push(m.text()));

    const res = await page.goto(`${api.url}/console/`, { waitUntil: "load" });
    expect(res?.headers()["content-security-policy"]).toContain("script-src 'self'");
    await page.getByRole("heading", { name: "Sign in to the console" }).waitFor();
    await signInByEmail(page);

    // Overview: the balance in KGS from integer minor units, and the payment among the latest
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
    await expect.poll(() => page.getByRole("link", { name: payment.id }).count()).toBe(1);
    const balance = await sk.balance.retrieve();
    const kgs = [...balance.available, ...balance.pending].find((b) => b.currency === "KGS");
    expect(kgs?.amount).toBeGreaterThan(0);

    // Payment detail → partial refund of 40.50 KGS
    await page.getByRole("link", { name: "Payments", exact: true }).click();
    await page.getByRole("heading", { name: "Payments", level: 1 }).waitFor();
    await page.getByRole("link", { name: payment.id }).click();
    await page.getByRole("heading", { name: `Payment ${payment.id}` }).waitFor();
    await page.getByLabel("Part of it").check();
    await page.getByLabel("Amount to refund (KGS)").fill("40.50");
    await page.getByRole("button", { name: "Refund", exact: true }).click();
    await page.getByText(/Refunded KGS\s40\.50\./).waitFor();
    const refunds = await sk.refunds.list({ payment: payment.id });
    expect(refunds.data.map((r) => r.amount)).toEqual([4050]);
    expect((await sk.payments.retrieve(payment.id)).amount_refunded).toBe(4050);
    // the refund's ledger transaction is listed with the payment's
    await expect.poll(() => page.getByRole("cell", { name: refunds.data[0]?.id ?? "none" }).count()).toBe(1);
    await expect.poll(() => page.getByText(/Refundable:\s*KGS\s109\.50/).count()).toBe(1);

    // Settings → authenticator app: the secret from the setup screen, a code computed here
    await page.getByRole("link", { name: "Settings", exact: true }).click();
    await page.getByRole("button", { name: "Set up an authenticator app" }).click();
    const secret = (await page.getByTestId("totp-secret").textContent())?.replace(/\s/g, "") ?? "";
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    expect(await page.getByRole("img", { name: "QR code for the authenticator app" }).count()).toBe(1);
    const totp = new TOTP({ secret, digits: 6, period: 30, algorithm: "SHA1" });
    await page.getByLabel("Code from the app").fill(totp.generate());
    await page.getByRole("button", { name: "Confirm and turn on" }).click();
    await page.getByRole("heading", { name: "Recovery codes" }).waitFor();
    expect(await page.getByTestId("recovery-codes").locator("li").count()).toBe(10);

    // Sign out, sign in again: the code is not enough any more
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.getByRole("heading", { name: "Sign in to the console" }).waitFor();
    await signInByEmail(page);
    await page.getByRole("heading", { name: "One more step" }).waitFor();
    // the next time step: the code used to turn TOTP on may not be replayed
    await page.getByLabel("Code from your authenticator app").fill(totp.generate({ timestamp: Date.now() + 30_000 }));
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByRole("heading", { name: "Overview", level: 1 }).or(page.getByRole("alert")).first().waitFor();
    expect(await page.getByRole("alert").allTextContents()).toEqual([]);
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
    const events = await sk.securityEvents.list({ limit: 50 });
    expect(events.data.map((e) => e.type)).toEqual(expect.arrayContaining(["totp.enabled"]));

    // Team: the owner adds a support agent, then removes them — both seen by the API
    await page.getByRole("link", { name: "Team", exact: true }).click();
    await page.getByRole("heading", { name: "Team", level: 1 }).waitFor();
    const agent = "agent@console.example.kg";
    await page.getByLabel("Email").fill(agent);
    await page.getByLabel("Role").selectOption("support");
    await page.getByRole("button", { name: "Add to team" }).click();
    await expect.poll(async () => (await sk.members.list()).data.find((m) => m.email === agent)?.role).toBe("support");
    page.once("dialog", (d) => void d.accept());
    await page.getByRole("button", { name: `Remove ${agent}` }).click();
    await expect.poll(async () => (await sk.members.list()).data.some((m) => m.email === agent)).toBe(false);
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);

  it("adds a bank account (only last4 shown), pays out, opens the payout's report and its CSV, sets the schedule, answers a dispute — in en and ru", async () => {
    // Money to pay out: a wallet sale (available at once), and a card payment that is disputed
    const customer = await sk.customers.create({ name: "Aibek" });
    const topup = await sk.payments.create({ amount: 300_000, currency: "KGS", purpose: { type: "wallet_topup", customer: customer.id } });
    await sk.payments.confirm(topup.id, {
      payment_method_data: { type: "card", card: { number: "4242424242424242", exp_month: 12, exp_year: 2030, cvc: "123" } },
    });
    const sale = await sk.payments.create({ amount: 250_000, currency: "KGS", customer: customer.id, description: "Wallet order" });
    expect((await sk.payments.confirm(sale.id, { payment_method_data: { type: "wallet", customer: customer.id } })).status).toBe(
      "succeeded",
    );
    const disputed = await paidPayment(20_000, "Disputed order");
    const dispute = await sk.testHelpers.payments.dispute(disputed.id, { reason: "product_not_received" });
    expect(dispute.status).toBe("needs_response");
    const availableKgs = async () => (await sk.balance.retrieve()).available.find((b) => b.currency === "KGS")?.amount ?? 0;
    const start = await availableKgs();
    expect(start).toBeGreaterThan(100_050);

    // A developer sees the balance but is offered no payout, schedule or bank account form: the
    // API would refuse them (403 role_not_allowed).
    const devContext = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 900 } });
    const devPage = await devContext.newPage();
    await devPage.goto(`${api.url}/console/`, { waitUntil: "load" });
    await devPage.getByRole("heading", { name: "Sign in to the console" }).waitFor();
    await signInByEmail(devPage, developer);
    await devPage.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
    await devPage.getByRole("link", { name: "Payouts", exact: true }).click();
    await devPage.getByRole("heading", { name: "Payouts", level: 1 }).waitFor();
    await devPage.getByTestId("owner-only").waitFor();
    expect(await devPage.getByRole("button", { name: "Pay out" }).count()).toBe(0);
    expect(await devPage.getByRole("button", { name: "Save schedule" }).count()).toBe(0);
    await devPage.getByRole("link", { name: "Settings", exact: true }).click();
    // The payouts view says it too (twice): wait for Settings to replace it before reading.
    await devPage.getByRole("heading", { name: "Settings", level: 1 }).waitFor();
    await devPage.getByText("Only an owner pays out").waitFor();
    expect(await devPage.getByRole("button", { name: "Add bank account" }).count()).toBe(0);
    await devContext.close();

    const context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("console", (m) => m.type() === "error" && !/401|403|400/.test(m.text()) && problems.push(m.text()));
    await page.goto(`${api.url}/console/`, { waitUntil: "load" });
    await page.getByRole("heading", { name: "Sign in to the console" }).waitFor();
    // Money out is an owner's (a developer's session is refused): a second owner, without TOTP.
    const treasurer = "treasurer@console.example.kg";
    await admin.members.create(api.merchant.id, { email: treasurer, role: "owner" });
    await signInByEmail(page, treasurer);
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();

    // Payouts: the available balance from the API's minor units, no debt, and no bank account yet
    await page.getByRole("link", { name: "Payouts", exact: true }).click();
    await page.getByRole("heading", { name: "Payouts", level: 1 }).waitFor();
    const money = (minor: number) => new Intl.NumberFormat("en-GB", { style: "currency", currency: "KGS" }).format(minor / 100);
    const stat = (bucket: string) => page.locator(`[data-currency=KGS] [data-bucket=${bucket}] .stat-value`);
    await expect.poll(() => stat("available").textContent()).toBe(money(start));
    expect(await stat("debt").textContent()).toBe(money(0));
    await page.getByText("No bank account for payouts yet.").waitFor();

    // Settings → bank account: a bad number is refused and stores nothing; a good one shows only its last 4
    await page.getByRole("link", { name: "Add bank account" }).click();
    await page.getByRole("heading", { name: "Bank accounts for payouts" }).waitFor();
    await page.getByLabel("Country").selectOption("KG");
    expect(await page.getByLabel("Currency").inputValue()).toBe("KGS");
    await page.getByLabel("Account holder").fill("Asel Myrzakmatova");
    await page.getByLabel("Account number").fill("12345");
    await page.getByLabel("Bank code").fill("124002");
    await page.getByRole("button", { name: "Add bank account" }).click();
    await page.getByRole("alert").waitFor();
    expect((await sk.bankAccounts.list()).data).toEqual([]);
    await page.getByLabel("Account number").fill("1240020000123456");
    await page.getByRole("button", { name: "Add bank account" }).click();
    await page.getByText("Bank account ending 3456 added.").waitFor();
    expect(await page.getByTestId("bank-accounts").textContent()).toContain("•••• 3456");
    expect(await page.getByTestId("bank-accounts").textContent()).not.toContain("1240020000123456");
    expect(await page.getByLabel("Account number").inputValue()).toBe("");
    const accounts = (await sk.bankAccounts.list()).data;
    expect(accounts.map((a) => [a.last4, a.currency, a.default_for_currency])).toEqual([["3456", "KGS", true]]);

    // Pay out now: more than available is refused and changes nothing; 1,000.50 KGS is taken at once
    await page.getByRole("link", { name: "Payouts", exact: true }).click();
    await page.getByLabel("Amount to pay out").fill((start / 100 + 1).toFixed(2));
    await page.getByRole("button", { name: "Pay out", exact: true }).click();
    await page.getByText("That is more than your available balance.").waitFor();
    expect((await sk.payouts.list()).data).toEqual([]);
    await page.getByLabel("Amount to pay out").fill("1000.50");
    await page.getByRole("button", { name: "Pay out", exact: true }).click();
    await page.getByText(/^Payout po_\w+ of KGS\s1,000\.50 created\.$/).waitFor();
    const payouts = (await sk.payouts.list()).data;
    expect(payouts.map((p) => [p.amount, p.currency, p.bank_account])).toEqual([[100_050, "KGS", accounts[0]?.id]]);
    const payout = payouts[0] as (typeof payouts)[number];
    expect(await availableKgs()).toBe(start - 100_050);
    await expect.poll(() => stat("available").textContent()).toBe(money(start - 100_050));

    // The schedule: weekly on Fridays, at least 500 KGS
    await page.getByLabel("How often").selectOption("weekly");
    await page.getByLabel("Day of the week").selectOption("friday");
    await page.getByLabel(/^Minimum payout/).fill("500");
    await page.getByRole("button", { name: "Save schedule" }).click();
    await page.getByText("Schedule saved.").waitFor();
    expect(await sk.payouts.retrieveSchedule()).toMatchObject({ interval: "weekly", weekly_anchor: "friday", minimum: 50_000 });

    // History → the payout: its report lines, and the CSV is the API's file byte for byte
    await page.getByRole("link", { name: payout.id }).click();
    await page.getByRole("heading", { name: `Payout ${payout.id}`, level: 1 }).waitFor();
    const lines = (await sk.payouts.listTransactions(payout.id, { limit: 20 })).data;
    expect(lines.length).toBeGreaterThan(0);
    await expect.poll(() => page.locator("console-payout tbody tr").count()).toBe(lines.length);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download CSV" }).click()]);
    const file = readFileSync((await download.path()) as string, "utf8");
    expect(file).toBe(await sk.payouts.transactionsCsv(payout.id));
    expect(file.replace(/^\uFEFF/, "").split("\r\n")[0]).toBe("id,created,type,source,description,amount,fee,currency");

    // Disputes: the list, then the dispute answered with evidence
    await page.getByRole("link", { name: "Disputes", exact: true }).click();
    await page.getByRole("heading", { name: "Disputes", level: 1 }).waitFor();
    await page.getByRole("link", { name: dispute.id }).click();
    await page.getByRole("heading", { name: `Dispute ${dispute.id}` }).waitFor();
    await page.getByText("Needs response").first().waitFor();
    const evidence = "Delivered on 12 Nov to the buyer's address; courier receipt No. 4471 signed by the buyer.";
    await page.getByLabel("Your evidence").fill(evidence);
    await page.getByRole("button", { name: "Submit evidence" }).click();
    await page.getByText("Evidence submitted: the dispute is under review.").waitFor();
    expect(await page.getByTestId("evidence").textContent()).toBe(evidence);
    expect(await sk.disputes.retrieve(dispute.id)).toMatchObject({ status: "under_review", evidence: { text: evidence } });
    expect(await page.getByLabel("Your evidence").count()).toBe(0);

    // The same screens in Russian
    await page.getByRole("button", { name: "Русский" }).click();
    await page.getByText("На рассмотрении").first().waitFor();
    await page.getByRole("link", { name: "Выплаты", exact: true }).click();
    await page.getByRole("heading", { name: "Выплаты", level: 1 }).waitFor();
    await page.getByRole("heading", { name: "История выплат" }).waitFor();
    await page.getByRole("link", { name: "Споры", exact: true }).click();
    await page.getByRole("heading", { name: "Споры", level: 1 }).waitFor();
    await page.getByRole("button", { name: "English" }).click();
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);

  it("shows no-shows by week as a chart and a table, and the buyers under the policy by hash prefix only — in en and ru", async () => {
    // This week: three orders paid on pickup, two never collected (the run_jobs clock passes collect_by).
    const point = await sk.pickupPoints.create({ name: "PVZ Asanbay", address: "Bishkek, Asanbay 12" });
    const phones = ["+996555920001", "+996555920002", "+996555920003"];
    for (const [i, phone] of phones.entries()) {
      await sk.orders.create({
        currency: "KGS",
        items: [{ sku: "dress", name: "Dress", amount: 300_000, quantity: 1 }],
        delivery: {
          type: "pickup_point",
          point: point.id,
          collect_by: new Date(Date.now() + (i === 2 ? 30 : 3) * 86_400_000).toISOString(),
        },
        buyer: { phone },
        payment_timing: "on_pickup",
      });
    }
    await sk.testHelpers.runJobs({ now: new Date(Date.now() + 4 * 86_400_000).toISOString() });
    await sk.buyerPolicy.put({ min_score_on_pickup: 85 });
    const summary = await sk.buyerReliability.summary({ weeks: 4 });
    const thisWeek = summary.weeks.at(-1);
    expect(thisWeek).toMatchObject({ orders: 3, not_collected: 2, lost_amount: 150_000, currency: "KGS" });
    expect(summary.buyers_under_threshold).toHaveLength(2);

    const context = await browser.newContext({ locale: "en-US", bypassCSP: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(e.message));
    await page.goto(`${api.url}/console/`, { waitUntil: "load" });
    await page.getByRole("heading", { name: "Sign in to the console" }).waitFor();
    await signInByEmail(page, developer);
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
    await page.getByRole("link", { name: "No-shows", exact: true }).click();
    await page.getByRole("heading", { name: "No-shows", level: 1 }).waitFor();

    // The chart is an image with its figures in words; one bar pair per week.
    const chart = page.getByRole("img", { name: /KGS: 3 orders, 2 not collected/ });
    await chart.waitFor();
    expect(await chart.getAttribute("aria-label")).toMatch(/KGS\s1,500\.00 lost, KGS\s0\.00 in fees kept/);
    expect(await page.locator("console-no-shows svg rect.lost").count()).toBe(8);
    // This week's row of the table: 3 orders, 2 not collected, 67 %, 1,500.00 lost, nothing kept.
    const rows = page.getByRole("table", { name: "By week, KGS" }).getByRole("row");
    const cells = (await rows.last().locator("td").allTextContents()).map((c) => c.trim().replace(/\s/g, " "));
    expect(cells).toEqual(["3", "2", "67%", "KGS 1,500.00", "KGS 0.00"]);
    // The buyers under the minimum: hash prefixes and scores, never a phone.
    await page.getByRole("heading", { name: "Buyers under your minimum score of 85" }).waitFor();
    const prefixes = summary.buyers_under_threshold.map((b) => b.buyer_hash_prefix);
    for (const prefix of prefixes) await page.getByText(`${prefix}…`).waitFor();
    const text = await page.locator("console-no-shows").evaluate((el) => el.shadowRoot?.textContent ?? "");
    expect(text).not.toMatch(/55592000|\+996/);

    // Fewer weeks: the chart and the table follow.
    await page.getByLabel("Weeks").selectOption("4");
    await expect.poll(() => page.locator("console-no-shows svg rect.lost").count()).toBe(4);

    // No axe violation on the screen.
    await page.evaluate(axeSource);
    const found: string[] = await page.evaluate(async () => {
      const r = await (window as any).axe.run(document, { resultTypes: ["violations"] });
      return r.violations.map((v: { id: string; nodes: unknown[] }) => `${v.id} (${v.nodes.length})`);
    });
    expect(found).toEqual([]);

    await page.getByRole("button", { name: "Русский" }).click();
    await page.getByRole("heading", { name: "Невыкупы", level: 1 }).waitFor();
    await page.getByRole("heading", { name: "Покупатели ниже вашего порога 85" }).waitFor();
    await page.getByRole("columnheader", { name: "Доля невыкупа" }).waitFor();
    await page.getByRole("button", { name: "English" }).click();
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);

  it("switches to Russian, remembers the choice and translates the screens", async () => {
    const context = await browser.newContext({ locale: "en-US" });
    const page = await context.newPage();
    await page.goto(`${api.url}/console/`, { waitUntil: "load" });
    await page.getByRole("heading", { name: "Sign in to the console" }).waitFor();
    await page.getByRole("button", { name: "Русский" }).click();
    await page.getByRole("heading", { name: "Вход в кабинет" }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("ru");
    expect(await page.getByLabel("Рабочая почта").count()).toBe(1);
    await page.reload({ waitUntil: "load" });
    await page.getByRole("heading", { name: "Вход в кабинет" }).waitFor();
    expect(await page.getByRole("button", { name: "Получить код" }).count()).toBe(1);
    await context.close();
  });

  it("creates an API key shown once and revokes it, manages a webhook endpoint, and has no axe violation on its screens", async () => {
    // bypassCSP only so that axe itself can be injected; the console runs under the API's CSP otherwise
    const context = await browser.newContext({ locale: "en-US", bypassCSP: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on("dialog", (d) => void d.accept());
    const violations: string[] = [];
    const axe = async (screen: string) => {
      await page.evaluate(axeSource);
      const found: string[] = await page.evaluate(async () => {
        const r = await (window as any).axe.run(document, { resultTypes: ["violations"] });
        return r.violations.map((v: { id: string; nodes: unknown[] }) => `${v.id} (${v.nodes.length})`);
      });
      for (const v of found) violations.push(`${screen}: ${v}`);
    };
    await page.goto(`${api.url}/console/`, { waitUntil: "load" });
    await page.getByRole("heading", { name: "Sign in to the console" }).waitFor();
    await axe("sign-in");
    await signInByEmail(page, developer);
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
    await page.getByRole("heading", { name: "Latest payments" }).waitFor();
    await axe("overview");

    await page.getByRole("link", { name: "API keys", exact: true }).click();
    await page.getByRole("heading", { name: "API keys", level: 1 }).waitFor();
    const existing = new Set((await sk.apiKeys.list()).data.map((k) => k.id));
    await page.getByLabel("Kind").selectOption("secret");
    await page.getByRole("button", { name: "Create key" }).click();
    const secret = (await page.getByTestId("new-key").textContent()) ?? "";
    expect(secret).toMatch(/^sk_test_/);
    // the key works, and the list shows only its hint
    const made = new Softrack({ apiKey: secret, baseUrl: api.url, maxRetries: 0 });
    await expect(made.balance.retrieve()).resolves.toMatchObject({ object: "balance" });
    const fresh = (await sk.apiKeys.list()).data.filter((k) => !existing.has(k.id));
    expect(fresh).toHaveLength(1);
    const listed = fresh[0];
    expect(listed?.secret).toBeUndefined();
    expect(secret.endsWith(listed?.hint.slice(-4) ?? "-")).toBe(true);
    await axe("api keys");
    await page.getByRole("button", { name: `Revoke ${listed?.hint}` }).click();
    await expect.poll(async () => (await sk.apiKeys.list()).data.find((k) => k.id === listed?.id)?.revoked_at).toBeTruthy();
    await expect(made.balance.retrieve()).rejects.toThrow();

    // A webhook endpoint: added (secret shown once), paused, resumed, deleted — each seen by the API.
    await page.getByRole("link", { name: "Webhooks", exact: true }).click();
    await page.getByRole("heading", { name: "Webhook endpoints", level: 1 }).waitFor();
    const hookUrl = "https://hooks.example.kg/softrack";
    await page.getByLabel("URL").fill(hookUrl);
    await page.getByRole("button", { name: "Add endpoint" }).click();
    await page.getByText(/^whsec_/).waitFor();
    const endpointOf = async () => (await sk.webhookEndpoints.list({ limit: 100 })).data.find((e) => e.url === hookUrl);
    await expect.poll(async () => (await endpointOf())?.status).toBe("enabled");
    await axe("webhooks");
    await page.getByRole("button", { name: `Pause ${hookUrl}` }).click();
    await expect.poll(async () => (await endpointOf())?.status).toBe("disabled");
    await page.getByRole("button", { name: `Resume ${hookUrl}` }).click();
    await expect.poll(async () => (await endpointOf())?.status).toBe("enabled");
    await page.getByRole("button", { name: `Delete ${hookUrl}` }).click();
    await expect.poll(async () => await endpointOf()).toBeUndefined();

    // A developer sees the team but cannot change it
    await page.getByRole("link", { name: "Team", exact: true }).click();
    await page.getByText("Only an owner can add or remove people.").waitFor();
    expect(await page.getByRole("button", { name: "Add to team" }).count()).toBe(0);
    await axe("team");

    await page.getByRole("link", { name: "Settings", exact: true }).click();
    await page.getByRole("heading", { name: "Where you are signed in" }).waitFor();
    await axe("settings");
    await page.getByRole("link", { name: "Payouts", exact: true }).click();
    await page.getByRole("heading", { name: "Payout schedule" }).waitFor();
    await axe("payouts");
    await page.getByRole("link", { name: "Disputes", exact: true }).click();
    await page.getByRole("heading", { name: "Disputes", level: 1 }).waitFor();
    await axe("disputes");
    await page.getByRole("link", { name: "Transit report", exact: true }).click();
    await page.getByLabel("Day").waitFor();
    await axe("transit");
    expect(violations).toEqual([]);
    await context.close();
  }, 90_000);
});
