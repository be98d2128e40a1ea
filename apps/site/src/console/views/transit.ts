import type { TransitDailyReport } from "@softrack/sdk";
import { html, nothing } from "lit";
import { api } from "../api";
import { LoadedElement } from "../base";
import { csvHref } from "../export";
import { locale, t } from "../i18n";
import { formatMoney } from "../money";

/** Today as YYYY-MM-DD in the browser's own time zone. */
function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/** The taps list, whose `format=csv` is the export: the report's day (date and zone), all routes or one. */
const TAPS = "/v1/transit/taps";

/** Rides, revenue and declines of one local day: totals, per route, per terminal; the taps as CSV, all or a route's. */
export class ConsoleTransit extends LoadedElement {
  static override properties = { ...LoadedElement.properties, date: { state: true }, report: { state: true } };
  declare date: string;
  declare report: TransitDailyReport | undefined;

  constructor() {
    super();
    this.date = today();
    this.report = undefined;
  }

  protected async fetch(): Promise<void> {
    this.report = await api.transit.reports.daily({ date: this.date });
  }

  #submit(e: SubmitEvent): void {
    e.preventDefault();
    const value = ((e.target as HTMLFormElement).elements.namedItem("date") as HTMLInputElement).value;
    if (value) {
      this.date = value;
      void this.reload();
    }
  }

  override render() {
    const r = this.report;
    const money = (n: number, c: string) => formatMoney(n, c, locale());
    return html`<h1 tabindex="-1">${t("transit.title")}</h1>
      <form class="row" @submit=${this.#submit}>
        <div class="field">
          <label for="report-date">${t("transit.date")}</label>
          <input id="report-date" name="date" type="date" .value=${this.date} required />
        </div>
        <button type="submit" ?disabled=${this.loading}>${t("transit.show")}</button>
      </form>
      ${this.error ? html`<p class="alert" role="alert">${this.error}</p>` : nothing}
      ${
        r
          ? html`<div class="row list-tools">
              <a class="download" href=${csvHref(TAPS, { date: r.date, timezone: r.timezone })} download>${t("csv.taps")}</a>
            </div>`
          : nothing
      }
      ${this.loading && !r ? html`<p role="status">${t("app.loading")}</p>` : nothing}
      ${
        r
          ? html`<p class="muted">${t("transit.timezone", { tz: r.timezone })}</p>
            ${
              r.totals.length === 0
                ? html`<p class="muted">${t("transit.empty")}</p>`
                : html`<div class="table-wrap"><table>
                    <caption>${t("transit.totals")}</caption>
                    <thead><tr><th scope="col">${t("common.currency")}</th><th scope="col" class="num">${t("transit.rides")}</th><th scope="col" class="num">${t("transit.revenue")}</th><th scope="col" class="num">${t("transit.declines")}</th></tr></thead>
                    <tbody>${r.totals.map((x) => html`<tr><td>${x.currency}</td><td class="num">${x.rides}</td><td class="num">${money(x.revenue, x.currency)}</td><td class="num">${x.declines}</td></tr>`)}</tbody>
                  </table></div>
                  <div class="table-wrap"><table>
                    <caption>${t("transit.routes")}</caption>
                    <thead><tr><th scope="col">${t("transit.route")}</th><th scope="col" class="num">${t("transit.rides")}</th><th scope="col" class="num">${t("transit.revenue")}</th><th scope="col" class="num">${t("transit.declines")}</th><th scope="col">${t("csv.export")}</th></tr></thead>
                    <tbody>${r.routes.map(
                      (x) =>
                        html`<tr><td>${x.route}</td><td class="num">${x.rides}</td><td class="num">${money(x.revenue, x.currency)}</td><td class="num">${x.declines}</td><td><a href=${csvHref(TAPS, { route: x.route, date: r.date, timezone: r.timezone })} download aria-label=${t("csv.exportRoute", { route: x.route })}>CSV</a></td></tr>`,
                    )}</tbody>
                  </table></div>
                  <div class="table-wrap"><table>
                    <caption>${t("transit.terminals")}</caption>
                    <thead><tr><th scope="col">${t("transit.terminal")}</th><th scope="col">${t("transit.route")}</th><th scope="col" class="num">${t("transit.rides")}</th><th scope="col" class="num">${t("transit.revenue")}</th><th scope="col" class="num">${t("transit.declines")}</th></tr></thead>
                    <tbody>${r.terminals.map((x) => html`<tr><td class="mono">${x.terminal}</td><td>${x.route}</td><td class="num">${x.rides}</td><td class="num">${money(x.revenue, x.currency)}</td><td class="num">${x.declines}</td></tr>`)}</tbody>
                  </table></div>`
            }`
          : nothing
      }`;
  }
}

customElements.define("console-transit", ConsoleTransit);
declare global {
  interface HTMLElementTagNameMap {
    "console-transit": ConsoleTransit;
  }
}
