import type { BalanceObject, BankAccount, Identity, Payout, PayoutCreateParams, PayoutSchedule, PayoutTransaction } from "@softrack/sdk";
import { css, html, nothing } from "lit";
import { api, failure } from "../api";
import { idTitle, isOwner } from "../base";
import { formatDate, type Key, locale, statusText, t, weekdayText } from "../i18n";
import { formatMoney, parseAmount, toDecimal } from "../money";
import { statusTone } from "../status";
import { PagedList } from "./paged-list";

const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;
type Interval = PayoutSchedule["interval"];

const stats = css`
  .balances {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(13rem, 1fr));
    gap: 1rem;
  }
  .stat p {
    margin: 0;
  }
  .stat-value {
    font-size: 1.6rem;
    font-weight: 700;
    font-variant-numeric: tabular-nums;
    margin: 0.25rem 0 !important;
  }
`;

/**
 * Money out: the available balance and any debt, the payout schedule (and a form to change
 * it), "pay out now", and the payout history a page at a time; a payout opens its report.
 */
export class ConsolePayouts extends PagedList<Payout> {
  static override styles = [...PagedList.styles, stats];
  static override properties = {
    ...PagedList.properties,
    balance: { state: true },
    schedule: { state: true },
    accounts: { state: true },
    interval: { state: true },
    busy: { state: true },
    notice: { state: true },
    actionError: { state: true },
    me: { attribute: false },
  };
  /** Who is signed in: money out (the schedule, a payout) is an owner's; others see it only. */
  declare me: Identity | undefined;
  declare balance: BalanceObject | undefined;
  declare schedule: PayoutSchedule | undefined;
  declare accounts: BankAccount[];
  /** The interval chosen in the form (the weekday select shows only for weekly). */
  declare interval: Interval | undefined;
  declare busy: boolean;
  declare notice: string;
  declare actionError: string;

  constructor() {
    super();
    this.balance = undefined;
    this.schedule = undefined;
    this.accounts = [];
    this.interval = undefined;
    this.busy = false;
    this.notice = "";
    this.actionError = "";
  }

  protected override async fetch(): Promise<void> {
    const [, balance, schedule, accounts] = await Promise.all([
      super.fetch(),
      api.balance.retrieve(),
      api.payouts.retrieveSchedule(),
      api.bankAccounts.list({ limit: 100 }),
    ]);
    this.balance = balance;
    this.schedule = schedule;
    this.accounts = accounts.data;
  }

  protected fetchPage(query: { limit: number; starting_after?: string }) {
    return api.payouts.list(query);
  }
  protected override csvPath() {
    return "/v1/payouts";
  }
  protected heading() {
    return t("payouts.title");
  }

