import type { AnalyticsOverview, BalanceObject, Payment } from "@softrack/sdk";
import { css, html, nothing, type TemplateResult } from "lit";
import { api, failure } from "../api";
import { ConsoleElement } from "../base";
import { chartStyles, columnChart, peak, rowChart } from "../charts";
import { countText, dayText, formatDate, type Key, locale, methodText, percentText, statusText, t } from "../i18n";
import { formatMoney } from "../money";
import { statusTone } from "../status";

/** The window the Overview charts: the last 30 calendar days, today included. */
const DAYS = 30;

/** The browser's IANA zone, so "a day" is the merchant's day (the API refuses a bare offset). */
function timeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

const hourText = (hour: number) => `${String(hour).padStart(2, "0")}:00`;

/** A chart in its card: the title, the drawing (its aria-label says the gist) and the same numbers as a table. */
function chartCard(name: string, title: string, drawing: TemplateResult, table: TemplateResult, legend: unknown = nothing) {
  return html`<figure class="card" data-figure=${name}>
    <figcaption>${title}</figcaption>
    ${drawing}
    ${legend}
    <details>
      <summary>${t("chart.table")}</summary>
      <div class="table-wrap">${table}</div>
    </details>
  </figure>`;
}

type Bucket = "available" | "pending" | "held";
const BUCKETS: { key: Bucket; label: Key; hint: Key }[] = [
  { key: "available", label: "overview.available", hint: "overview.availableHint" },
  { key: "pending", label: "overview.pending", hint: "overview.pendingHint" },
  { key: "held", label: "overview.held", hint: "overview.heldHint" },
];

/**
 * Balance per currency (available, pending, held), the last 30 days as charts (volume, count,
 * refunds and fees by day; success rate by method; a transit operator's rides by hour and
 * route), all from one answer of GET /v1/analytics/overview, and the latest payments.
 */
export class ConsoleOverview extends ConsoleElement {
  static override styles = [
    ...ConsoleElement.styles,
    chartStyles,
    css`
    .balances {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(min(13rem, 100%), 1fr));
      gap: 1rem;
      margin: 0 0 1.25rem;
    }
    .balances > .card {
      margin: 0;
    }
    .stat p {
      margin: 0;
    }
    .stat-label {
      font-weight: 600;
    }
    .stat-value {
      font-size: 1.6rem;
      font-weight: 700;
      font-variant-numeric: tabular-nums;
      margin: 0.25rem 0 !important;
    }
  `,
  ];
  static override properties = {
    balance: { state: true },
    recent: { state: true },
    analytics: { state: true },
    analyticsError: { state: true },
    error: { state: true },
  };
  declare balance: BalanceObject | undefined;
  declare recent: Payment[];
  declare analytics: AnalyticsOverview | undefined;
  declare analyticsError: string;
  declare error: string;

  constructor() {
    super();
    this.balance = undefined;
    this.recent = [];
    this.analytics = undefined;
    this.analyticsError = "";
    this.error = "";
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  async load(): Promise<void> {
    this.error = "";
    this.analyticsError = "";
    try {
      // the charts load on their own: a failure there leaves the balance and the latest payments
      const charts = api.analytics.overview({ days: DAYS, timezone: timeZone() }).then(
        (a) => {
          this.analytics = a;
        },
        (e) => {
          this.analyticsError = failure(e);
        },
      );
      const [balance, recent] = await Promise.all([api.balance.retrieve(), api.payments.list({ limit: 5 })]);
      this.balance = balance;
      this.recent = recent.data;
      await charts;
    } catch (e) {
      this.error = failure(e);
    }
  }

  override render() {
    const b = this.balance;
    const currencies = b ? [...new Set(BUCKETS.flatMap(({ key }) => b[key].map((x) => x.currency)))].sort() : [];
    const amount = (bucket: Bucket, currency: string) => b?.[bucket].find((x) => x.currency === currency)?.amount ?? 0;
    return html`<h1 tabindex="-1">${t("overview.title")}</h1>
      ${this.error ? html`<p class="alert" role="alert">${this.error}</p>` : nothing}
      <section aria-labelledby="balance-title">
        <h2 id="balance-title">${t("overview.balance")}</h2>
        ${
          !b
            ? html`<p role="status">${t("app.loading")}</p>`
            : currencies.length === 0
              ? html`<p class="muted">${t("overview.empty")}</p>`
              : currencies.map(
                  (c) => html`<div class="balances" data-currency=${c}>
                  ${BUCKETS.map(
                    ({ key, label, hint }) => html`<div class="card stat" data-bucket=${key}>
                      <p class="stat-label">${t(label)} <span class="muted">· ${c}</span></p>
                      <p class="stat-value">${formatMoney(amount(key, c), c, locale())}</p>
                      <p class="hint">${t(hint)}</p>
                    </div>`,
                  )}
                </div>`,
                )
        }
      </section>
      ${this.#analytics()}
      <section aria-labelledby="recent-title">
        <h2 id="recent-title">${t("overview.recent")}</h2>
        ${
          this.recent.length === 0
            ? html`<p class="muted">${t("common.none")}</p>`
            : html`<div class="table-wrap"><table>
              <thead><tr><th scope="col">${t("common.id")}</th><th scope="col" class="num">${t("common.amount")}</th><th scope="col">${t("common.status")}</th><th scope="col">${t("common.created")}</th></tr></thead>
              <tbody>${this.recent.map(
                (p) =>
                  html`<tr><td><a class="mono" href="#/payments/${p.id}">${p.id}</a></td><td class="num">${formatMoney(p.amount, p.currency, locale())}</td><td><span class="badge ${statusTone(p.status)}">${statusText(p.status)}</span></td><td>${formatDate(p.created)}</td></tr>`,
              )}</tbody>
            </table></div>`
        }
        <p><a href="#/payments">${t("overview.all")}</a></p>
      </section>`;
  }

  /** The last 30 days, drawn from one answer of the API. */
  #analytics() {
    const a = this.analytics;
    if (this.analyticsError) return html`<p class="alert" role="alert">${this.analyticsError}</p>`;
    if (!a) return this.error ? nothing : html`<p role="status">${t("app.loading")}</p>`;
    return html`<section aria-labelledby="analytics-title">
      <h2 id="analytics-title">${t("overview.analytics", { from: dayText(a.start_date), to: dayText(a.end_date) })}</h2>
      <p class="hint">${t("overview.analyticsHint", { tz: a.timezone })}</p>
      <div class="charts">
        ${a.totals.map((x) => this.#byDay(a, x.currency))}
        ${this.#methods(a)}
        ${a.transit ? this.#transit(a, a.transit) : nothing}
      </div>
    </section>`;
  }

