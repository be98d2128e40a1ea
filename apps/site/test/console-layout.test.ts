// Every console route, on a phone (390×844) and a laptop (1280×800), signed in with demo data in
// each list, in real Chromium under the API's strict CSP: the page never scrolls sideways, no two
// visible controls overlap, nothing is logged as an error and no request fails — the sign-in page
// included. The routes come from the console's own table (src/console/routes.ts), so a new route
// is visited here without editing this file.

import { startApi, type TestApi } from "@softrack/api/testing";
import { Softrack } from "@softrack/sdk";
import { launchBrowser } from "@softrack/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROUTES, type RouteName, routeHash } from "../src/console/routes";

let api: TestApi;
let browser: Browser;
let admin: Softrack;
let sk: Softrack;
const email = "owner@layout.example.kg";
/** An id to open each route that needs (or may take) one, from the demo data. */
const sample: Partial<Record<RouteName, string>> = {};

const card = (number: string) => ({ type: "card" as const, card: { number, exp_month: 12, exp_year: 2030, cvc: "123" } });

/** A merchant with something in every list: payments of each status, a refund, orders and no-shows, a payout, a dispute, a webhook endpoint, transit rides. */
async function seedDemo(): Promise<void> {
  await admin.members.create(api.merchant.id, { email, role: "owner" });
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
}

beforeAll(async () => {
  api = await startApi();
  browser = await launchBrowser();
  admin = new Softrack({ apiKey: api.adminKey, baseUrl: api.url });
  sk = new Softrack({ apiKey: api.merchant.secretKey, baseUrl: api.url });
  await seedDemo();
});
afterAll(async () => {
  await browser?.close();
  await api?.close();
});

/** What is wrong with the screen as drawn: sideways scrolling, and overlapping controls (across shadow roots). */
function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const all: Element[] = [];
    const walk = (root: Document | ShadowRoot) => {
      for (const el of root.querySelectorAll("*")) {
        all.push(el);
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    walk(document);
    const parentOf = (n: Node): Element | null => (n.parentNode instanceof ShadowRoot ? n.parentNode.host : (n.parentElement ?? null));
    const { scrollWidth } = document.documentElement;
    if (scrollWidth > innerWidth) {
      // name the outermost boxes that stick out (not those inside a box that scrolls them)
      const scrolls = (el: Element) => /auto|scroll|hidden|clip/.test(getComputedStyle(el).overflowX);
      const out = all.filter((el) => {
        if (el.getBoundingClientRect().right <= innerWidth + 0.5) return false;
        for (let p = parentOf(el); p; p = parentOf(p))
          if (p !== document.documentElement && p !== document.body && scrolls(p)) return false;
        const parent = parentOf(el);
        return !parent || parent.getBoundingClientRect().right <= innerWidth + 0.5;
      });
      // (a positioned box escapes a scroller that is not its containing block: then the widest boxes)
      const widest = [...all].sort((x, y) => y.getBoundingClientRect().right - x.getBoundingClientRect().right);
      const what = (out.length ? out : widest)
        .slice(0, 3)
        .map((el) => `<${el.localName}${el.className ? `.${String(el.className).replace(/ /g, ".")}` : ""}>`);
      problems.push(`page is ${scrollWidth} px wide in a ${innerWidth} px viewport (${what.join(", ")})`);
    }
    const interactive = "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex='-1'])";
    const controls = all
      .filter((el) => el.matches(interactive) && el.checkVisibility({ visibilityProperty: true }))
      .map((el) => ({ el, box: el.getBoundingClientRect() }))
      // visually-hidden helpers are 1×1 px on purpose
      .filter(({ box }) => box.width > 1 && box.height > 1);
    const inside = (outer: Element, inner: Element) => {
      for (let n: Node | null = inner; n; n = n.parentNode ?? (n as ShadowRoot).host ?? null) if (n === outer) return true;
      return false;
    };
    const name = (el: Element) =>
      `<${el.localName}${el.id ? `#${el.id}` : ""}> "${(el.getAttribute("aria-label") ?? el.textContent ?? "").trim().slice(0, 30)}"`;
    for (const [i, a] of controls.entries())
      for (const b of controls.slice(i + 1)) {
        if (inside(a.el, b.el) || inside(b.el, a.el)) continue;
        const w = Math.min(a.box.right, b.box.right) - Math.max(a.box.left, b.box.left);
        const h = Math.min(a.box.bottom, b.box.bottom) - Math.max(a.box.top, b.box.top);
        if (w > 0.5 && h > 0.5) problems.push(`${name(a.el)} overlaps ${name(b.el)} by ${Math.round(w)}×${Math.round(h)} px`);
      }
    return problems;
  });
}

