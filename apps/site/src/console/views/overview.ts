import type { BalanceObject, Payment } from "@softrack/sdk";
import { css, html, nothing } from "lit";
import { api, failure } from "../api";
import { ConsoleElement } from "../base";
import { formatDate, type Key, locale, statusText, t } from "../i18n";
import { formatMoney } from "../money";
import { statusTone } from "../status";

type Bucket = "available" | "pending" | "held";
const BUCKETS: { key: Bucket; label: Key; hint: Key }[] = [
  { key: "available", label: "overview.available", hint: "overview.availableHint" },
  { key: "pending", label: "overview.pending", hint: "overview.pendingHint" },
  { key: "held", label: "overview.held", hint: "overview.heldHint" },
];

/** Balance per currency (available, pending, held) and the latest payments. */
export class ConsoleOverview extends ConsoleElement {
  static override styles = [
    ...ConsoleElement.styles,
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
  static override properties = { balance: { state: true }, recent: { state: true }, error: { state: true } };
  declare balance: BalanceObject | undefined;
  declare recent: Payment[];
  declare error: string;

  constructor() {
    super();
    this.balance = undefined;
    this.recent = [];
    this.error = "";
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  async load(): Promise<void> {
    this.error = "";
    try {
      const [balance, recent] = await Promise.all([api.balance.retrieve(), api.payments.list({ limit: 5 })]);
      this.balance = balance;
      this.recent = recent.data;
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
}

customElements.define("console-overview", ConsoleOverview);
declare global {
  interface HTMLElementTagNameMap {
    "console-overview": ConsoleOverview;
  }
}
