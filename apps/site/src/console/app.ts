// <softrack-console>: the merchant console. Hash routes (#/payments/pay_…) so the static site
// needs no server rewrites; the session is the API's httpOnly cookie, so the page holds no secret.
import type { Identity } from "@softrack/sdk";
import { html, nothing, type TemplateResult } from "lit";
import { api, failure, mayHaveSession, noteSession, SIGNED_OUT } from "./api";
import { ConsoleElement } from "./base";
import { type Key, LANG_NAMES, LANGS, lang, setLang, t } from "./i18n";
import { parseRoute, type Route, type RouteName, routeHash } from "./routes";
import { shell } from "./shell.styles";
import "./sign-in";
import "./views/overview";
import "./views/payments";
import "./views/payment";
import "./views/orders";
import "./views/order";
import "./views/api-keys";
import "./views/webhooks";
import "./views/transit";
import "./views/settings";
import "./views/team";
import "./views/payouts";
import "./views/disputes";
import "./views/no-shows";

const NAV: { name: RouteName; label: Key }[] = [
  { name: "overview", label: "nav.overview" },
  { name: "payments", label: "nav.payments" },
  { name: "orders", label: "nav.orders" },
  { name: "payouts", label: "nav.payouts" },
  { name: "disputes", label: "nav.disputes" },
  { name: "noShows", label: "nav.noShows" },
  { name: "keys", label: "nav.keys" },
  { name: "webhooks", label: "nav.webhooks" },
  { name: "transit", label: "nav.transit" },
  { name: "team", label: "nav.team" },
  { name: "settings", label: "nav.settings" },
];

export class SoftrackConsole extends ConsoleElement {
  static override styles = [...ConsoleElement.styles, shell];
  static override properties = {
    me: { state: true },
    route: { state: true },
    loadError: { state: true },
    menuOpen: { state: true },
  };
  /** undefined while finding out, null when nobody is signed in. */
  declare me: Identity | null | undefined;
  declare route: Route;
  declare loadError: string;
  /** On a phone the nav is a menu behind a button; whether that menu is open. */
  declare menuOpen: boolean;
  #magic: string | undefined;

  constructor() {
    super();
    this.me = undefined;
    this.route = parseRoute(location.hash);
    this.loadError = "";
    this.menuOpen = false;
  }