/** Whether the view has drawn what it loads: nothing "Loading…", no busy table. */
function settled(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const all: Element[] = [];
    const walk = (root: Document | ShadowRoot) => {
      for (const el of root.querySelectorAll("*")) {
        all.push(el);
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    walk(document);
    const h1 = all.some((el) => el.localName === "h1");
    const loading = all.some((el) => el.getAttribute("role") === "status" && /Loading…/.test(el.textContent ?? ""));
    const busy = all.some((el) => el.getAttribute("aria-busy") === "true");
    return h1 && !loading && !busy;
  });
}

/** Rows drawn in the screen's tables (a list with demo data has some). */
const tableRows = (page: Page): Promise<number> =>
  page.evaluate(() => {
    let n = 0;
    const walk = (root: Document | ShadowRoot) => {
      n += root.querySelectorAll("tbody tr").length;
      for (const el of root.querySelectorAll("*")) if (el.shadowRoot) walk(el.shadowRoot);
    };
    walk(document);
    return n;
  });

/** Records failed requests (status ≥ 400 or no answer) and logged errors. */
function watch(page: Page) {
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && problems.push(`console error: ${m.text()}`));
  page.on("response", (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`));
  page.on("requestfailed", (r) => problems.push(`failed ${r.method()} ${new URL(r.url()).pathname}: ${r.failure()?.errorText}`));
  /** The problems since the last call. */
  return { take: () => problems.splice(0) };
}

/** Every route's address, with a demo id where the route takes one (both forms of an optional id). */
function addresses(): { route: RouteName; hash: string }[] {
  return (Object.keys(ROUTES) as RouteName[]).flatMap((route) => {
    const { id } = ROUTES[route];
    if (id === "none") return [{ route, hash: routeHash({ name: route }) }];
    const sampleId = sample[route];
    if (!sampleId) throw new Error(`the layout test has no demo id for the console route "${route}": add one to seedDemo()`);
    const withId = { route, hash: routeHash({ name: route, id: sampleId }) };
    return id === "optional" ? [{ route, hash: routeHash({ name: route }) }, withId] : [withId];
  });
}

async function signIn(page: Page): Promise<void> {
  const before = (await admin.testHelpers.outbox({ to: email })).data[0]?.id;
  await page.getByLabel("Work email").fill(email);
  await page.getByRole("button", { name: "Send code" }).click();
  await page.getByLabel("6-digit code").waitFor();
  let code: string | undefined;
  await expect
    .poll(async () => {
      const m = (await admin.testHelpers.outbox({ to: email })).data[0];
      code = m && m.id !== before ? /\b(\d{6})\b/.exec(m.text)?.[1] : undefined;
      return code;
    })
    .toBeTruthy();
  await page.getByLabel("6-digit code").fill(code as string);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
}

describe("console layout on every route", () => {
  it("enumerates every route of the console's table, each with a demo id where it needs one", () => {
    const listed = addresses();
    expect(new Set(listed.map((a) => a.route))).toEqual(new Set(Object.keys(ROUTES)));
    expect(listed.map((a) => a.hash)).toContain(`#/payments/${sample.payment}`);
  });

  for (const viewport of [
    { width: 390, height: 844 },
    { width: 1280, height: 800 },
  ]) {
    it(`at ${viewport.width}×${viewport.height}: no sideways scroll, no overlapping controls, no errors, no failed requests`, async () => {
      const context = await browser.newContext({ locale: "en-US", timezoneId: "Asia/Bishkek", viewport, colorScheme: "light" });
      const page = await context.newPage();
      const seen = watch(page);
      const report: string[] = [];
      const check = async (where: string) => {
        await expect.poll(() => settled(page), { timeout: 15_000 }).toBe(true);
        for (const p of [...(await layoutProblems(page)), ...seen.take()]) report.push(`${where}: ${p}`);
      };

      await page.goto(`${api.url}/console/`, { waitUntil: "networkidle" });
      await page.getByRole("heading", { name: "Sign in to the console" }).waitFor();
      await check("sign-in");
      await signIn(page);

      const empty: string[] = [];
      for (const { route, hash } of addresses()) {
        // each screen as it opens from its address (a fresh load: the session, then the view's data)
        await page.goto("about:blank");
        await page.goto(`${api.url}/console/${hash}`, { waitUntil: "networkidle" });
        await check(hash);
        // every screen here draws a table of demo data, except a dispute (its facts and evidence)
        if (route !== "dispute" && (await tableRows(page)) === 0) empty.push(hash);
      }
      expect(report).toEqual([]);
      expect(empty).toEqual([]);
      await context.close();
    }, 120_000);
  }
});
