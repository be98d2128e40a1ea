import type { LedgerTransaction, Payment, Refund } from "@softrack/sdk";
import { html, nothing } from "lit";
import { api, failure } from "../api";
import { ConsoleElement, idTitle } from "../base";
import { formatDate, type Key, locale, statusText, t } from "../i18n";
import { formatMoney, parseAmount, toDecimal } from "../money";
import { statusTone } from "../status";

const REASONS = ["requested_by_customer", "duplicate", "fraudulent"] as const;

/** One payment: its facts, refunds, the ledger transactions it and its refunds caused, and Refund. */
export class ConsolePayment extends ConsoleElement {
  static override properties = {
    paymentId: { attribute: false },
    payment: { state: true },
    refunds: { state: true },
    ledger: { state: true },
    error: { state: true },
    refundError: { state: true },
    notice: { state: true },
    partial: { state: true },
    busy: { state: true },
  };
  declare paymentId: string;
  declare payment: Payment | undefined;
  declare refunds: Refund[];
  declare ledger: LedgerTransaction[];
  declare error: string;
  declare refundError: string;
  declare notice: string;
  declare partial: boolean;
  declare busy: boolean;

  constructor() {
    super();
    this.paymentId = "";
    this.payment = undefined;
    this.refunds = [];
    this.ledger = [];
    this.error = "";
    this.refundError = "";
    this.notice = "";
    this.partial = false;
    this.busy = false;
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has("paymentId") && this.paymentId) void this.#load();
  }

  async #load(): Promise<void> {
    this.error = "";
    try {
      const [payment, refunds] = await Promise.all([
        api.payments.retrieve(this.paymentId),
        api.refunds.list({ payment: this.paymentId, limit: 100 }),
      ]);
      // the payment's own postings and every refund's
      const sources = [payment.id, ...refunds.data.map((r) => r.id)];
      const ledger = await Promise.all(sources.map((source) => api.ledger.transactions.list({ source, limit: 100 })));
      this.payment = payment;
      this.refunds = refunds.data;
      this.ledger = ledger.flatMap((p) => p.data).sort((a, b) => a.created.localeCompare(b.created) || a.id.localeCompare(b.id));
    } catch (e) {
      this.error = failure(e);
    }
  }

  #refund(e: SubmitEvent): void {
    e.preventDefault();
    const p = this.payment;
    if (!p) return;
    const form = e.target as HTMLFormElement;
    const left = p.amount_captured - p.amount_refunded;
    let amount = left;
    const input = form.elements.namedItem("amount") as HTMLInputElement | null;
    if (this.partial && input) {
      const parsed = parseAmount(input.value, p.currency);
      if (parsed === null || parsed > left) {
        this.refundError = t("payment.refundBadAmount", { max: toDecimal(left, p.currency) });
        input.setAttribute("aria-invalid", "true");
        input.focus();
        return;
      }
      input.removeAttribute("aria-invalid");
      amount = parsed;
    }
    const reason = (form.elements.namedItem("reason") as HTMLSelectElement).value as (typeof REASONS)[number];
    this.busy = true;
    this.refundError = "";
    this.notice = "";
    api.refunds
      .create({ payment: p.id, ...(this.partial ? { amount } : {}), reason })
      .then(async (refund) => {
        this.notice = t("payment.refundDone", { amount: formatMoney(refund.amount, refund.currency, locale()) });
        this.partial = false;
        form.reset();
        await this.#load();
      })
      .catch((err) => {
        this.refundError = failure(err);
      })
      .finally(() => {
        this.busy = false;
      });
  }

  override render() {
    const p = this.payment;
    if (!p)
      return html`<p><a href="#/payments">← ${t("common.back")}</a></p>
        ${this.error ? html`<p class="alert" role="alert">${this.error}</p>` : html`<p role="status">${t("app.loading")}</p>`}`;
    const money = (n: number) => formatMoney(n, p.currency, locale());
    const left = p.amount_captured - p.amount_refunded;
    const facts: [Key, unknown][] = [
      ["common.status", html`<span class="badge ${statusTone(p.status)}">${statusText(p.status)}</span>`],
      ["common.amount", money(p.amount)],
      ["payment.captured", money(p.amount_captured)],
      ["payment.refunded", money(p.amount_refunded)],
      ["payment.fee", p.fee == null ? "—" : money(p.fee)],
      ["payments.method", p.method ?? "—"],
      ["common.description", p.description ?? "—"],
      ["payment.customer", p.customer ?? "—"],
      ["payment.order", p.order ? html`<a class="mono" href="#/orders/${p.order}">${p.order}</a>` : "—"],
      ["common.created", formatDate(p.created)],
    ];
    return html`<p><a href="#/payments">← ${t("common.back")}</a></p>
      <h1 tabindex="-1">${idTitle("payment.title", p.id)}</h1>
      ${this.error ? html`<p class="alert" role="alert">${this.error}</p>` : nothing}
      <dl class="facts">${facts.map(([k, v]) => html`<dt>${t(k)}</dt><dd>${v}</dd>`)}</dl>

      <section class="card" aria-labelledby="refund-title">
        <h2 id="refund-title">${t("payment.refund")}</h2>
        <div role="status" aria-live="polite">${this.notice ? html`<p class="ok">${this.notice}</p>` : nothing}</div>
        ${this.refundError ? html`<p class="alert" role="alert">${this.refundError}</p>` : nothing}
        ${
          left <= 0
            ? html`<p class="muted">${t("payment.notRefundable")}</p>`
            : html`<p>${t("payment.refundable")}: <strong>${money(left)}</strong></p>
              <form @submit=${this.#refund}>
                <fieldset>
                  <legend>${t("common.amount")}</legend>
                  <label><input type="radio" name="how" value="full" .checked=${!this.partial} @change=${() => (this.partial = false)} />${t("payment.refundFull")}</label>
                  <label><input type="radio" name="how" value="partial" .checked=${this.partial} @change=${() => (this.partial = true)} />${t("payment.refundPartial")}</label>
                </fieldset>
                ${
                  this.partial
                    ? html`<div class="field">
                      <label for="refund-amount">${t("payment.refundAmount", { currency: p.currency })}</label>
                      <input id="refund-amount" name="amount" inputmode="decimal" autocomplete="off" placeholder=${toDecimal(left, p.currency)} required />
                    </div>`
                    : nothing
                }
                <div class="field">
                  <label for="refund-reason">${t("payment.refundReason")}</label>
                  <select id="refund-reason" name="reason">
                    ${REASONS.map((r) => html`<option value=${r}>${t(`reason.${r}` as Key)}</option>`)}
                  </select>
                </div>
                <div>
                  <button type="submit" ?disabled=${this.busy}>${this.partial ? t("payment.refund") : t("payment.refundSubmit", { amount: money(left) })}</button>
                </div>
              </form>`
        }
      </section>

      <h2>${t("payment.refunds")}</h2>
      ${
        this.refunds.length === 0
          ? html`<p class="muted">${t("common.none")}</p>`
          : html`<div class="table-wrap"><table>
            <thead><tr><th scope="col">${t("common.id")}</th><th scope="col" class="num">${t("common.amount")}</th><th scope="col">${t("common.status")}</th><th scope="col">${t("payment.refundReason")}</th><th scope="col">${t("common.created")}</th></tr></thead>
            <tbody>${this.refunds.map(
              (r) =>
                html`<tr><td class="mono">${r.id}</td><td class="num">${money(r.amount)}</td><td><span class="badge ${statusTone(r.status)}">${statusText(r.status)}</span></td><td>${r.reason ? t(`reason.${r.reason}` as Key) : "—"}</td><td>${formatDate(r.created)}</td></tr>`,
            )}</tbody>
          </table></div>`
      }

      <h2>${t("payment.ledger")}</h2>
      ${
        this.ledger.length === 0
          ? html`<p class="muted">${t("common.none")}</p>`
          : html`<div class="table-wrap"><table>
            <thead><tr><th scope="col">${t("payment.transaction")}</th><th scope="col">${t("common.type")}</th><th scope="col">${t("payment.account")}</th><th scope="col" class="num">${t("common.amount")}</th><th scope="col">${t("common.created")}</th></tr></thead>
            <tbody>${this.ledger.flatMap((tx) =>
              tx.postings.map(
                (posting, i) => html`<tr>
                  <td class="mono">${i === 0 ? tx.id : ""}</td>
                  <td>${i === 0 ? tx.type : ""}</td>
                  <td class="mono">${posting.account}</td>
                  <td class="num">${formatMoney(posting.amount, posting.currency, locale())}</td>
                  <td>${i === 0 ? formatDate(tx.created) : ""}</td>
                </tr>`,
              ),
            )}</tbody>
          </table></div>`
      }`;
  }
}

customElements.define("console-payment", ConsolePayment);
declare global {
  interface HTMLElementTagNameMap {
    "console-payment": ConsolePayment;
  }
}