  readonly #onHash = () => {
    this.route = parseRoute(location.hash);
    // choosing a screen from the phone menu closes it (the new screen's heading takes focus)
    this.menuOpen = false;
    this.updateComplete.then(() => this.#focusView());
  };
  readonly #onSignedOut = () => {
    noteSession(false);
    this.me = null;
  };

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener("hashchange", this.#onHash);
    window.addEventListener(SIGNED_OUT, this.#onSignedOut);
    // A magic link lands here as /console/?magic=…: take the token out of the address bar first.
    const url = new URL(location.href);
    const magic = url.searchParams.get("magic");
    if (magic) {
      url.searchParams.delete("magic");
      history.replaceState(null, "", url.pathname + url.search + url.hash);
      this.#magic = magic;
      this.me = null;
    } else if (mayHaveSession()) void this.#loadMe();
    // nobody has signed in from this browser: the sign-in form at once, no 401 from /v1/auth/me
    else this.me = null;
  }
  override disconnectedCallback(): void {
    window.removeEventListener("hashchange", this.#onHash);
    window.removeEventListener(SIGNED_OUT, this.#onSignedOut);
    super.disconnectedCallback();
  }

  async #loadMe(): Promise<void> {
    this.loadError = "";
    try {
      this.me = await api.auth.me();
    } catch (e) {
      const message = failure(e);
      if ((e as { status?: number }).status === 401 || (e as { status?: number }).status === 403) {
        noteSession(false);
        this.me = null;
      } else this.loadError = message;
    }
  }

  #focusView(): void {
    const view = this.renderRoot.querySelector("main > *") as ConsoleElement | null;
    view?.focusHeading?.();
  }

  async #signOut(): Promise<void> {
    try {
      await api.auth.signOut();
    } catch (e) {
      failure(e);
    }
    // the next person to sign in here starts on the overview, not on this person's last screen
    noteSession(false);
    history.replaceState(null, "", "#/overview");
    this.route = { name: "overview" };
    this.me = null;
  }

  #langSwitch() {
    return html`<div class="langs" role="group" aria-label=${t("app.language")}>
      ${LANGS.map(
        (l) =>
          html`<button type="button" class="lang" lang=${l} aria-pressed=${l === lang() ? "true" : "false"} title=${LANG_NAMES[l]} @click=${() => setLang(l)}>
            <span aria-hidden="true">${l.toUpperCase()}</span><span class="visually-hidden">${LANG_NAMES[l]}</span>
          </button>`,
      )}
    </div>`;
  }

  /** One view per route name: a route added to ROUTES does not compile until it has a view here. */
  readonly #views: Record<RouteName, (r: Route) => TemplateResult> = {
    overview: () => html`<console-overview></console-overview>`,
    payments: () => html`<console-payments></console-payments>`,
    payment: (r) => html`<console-payment .paymentId=${r.id ?? ""}></console-payment>`,
    orders: () => html`<console-orders></console-orders>`,
    order: (r) => html`<console-order .orderId=${r.id ?? ""}></console-order>`,
    payouts: () => html`<console-payouts .me=${this.me as Identity}></console-payouts>`,
    payout: (r) => html`<console-payout .payoutId=${r.id ?? ""} .me=${this.me as Identity}></console-payout>`,
    disputes: () => html`<console-disputes></console-disputes>`,
    dispute: (r) => html`<console-dispute .disputeId=${r.id ?? ""}></console-dispute>`,
    noShows: () => html`<console-no-shows></console-no-shows>`,
    keys: () => html`<console-api-keys></console-api-keys>`,
    webhooks: (r) => html`<console-webhooks .endpointId=${r.id ?? ""}></console-webhooks>`,
    transit: () => html`<console-transit></console-transit>`,
    team: () => html`<console-team .me=${this.me as Identity}></console-team>`,
    settings: () =>
      html`<console-settings .me=${this.me as Identity} @console-identity=${(e: CustomEvent<Identity>) => (this.me = e.detail)}></console-settings>`,
  };

  override render() {
    const header = html`<header class="bar">
      <a class="brand" href="/"><svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true" focusable="false"><rect width="32" height="32" rx="8" fill="#0b5cd5"></rect><path d="M22.5 10.5c-1.3-1.6-3.5-2.5-6.2-2.5-3.7 0-6.1 1.9-6.1 4.6 0 5.7 11.9 3.4 11.9 8.4 0 2-2.1 3.5-5.5 3.5-2.8 0-5-1-6.4-2.8" fill="none" stroke="#fff" stroke-width="2.8" stroke-linecap="round"></path></svg><span>${t("app.brand")}</span></a>
      <span class="badge">${t("app.testMode")}</span>
      <span class="spacer"></span>
      ${this.#langSwitch()}
      ${
        this.me
          ? html`<span class="who muted">${t("app.signedInAs", { who: this.me.email ?? this.me.phone ?? this.me.id })}</span>
            <button type="button" class="secondary small" @click=${this.#signOut}>${t("app.signOut")}</button>`
          : nothing
      }
    </header>`;
    if (this.me === undefined) {
      return html`${header}<main class="solo" id="main" tabindex="-1">
          ${
            this.loadError
              ? html`<p class="alert" role="alert">${this.loadError}</p><button type="button" @click=${this.#loadMe}>${t("common.retry")}</button>`
              : html`<p role="status">${t("app.loading")}</p>`
          }
        </main>`;
    }
    if (this.me === null) {
      const magic = this.#magic;
      this.#magic = undefined;
      return html`${header}<main class="solo" id="main" tabindex="-1">
          <console-sign-in .magicToken=${magic} @console-signed-in=${this.#signedIn}></console-sign-in>
        </main>`;
    }
    return html`${header}
      <div class="layout">
        <nav class="side" aria-label=${t("app.nav")} @keydown=${this.#menuKey}>
          <button type="button" class="menu-toggle secondary" aria-expanded=${this.menuOpen ? "true" : "false"} aria-controls="console-nav"
            @click=${() => (this.menuOpen = !this.menuOpen)}>
            <svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true" focusable="false"><path d="M3 5h14M3 10h14M3 15h14" stroke="currentColor" stroke-width="2" stroke-linecap="round"></path></svg>
            <span>${t("app.menu")}</span><span class="current">${this.#currentLabel()}</span>
          </button>
          <ul id="console-nav" class=${this.menuOpen ? "open" : ""}>
            ${NAV.map(
              (n) =>
                html`<li><a href=${routeHash({ name: n.name })} aria-current=${this.#active(n.name) ? "page" : "false"}>${t(n.label)}</a></li>`,
            )}
          </ul>
        </nav>
        <main id="main" tabindex="-1">${this.#views[this.route.name](this.route)}</main>
      </div>`;
  }

  /** Escape closes the phone menu and gives focus back to its button. */
  readonly #menuKey = (e: KeyboardEvent) => {
    if (e.key !== "Escape" || !this.menuOpen) return;
    this.menuOpen = false;
    this.renderRoot.querySelector<HTMLButtonElement>(".menu-toggle")?.focus();
  };

  /** The open screen's section, shown on the closed phone menu's button. */
  #currentLabel(): string {
    const item = NAV.find((n) => this.#active(n.name));
    return item ? t(item.label) : "";
  }

  #active(name: RouteName): boolean {
    const r = this.route.name;
    return (
      r === name ||
      (name === "payments" && r === "payment") ||
      (name === "orders" && r === "order") ||
      (name === "payouts" && r === "payout") ||
      (name === "disputes" && r === "dispute")
    );
  }

  async #signedIn(): Promise<void> {
    noteSession(true);
    await this.#loadMe();
    await this.updateComplete;
    this.#focusView();
  }
}

customElements.define("softrack-console", SoftrackConsole);

declare global {
  interface HTMLElementTagNameMap {
    "softrack-console": SoftrackConsole;
  }
}