  /** Volume, count, and refunds with fees, by day, in one currency: every day of the window, zeros drawn as zero bars. */
  #byDay(a: AnalyticsOverview, currency: string) {
    const rows = a.by_day.filter((d) => d.currency === currency);
    const total = a.totals.find((x) => x.currency === currency) as AnalyticsOverview["totals"][number];
    const money = (n: number) => formatMoney(n, currency, locale());
    const labels = rows.map((d) => dayText(d.date));
    const gist = (title: string, values: number[], sum: string, say: (n: number) => string) => {
      const i = peak(values);
      const best = i < 0 ? t("chart.noBest") : t("chart.best", { day: labels[i] as string, value: say(values[i] as number) });
      return `${t("chart.total", { title, total: sum, days: a.days })}; ${best}.`;
    };
    const table = (title: string, head: Key[], cells: (d: (typeof rows)[number]) => string[], foot: string[]) =>
      html`<table>
        <caption class="visually-hidden">${title}</caption>
        <thead><tr><th scope="col">${t("chart.day")}</th>${head.map((k) => html`<th scope="col" class="num">${t(k)}</th>`)}</tr></thead>
        <tbody>${rows.map(
          (d) => html`<tr><th scope="row">${dayText(d.date)}</th>${cells(d).map((c) => html`<td class="num">${c}</td>`)}</tr>`,
        )}</tbody>
        <tfoot><tr><th scope="row">${t("transit.totals")}</th>${foot.map((c) => html`<td class="num">${c}</td>`)}</tr></tfoot>
      </table>`;

