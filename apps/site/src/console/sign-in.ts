import type { SignIn } from "@softrack/sdk";
import { html, nothing } from "lit";
import { api, failure } from "./api";
import { ConsoleElement } from "./base";
import { t } from "./i18n";

type Step = "address" | "code" | "second" | "magic";

/**
 * Passwordless sign-in: an email or phone gets a one-time code, then the second factors the
 * person turned on (authenticator or recovery code, password). Fires `console-signed-in` when done.
 */
export class ConsoleSignIn extends ConsoleElement {
  static override properties = {
    magicToken: { attribute: false },
    step: { state: true },
    channel: { state: true },
    error: { state: true },
    busy: { state: true },
    factors: { state: true },
    useRecovery: { state: true },
  };
  declare magicToken: string | undefined;
  declare step: Step;
  declare channel: "email" | "phone";
  declare error: string;
  declare busy: boolean;
  declare factors: ("password" | "totp")[];
  declare useRecovery: boolean;
  #challenge = "";
  #secondToken = "";

  constructor() {
    super();
    this.step = "address";
    this.channel = "email";
    this.error = "";
    this.busy = false;
    this.factors = [];
    this.useRecovery = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.magicToken) {
      this.step = "magic";
      void this.#run(async () => this.#after(await api.auth.verify({ token: this.magicToken as string })));
    }
  }

  async #run(work: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.error = "";
    try {
      await work();
    } catch (e) {
      this.error = failure(e);
      if (this.step === "magic") this.step = "address";
    } finally {
      this.busy = false;
    }
  }

  #after(result: SignIn): void {
    if (result.status === "complete") {
      this.dispatchEvent(new Event("console-signed-in", { bubbles: true, composed: true }));
      return;
    }
    this.#secondToken = result.second_factor_token ?? "";
    this.factors = result.factors ?? [];
    this.useRecovery = false;
    this.step = "second";
    this.#focusFirst();
  }

  #focusFirst(): void {
    this.updateComplete.then(() => this.renderRoot.querySelector<HTMLInputElement>("form input:not([type=radio])")?.focus());
  }

  #value(form: HTMLFormElement, name: string): string {
    const el = form.elements.namedItem(name);
    return el instanceof HTMLInputElement ? el.value.trim() : "";
  }

  #start(e: SubmitEvent): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const address = this.#value(form, "address");
    void this.#run(async () => {
      const challenge =
        this.channel === "email"
          ? await api.auth.startEmail({ email: address, audience: "member", client: "browser" })
          : await api.auth.startPhone({ phone: address, audience: "member", client: "browser" });
      this.#challenge = challenge.id;
      this.step = "code";
      this.#focusFirst();
    });
  }

  #verify(e: SubmitEvent): void {
    e.preventDefault();
    const code = this.#value(e.target as HTMLFormElement, "code").replace(/\s/g, "");
    void this.#run(async () => this.#after(await api.auth.verify({ challenge: this.#challenge, code })));
  }

  #second(e: SubmitEvent): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const params: { second_factor_token: string; password?: string; totp_code?: string; recovery_code?: string } = {
      second_factor_token: this.#secondToken,
    };
    if (this.factors.includes("password")) params.password = (form.elements.namedItem("password") as HTMLInputElement).value;
    if (this.factors.includes("totp")) {
      if (this.useRecovery) params.recovery_code = this.#value(form, "recovery");
      else params.totp_code = this.#value(form, "totp").replace(/\s/g, "");
    }
    void this.#run(async () => this.#after(await api.auth.secondFactor(params)));
  }

  #restart(): void {
    this.step = "address";
    this.error = "";
    this.#focusFirst();
  }

  override render() {
    const alert = this.error ? html`<p class="alert" role="alert">${this.error}</p>` : nothing;
    return html`<section class="card signin" aria-labelledby="signin-title">
      ${
        this.step === "second"
          ? html`<h1 id="signin-title" tabindex="-1">${t("signIn.secondTitle")}</h1>
            <p class="muted">${t("signIn.secondLead")}</p>
            ${alert}${this.#secondForm()}`
          : html`<h1 id="signin-title" tabindex="-1">${t("signIn.title")}</h1>
            <p class="muted">${t("signIn.lead")}</p>
            ${alert}
            ${this.step === "magic" ? html`<p role="status">${t("signIn.magic")}</p>` : nothing}
            ${this.step === "address" ? this.#addressForm() : nothing} ${this.step === "code" ? this.#codeForm() : nothing}`
      }
    </section>`;
  }

  #addressForm() {
    const email = this.channel === "email";
    return html`<form @submit=${this.#start}>
      <fieldset>
        <legend>${t("signIn.by")}</legend>
        <label><input type="radio" name="channel" value="email" .checked=${email} @change=${() => (this.channel = "email")} />${t("signIn.email")}</label>
        <label><input type="radio" name="channel" value="phone" .checked=${!email} @change=${() => (this.channel = "phone")} />${t("signIn.phone")}</label>
      </fieldset>
      <div class="field">
        <label for="address">${email ? t("signIn.emailLabel") : t("signIn.phoneLabel")}</label>
        ${
          email
            ? html`<input id="address" name="address" type="email" autocomplete="email" required />`
            : html`<input id="address" name="address" type="tel" autocomplete="tel" inputmode="tel" pattern="\\+[0-9]{10,14}" aria-describedby="phone-hint" required />
              <span class="hint" id="phone-hint">${t("signIn.phoneHint")}</span>`
        }
      </div>
      <div><button type="submit" ?disabled=${this.busy}>${t("signIn.send")}</button></div>
    </form>`;
  }

  #codeForm() {
    return html`<p role="status">${t("signIn.sent")}</p>
      <form @submit=${this.#verify}>
        <div class="field">
          <label for="code">${t("signIn.code")}</label>
          <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}" maxlength="7" required />
        </div>
        <div class="row">
          <button type="submit" ?disabled=${this.busy}>${t("signIn.verify")}</button>
          <button type="button" class="secondary" @click=${this.#restart}>${t("signIn.other")}</button>
        </div>
      </form>`;
  }

  #secondForm() {
    const totp = this.factors.includes("totp");
    return html`<form @submit=${this.#second}>
      ${
        this.factors.includes("password")
          ? html`<div class="field">
            <label for="password">${t("signIn.password")}</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required />
          </div>`
          : nothing
      }
      ${
        totp && !this.useRecovery
          ? html`<div class="field">
            <label for="totp">${t("signIn.totp")}</label>
            <input id="totp" name="totp" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}" maxlength="7" required />
          </div>`
          : nothing
      }
      ${
        totp && this.useRecovery
          ? html`<div class="field">
            <label for="recovery">${t("signIn.recovery")}</label>
            <input id="recovery" name="recovery" autocomplete="off" autocapitalize="off" spellcheck="false" required />
          </div>`
          : nothing
      }
      <div class="row">
        <button type="submit" ?disabled=${this.busy}>${t("signIn.continue")}</button>
        ${
          totp
            ? html`<button type="button" class="secondary" @click=${() => {
                this.useRecovery = !this.useRecovery;
                this.#focusFirst();
              }}>${this.useRecovery ? t("signIn.useTotp") : t("signIn.useRecovery")}</button>`
            : nothing
        }
        <button type="button" class="secondary" @click=${this.#restart}>${t("signIn.restart")}</button>
      </div>
    </form>`;
  }
}

customElements.define("console-sign-in", ConsoleSignIn);

declare global {
  interface HTMLElementTagNameMap {
    "console-sign-in": ConsoleSignIn;
  }
}
