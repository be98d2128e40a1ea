import { html } from "lit";
import { apiError } from "../../internal/api.js";
import type { CheckoutMethod, MethodContext, MethodDefinition } from "../types.js";
import {
  countryByDialCode,
  countryFromInput,
  formatPhone,
  isPhoneComplete,
  nationalDigits,
  PHONE_COUNTRIES,
  type PhoneCountry,
  toE164,
} from "./phone.js";

class SmsMethod implements CheckoutMethod {
  readonly id = "sms" as const;
  readonly loading = false;
  private country: PhoneCountry;
  private value = "";
  private touched = false;

  constructor(private readonly ctx: MethodContext) {
    // Default to the country whose currency the payment is in.
    const cur = ctx.payment?.currency;
    this.country = countryByDialCode(cur === "KZT" || cur === "RUB" ? "+7" : cur === "UZS" ? "+998" : "+996");
  }
  hostConnected(): void {}

  private get input(): HTMLInputElement | null {
    return this.ctx.root.querySelector("#sms-phone");
  }

  get state() {
    return { complete: isPhoneComplete(this.value, this.country), empty: this.value === "" };
  }

  private get error(): string {
    // Empty says so too once Pay was pressed (a blur on an empty field does not touch it).
    return this.touched && !this.state.complete ? this.ctx.t("errPhoneIncomplete") : "";
  }

  private readonly onCountry = (e: Event): void => {
    this.country = countryByDialCode((e.target as HTMLSelectElement).value);
    this.value = formatPhone(this.value, this.country);
    this.changed();
  };

  // Arrow functions: Lit calls listeners with the host element as `this`.
  private readonly onInput = (e: InputEvent): void => {
    const input = e.target as HTMLInputElement;
    // A pasted "+7 701…" picks its country.
    const pasted = countryFromInput(input.value);
    if (pasted) this.country = pasted;
    const formatted = formatPhone(input.value, this.country);
    this.value = formatted;
    if (input.value !== formatted) input.value = formatted;
    if (this.state.complete) this.touched = true;
    this.changed();
  };

  private changed(): void {
    this.ctx.methodChanged(this.state);
    this.ctx.requestUpdate();
  }

  render() {
    const err = this.error;
    return html`<div class="phone" part="field">
        <div class="field">
          <label part="label" for="sms-country">${this.ctx.t("phoneCountry")}</label>
          <select part="select" id="sms-country" autocomplete="tel-country-code" .value=${this.country.dialCode} @change=${this.onCountry}>
            ${PHONE_COUNTRIES.map((c) => html`<option value=${c.dialCode} ?selected=${c === this.country}>${c.dialCode} ${c.country}</option>`)}
          </select>
        </div>
        <div class="field grow">
          <label part="label" for="sms-phone">${this.ctx.t("phoneNumber")}</label>
          <input part="input" id="sms-phone" type="tel" inputmode="tel" autocomplete="tel-national"
            placeholder=${this.country.example} .value=${this.value}
            aria-invalid=${err ? "true" : "false"} aria-describedby="sms-hint sms-error"
            @input=${this.onInput} @blur=${() => {
              this.touched = this.value !== "";
              this.ctx.requestUpdate();
            }}
            @keydown=${(e: KeyboardEvent) => {
              if (e.key === "Enter") {
                e.preventDefault();
                this.ctx.requestSubmit();
              }
            }}>
        </div>
      </div>
      <p part="error" class="field-error" id="sms-error" aria-live="polite">${err}</p>
      <p part="hint" class="hint" id="sms-hint">${this.ctx.t("smsHint")}</p>`;
  }

  submitLabel(): string {
    return this.ctx.t("sendCode");
  }

  focus(): void {
    this.input?.focus();
  }

  async confirm() {
    this.touched = true;
    this.ctx.requestUpdate();
    if (!this.state.complete) {
      this.input?.focus();
      throw apiError({ type: "validation_error", code: "incomplete_phone", message: "phone number is incomplete", param: "phone" });
    }
    if (!this.ctx.client) throw new Error("not loaded");
    return this.ctx.client.confirm({ type: "sms", phone: toE164(this.value, this.country) });
  }

  /** for tests and the change event: digits only, never logged */
  get nationalNumber(): string {
    return nationalDigits(this.value, this.country);
  }
}

/** Pay by SMS: the mobile operator bills the phone after a code confirms it. */
export const smsMethod: MethodDefinition = {
  id: "sms",
  label: "methodSms",
  available: () => true,
  create: (ctx) => new SmsMethod(ctx),
};
