import type { Payment } from "@softrack/sdk";
import { html, nothing } from "lit";
import { api } from "../api";
import { formatDate, locale, statusText, t } from "../i18n";
import { formatMoney } from "../money";
import { statusTone } from "../status";
import { PagedList } from "./paged-list";

/** Every payment, newest first, a page at a time (cursor pagination). */
export class ConsolePayments extends PagedList<Payment> {
  protected fetchPage(query: { limit: number; starting_after?: string }) {
    return api.payments.list(query);
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
