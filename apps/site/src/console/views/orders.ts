import type { Order } from "@softrack/sdk";
import { html, nothing } from "lit";
import { api, failure } from "../api";
import { ConsoleElement } from "../base";
import { formatDate, locale, statusText, t } from "../i18n";
import { formatMoney } from "../money";

const PAGE = 20;

/** Orders (escrow purchases with delivery), newest first, a page at a time. */
export class ConsoleOrders extends ConsoleElement {
  static override properties = { rows: { state: true }, hasMore: { state: true }, error: { state: true }, loading: { state: true } };
  declare rows: Order[];
  declare hasMore: boolean;
  declare error: string;
  declare loading: boolean;
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
      const page = await api.orders.list({ limit: PAGE, starting_after: this.#cursors.at(-1) });
      this.rows = page.data;
      this.hasMore = page.has_more;
    } catch (e) {
      this.error = failure(e);
    } finally {
      this.loading = false;
    }
  }

  override render() {
    return html`<h1 tabindex="-1">${t("orders.title")}</h1>
      ${this.error ? html`<p class="alert" role="alert">${this.error}</p>` : nothing}
      ${this.loading && this.rows.length === 0 ? html`<p role="status">${t("app.loading")}</p>` : nothing}
      ${!this.loading && this.rows.length === 0 && !this.error ? html`<p class="muted">${t("common.none")}</p>` : nothing}
      ${
        this.rows.length > 0
          ? html`<div class="table-wrap"><table>
            <thead><tr><th scope="col">${t("common.id")}</th><th scope="col" class="num">${t("common.amount")}</th><th scope="col">${t("common.status")}</th><th scope="col">${t("orders.items")}</th><th scope="col">${t("common.created")}</th></tr></thead>
            <tbody>${this.rows.map(
              (o) => html`<tr>
                <td><a class="mono" href="#/orders/${o.id}">${o.id}</a></td>
                <td class="num">${formatMoney(o.amount, o.currency, locale())}</td>
                <td><span class="badge">${statusText(o.status)}</span></td>
                <td>${o.items.map((i) => `${i.name} × ${i.quantity}`).join(", ")}</td>
                <td>${formatDate(o.created)}</td>
              </tr>`,
            )}</tbody>
          </table></div>`
          : nothing
      }
      <nav class="row" aria-label=${t("common.pagination")}>
        <button type="button" class="secondary small" ?disabled=${this.#cursors.length <= 1 || this.loading} @click=${() => {
          this.#cursors.pop();
          void this.#load();
        }}>${t("common.previous")}</button>
        <button type="button" class="secondary small" ?disabled=${!this.hasMore || this.loading} @click=${() => {
          this.#cursors.push(this.rows.at(-1)?.id);
          void this.#load();
        }}>${t("common.next")}</button>
      </nav>`;
  }
}

customElements.define("console-orders", ConsoleOrders);
declare global {
  interface HTMLElementTagNameMap {
    "console-orders": ConsoleOrders;
  }
}
