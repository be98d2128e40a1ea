import type { BuyerReliabilitySummary } from "@softrack/sdk";
import { css, html, nothing, svg } from "lit";
import { api } from "../api";
import { LoadedElement } from "../base";
import { chartBase } from "../charts";
import { locale, t } from "../i18n";
import { formatMoney } from "../money";

type Week = BuyerReliabilitySummary["weeks"][number];

const WEEK_CHOICES = [4, 8, 12, 26] as const;

/** "30 Nov": a week by its Monday (the API's week_start, UTC). */
const weekLabel = (start: string) =>
  new Intl.DateTimeFormat(locale(), { day: "numeric", month: "short", timeZone: "UTC" }).format(new Date(`${start}T00:00:00Z`));

/** The share of orders not collected, as a whole percent (none when no orders). */
const share = (w: Week) => (w.orders ? Math.round((100 * w.not_collected) / w.orders) : 0);
const percent = (n: number) => new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 0 }).format(n / 100);

// The chart's box, in SVG user units; it scales with the page width.
const W = 640;
const H = 240;
const PAD = { top: 20, right: 12, bottom: 28, left: 12 };

/**
 * Per week: money lost to no-shows beside the no-show fees kept (bars; the dashed line is the
 * highest, labelled left), and the share of orders not collected (a dot; that line is 100 %).
 * No chart library: a few rects in an SVG, labelled in words, the same figures in the table.
 */
function chart(weeks: Week[], currency: string) {
  const most = Math.max(0, ...weeks.map((w) => Math.max(w.lost_amount, w.no_show_fees)));
  const top = Math.max(1, most);
  const plotH = H - PAD.top - PAD.bottom;
  const slot = (W - PAD.left - PAD.right) / weeks.length;
  const bar = Math.max(2, Math.min(22, slot / 3));
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  const yShare = (p: number) => PAD.top + plotH - (p / 100) * plotH;
  return svg`
    <line class="axis" x1=${PAD.left} x2=${W - PAD.right} y1=${PAD.top + plotH} y2=${PAD.top + plotH}></line>
    <line class="grid" x1=${PAD.left} x2=${W - PAD.right} y1=${PAD.top} y2=${PAD.top}></line>
    ${most > 0 ? svg`<text class="tick" x=${PAD.left} y=${PAD.top - 4}>${formatMoney(most, currency, locale())}</text>` : nothing}
    <text class="tick" x=${W - PAD.right} y=${PAD.top - 4} text-anchor="end">100%</text>
    ${weeks.map((w, i) => {
      const x = PAD.left + i * slot + slot / 2;
      return svg`<g>
        <rect class="lost" x=${x - bar} y=${y(w.lost_amount)} width=${bar} height=${PAD.top + plotH - y(w.lost_amount)}></rect>
        <rect class="fees" x=${x} y=${y(w.no_show_fees)} width=${bar} height=${PAD.top + plotH - y(w.no_show_fees)}></rect>
        ${w.orders ? svg`<circle class="share" cx=${x} cy=${yShare(share(w))} r="4"></circle>` : nothing}
        <text class="tick" x=${x} y=${H - 8} text-anchor="middle">${weekLabel(w.week_start)}</text>
      </g>`;
    })}`;
}

/** The no-show screen: what uncollected parcels cost by week, and the buyers the policy asks to prepay. */
export class ConsoleNoShows extends LoadedElement {
  static override styles = [
    ...LoadedElement.styles,
    chartBase,
    css`
      figure {
        margin: 0 0 1rem;
      }
      svg {
        max-width: 720px;
      }
      .lost {
        fill: var(--bad);
      }
      .fees {
        fill: var(--good);
      }
      .share {
        fill: var(--accent);
      }
      .swatch.lost {
        background: var(--bad);
      }
      .swatch.fees {
        background: var(--good);
      }
      .swatch.share {
        background: var(--accent);
        border-radius: 50%;
      }
    `,
  ];
  static override properties = { ...LoadedElement.properties, weeks: { state: true }, summary: { state: true } };
  declare weeks: number;
  declare summary: BuyerReliabilitySummary | undefined;

  constructor() {
    super();
    this.weeks = 8;
    this.summary = undefined;
  }

  protected async fetch(): Promise<void> {
    this.summary = await api.buyerReliability.summary({ weeks: this.weeks });
  }

