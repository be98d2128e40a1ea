// The Overview's charts and the lists' "Export CSV" links, in real Chromium against the real API
// (in-process, serving the built site under its strict CSP). The charts' numbers are checked
// against the API's own answer (GET /v1/analytics/overview, same days and zone); the CSV files
// are what the browser downloads from each link.

import { readFileSync } from "node:fs";
import { startApi, type TestApi } from "@softrack/api/testing";
import type { AnalyticsOverview, Softrack } from "@softrack/sdk";
import { launchBrowser } from "@softrack/testing";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatMoney } from "../src/console/money";
import { seedConsoleDemo, signInConsole } from "./console-demo";

let api: TestApi;
let browser: Browser;
let admin: Softrack;
/** The demo merchant: payments of each status, a refund, orders, a payout, two transit routes. */
let sk: Softrack;
/** A merchant with nothing: no payment, no terminal. */
const emptyOwner = "owner@empty.example.kg";
const TZ = "Asia/Bishkek";

beforeAll(async () => {
  api = await startApi();
  browser = await launchBrowser();
  ({ admin, sk } = await seedConsoleDemo(api));
  const empty = await admin.merchants.create({ name: "Empty Shop", country: "KG", default_currency: "KGS" });
  await admin.members.create(empty.id, { email: emptyOwner, role: "owner" });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await api?.close();
});

const clean = (s: string | null) =>
  (s ?? "")
    .replace(/[\u00a0\u202f]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
const money = (n: number) => clean(formatMoney(n, "KGS", "en-GB"));
const day = (date: string) =>
  new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" }).format(new Date(`${date}T00:00:00Z`));
const count = (n: number) => new Intl.NumberFormat("en-GB").format(n);

/** Errors logged and requests that failed while the page was open. */
function watch(page: Page) {
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && problems.push(`console error: ${m.text()}`));
  page.on("response", (r) => r.status() >= 400 && problems.push(`${r.status()} ${new URL(r.url()).pathname}`));
  return problems;
}

async function signedIn(opts: {
  email?: string;
  width: number;
  locale?: string;
}): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({
    locale: opts.locale ?? "en-US",
    timezoneId: TZ,
    viewport: { width: opts.width, height: 900 },
    colorScheme: "light",
    acceptDownloads: true,
  });
  const page = await context.newPage();
  const problems = watch(page);
  await page.goto(`${api.url}/console/`, { waitUntil: "networkidle" });
  await signInConsole(page, admin, opts.email);
  return { context, page, problems };
}

/** A chart's card on the Overview by its name (data-figure). */
const figure = (page: Page, name: string) => page.locator(`console-overview figure[data-figure="${name}"]`);

/** The rows of a chart's table ("Show as table" opened first), each as its cells' text. */
async function tableOf(page: Page, name: string): Promise<{ body: string[][]; foot: string[][] }> {
  const f = figure(page, name).first();
  await f.locator("summary").click();
  await f.locator("table").waitFor();
  const rows = async (part: string) =>
    (await f.locator(`${part} tr`).evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? "")))).map((r) =>
      r.map(clean),
    );
  return { body: await rows("tbody"), foot: await rows("tfoot") };
}

/** The bars of a chart: their heights, left to right (per series, in the order drawn). */
const barHeights = (page: Page, name: string, className = "bar") =>
  page
    .locator(`console-overview svg[data-chart="${name}"] rect.${className}`)
    .evaluateAll((rs) => rs.map((r) => Number(r.getAttribute("height"))));

const ariaOf = async (page: Page, name: string) =>
  clean(await page.locator(`console-overview svg[data-chart="${name}"]`).getAttribute("aria-label"));

