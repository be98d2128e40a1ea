import type { LedgerTransaction, Order, OrderEventList } from "@softrack/sdk";
import { html, nothing } from "lit";
import { api, failure } from "../api";
import { ConsoleElement, idTitle } from "../base";
import { formatDate, type Key, locale, statusText, t } from "../i18n";
import { formatMoney } from "../money";
import { statusTone } from "../status";

/** One order: items, delivery, its history (events) and its ledger transactions. */
export class ConsoleOrder extends ConsoleElement {
  static override properties = {
    orderId: { attribute: false },
    order: { state: true },
    events: { state: true },
    ledger: { state: true },
    error: { state: true },
  };
  declare orderId: string;
  declare order: Order | undefined;
  declare events: OrderEventList["data"];
  declare ledger: LedgerTransaction[];
  declare error: string;

  constructor() {
    super();
    this.orderId = "";
    this.order = undefined;
    this.events = [];
    this.ledger = [];
    this.error = "";
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has("orderId") && this.orderId) void this.#load();
  }

  async #load(): Promise<void> {
    try {
      const [order, events, ledger] = await Promise.all([
        api.orders.retrieve(this.orderId),
        api.orders.events(this.orderId),
        api.ledger.transactions.list({ source: this.orderId, limit: 100 }),
      ]);
      this.order = order;
      this.events = events.data;
      this.ledger = ledger.data;
    } catch (e) {
      this.error = failure(e);
    }
  }

  override render() {
    const o = this.order;
    if (!o)
      return html`<p><a href="#/orders">← ${t("common.back")}</a></p>
        ${this.error ? html`<p class="alert" role="alert">${this.error}</p>` : html`<p role="status">${t("app.loading")}</p>`}`;
    const money = (n: number) => formatMoney(n, o.currency, locale());
    const facts: [Key, unknown][] = [
      ["common.status", html`<span class="badge ${statusTone(o.status)}">${statusText(o.status)}</span>`],
      ["common.amount", money(o.amount)],
      ["payment.captured", money(o.amount_captured)],
      ["payment.refunded", money(o.amount_refunded)],
      ["order.delivery", `${o.delivery.type}${o.delivery.point ? ` · ${o.delivery.point}` : ""} · ${formatDate(o.delivery.collect_by)}`],
      ["order.payment", o.payment ? html`<a class="mono" href="#/payments/${o.payment}">${o.payment}</a>` : "—"],
      ["common.created", formatDate(o.created)],
    ];
    return html`<p><a href="#/orders">← ${t("common.back")}</a></p>
      <h1 tabindex="-1">${idTitle("order.title", o.id)}</h1>
      <dl class="facts">${facts.map(([k, v]) => html`<dt>${t(k)}</dt><dd>${v}</dd>`)}</dl>
      <div class="table-wrap"><table>
        <caption>${t("orders.items")}</caption>
        <thead><tr><th scope="col">${t("order.item")}</th><th scope="col" class="num">${t("common.amount")}</th><th scope="col" class="num">${t("order.quantity")}</th><th scope="col" class="num">${t("order.accepted")}</th><th scope="col" class="num">${t("order.returned")}</th></tr></thead>
        <tbody>${o.items.map((i) => html`<tr><td class="text">${i.name} <span class="hint mono">${i.sku}</span></td><td class="num">${money(i.amount)}</td><td class="num">${i.quantity}</td><td class="num">${i.accepted}</td><td class="num">${i.returned}</td></tr>`)}</tbody>
      </table></div>
      <h2>${t("order.events")}</h2>
      ${
        this.events.length === 0
          ? html`<p class="muted">${t("common.none")}</p>`
          : html`<ol class="card">${this.events.map((ev) => html`<li><strong class="mono">${ev.type}</strong> · ${formatDate(ev.created)}</li>`)}</ol>`
      }
      <h2>${t("payment.ledger")}</h2>
      ${
        this.ledger.length === 0
          ? html`<p class="muted">${t("common.none")}</p>`
          : html`<div class="table-wrap"><table>
            <thead><tr><th scope="col">${t("payment.transaction")}</th><th scope="col">${t("common.type")}</th><th scope="col">${t("payment.account")}</th><th scope="col" class="num">${t("common.amount")}</th></tr></thead>
            <tbody>${this.ledger.flatMap((tx) =>
              tx.postings.map(
                (p, i) =>
                  html`<tr><td class="mono">${i === 0 ? tx.id : ""}</td><td>${i === 0 ? tx.type : ""}</td><td class="mono">${p.account}</td><td class="num">${formatMoney(p.amount, p.currency, locale())}</td></tr>`,
              ),
            )}</tbody>
          </table></div>`
      }
      ${this.error ? html`<p class="alert" role="alert">${this.error}</p>` : nothing}`;
  }
}

customElements.define("console-order", ConsoleOrder);
declare global {
  interface HTMLElementTagNameMap {
    "console-order": ConsoleOrder;
  }
}
