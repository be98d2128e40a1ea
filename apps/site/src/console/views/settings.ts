import type { BankAccount, BankAccountCreateParams, Identity, SecurityEvent, Session, TotpSetup } from "@softrack/sdk";
import { css, html, nothing } from "lit";
import { api, failure } from "../api";
import { ConsoleElement, isOwner } from "../base";
import { formatDate, type Key, t } from "../i18n";

const COUNTRIES = ["KG", "KZ", "UZ"] as const;
const CURRENCY_OF: Record<(typeof COUNTRIES)[number], BankAccountCreateParams["currency"]> = { KG: "KGS", KZ: "KZT", UZ: "UZS" };
const CURRENCIES = ["KGS", "KZT", "UZS", "RUB", "USD", "EUR", "TJS"] as const;

const SVG_NS = "http://www.w3.org/2000/svg";
const QR_ATTRS = new Set(["viewBox", "xmlns", "shape-rendering", "fill", "stroke", "d", "width", "height", "x", "y"]);

/**
 * The API's QR code (an SVG it draws locally with `qrcode`) as a DOM node: only <svg>, <path>
 * and <rect> with geometry and colour attributes are kept, so nothing else can ride along.
 */
function qrNode(markup: string): SVGSVGElement | null {
  const doc = new DOMParser().parseFromString(markup, "image/svg+xml");
  const root = doc.documentElement;
  if (root.namespaceURI !== SVG_NS || root.localName !== "svg") return null;
  for (const el of [root, ...root.querySelectorAll("*")]) {
    if (!["svg", "path", "rect"].includes(el.localName)) return null;
    for (const a of [...el.attributes]) if (!QR_ATTRS.has(a.name)) el.removeAttribute(a.name);
  }
  const svg = document.importNode(root, true) as unknown as SVGSVGElement;
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  return svg;
}

/** The person's account: second factors (authenticator, password), sessions, security events. */
export class ConsoleSettings extends ConsoleElement {
  static override styles = [
    ...ConsoleElement.styles,
    css`
      .qr {
        width: 12rem;
        height: 12rem;
        background: #fff;
        padding: 0.5rem;
        border-radius: 10px;
        border: 1px solid var(--line);
      }
      .qr svg {
        width: 100%;
        height: 100%;
      }
      ol.codes {
        columns: 2;
        font-family: var(--mono);
        padding-inline-start: 1.5rem;
      }
      details {
        margin: 0 0 1rem;
      }
    `,
  ];
  static override properties = {
    me: { attribute: false },
    setup: { state: true },
    recovery: { state: true },
    sessions: { state: true },
    events: { state: true },
    bankAccounts: { state: true },
    country: { state: true },
    error: { state: true },
    notice: { state: true },
    busy: { state: true },
  };
  declare me: Identity;
  declare setup: TotpSetup | undefined;
  declare recovery: string[];
  declare sessions: Session[];
  declare events: SecurityEvent[];
  declare bankAccounts: BankAccount[];
  /** The country chosen in the bank account form (it picks the currency shown first). */
  declare country: (typeof COUNTRIES)[number];
  declare error: string;
  declare notice: string;
  declare busy: boolean;

  constructor() {
    super();
    this.setup = undefined;
    this.recovery = [];
    this.sessions = [];
    this.events = [];
    this.bankAccounts = [];
    this.country = "KG";
    this.error = "";
    this.notice = "";
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#loadLists();
  }

