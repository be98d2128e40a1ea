import type { Payment, PaymentListParams } from "@softrack/sdk";
import { html, nothing } from "lit";
import { api } from "../api";
import { formatDate, locale, statusText, t } from "../i18n";
import { formatMoney } from "../money";
import { statusTone } from "../status";
import { PagedList, type PageQuery } from "./paged-list";

const STATUSES = [
  "succeeded",
  "failed",
  "requires_payment_method",
  "requires_action",
  "requires_capture",
  "processing",
  "canceled",
] as const;

/** Every payment (or those of one status), newest first, a page at a time (cursor pagination); the same list as CSV. */
export class ConsolePayments extends PagedList<Payment> {
  static override properties = { ...PagedList.properties, status: { state: true } };
  /** The status filter; "" is every payment. */
  declare status: string;

  constructor() {
    super();
    this.status = "";
  }

  protected fetchPage(query: PageQuery) {
    return api.payments.list(query as PaymentListParams);
  }
  protected override filters() {
    return { status: this.status || undefined };
  }
  protected override csvPath() {
    return "/v1/payments";
  }
  protected override filterControls() {
    return html`<div class="field">
      <label for="payment-status">${t("payments.statusFilter")}</label>
      <select id="payment-status" ?disabled=${this.loading} @change=${(e: Event) => {
        this.status = (e.target as HTMLSelectElement).value;
        this.refilter();
      }}>
        <option value="" ?selected=${this.status === ""}>${t("payments.allStatuses")}</option>
        ${STATUSES.map((s) => html`<option value=${s} ?selected=${this.status === s}>${statusText(s)}</option>`)}
      </select>
    </div>`;
  }
  protected heading() {
    return t("payments.title");
  }
  protected table(rows: Payment[]) {
    return html`<div class="table-wrap"><table aria-busy=${this.loading ? "true" : "false"}>
            <thead><tr>
              <th scope="col">${t("common.id")}</th>
              <th scope="col" class="num">${t("common.amount")}</th>
              <th scope="col">${t("common.status")}</th>
              <th scope="col">${t("payments.method")}</th>
              <th scope="col">${t("common.description")}</th>
              <th scope="col">${t("common.created")}</th>
            </tr></thead>
            <tbody>${rows.map(
              (p) => html`<tr>
                <td><a class="mono" href="#/payments/${p.id}">${p.id}</a></td>
                <td class="num">${formatMoney(p.amount, p.currency, locale())}${p.amount_refunded > 0 ? html`<br /><span class="hint">${formatMoney(-p.amount_refunded, p.currency, locale())}</span>` : nothing}</td>
                <td><span class="badge ${statusTone(p.status)}">${statusText(p.status)}</span></td>
                <td>${p.method ?? "—"}</td>
                <td class="text">${p.description ?? ""}</td>
                <td>${formatDate(p.created)}</td>
              </tr>`,
            )}</tbody>
          </table></div>`;
  }
}

customElements.define("console-payments", ConsolePayments);
declare global {
  interface HTMLElementTagNameMap {
    "console-payments": ConsolePayments;
  }
}
