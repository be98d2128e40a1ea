/**
 * The card fields page, served from the API's origin at /elements/card. The buyer types
 * the card here, out of reach of the merchant page's scripts (PCI SAQ A); this page
 * confirms the payment with the API itself and tells the parent only the outcome.
 */
import { createPaymentClient, errorBody, SoftrackPaymentError, toSoftrackError } from "../../internal/api.js";
import { type Locale, type MessageKey, resolveLocale, translate } from "../../locales/index.js";
import {
  caretAfterFormat,
  detectBrand,
  digitsOnly,
  type FieldError,
  type FieldState,
  formatCardNumber,
  formatExpiry,
  parseExpiry,
  validateCardNumber,
  validateCvc,
  validateExpiry,
} from "../../methods/card/validators.js";
import { brandIcon, brandName } from "./brands.js";
import {
  type CardChange,
  type FrameToParent,
  isMessage,
  type ParentToFrame,
  PROTOCOL,
  safeThemeValue,
  THEME_PROPERTIES,
  type Theme,
} from "./protocol.js";

type FieldName = "number" | "expiry" | "cvc";
const FIELDS: readonly FieldName[] = ["number", "expiry", "cvc"];

const LABELS: Record<FieldName, MessageKey> = { number: "cardNumber", expiry: "cardExpiry", cvc: "cardCvc" };
const ERRORS: Record<FieldName, Partial<Record<NonNullable<FieldError>, MessageKey>>> = {
  number: { incomplete: "errNumberIncomplete", invalid: "errNumberInvalid" },
  expiry: { incomplete: "errExpiryIncomplete", invalid: "errExpiryInvalid", expired: "errExpiryExpired", too_far: "errExpiryTooFar" },
  cvc: { incomplete: "errCvcIncomplete", invalid: "errCvcInvalid" },
};