  #choose(e: Event): void {
    this.weeks = Number((e.target as HTMLSelectElement).value);
    void this.reload();
  }

  #currency(currency: string, weeks: Week[]) {
    const s = this.summary as BuyerReliabilitySummary;
    const money = (n: number) => formatMoney(n, currency, locale());
    const cost = s.delivery_cost.find((d) => d.currency === currency)?.amount ?? 0;
    const lost = weeks.reduce((n, w) => n + w.lost_amount, 0);
    const fees = weeks.reduce((n, w) => n + w.no_show_fees, 0);
    const orders = weeks.reduce((n, w) => n + w.orders, 0);
    const notCollected = weeks.reduce((n, w) => n + w.not_collected, 0);
    const summaryText = t("noShows.chartLabel", {
      currency,
      orders,
      notCollected,
      lost: money(lost),
      fees: money(fees),
    });
    return html`<section aria-labelledby="nos-${currency}">
      <h2 id="nos-${currency}">${t("noShows.byWeek", { currency })}</h2>
      <figure>
        <svg viewBox="0 0 ${W} ${H}" role="img" aria-label=${summaryText} data-testid="no-show-chart">${chart(weeks, currency)}</svg>
        <figcaption>
          <ul class="legend">
            <li><span class="swatch lost" aria-hidden="true"></span>${t("noShows.lost")}</li>
            <li><span class="swatch fees" aria-hidden="true"></span>${t("noShows.fees")}</li>
            <li><span class="swatch share" aria-hidden="true"></span>${t("noShows.shareScale")}</li>
          </ul>
          <p class="muted">${t("noShows.costNote", { cost: money(cost) })}</p>
        </figcaption>
      </figure>
      <div class="table-wrap"><table>
        <caption>${t("noShows.byWeek", { currency })}</caption>
        <thead><tr>
          <th scope="col">${t("noShows.week")}</th>
          <th scope="col" class="num">${t("noShows.orders")}</th>
          <th scope="col" class="num">${t("noShows.notCollected")}</th>
          <th scope="col" class="num">${t("noShows.share")}</th>
          <th scope="col" class="num">${t("noShows.lost")}</th>
          <th scope="col" class="num">${t("noShows.fees")}</th>
        </tr></thead>
        <tbody>${weeks.map(
          (w) => html`<tr>
            <th scope="row">${weekLabel(w.week_start)}</th>
            <td class="num">${w.orders}</td>
            <td class="num">${w.not_collected}</td>
            <td class="num">${w.orders ? percent(share(w)) : "—"}</td>
            <td class="num">${money(w.lost_amount)}</td>
            <td class="num">${money(w.no_show_fees)}</td>
          </tr>`,
        )}</tbody>
      </table></div>
    </section>`;
  }

  #buyers() {
    const s = this.summary as BuyerReliabilitySummary;
    if (s.min_score_on_pickup === null)
      return html`<h2>${t("noShows.buyers")}</h2>
        <p class="muted">${t("noShows.noPolicy")}</p>`;
    return html`<h2>${t("noShows.buyersUnder", { min: s.min_score_on_pickup })}</h2>
      <p class="muted">${t("noShows.buyersLead")}</p>
      ${
        s.buyers_under_threshold.length === 0
          ? html`<p class="muted">${t("noShows.noBuyers")}</p>`
          : html`<div class="table-wrap"><table>
              <caption class="visually-hidden">${t("noShows.buyersUnder", { min: s.min_score_on_pickup })}</caption>
              <thead><tr>
                <th scope="col">${t("noShows.buyer")}</th>
                <th scope="col" class="num">${t("noShows.score")}</th>
                <th scope="col" class="num">${t("noShows.orders")}</th>
                <th scope="col" class="num">${t("noShows.notCollected")}</th>
              </tr></thead>
              <tbody>${s.buyers_under_threshold.map(
                (b) => html`<tr>
                  <td class="mono">${b.buyer_hash_prefix}…</td>
                  <td class="num">${b.score}</td>
                  <td class="num">${b.orders}</td>
                  <td class="num">${b.not_collected}</td>
                </tr>`,
              )}</tbody>
            </table></div>
            ${
              s.buyers_under_threshold_total > s.buyers_under_threshold.length
                ? html`<p class="muted">${t("noShows.more", { shown: s.buyers_under_threshold.length, total: s.buyers_under_threshold_total })}</p>`
                : nothing
            }`
      }`;
  }

  override render() {
    const s = this.summary;
    const currencies = s ? [...new Set(s.weeks.map((w) => w.currency))] : [];
    return html`<h1 tabindex="-1">${t("noShows.title")}</h1>
      <p class="muted">${t("noShows.lead")}</p>
      <div class="row"><div class="field">
        <label for="no-show-weeks">${t("noShows.weeks")}</label>
        <select id="no-show-weeks" @change=${this.#choose} ?disabled=${this.loading}>
          ${WEEK_CHOICES.map((n) => html`<option value=${n} ?selected=${n === this.weeks}>${n}</option>`)}
        </select>
      </div></div>
      ${this.error ? html`<p class="alert" role="alert">${this.error}</p>` : nothing}
      ${this.loading && !s ? html`<p role="status">${t("app.loading")}</p>` : nothing}
      ${
        s
          ? html`${currencies.map((c) =>
              this.#currency(
                c,
                s.weeks.filter((w) => w.currency === c),
              ),
            )}
            ${this.#buyers()}`
          : nothing
      }`;
  }
}

customElements.define("console-no-shows", ConsoleNoShows);
declare global {
  interface HTMLElementTagNameMap {
    "console-no-shows": ConsoleNoShows;
  }
}
