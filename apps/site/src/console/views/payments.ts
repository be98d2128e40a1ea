import type { Payment } from "@softrack/sdk";
import { html, nothing } from "lit";
import { api, failure } from "../api";
import { ConsoleElement } from "../base";
import { formatDate, locale, statusText, t } from "../i18n";
import { formatMoney } from "../money";

const PAGE = 20;

/** Every payment, newest first, a page at a time (cursor pagination). */
export class ConsolePayments extends ConsoleElement {
  static override properties = { rows: { state: true }, hasMore: { state: true }, error: { state: true }, loading: { state: true } };
  declare rows: Payment[];
  declare hasMore: boolean;
  declare error: string;
  declare loading: boolean;
  /** starting_after of every page shown so far; the last one is this page's. */
  #cursors: (string | undefined)[] = [undefined];

  constructor() {
    super();
    this.rows = [];
    this.hasMore = false;
    this.error = "";
    this.loading = true;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#load();
  }

  async #load(): Promise<void> {
    this.loading = true;
    this.error = "";
    try {
      const page = await api.payments.list({ limit: PAGE, starting_after: this.#cursors.at(-1) });
      this.rows = page.data;
      this.hasMore = page.has_more;
    } catch (e) {
      this.error = failure(e);
    } finally {
      this.loading = false;
    }
  }

  #next(): void {
    this.#cursors.push(this.rows.at(-1)?.id);
    void this.#load();
  }
  #previous(): void {
    this.#cursors.pop();
    void this.#load();
  }

  override render() {
    return html`<h1 tabindex="-1">${t("payments.title")}</h1>
      ${this.error ? html`<p class="alert" role="alert">${this.error}</p>` : nothing}
      ${this.loading && this.rows.length === 0 ? html`<p role="status">${t("app.loading")}</p>` : nothing}
      ${!this.loading && this.rows.length === 0 && !this.error ? html`<p class="muted">${t("common.none")}</p>` : nothing}
      ${
        this.rows.length > 0
          ? html`<div class="table-wrap"><table aria-busy=${this.loading ? "true" : "false"}>
            <thead><tr>
              <th scope="col">${t("common.id")}</th>
              <th scope="col" class="num">${t("common.amount")}</th>
              <th scope="col">${t("common.status")}</th>
              <th scope="col">${t("payments.method")}</th>
              <th scope="col">${t("common.description")}</th>
              <th scope="col">${t("common.created")}</th>
            </tr></thead>
            <tbody>${this.rows.map(
              (p) => html`<tr>
                <td><a class="mono" href="#/payments/${p.id}">${p.id}</a></td>
                <td class="num">${formatMoney(p.amount, p.currency, locale())}${p.amount_refunded > 0 ? html`<br /><span class="hint">−${formatMoney(p.amount_refunded, p.currency, locale())}</span>` : nothing}</td>
                <td><span class="badge ${p.status === "succeeded" ? "good" : p.status === "failed" ? "bad" : ""}">${statusText(p.status)}</span></td>
                <td>${p.method ?? "—"}</td>
                <td>${p.description ?? ""}</td>
                <td>${formatDate(p.created)}</td>
              </tr>`,
            )}</tbody>
          </table></div>`
          : nothing
      }
      <nav class="row" aria-label=${t("common.pagination")}>
        <button type="button" class="secondary small" ?disabled=${this.#cursors.length <= 1 || this.loading} @click=${this.#previous}>${t("common.previous")}</button>
        <button type="button" class="secondary small" ?disabled=${!this.hasMore || this.loading} @click=${this.#next}>${t("common.next")}</button>
      </nav>`;
  }
}

customElements.define("console-payments", ConsolePayments);
declare global {
  interface HTMLElementTagNameMap {
    "console-payments": ConsolePayments;
  }
}
