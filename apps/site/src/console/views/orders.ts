import type { Order } from "@softrack/sdk";
import { html } from "lit";
import { api } from "../api";
import { formatDate, locale, statusText, t } from "../i18n";
import { formatMoney } from "../money";
import { statusTone } from "../status";
import { PagedList } from "./paged-list";

/** Orders (escrow purchases with delivery), newest first, a page at a time. */
export class ConsoleOrders extends PagedList<Order> {
  protected fetchPage(query: { limit: number; starting_after?: string }) {
    return api.orders.list(query);
  }
  protected override csvPath() {
    return "/v1/orders";
  }
  protected heading() {
    return t("orders.title");
  }
  protected table(rows: Order[]) {
    return html`<div class="table-wrap"><table>
            <thead><tr><th scope="col">${t("common.id")}</th><th scope="col" class="num">${t("common.amount")}</th><th scope="col">${t("common.status")}</th><th scope="col">${t("orders.items")}</th><th scope="col">${t("common.created")}</th></tr></thead>
            <tbody>${rows.map(
              (o) => html`<tr>
                <td><a class="mono" href="#/orders/${o.id}">${o.id}</a></td>
                <td class="num">${formatMoney(o.amount, o.currency, locale())}</td>
                <td><span class="badge ${statusTone(o.status)}">${statusText(o.status)}</span></td>
                <td class="text">${o.items.map((i) => `${i.name} × ${i.quantity}`).join(", ")}</td>
                <td>${formatDate(o.created)}</td>
              </tr>`,
            )}</tbody>
          </table></div>`;
  }
}

customElements.define("console-orders", ConsoleOrders);
declare global {
  interface HTMLElementTagNameMap {
    "console-orders": ConsoleOrders;
  }
}