    // One bar a day of one figure (volume, count), with its table.
    const daily = (name: string, title: string, column: Key, key: "amount" | "count", show: (n: number) => string) => {
      const values = rows.map((d) => d[key]);
      return chartCard(
        name,
        title,
        columnChart({
          name,
          series: [{ values, className: "bar" }],
          labels,
          topLabel: show(Math.max(0, ...values)),
          ariaLabel: gist(title, values, show(total[key]), show),
        }),
        table(title, [column], (d) => [show(d[key])], [show(total[key])]),
      );
    };
    const refunds = t("chart.refundsFees", { currency });
    return html`${daily("volume", t("chart.volume", { currency }), "chart.amount", "amount", money)}
    ${daily("count", t("chart.count", { currency }), "chart.payments", "count", countText)}
    ${chartCard(
      "refunds-fees",
      refunds,
      columnChart({
        name: "refunds-fees",
        series: [
          { values: rows.map((d) => d.refund_amount), className: "refund" },
          { values: rows.map((d) => d.fee_amount), className: "fee" },
        ],
        labels,
        topLabel: money(Math.max(0, ...rows.flatMap((d) => [d.refund_amount, d.fee_amount]))),
        ariaLabel: `${t("chart.refundsFeesLabel", {
          title: refunds,
          refundCount: countText(total.refund_count),
          refunds: money(total.refund_amount),
          fees: money(total.fee_amount),
          days: a.days,
        })}.`,
      }),
      table(
        refunds,
        ["chart.refundCount", "chart.refunded", "chart.fees"],
        (d) => [countText(d.refund_count), money(d.refund_amount), money(d.fee_amount)],
        [countText(total.refund_count), money(total.refund_amount), money(total.fee_amount)],
      ),
      html`<ul class="legend">
        <li><span class="swatch refund" aria-hidden="true"></span>${t("chart.refunded")}</li>
        <li><span class="swatch fee" aria-hidden="true"></span>${t("chart.fees")}</li>
      </ul>`,
    )}`;
  }

  /** Success rate per method: succeeded ÷ (succeeded + failed), a bar from 0 to 100 %. */
  #methods(a: AnalyticsOverview) {
    const title = t("chart.methods");
    const rate = (r: number | null) => (r === null ? "—" : percentText(r));
    const said = a.payment_methods.map((m) =>
      t("chart.methodRate", { method: methodText(m.method), rate: rate(m.success_rate), attempts: countText(m.attempts) }),
    );
    return chartCard(
      "methods",
      title,
      rowChart({
        name: "methods",
        rows: a.payment_methods.map((m) => ({ label: methodText(m.method), value: m.success_rate ?? 0, text: rate(m.success_rate) })),
        top: 1,
        ariaLabel: `${title}: ${said.length ? said.join("; ") : t("chart.methodsEmpty")}.`,
      }),
      html`<table>
        <caption class="visually-hidden">${title}</caption>
        <thead><tr>
          <th scope="col">${t("payments.method")}</th>
          <th scope="col" class="num">${t("chart.attempts")}</th>
          <th scope="col" class="num">${t("status.succeeded")}</th>
          <th scope="col" class="num">${t("status.failed")}</th>
          <th scope="col" class="num">${t("chart.rate")}</th>
        </tr></thead>
        <tbody>${
          a.payment_methods.length === 0
            ? html`<tr><td colspan="5" class="muted">${t("chart.methodsEmpty")}</td></tr>`
            : a.payment_methods.map(
                (m) => html`<tr>
                  <th scope="row">${methodText(m.method)}</th>
                  <td class="num">${countText(m.attempts)}</td>
                  <td class="num">${countText(m.succeeded)}</td>
                  <td class="num">${countText(m.failed)}</td>
                  <td class="num">${rate(m.success_rate)}</td>
                </tr>`,
              )
        }</tbody>
      </table>`,
    );
  }

  /** A transit operator's rides (accepted taps) by local hour and by route. */
  #transit(a: AnalyticsOverview, tr: NonNullable<AnalyticsOverview["transit"]>) {
    const hours = tr.rides_by_hour.map((h) => h.rides);
    const busiest = peak(hours);
    const byHour = t("chart.ridesByHour");
    const byRoute = t("chart.ridesByRoute");
    const hourGist =
      busiest < 0
        ? `${t("chart.total", { title: byHour, total: countText(tr.rides), days: a.days })}; ${t("chart.noBest")}.`
        : `${t("chart.ridesByHourLabel", {
            title: byHour,
            rides: countText(tr.rides),
            days: a.days,
            hour: hourText(busiest),
            best: countText(hours[busiest] as number),
          })}.`;
    const routes = tr.rides_by_route.map((r) => t("chart.routeRides", { route: r.route, rides: countText(r.rides) }));
    return html`${chartCard(
      "rides-by-hour",
      byHour,
      columnChart({
        name: "rides-by-hour",
        series: [{ values: hours, className: "bar" }],
        labels: tr.rides_by_hour.map((h) => hourText(h.hour)),
        topLabel: countText(Math.max(0, ...hours)),
        ariaLabel: hourGist,
      }),
      html`<table>
        <caption class="visually-hidden">${byHour}</caption>
        <thead><tr><th scope="col">${t("chart.hour")}</th><th scope="col" class="num">${t("transit.rides")}</th></tr></thead>
        <tbody>${tr.rides_by_hour.map((h) => html`<tr><th scope="row">${hourText(h.hour)}</th><td class="num">${countText(h.rides)}</td></tr>`)}</tbody>
      </table>`,
    )}
    ${chartCard(
      "rides-by-route",
      byRoute,
      rowChart({
        name: "rides-by-route",
        rows: tr.rides_by_route.map((r) => ({ label: r.route, value: r.rides, text: countText(r.rides) })),
        top: Math.max(0, ...tr.rides_by_route.map((r) => r.rides)),
        ariaLabel: `${byRoute}: ${routes.length ? routes.join("; ") : t("chart.noBest")}.`,
      }),
      html`<table>
        <caption class="visually-hidden">${byRoute}</caption>
        <thead><tr><th scope="col">${t("transit.route")}</th><th scope="col" class="num">${t("transit.rides")}</th><th scope="col" class="num">${t("transit.revenue")}</th></tr></thead>
        <tbody>${tr.rides_by_route.map(
          (r) =>
            html`<tr><th scope="row">${r.route}</th><td class="num">${countText(r.rides)}</td><td class="num">${formatMoney(r.amount, r.currency, locale())}</td></tr>`,
        )}</tbody>
      </table>`,
    )}`;
  }
}
customElements.define("console-overview", ConsoleOverview);
declare global {
  interface HTMLElementTagNameMap {
    "console-overview": ConsoleOverview;
  }
}