  async #loadLists(): Promise<void> {
    try {
      const [sessions, events, bankAccounts] = await Promise.all([
        api.auth.sessions.list({ limit: 100 }),
        api.securityEvents.list({ limit: 20 }),
        api.bankAccounts.list({ limit: 100 }),
      ]);
      this.sessions = sessions.data;
      this.events = events.data;
      this.bankAccounts = bankAccounts.data;
    } catch (e) {
      this.error = failure(e);
    }
  }

  /** Runs one settings action; a fresh identity goes up to the app. */
  async #act(work: () => Promise<Identity | undefined>, notice = ""): Promise<void> {
    this.busy = true;
    this.error = "";
    this.notice = "";
    try {
      const me = await work();
      if (me) this.dispatchEvent(new CustomEvent("console-identity", { detail: me, bubbles: true, composed: true }));
      this.notice = notice;
      await this.#loadLists();
    } catch (e) {
      this.error = failure(e);
    } finally {
      this.busy = false;
    }
  }

  #field(e: SubmitEvent, name: string): string {
    const el = (e.target as HTMLFormElement).elements.namedItem(name);
    return el instanceof HTMLInputElement ? el.value.trim() : "";
  }

  #startTotp(): void {
    void this.#act(async () => {
      this.recovery = [];
      this.setup = await api.auth.totp.setup();
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLInputElement>("#totp-code")?.focus();
      return undefined;
    });
  }

  #enableTotp(e: SubmitEvent): void {
    e.preventDefault();
    const code = this.#field(e, "code").replace(/\s/g, "");
    void this.#act(async () => {
      const { recovery_codes } = await api.auth.totp.enable({ code });
      this.setup = undefined;
      this.recovery = recovery_codes;
      const me = await api.auth.me();
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>("#recovery-title")?.focus();
      return me;
    });
  }

  #disableTotp(e: SubmitEvent): void {
    e.preventDefault();
    const code = this.#field(e, "code");
    void this.#act(async () => {
      this.recovery = [];
      return api.auth.totp.disable({ code });
    });
  }

  #setPassword(e: SubmitEvent): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const password = (form.elements.namedItem("password") as HTMLInputElement).value;
    const current = form.elements.namedItem("current_password") as HTMLInputElement | null;
    void this.#act(async () => {
      const me = await api.auth.password.set(current ? { password, current_password: current.value } : { password });
      form.reset();
      return me;
    }, t("settings.passwordSaved"));
  }

  #disablePassword(e: SubmitEvent): void {
    e.preventDefault();
    const password = ((e.target as HTMLFormElement).elements.namedItem("password") as HTMLInputElement).value;
    void this.#act(() => api.auth.password.disable({ password }));
  }

  #revoke(id: string): void {
    void this.#act(async () => {
      await api.auth.sessions.revoke(id);
      return undefined;
    });
  }

  #addBankAccount(e: SubmitEvent): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement).value.trim();
    const params = {
      country: value("country") as BankAccountCreateParams["country"],
      currency: value("currency") as BankAccountCreateParams["currency"],
      holder_name: value("holder_name"),
      account_number: value("account_number"),
      bank_code: value("bank_code"),
    };
    let last4 = "";
    void this.#act(async () => {
      last4 = (await api.bankAccounts.create(params)).last4;
      // the full number leaves the page as soon as the API has it
      form.reset();
      this.country = "KG";
      return undefined;
    }).then(() => {
      if (last4) this.notice = t("bank.added", { last4 });
    });
  }

  #bankAccounts() {
    return html`<h2 id="bank-title">${t("bank.title")}</h2>
      <p class="muted">${t("bank.lead")}</p>
      ${
        this.bankAccounts.length === 0
          ? html`<p class="muted">${t("common.none")}</p>`
          : html`<div class="table-wrap"><table data-testid="bank-accounts">
            <thead><tr><th scope="col">${t("bank.account")}</th><th scope="col">${t("bank.holder")}</th><th scope="col">${t("bank.code")}</th><th scope="col">${t("common.currency")}</th><th scope="col">${t("common.created")}</th></tr></thead>
            <tbody>${this.bankAccounts.map(
              (a) => html`<tr>
                <td class="mono nowrap">•••• ${a.last4}${a.default_for_currency ? html` <span class="badge good">${t("bank.default")}</span>` : nothing}</td>
                <td>${a.holder_name}<br /><span class="hint">${t(`country.${a.country}` as Key)}</span></td>
                <td class="mono">${a.bank_code}</td>
                <td>${a.currency}</td>
                <td>${formatDate(a.created)}</td>
              </tr>`,
            )}</tbody>
          </table></div>`
      }
      ${
        !isOwner(this.me)
          ? html`<p class="muted">${t("payouts.ownerOnly")}</p>`
          : html`<section class="card" aria-labelledby="bank-add-title">
        <h3 id="bank-add-title">${t("bank.add")}</h3>
        <form @submit=${this.#addBankAccount}>
          <div class="field">
            <label for="bank-country">${t("bank.country")}</label>
            <select id="bank-country" name="country" @change=${(e: Event) => (this.country = (e.target as HTMLSelectElement).value as (typeof COUNTRIES)[number])}>
              ${COUNTRIES.map((c) => html`<option value=${c} ?selected=${c === this.country}>${t(`country.${c}` as Key)}</option>`)}
            </select>
          </div>
          <div class="field">
            <label for="bank-currency">${t("common.currency")}</label>
            <select id="bank-currency" name="currency">
              ${CURRENCIES.map((c) => html`<option value=${c} ?selected=${c === CURRENCY_OF[this.country]}>${c}</option>`)}
            </select>
          </div>
          <div class="field"><label for="bank-holder">${t("bank.holder")}</label><input id="bank-holder" name="holder_name" autocomplete="name" maxlength="200" required /></div>
          <div class="field">
            <label for="bank-number">${t("bank.number")}</label>
            <input id="bank-number" name="account_number" autocomplete="off" spellcheck="false" maxlength="64" required aria-describedby="bank-number-hint" />
            <span class="hint" id="bank-number-hint">${t("bank.numberHint")}</span>
          </div>
          <div class="field">
            <label for="bank-code">${t("bank.code")}</label>
            <input id="bank-code" name="bank_code" autocomplete="off" spellcheck="false" maxlength="32" required aria-describedby="bank-code-hint" />
            <span class="hint" id="bank-code-hint">${t("bank.codeHint")}</span>
          </div>
          <div><button type="submit" ?disabled=${this.busy}>${t("bank.add")}</button></div>
        </form>
      </section>`
      }`;
  }

  async #signOutEverywhere(): Promise<void> {
    try {
      await api.auth.signOutEverywhere();
    } catch (e) {
      failure(e);
    }
    window.dispatchEvent(new Event("softrack-console-signed-out"));
  }

  override render() {
    const me = this.me;
    const f = me.second_factors;
    return html`<h1 tabindex="-1">${t("settings.title")}</h1>
      <div role="status" aria-live="polite">${this.notice ? html`<p class="ok">${this.notice}</p>` : nothing}</div>
      ${this.error ? html`<p class="alert" role="alert">${this.error}</p>` : nothing}

      <h2>${t("settings.account")}</h2>
      <dl class="facts">
        <dt>${t("settings.email")}</dt><dd>${me.email ?? "—"}</dd>
        <dt>${t("settings.phone")}</dt><dd>${me.phone ?? "—"}</dd>
        <dt>${t("settings.role")}</dt><dd>${me.role ? t(`role.${me.role}` as Key) : "—"}</dd>
        <dt>${t("settings.merchant")}</dt><dd class="mono">${me.merchant}</dd>
      </dl>

      ${this.#bankAccounts()}

      <h2>${t("settings.twoFactor")}</h2>
      <p class="muted">${t("settings.twoFactorLead")}</p>
      <section class="card" aria-labelledby="totp-title">
        <h3 id="totp-title">${t("settings.totp")}: <span class="badge ${f.totp ? "good" : ""}">${f.totp ? t("settings.on") : t("settings.off")}</span></h3>
        ${
          this.recovery.length > 0
            ? html`<h3 id="recovery-title" tabindex="-1">${t("settings.recoveryTitle")}</h3>
              <p>${t("settings.recoveryLead")}</p>
              <ol class="codes" data-testid="recovery-codes">${this.recovery.map((c) => html`<li>${c}</li>`)}</ol>`
            : nothing
        }
        ${f.totp ? this.#totpOff() : this.setup ? this.#totpSetup(this.setup) : html`<button type="button" ?disabled=${this.busy} @click=${this.#startTotp}>${t("settings.totpSetup")}</button>`}
      </section>

      <section class="card" aria-labelledby="password-title">
        <h3 id="password-title">${t("settings.password")}: <span class="badge ${f.password ? "good" : ""}">${f.password ? t("settings.on") : t("settings.off")}</span></h3>
        <form @submit=${this.#setPassword}>
          ${
            f.password
              ? html`<div class="field"><label for="pw-current">${t("settings.passwordCurrent")}</label><input id="pw-current" name="current_password" type="password" autocomplete="current-password" required /></div>`
              : nothing
          }
          <div class="field"><label for="pw-new">${t("settings.passwordNew")}</label><input id="pw-new" name="password" type="password" autocomplete="new-password" minlength="10" required /></div>
          <div><button type="submit" ?disabled=${this.busy}>${f.password ? t("settings.passwordChange") : t("settings.passwordSet")}</button></div>
        </form>
        ${
          f.password
            ? html`<form @submit=${this.#disablePassword}>
              <div class="field"><label for="pw-off">${t("settings.passwordCurrent")}</label><input id="pw-off" name="password" type="password" autocomplete="current-password" required /></div>
              <div><button type="submit" class="danger" ?disabled=${this.busy}>${t("settings.passwordDisable")}</button></div>
            </form>`
            : nothing
        }
      </section>

      <h2>${t("settings.sessions")}</h2>
      <div class="table-wrap"><table>
        <thead><tr><th scope="col">${t("settings.device")}</th><th scope="col">${t("settings.ip")}</th><th scope="col">${t("settings.lastUsed")}</th><th scope="col"><span class="visually-hidden">${t("keys.actions")}</span></th></tr></thead>
        <tbody>${this.sessions.map(
          (s) => html`<tr>
            <td class="text">${s.client === "browser" ? t("settings.browser") : t("settings.app")}${s.current ? html` <span class="badge good">${t("settings.thisDevice")}</span>` : nothing}<br /><span class="hint">${s.user_agent ?? ""}</span></td>
            <td class="mono nowrap">${s.ip ?? "—"}</td>
            <td>${formatDate(s.last_used)}</td>
            <td>${s.current ? nothing : html`<button type="button" class="secondary small" ?disabled=${this.busy} @click=${() => this.#revoke(s.id)}>${t("settings.revoke")}</button>`}</td>
          </tr>`,
        )}</tbody>
      </table></div>
      <p><button type="button" class="danger" @click=${this.#signOutEverywhere}>${t("settings.signOutAll")}</button></p>

      <h2>${t("settings.security")}</h2>
      ${
        this.events.length === 0
          ? html`<p class="muted">${t("common.none")}</p>`
          : html`<div class="table-wrap"><table>
            <thead><tr><th scope="col">${t("common.type")}</th><th scope="col">${t("settings.ip")}</th><th scope="col">${t("common.created")}</th></tr></thead>
            <tbody>${this.events.map((ev) => html`<tr><td class="mono">${ev.type}</td><td class="mono nowrap">${ev.ip ?? "—"}</td><td>${formatDate(ev.created)}</td></tr>`)}</tbody>
          </table></div>`
      }`;
  }

  #totpSetup(setup: TotpSetup) {
    const qr = qrNode(setup.qr_svg);
    return html`<p>${t("settings.totpScan")}</p>
      ${qr ? html`<div class="qr" role="img" aria-label=${t("settings.qr")}>${qr}</div>` : nothing}
      <p>${t("settings.secret")}: <code data-testid="totp-secret">${setup.secret.replace(/(.{4})/g, "$1 ").trim()}</code></p>
      <details><summary>${t("settings.uri")}</summary><p class="mono">${setup.otpauth_uri}</p></details>
      <form @submit=${this.#enableTotp}>
        <div class="field">
          <label for="totp-code">${t("settings.totpCode")}</label>
          <input id="totp-code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}" maxlength="7" required />
        </div>
        <div><button type="submit" ?disabled=${this.busy}>${t("settings.totpEnable")}</button></div>
      </form>`;
  }

  #totpOff() {
    return html`<p class="muted">${t("settings.recoveryLeft", { n: this.me.second_factors.recovery_codes_remaining })}</p>
      <form @submit=${this.#disableTotp}>
        <div class="field">
          <label for="totp-off">${t("settings.totpDisableCode")}</label>
          <input id="totp-off" name="code" autocomplete="one-time-code" autocapitalize="off" spellcheck="false" required />
        </div>
        <div><button type="submit" class="danger" ?disabled=${this.busy}>${t("settings.totpDisable")}</button></div>
      </form>`;
  }
}

customElements.define("console-settings", ConsoleSettings);
declare global {
  interface HTMLElementTagNameMap {
    "console-settings": ConsoleSettings;
  }
}