  /** The currencies with money to show: what is available or owed. */
  #currencies(): string[] {
    const b = this.balance;
    return b ? [...new Set([...b.available, ...b.debt].map((x) => x.currency))].sort() : [];
  }
  #amount(bucket: "available" | "debt", currency: string): number {
    return this.balance?.[bucket].find((x) => x.currency === currency)?.amount ?? 0;
  }
  /** The schedule's minimum is in minor units of the merchant's (first) currency. */
  #scheduleCurrency(): string {
    return this.#currencies()[0] ?? this.accounts[0]?.currency ?? "KGS";
  }

  async #act(work: () => Promise<string>): Promise<void> {
    this.busy = true;
    this.notice = "";
    this.actionError = "";
    try {
      const notice = await work();
      await this.reload();
      this.notice = notice;
    } catch (e) {
      this.actionError = failure(e);
    } finally {
      this.busy = false;
    }
  }

  #saveSchedule(e: SubmitEvent): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const interval = (form.elements.namedItem("interval") as HTMLSelectElement).value as Interval;
    const anchor = form.elements.namedItem("weekly_anchor") as HTMLSelectElement | null;
    // an empty or zero minimum means "any amount"
    const minimum = this.#amountIn(form.elements.namedItem("minimum") as HTMLInputElement, this.#scheduleCurrency(), true);
    if (minimum === null) return;
    void this.#act(async () => {
      await api.payouts.updateSchedule({
        interval,
        minimum,
        ...(interval === "weekly" && anchor ? { weekly_anchor: anchor.value as (typeof WEEKDAYS)[number] } : {}),
      });
      return t("payouts.scheduleSaved");
    });
  }

  /** The amount typed in `input` (minor units), or null once the field is marked invalid and the error said. */
  #amountIn(input: HTMLInputElement, currency: string, zeroAllowed = false): number | null {
    const text = input.value.trim();
    const amount = zeroAllowed && (text === "" || /^0+([.,]0*)?$/.test(text)) ? 0 : parseAmount(text, currency);
    if (amount === null) {
      this.actionError = t("payouts.badAmount");
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return null;
    }
    input.removeAttribute("aria-invalid");
    return amount;
  }

  #payOut(e: SubmitEvent): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const currency = (form.elements.namedItem("currency") as HTMLSelectElement).value;
    const amount = this.#amountIn(form.elements.namedItem("amount") as HTMLInputElement, currency);
    if (amount === null) return;
    void this.#act(async () => {
      const payout = await api.payouts.create({ amount, currency: currency as PayoutCreateParams["currency"] });
      form.reset();
      return t("payouts.created", { amount: formatMoney(payout.amount, payout.currency, locale()), id: payout.id });
    });
  }

  protected override lead() {
    const b = this.balance;
    if (!b) return nothing;
    const currencies = this.#currencies();
    const s = this.schedule;
    const interval = this.interval ?? s?.interval ?? "manual";
    const sc = this.#scheduleCurrency();
    const payable = currencies.filter((c) => this.#amount("available", c) > 0);
    return html`<div role="status" aria-live="polite">${this.notice ? html`<p class="ok">${this.notice}</p>` : nothing}</div>
      ${this.actionError ? html`<p class="alert" role="alert">${this.actionError}</p>` : nothing}
      <section aria-labelledby="po-balance-title">
        <h2 id="po-balance-title">${t("overview.balance")}</h2>
        ${
          currencies.length === 0
            ? html`<p class="muted">${t("overview.empty")}</p>`
            : currencies.map(
                (c) => html`<div class="balances" data-currency=${c}>
                <div class="card stat" data-bucket="available">
                  <p><strong>${t("overview.available")}</strong> <span class="muted">· ${c}</span></p>
                  <p class="stat-value">${formatMoney(this.#amount("available", c), c, locale())}</p>
                  <p class="hint">${t("overview.availableHint")}</p>
                </div>
                <div class="card stat" data-bucket="debt">
                  <p><strong>${t("payouts.debt")}</strong> <span class="muted">· ${c}</span></p>
                  <p class="stat-value">${formatMoney(this.#amount("debt", c), c, locale())}</p>
                  <p class="hint">${t("payouts.debtHint")}</p>
                </div>
              </div>`,
              )
        }
      </section>

      <section class="card" aria-labelledby="po-schedule-title">
        <h2 id="po-schedule-title">${t("payouts.schedule")}</h2>
        ${
          s
            ? html`<p>
              ${t(`payouts.interval.${s.interval}` as Key)}${s.interval === "weekly" && s.weekly_anchor ? html` · ${weekdayText(s.weekly_anchor)}` : nothing}
              ${s.minimum > 0 ? html` · ${t("payouts.minimumIs", { amount: formatMoney(s.minimum, sc, locale()) })}` : nothing}
              <br /><span class="muted">${t("payouts.nextRun")}: ${s.next_run ? formatDate(s.next_run) : t("payouts.noNextRun")}</span>
            </p>`
            : nothing
        }
        ${
          !isOwner(this.me)
            ? html`<p class="muted" data-testid="owner-only">${t("payouts.ownerOnly")}</p>`
            : html`<form @submit=${this.#saveSchedule}>
          <div class="field">
            <label for="po-interval">${t("payouts.interval")}</label>
            <select id="po-interval" name="interval" @change=${(e: Event) => (this.interval = (e.target as HTMLSelectElement).value as Interval)}>
              ${(["manual", "daily", "weekly"] as const).map((i) => html`<option value=${i} ?selected=${i === interval}>${t(`payouts.interval.${i}` as Key)}</option>`)}
            </select>
          </div>
          ${
            interval === "weekly"
              ? html`<div class="field">
                <label for="po-anchor">${t("payouts.weeklyAnchor")}</label>
                <select id="po-anchor" name="weekly_anchor">
                  ${WEEKDAYS.map((d) => html`<option value=${d} ?selected=${d === (s?.weekly_anchor ?? "monday")}>${weekdayText(d)}</option>`)}
                </select>
              </div>`
              : nothing
          }
          <div class="field">
            <label for="po-minimum">${t("payouts.minimum", { currency: sc })}</label>
            <input id="po-minimum" name="minimum" inputmode="decimal" autocomplete="off" .value=${s && s.minimum > 0 ? toDecimal(s.minimum, sc) : ""} />
          </div>
          <div><button type="submit" ?disabled=${this.busy}>${t("payouts.saveSchedule")}</button></div>
        </form>`
        }
      </section>

      <section class="card" aria-labelledby="po-now-title">
        <h2 id="po-now-title">${t("payouts.payOutNow")}</h2>
        ${
          !isOwner(this.me)
            ? html`<p class="muted">${t("payouts.ownerOnly")}</p>`
            : this.accounts.length === 0
              ? html`<p class="muted">${t("payouts.noBankAccount")} <a href="#/settings">${t("bank.add")}</a></p>`
              : payable.length === 0
                ? html`<p class="muted">${t("payouts.nothingAvailable")}</p>`
                : html`<form @submit=${this.#payOut}>
                <div class="field">
                  <label for="po-currency">${t("common.currency")}</label>
                  <select id="po-currency" name="currency">${payable.map((c) => html`<option value=${c}>${c}</option>`)}</select>
                </div>
                <div class="field">
                  <label for="po-amount">${t("payouts.amount")}</label>
                  <input id="po-amount" name="amount" inputmode="decimal" autocomplete="off" required placeholder=${toDecimal(this.#amount("available", payable[0] as string), payable[0] as string)} />
                </div>
                <div><button type="submit" ?disabled=${this.busy}>${t("payouts.payOut")}</button></div>
              </form>`
        }
      </section>
      <h2>${t("payouts.history")}</h2>`;
  }

  protected table(rows: Payout[]) {
    return html`<div class="table-wrap"><table aria-busy=${this.loading ? "true" : "false"}>
      <thead><tr>
        <th scope="col">${t("common.id")}</th>
        <th scope="col" class="num">${t("common.amount")}</th>
        <th scope="col">${t("common.status")}</th>
        <th scope="col">${t("payouts.arrival")}</th>
        <th scope="col">${t("common.created")}</th>
      </tr></thead>
      <tbody>${rows.map(
        (p) => html`<tr>
          <td><a class="mono" href="#/payouts/${p.id}">${p.id}</a>${p.automatic ? html` <span class="hint">${t("payouts.automatic")}</span>` : nothing}</td>
          <td class="num">${formatMoney(p.amount, p.currency, locale())}</td>
          <td><span class="badge ${statusTone(p.status)}">${statusText(p.status)}</span></td>
          <td>${formatDate(p.arrival_date)}</td>
          <td>${formatDate(p.created)}</td>
        </tr>`,
      )}</tbody>
    </table></div>`;
  }
}

/** One payout: its facts, Cancel while pending, and its report lines with the CSV download. */
export class ConsolePayout extends PagedList<PayoutTransaction> {
  static override properties = {
    ...PagedList.properties,
    payoutId: { attribute: false },
    payout: { state: true },
    accounts: { state: true },
    busy: { state: true },
    me: { attribute: false },
  };
  declare me: Identity | undefined;
  declare payoutId: string;
  declare payout: Payout | undefined;
  declare accounts: BankAccount[];
  declare busy: boolean;

  constructor() {
    super();
    this.payoutId = "";
    this.payout = undefined;
    this.accounts = [];
    this.busy = false;
  }

  override willUpdate(changed: Map<string, unknown>): void {
    // the same element may be handed another payout by the route
    if (changed.has("payoutId") && changed.get("payoutId") && this.payoutId) void this.reload();
  }

  protected override async fetch(): Promise<void> {
    if (!this.payoutId) return;
    const [, payout, accounts] = await Promise.all([
      super.fetch(),
      api.payouts.retrieve(this.payoutId),
      api.bankAccounts.list({ limit: 100 }),
    ]);
    this.payout = payout;
    this.accounts = accounts.data;
  }
  protected fetchPage(query: { limit: number; starting_after?: string }) {
    return api.payouts.listTransactions(this.payoutId, query);
  }
  protected heading() {
    return idTitle("payout.title", this.payoutId);
  }

  async #cancel(): Promise<void> {
    if (!this.payout || !confirm(t("payout.cancelConfirm"))) return;
    this.busy = true;
    this.error = "";
    try {
      await api.payouts.cancel(this.payout.id);
      await this.reload();
    } catch (e) {
      this.error = failure(e);
    } finally {
      this.busy = false;
    }
  }

  protected override lead() {
    const p = this.payout;
    if (!p) return nothing;
    const account = this.accounts.find((a) => a.id === p.bank_account);
    const facts: [Key, unknown][] = [
      ["common.status", html`<span class="badge ${statusTone(p.status)}">${statusText(p.status)}</span>`],
      ["common.amount", formatMoney(p.amount, p.currency, locale())],
      ["payouts.arrival", formatDate(p.arrival_date)],
      ["payout.bankAccount", account ? `${account.holder_name} · •••• ${account.last4}` : p.bank_account],
      ["payout.kind", p.automatic ? t("payouts.automatic") : t("payouts.manual")],
      ["common.created", formatDate(p.created)],
    ];
    if (p.failure_code) facts.push(["payout.failure", p.failure_message ?? p.failure_code]);
    return html`<dl class="facts">${facts.map(([k, v]) => html`<dt>${t(k)}</dt><dd>${v}</dd>`)}</dl>
      ${p.status === "pending" && isOwner(this.me) ? html`<p><button type="button" class="danger" ?disabled=${this.busy} @click=${this.#cancel}>${t("payout.cancel")}</button></p>` : nothing}
      <h2>${t("payout.report")}</h2>
      <p class="muted">${t("payout.reportLead")}</p>
      <p><a class="download" href="/v1/payouts/${encodeURIComponent(p.id)}/transactions?format=csv" download>${t("payout.csv")}</a></p>`;
  }

  override render() {
    return html`<p><a href="#/payouts">← ${t("common.back")}</a></p>${super.render()}`;
  }

  protected table(rows: PayoutTransaction[]) {
    return html`<div class="table-wrap"><table aria-busy=${this.loading ? "true" : "false"}>
      <thead><tr>
        <th scope="col">${t("common.type")}</th>
        <th scope="col">${t("payout.source")}</th>
        <th scope="col">${t("common.description")}</th>
        <th scope="col" class="num">${t("common.amount")}</th>
        <th scope="col" class="num">${t("payment.fee")}</th>
        <th scope="col">${t("common.created")}</th>
      </tr></thead>
      <tbody>${rows.map(
        (x) => html`<tr>
          <td>${x.type}</td>
          <td>${x.source?.startsWith("pay_") ? html`<a class="mono" href="#/payments/${x.source}">${x.source}</a>` : html`<span class="mono">${x.source ?? "—"}</span>`}</td>
          <td class="text">${x.description ?? ""}</td>
          <td class="num">${formatMoney(x.amount, x.currency, locale())}</td>
          <td class="num">${formatMoney(x.fee, x.currency, locale())}</td>
          <td>${formatDate(x.created)}</td>
        </tr>`,
      )}</tbody>
    </table></div>`;
  }
}

customElements.define("console-payouts", ConsolePayouts);
customElements.define("console-payout", ConsolePayout);
declare global {
  interface HTMLElementTagNameMap {
    "console-payouts": ConsolePayouts;
    "console-payout": ConsolePayout;
  }
}