function parentOriginFromUrl(): string | undefined {
  const origin = new URLSearchParams(location.search).get("origin");
  if (!origin) return undefined;
  try {
    if (new URL(origin).origin !== origin) return undefined;
  } catch {
    return undefined;
  }
  // Where the browser tells us who embeds us, it must agree with what the URL claims.
  const ancestors = (location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins;
  if (ancestors && ancestors.length > 0 && ancestors[0] !== origin) return undefined;
  return origin;
}

class CardFields {
  private locale: Locale = "en";
  private session: { clientSecret: string; publishableKey: string } | undefined;
  private readonly touched = new Set<FieldName>();
  private readonly inputs: Record<FieldName, HTMLInputElement>;
  private lastHeight = 0;
  private busy = false;

  constructor(private readonly parentOrigin: string) {
    const get = (id: string) => document.getElementById(id) as HTMLInputElement;
    this.inputs = { number: get("number"), expiry: get("expiry"), cvc: get("cvc") };
  }

  start(): void {
    window.addEventListener("message", (e) => this.onMessage(e));
    for (const name of FIELDS) {
      const input = this.inputs[name];
      input.addEventListener("input", (e) => this.onInput(name, e as InputEvent));
      input.addEventListener("blur", () => {
        if (input.value) this.touched.add(name);
        this.render();
      });
      input.addEventListener("keydown", (e) => {
        if (e.key === "Enter") {
          e.preventDefault();
          this.post({ protocol: PROTOCOL, type: "submit" });
        }
      });
    }
    document.getElementById("card-form")?.addEventListener("submit", (e) => e.preventDefault());
    new ResizeObserver(() => this.reportSize("resize")).observe(document.body);
    this.renderBrand();
    this.post({ protocol: PROTOCOL, type: "loaded" });
  }

  private post(msg: FrameToParent): void {
    window.parent.postMessage(msg, this.parentOrigin);
  }

  private onMessage(e: MessageEvent): void {
    // Only our embedder may steer this page, and only with our protocol.
    if (e.origin !== this.parentOrigin || e.source !== window.parent || !isMessage<ParentToFrame>(e.data)) return;
    const msg = e.data;
    switch (msg.type) {
      case "init":
        this.session = { clientSecret: String(msg.clientSecret), publishableKey: String(msg.publishableKey) };
        this.setLocale(msg.locale);
        this.applyTheme(msg.theme);
        // A confirm still running is the old payment's (a new client-secret): the parent hears
        // "ready" with the new secret once it ended, so Pay waits for these fields to be free.
        if (!this.busy) this.reportSize("ready");
        break;
      case "update":
        if (msg.locale) this.setLocale(msg.locale);
        if (msg.theme) this.applyTheme(msg.theme);
        break;
      case "focus":
        this.firstInvalid()?.focus();
        break;
      case "confirm":
        void this.confirm(msg.requestId, msg.clientSecret);
        break;
    }
  }

  private reportSize(type: "ready" | "resize"): void {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (type === "resize" && height === this.lastHeight) return;
    this.lastHeight = height;
    this.post(
      type === "ready"
        ? { protocol: PROTOCOL, type, height, clientSecret: this.session?.clientSecret ?? "" }
        : { protocol: PROTOCOL, type, height },
    );
  }

  private setLocale(value: string): void {
    this.locale = resolveLocale(value);
    document.documentElement.lang = this.locale;
    document.title = translate(this.locale, "cardFrameTitle");
    this.inputs.expiry.placeholder = translate(this.locale, "expiryPlaceholder");
    // Relabel in place: the values the buyer typed stay where they are.
    for (const name of FIELDS) {
      const label = document.getElementById(`${name}-label`);
      if (label) label.textContent = translate(this.locale, LABELS[name]);
    }
    this.render();
  }

  private applyTheme(theme: Theme): void {
    const root = document.documentElement;
    root.classList.toggle("dark", theme?.colorScheme === "dark");
    for (const prop of THEME_PROPERTIES) {
      const value = theme?.vars?.[prop];
      if (typeof value === "string" && value.trim() && safeThemeValue(value)) root.style.setProperty(prop, value.trim());
    }
  }

  private onInput(name: FieldName, e: InputEvent): void {
    const input = this.inputs[name];
    const caret = input.selectionStart ?? input.value.length;
    const digitsBefore = digitsOnly(input.value.slice(0, caret)).length;
    const deleting = e.inputType?.startsWith("delete") ?? false;
    let formatted = input.value;
    if (name === "number") formatted = formatCardNumber(input.value);
    else if (name === "expiry") formatted = formatExpiry(input.value, deleting);
    else formatted = digitsOnly(input.value).slice(0, 4);
    if (formatted !== input.value) {
      const atEnd = caret >= input.value.length;
      input.value = formatted;
      const pos = atEnd ? formatted.length : caretAfterFormat(formatted, digitsBefore);
      input.setSelectionRange(pos, pos);
    }
    if (name === "number") this.renderBrand();
    const state = this.state(name);
    // Move on once a field is done, as people expect from card forms.
    if (state.complete && !deleting && input.selectionStart === input.value.length) {
      if (name === "number") this.inputs.expiry.focus();
      else if (name === "expiry") this.inputs.cvc.focus();
    }
    if (state.complete) this.touched.add(name);
    this.render();
  }

  private state(name: FieldName): FieldState {
    const v = this.inputs[name].value;
    if (name === "number") return validateCardNumber(v);
    if (name === "expiry") return validateExpiry(v);
    return validateCvc(v, this.inputs.number.value);
  }

  /**
   * An error is shown while typing only when it is certain; "incomplete" waits for blur, and an
   * empty field is "incomplete" once Pay was pressed (only a submit touches an empty field).
   */
  private visibleError(name: FieldName): FieldError {
    const s = this.state(name);
    const error = s.error ?? (s.empty ? "incomplete" : undefined);
    if (!error || (error === "incomplete" && !this.touched.has(name))) return undefined;
    return error;
  }

  private renderBrand(): void {
    const brand = detectBrand(this.inputs.number.value);
    const slot = document.getElementById("brand");
    if (!slot) return;
    if (slot.dataset.brand === brand) return;
    slot.dataset.brand = brand;
    const label = document.createElement("span");
    label.className = "sr";
    label.textContent = brand === "unknown" ? "" : brandName(brand);
    slot.replaceChildren(brandIcon(brand), label);
  }

  private render(): void {
    const errors: CardChange["errors"] = {};
    for (const name of FIELDS) {
      const err = this.visibleError(name);
      errors[name] = err;
      const input = this.inputs[name];
      input.setAttribute("aria-invalid", err ? "true" : "false");
      const p = document.getElementById(`${name}-error`);
      const key = err ? ERRORS[name][err] : undefined;
      const text = key ? translate(this.locale, key) : "";
      if (p && p.textContent !== text) p.textContent = text;
    }
    const states = FIELDS.map((n) => this.state(n));
    this.post({
      protocol: PROTOCOL,
      type: "change",
      empty: states.every((s) => s.empty),
      complete: states.every((s) => s.complete),
      brand: detectBrand(this.inputs.number.value),
      errors,
    });
  }

  private firstInvalid(): HTMLInputElement | undefined {
    const name = FIELDS.find((n) => !this.state(n).complete);
    return name ? this.inputs[name] : this.inputs.number;
  }

  private async confirm(requestId: number, clientSecret: unknown): Promise<void> {
    const fail = (code: string, message: string, type = "validation_error") =>
      this.post({ protocol: PROTOCOL, type: "result", requestId, error: { type, code, message } });
    if (!this.session) return fail("not_ready", "card fields are not initialised", "api_error");
    // Meant for another payment than the one these fields hold (a new client-secret crossed it on
    // the way): refused before anything is sent, so the wrong payment is never charged.
    if (clientSecret !== this.session.clientSecret)
      return fail("checkout_not_ready", "the card fields hold another payment", "invalid_request_error");
    if (this.busy) return fail("request_in_progress", "a confirmation is already running", "api_error");
    for (const name of FIELDS) this.touched.add(name);
    this.render();
    const invalid = FIELDS.find((n) => !this.state(n).complete);
    if (invalid) {
      this.inputs[invalid].focus();
      return fail(
        this.state(invalid).empty ? "incomplete_card" : "invalid_card",
        "card details are incomplete or invalid",
        "validation_error",
      );
    }
    const expiry = parseExpiry(this.inputs.expiry.value);
    if (!expiry) return fail("invalid_expiry", "expiry is not valid");
    this.busy = true;
    for (const input of Object.values(this.inputs)) input.readOnly = true;
    try {
      const client = createPaymentClient({ apiBase: location.origin, ...this.session });
      const payment = await client.confirm({
        type: "card",
        card: {
          number: digitsOnly(this.inputs.number.value),
          exp_month: expiry.month,
          exp_year: expiry.year,
          cvc: digitsOnly(this.inputs.cvc.value),
        },
      });
      this.post({ protocol: PROTOCOL, type: "result", requestId, payment });
    } catch (err) {
      const e = toSoftrackError(err);
      // A decline's failed payment goes along, so the page reports the payment as the API left it.
      this.post({
        protocol: PROTOCOL,
        type: "result",
        requestId,
        error: { ...errorBody(e), payment: e instanceof SoftrackPaymentError ? e.payment : undefined },
      });
    } finally {
      this.busy = false;
      for (const input of Object.values(this.inputs)) input.readOnly = false;
      // Free again: an init that came meanwhile (a new client-secret) is answered now.
      this.reportSize("ready");
    }
  }
}

const parentOrigin = parentOriginFromUrl();
if (parentOrigin && window.parent !== window) {
  new CardFields(parentOrigin).start();
} else {
  // Opened directly or by an origin that does not match: stay inert.
  document.getElementById("card-form")?.setAttribute("inert", "");
}