describe("Overview charts", () => {
  it("draws volume, count, refunds and fees by day, success by method and a transit operator's rides, with the API's numbers in each table", async () => {
    const { context, page, problems } = await signedIn({ width: 1280 });
    await figure(page, "volume").waitFor();
    const a: AnalyticsOverview = await sk.analytics.overview({ days: 30, timezone: TZ });
    const days = a.by_day.filter((d) => d.currency === "KGS");
    const total = a.totals.find((x) => x.currency === "KGS") as AnalyticsOverview["totals"][number];
    expect(days).toHaveLength(30);
    expect(total.count).toBeGreaterThan(0);
    expect(total.refund_count).toBe(1);

    // every chart is one image with a summary, and the window is named
    for (const name of ["volume", "count", "refunds-fees", "methods", "rides-by-hour", "rides-by-route"])
      expect(await page.locator(`console-overview svg[data-chart="${name}"]`).getAttribute("role"), name).toBe("img");
    await page.getByRole("heading", { name: `Analytics, ${day(a.start_date)} – ${day(a.end_date)}` }).waitFor();

    // volume by day: 30 bars, as many above zero as days with money; the summary says total and best day
    const volume = await barHeights(page, "volume");
    expect(volume).toHaveLength(30);
    expect(volume.filter((h) => h > 0).length).toBe(days.filter((d) => d.amount > 0).length);
    const best = days.reduce((b, d) => (d.amount > b.amount ? d : b));
    expect(await ariaOf(page, "volume")).toBe(
      `Volume by day · KGS: ${money(total.amount)} in 30 days; best day ${day(best.date)}, ${money(best.amount)}.`,
    );
    const volumeTable = await tableOf(page, "volume");
    expect(volumeTable.body).toEqual(days.map((d) => [day(d.date), money(d.amount)]));
    expect(volumeTable.foot).toEqual([["Totals", money(total.amount)]]);

    // count by day
    expect((await barHeights(page, "count")).filter((h) => h > 0).length).toBe(days.filter((d) => d.count > 0).length);
    expect(await ariaOf(page, "count")).toContain(`Payments by day · KGS: ${count(total.count)} in 30 days`);
    const countTable = await tableOf(page, "count");
    expect(countTable.body).toEqual(days.map((d) => [day(d.date), count(d.count)]));
    expect(countTable.foot).toEqual([["Totals", count(total.count)]]);

    // refunds and fees: two series of 30 bars, the refund drawn on its day
    expect(await barHeights(page, "refunds-fees", "refund")).toHaveLength(30);
    expect((await barHeights(page, "refunds-fees", "refund")).filter((h) => h > 0).length).toBe(1);
    expect(await ariaOf(page, "refunds-fees")).toBe(
      `Refunds and fees by day · KGS: 1 refunds, ${money(total.refund_amount)} refunded, ${money(total.fee_amount)} in fees in 30 days.`,
    );
    const refundTable = await tableOf(page, "refunds-fees");
    expect(refundTable.body).toEqual(days.map((d) => [day(d.date), count(d.refund_count), money(d.refund_amount), money(d.fee_amount)]));
    expect(refundTable.foot).toEqual([["Totals", count(total.refund_count), money(total.refund_amount), money(total.fee_amount)]]);

    // success rate by method: the demo's card payments succeeded and failed, the wallet one succeeded
    const percent = (r: number | null) =>
      r === null ? "—" : new Intl.NumberFormat("en-GB", { style: "percent", maximumFractionDigits: 1 }).format(r);
    const names: Record<string, string> = { card: "Card", sms: "SMS", qr: "QR", wallet: "Wallet" };
    expect(a.payment_methods.find((m) => m.method === "card")?.failed).toBe(1);
    expect((await tableOf(page, "methods")).body).toEqual(
      a.payment_methods.map((m) => [names[m.method], count(m.attempts), count(m.succeeded), count(m.failed), percent(m.success_rate)]),
    );
    expect(await barHeights(page, "methods")).toHaveLength(a.payment_methods.length);
    expect(await ariaOf(page, "methods")).toContain(
      `Card ${percent(a.payment_methods.find((m) => m.method === "card")?.success_rate ?? null)} of`,
    );

    // transit: rides by hour (24 bars) and by route, as the API counts them
    const transit = a.transit as NonNullable<AnalyticsOverview["transit"]>;
    expect(transit.rides).toBe(2);
    expect(await barHeights(page, "rides-by-hour")).toHaveLength(24);
    expect((await tableOf(page, "rides-by-hour")).body).toEqual(
      transit.rides_by_hour.map((h) => [`${String(h.hour).padStart(2, "0")}:00`, count(h.rides)]),
    );
    expect((await tableOf(page, "rides-by-route")).body).toEqual(
      transit.rides_by_route.map((r) => [r.route, count(r.rides), clean(formatMoney(r.amount, r.currency, "en-GB"))]),
    );
    expect(await ariaOf(page, "rides-by-route")).toBe(
      `Rides by route: ${transit.rides_by_route.map((r) => `route ${r.route}: ${r.rides}`).join("; ")}.`,
    );
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it("gives a merchant with nothing zero bars and no rides charts, without an error, on a phone and in Russian", async () => {
    const { context, page, problems } = await signedIn({ email: emptyOwner, width: 390, locale: "ru-RU" });
    await figure(page, "volume").waitFor();
    for (const name of ["volume", "count"]) {
      const bars = await barHeights(page, name);
      expect(bars, name).toHaveLength(30);
      expect(
        bars.every((h) => h === 0),
        name,
      ).toBe(true);
    }
    expect(await page.locator("console-overview figure figcaption").allTextContents()).toEqual([
      "Оборот по дням · KGS",
      "Платежи по дням · KGS",
      "Возвраты и комиссии по дням · KGS",
      "Доля успешных по способу оплаты",
    ]);
    expect(await ariaOf(page, "volume")).toContain("пока ничего");
    expect(await page.locator("console-overview summary").first().textContent()).toBe("Показать таблицей");
    expect(await figure(page, "rides-by-hour").count()).toBe(0);
    expect(await figure(page, "rides-by-route").count()).toBe(0);
    expect(await page.locator("console-overview [role=alert]").count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);
});

/** The file a link downloads: its text, and its rows after the header as the first column (the id). */
async function download(page: Page, link: ReturnType<Page["getByRole"]>): Promise<{ file: string; header: string; ids: string[] }> {
  const [d] = await Promise.all([page.waitForEvent("download"), link.click()]);
  const file = readFileSync((await d.path()) as string, "utf8");
  const [header = "", ...rows] = file
    .replace(/^\uFEFF/, "")
    .split("\r\n")
    .filter(Boolean);
  return { file, header, ids: rows.map((r) => r.split(",")[0] as string) };
}

/** Every object of a JSON list, walking its pages with the secret key. */
async function everyId(path: string, query: Record<string, string> = {}): Promise<string[]> {
  const ids: string[] = [];
  let after: string | undefined;
  for (;;) {
    const q = new URLSearchParams({ ...query, limit: "100", ...(after ? { starting_after: after } : {}) });
    const res = await fetch(`${api.url}${path}?${q}`, { headers: { Authorization: `Bearer ${api.merchant.secretKey}` } });
    const page = (await res.json()) as { data: { id: string }[]; has_more: boolean };
    ids.push(...page.data.map((o) => o.id));
    if (!page.has_more) return ids;
    after = page.data.at(-1)?.id;
  }
}

describe("Export CSV on the console's lists", () => {
  it("downloads payments (with the status filter), orders, payouts and transit taps: BOM, header, one row per object of the filtered list", async () => {
    const { context, page, problems } = await signedIn({ width: 1280 });
    const exportLink = page.getByRole("link", { name: "Export CSV", exact: true });

    // payments: every one, then only the succeeded ones (the filter is in the link too)
    await page.goto(`${api.url}/console/#/payments`);
    await page.getByRole("heading", { name: "Payments", level: 1 }).waitFor();
    expect(await exportLink.getAttribute("href")).toBe("/v1/payments?format=csv");
    const all = await download(page, exportLink);
    expect(all.file.startsWith("\uFEFFid,created,status,")).toBe(true);
    expect(all.ids).toEqual(await everyId("/v1/payments"));
    await page.getByLabel("Status").selectOption("succeeded");
    await expect.poll(() => exportLink.getAttribute("href")).toBe("/v1/payments?format=csv&status=succeeded");
    const succeeded = await everyId("/v1/payments", { status: "succeeded" });
    await expect.poll(() => page.locator("console-payments tbody tr").count()).toBe(succeeded.length);
    const filtered = await download(page, exportLink);
    expect(filtered.ids).toEqual(succeeded);
    expect(filtered.ids.length).toBeLessThan(all.ids.length);
    expect(filtered.header).toBe(all.header);

    // orders and payouts
    for (const [hash, path, heading] of [
      ["#/orders", "/v1/orders", "Orders"],
      ["#/payouts", "/v1/payouts", "Payouts"],
    ] as const) {
      await page.goto(`${api.url}/console/${hash}`);
      await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
      expect(await exportLink.getAttribute("href")).toBe(`${path}?format=csv`);
      const f = await download(page, exportLink);
      expect(f.file.startsWith("\uFEFFid,created,status,"), path).toBe(true);
      expect(f.ids, path).toEqual(await everyId(path));
      expect(f.ids.length, path).toBeGreaterThan(0);
    }

    // transit: the report's day, every route's taps and one route's from its row of the report
    const [first] = (
      await (await fetch(`${api.url}/v1/transit/taps?limit=1`, { headers: { Authorization: `Bearer ${api.merchant.secretKey}` } })).json()
    ).data as { tapped_at: string }[];
    const day = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Bishkek" }).format(new Date(first?.tapped_at as string));
    const ofDay = { date: day, timezone: "Asia/Bishkek" };
    // Shows the report of `date` and waits until it is drawn (its links are re-rendered with it).
    const showDay = async (date: string) => {
      await page.getByRole("textbox", { name: "Day" }).fill(date);
      await Promise.all([
        page.waitForResponse((r) => r.url().includes(`/v1/transit/reports/daily?date=${date}`)),
        page.getByRole("button", { name: "Show" }).click(),
      ]);
      await expect.poll(() => page.getByRole("button", { name: "Show" }).isEnabled()).toBe(true);
    };
    await page.goto(`${api.url}/console/#/transit`);
    await page.getByRole("heading", { name: "Transit daily report", level: 1 }).waitFor();
    await showDay(day);
    const dayLink = page.getByRole("link", { name: "Export this day's taps (CSV)" });
    await expect.poll(() => dayLink.getAttribute("href")).toBe(`/v1/transit/taps?format=csv&date=${day}&timezone=Asia%2FBishkek`);
    const taps = await download(page, dayLink);
    expect(taps.file.startsWith("\uFEFFid,tapped_at,terminal,route,")).toBe(true);
    expect(taps.ids).toEqual(await everyId("/v1/transit/taps", ofDay));
    expect(taps.ids).toHaveLength(2);
    const m1 = await download(page, page.getByRole("link", { name: "Export this day's taps of route M1 (CSV)" }));
    expect(m1.ids).toEqual(await everyId("/v1/transit/taps", { ...ofDay, route: "M1" }));
    expect(m1.ids).toHaveLength(1);
    // Another day's file holds none of them.
    await showDay("2020-01-01");
    await expect.poll(() => dayLink.getAttribute("href")).toContain("date=2020-01-01");
    expect((await download(page, dayLink)).ids).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);
});
