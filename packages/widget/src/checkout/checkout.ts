import { html, LitElement, nothing, type PropertyValues, svg } from "lit";
import { THEME_PROPERTIES, type Theme } from "../elements/card/protocol.js";
import {
  apiError,
  createPaymentClient,
  errorBody,
  isPaid,
  isRetryable,
  type Payment,
  type PaymentClient,
  type SoftrackError,
  SoftrackPaymentError,
  toSoftrackError,
} from "../internal/api.js";
import { formatAmount } from "../internal/money.js";
import { INTL_TAG, type Locale, type MessageKey, resolveLocale, translate } from "../locales/index.js";
import { defaultMethods } from "../methods/index.js";
import type { CheckoutMethod, MethodContext, MethodDefinition, MethodId, MethodState } from "../methods/types.js";
import { checkoutStyles } from "./checkout.styles.js";
import {
  SoftrackCancelEvent,
  SoftrackChangeEvent,
  SoftrackErrorEvent,
  SoftrackPayOnPickupEvent,
  SoftrackReadyEvent,
  SoftrackSubmitEvent,
  SoftrackSuccessEvent,
} from "./events.js";

type Step = "loading" | "load_error" | "form" | "challenge" | "action" | "done" | "failed" | "pickup";

const POLL_MS = 1500;

/** The answer may have been lost after the API acted (or it disagrees with the state the widget had). */
const unsure = (e: SoftrackError) =>
  (e.status ?? 0) >= 500 || /^(network_error|request_in_progress|payment_unexpected_state)$/.test(e.code ?? "");

/** What a submit() rejects with when its payment ends unpaid. */
const ended = (p: Payment) => apiError({ type: "payment_error", code: `payment_${p.status}`, message: `payment ${p.status}` }, 402);

const canceled = (message: string) => apiError({ type: "invalid_request_error", code: "checkout_canceled", message });

/** False for an answer about the payment shown; else it reports the answer (see #old). */
type Old = (answer?: Payment | SoftrackError) => false | Promise<void>;

function scriptOrigin(): string {
  try {
    const url = new URL(import.meta.url);
    if (url.protocol === "http:" || url.protocol === "https:") return url.origin;
  } catch {
    // not loaded from a URL (tests, bundler eval): fall back to the page
  }
  return location.origin;
}

interface Outcome {
  promise: Promise<Payment>;
  resolve(p: Payment): void;
  reject(e: SoftrackError): void;
}

function outcome(): Outcome {
  let resolve!: (p: Payment) => void;
  let reject!: (e: SoftrackError) => void;
  const promise = new Promise<Payment>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * A payment form for one payment: pass its `client_secret` and your publishable key.
 * Offers the methods the payment allows, runs card (fields in an iframe on the API's
 * origin), SMS, QR and wallet payments with their code steps, and reports by events.
 *
 * @tag softrack-checkout
 *
 * @event softrack-ready - The payment loaded and the form can be used. `detail: { payment, methods }`
 * @event softrack-change - Method or input changed. `detail: { method, complete, empty, brand? }`
 * @event softrack-submit - Paying started. `detail: { method }`
 * @event softrack-success - Paid (or authorized for manual capture). `detail: { payment }`; after a decline
 *   this is the payment's next attempt, whose `retry_of` names the failed one
 * @event softrack-error - A step failed; `detail: { error }` is the contract's error object. After a decline
 *   the form stays on the payment's next attempt, so the buyer can try another card or method.
 *   A success or an error may be an earlier payment's, answered after a new `client-secret`: its
 *   `detail.payment.id` tells.
 * @event softrack-cancel - The buyer left a code or QR step. `detail: { payment? }`
 * @event softrack-pay-on-pickup - The buyer chose to pay on pickup; nothing was paid. `detail: { payment }`
 *
 * @csspart base - The outer box.
 * @csspart header - Amount and description.
 * @csspart amount - The formatted amount.
 * @csspart description - The payment's description.
 * @csspart timing - The "pay now" / "pay on pickup" chooser (a radio group).
 * @csspart methods - The method chooser (a radio group).
 * @csspart method - One method choice.
 * @csspart panel - The selected method's fields.
 * @csspart card - Wrapper of the card iframe.
 * @csspart card-frame - The card fields iframe.
 * @csspart field - A label and its input.
 * @csspart label - A field label.
 * @csspart input - A text input.
 * @csspart select - A select (phone country).
 * @csspart hint - Helper text.
 * @csspart error - Error text (announced).
 * @csspart actions - Row of buttons.
 * @csspart submit-button - The pay / confirm button.
 * @csspart cancel-button - Leaves a code or QR step.
 * @csspart retry-button - Reloads after a load failure.
 * @csspart load-error - The load failure message.
 * @csspart challenge - The SMS / 3-D Secure code step.
 * @csspart qr - The QR step.
 * @csspart qr-image - The QR code.
 * @csspart heading - A step's heading.
 * @csspart status - Result and waiting messages.
 * @csspart spinner - Busy indicator (still under prefers-reduced-motion).
 *
 * @cssproperty --softrack-color-primary - Buttons, selection, focus.
 * @cssproperty --softrack-color-on-primary - Text on primary.
 * @cssproperty --softrack-color-text - Text.
 * @cssproperty --softrack-color-muted - Secondary text.
 * @cssproperty --softrack-color-background - Box background.
 * @cssproperty --softrack-color-input - Input background.
 * @cssproperty --softrack-color-border - Borders.
 * @cssproperty --softrack-color-danger - Errors.
 * @cssproperty --softrack-color-success - Success mark.
 * @cssproperty --softrack-focus-ring - Focus outline colour.
 * @cssproperty --softrack-radius - Corner radius.
 * @cssproperty --softrack-font-family - Font (also passed into the card iframe).
 * @cssproperty --softrack-font-size - Base font size.
 * @cssproperty --softrack-spacing - Gaps.
 */
export class SoftrackCheckout extends LitElement {
  static override styles = checkoutStyles;

  static override properties = {
    clientSecret: { attribute: "client-secret" },
    publishableKey: { attribute: "publishable-key" },
    locale: { reflect: true },
    apiBase: { attribute: "api-base" },
    theme: { reflect: true },
    methods: {},
    pickupRequirement: { attribute: "pickup-requirement" },
    _onPickup: { state: true },
    _step: { state: true },
    _payment: { state: true },
    _selected: { state: true },
    _busy: { state: true },
    _error: { state: true },
    _code: { state: true },
    _codeTouched: { state: true },
  };

  /** The methods every checkout can offer; extend by assigning a new array before define. */
  static methodDefinitions: readonly MethodDefinition[] = defaultMethods;

  /** The payment's client_secret (from your server, which created the payment). */
  declare clientSecret: string;
  /** Your publishable key, pk_test_… or pk_live_…. */
  declare publishableKey: string;
  /** ru, ky, kk, en or uz. Defaults to the page's lang, then the browser's. */
  declare locale: string | undefined;
  /** The API's origin. Defaults to where this script was loaded from. */
  declare apiBase: string | undefined;
  /** light, dark or auto (follows prefers-color-scheme). */
  declare theme: "light" | "dark" | "auto";
  /** Comma-separated method ids to offer, e.g. "card,qr". Defaults to all the payment allows. */
  declare methods: string | undefined;
  /**
   * The merchant policy's answer for this buyer, from your server
   * (`softrack.buyerReliability.get({phone})` → `requirement`): "none" offers paying on pickup
   * besides paying now, "prepay" offers only paying now and says why. Unset: pay now only.
   */
  declare pickupRequirement: "none" | "prepay" | undefined;

  declare private _step: Step;
  declare private _payment: Payment | undefined;
  declare private _selected: MethodId | undefined;
  declare private _busy: boolean;
  declare private _error: SoftrackError | undefined;
  declare private _code: string;
  declare private _codeTouched: boolean;
  /** the buyer picked "pay on pickup" (only offered with pickup-requirement="none") */
  declare private _onPickup: boolean;

  #client: PaymentClient | undefined;
  #methods = new Map<MethodId, CheckoutMethod>();
  #outcome: Outcome | undefined;
  #generation = 0;
  #pollTimer: ReturnType<typeof setTimeout> | undefined;
  /** a request's answer was lost: the API may have acted on it */
  #unanswered = false;
  #readySent = false;
  /** a new client-secret is loading: Pay stays busy until #maybeReady sees its payment and card iframe */
  #swap = false;
  #methodsBase = "";
  #focusAfterRender: string | undefined;
  readonly #ctx: MethodContext;

  constructor() {
    super();
    this.clientSecret = "";
    this.publishableKey = "";
    this.theme = "light";
    this._step = "loading";
    this._busy = false;
    this._code = "";
    this._codeTouched = false;
    this._onPickup = false;
    const self = this;
    this.#ctx = {
      addController: (c) => this.addController(c),
      removeController: (c) => this.removeController(c),
      requestUpdate: () => this.requestUpdate(),
      get updateComplete() {
        return self.updateComplete;
      },
      get payment() {
        return self._payment;
      },
      get client() {
        return self.#client;
      },
      get apiBase() {
        return self.resolvedApiBase;
      },
      get clientSecret() {
        return self.clientSecret;
      },
      get publishableKey() {
        return self.publishableKey;
      },
      get locale() {
        return self.resolvedLocale;
      },
      get root() {
        return self.renderRoot;
      },
      t: (key, vars) => this.#t(key, vars),
      amountText: () => this.#amountText(),
      theme: () => this.#themeSnapshot(),
      methodChanged: (state) => this.#methodChanged(state),
      requestSubmit: () => void this.submit().catch(() => {}),
      methodReady: () => this.#maybeReady(),
    };
  }

  /** The locale in use after defaults. */
  get resolvedLocale(): Locale {
    const fromPage = this.closest("[lang]")?.getAttribute("lang") ?? document.documentElement.lang;
    return resolveLocale(this.locale ?? (fromPage || navigator.language));
  }

  get resolvedApiBase(): string {
    return (this.apiBase || scriptOrigin()).replace(/\/+$/, "");
  }

  /** The payment as last read from the API. */
  get payment(): Payment | undefined {
    return this._payment;
  }

  protected override createRenderRoot(): HTMLElement | DocumentFragment {
    // Honour a CSP nonce for the rare browsers where Lit must fall back to <style>.
    // The IDL property survives nonce hiding; the attribute may read "".
    const nonce = this.nonce || this.getAttribute("nonce");
    const g = globalThis as { litNonce?: string };
    if (nonce && !g.litNonce) g.litNonce = nonce;
    return super.createRenderRoot();
  }

  // theme="auto": follow the system when it switches, inside the card iframe too.
  readonly #schemeQuery = matchMedia("(prefers-color-scheme: dark)");
  readonly #onScheme = () => {
    if (this.theme === "auto") for (const m of this.#methods.values()) m.refresh?.();
  };

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#pollTimer);
    this.#schemeQuery.removeEventListener("change", this.#onScheme);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#schemeQuery.addEventListener("change", this.#onScheme);
    if (this._step === "action" && this._payment) this.#schedulePoll();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (this.pickupRequirement !== "none") this._onPickup = false;
    if (changed.has("clientSecret") || changed.has("publishableKey") || changed.has("apiBase")) {
      void this.#load(true);
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has("locale") || changed.has("theme")) {
      // Relabel in place, including inside the card iframe: typed input stays.
      for (const m of this.#methods.values()) m.refresh?.();
    }
    if (this.#focusAfterRender) {
      const el = this.renderRoot.querySelector<HTMLElement>(this.#focusAfterRender);
      this.#focusAfterRender = undefined;
      el?.focus();
    }
  }

  /** Re-reads the payment (e.g. after your server changed its amount) without clearing any input. */
  async refresh(): Promise<Payment | undefined> {
    await this.#load(false);
    return this._payment;
  }

  /**
   * Pays with the selected method, as the pay button does. Resolves with the payment once
   * it succeeded (including any code or QR step), rejects with the contract's error.
   */
  submit(): Promise<Payment> {
    if (this._step === "done" && this._payment) return Promise.resolve(this._payment);
    if (this._step === "challenge") {
      this.#outcome ??= outcome();
      const o = this.#outcome;
      void this.#verify();
      return o.promise;
    }
    if (this.#outcome) return this.#outcome.promise;
    if (this._step === "form" && this._onPickup) {
      this.#payOnPickup();
      return Promise.reject(
        apiError({ type: "invalid_request_error", code: "pay_on_pickup", message: "the buyer chose to pay on pickup: nothing was paid" }),
      );
    }
    if (this._step !== "form" || !this._selected || this._busy) {
      return Promise.reject(
        apiError({ type: "invalid_request_error", code: "checkout_not_ready", message: "the checkout is not ready to submit" }),
      );
    }
    const o = outcome();
    this.#outcome = o;
    void this.#confirm();
    return o.promise;
  }

  /** Leaves a code or QR step and returns to the form, as the Cancel button does. */
  cancel(): void {
    if (this.#leaveStep("form", "the buyer canceled"))
      this.dispatchEvent(new SoftrackCancelEvent(this._payment ? { payment: this._payment } : {}));
  }

  /**
   * Leaves a code or QR step for `step`; its submit() rejects with `checkout_canceled`. False
   * when not in one.
   */
  #leaveStep(step: Step, message: string): boolean {
    if (this._step !== "challenge" && this._step !== "action") return false;
    clearTimeout(this.#pollTimer);
    this._step = step;
    this._code = "";
    this._codeTouched = false;
    this._error = undefined;
    this._busy = false;
    this.#reject(canceled(message), false);
    return true;
  }

  /** No payment is made: the shop hears the choice and creates its on_pickup order. */
  #payOnPickup(): void {
    const payment = this._payment;
    if (this._step !== "form" || !this._onPickup || !payment || this._busy) return;
    this._step = "pickup";
    this._error = undefined;
    this.#focusAfterRender = "#result-heading";
    this.dispatchEvent(new SoftrackPayOnPickupEvent({ payment }));
  }

  // ——— loading ———

  /**
   * Reads the payment. `fresh` means a new client_secret (say the cart changed and your
   * server made a new payment): the methods and what the buyer typed stay, the card
   * iframe is handed the new secret.
   */
  async #load(fresh: boolean): Promise<void> {
    const gen = ++this.#generation;
    // A new payment (or key) while the buyer sits in a code or QR step of the old one: that step
    // and its submit() are over; the new payment starts from its own form.
    if (fresh && !this._busy) this.#leaveStep("loading", "the checkout's payment was replaced");
    if (!this.clientSecret || !this.publishableKey) return;
    if (fresh) {
      // A confirm or code still on its way is the old payment's: its answer settles the old
      // submit() (see #old). Pay stays busy (submit() rejects checkout_not_ready) until the new
      // payment is read and the card iframe holds its secret, free of the old confirm (#maybeReady).
      this.#outcome = undefined;
      this._busy = this.#swap = !!this.#client;
      this._code = "";
      this._codeTouched = false;
      try {
        // A secret key must never be used from a browser: refused before anything is sent.
        if (!/^pk_(test|live)_/.test(this.publishableKey))
          throw apiError({
            type: "invalid_request_error",
            code: "invalid_publishable_key",
            message: "publishable-key is not a publishable key (pk_test_… or pk_live_…); nothing was sent",
            param: "publishable-key",
          });
        this.#client = createPaymentClient({
          apiBase: this.resolvedApiBase,
          publishableKey: this.publishableKey,
          clientSecret: this.clientSecret,
        });
      } catch (err) {
        return this.#refuse(toSoftrackError(err));
      }
      clearTimeout(this.#pollTimer);
      this.#unanswered = false;
      if (this.#methodsBase !== this.resolvedApiBase) {
        // Another API origin means another iframe origin: rebuild the methods.
        for (const m of this.#methods.values()) this.removeController(m);
        this.#methods.clear();
        this.#readySent = false;
      }
    }
    if (!this.#client) return;
    // Out of a load failure: its message goes with it.
    if (this._step === "load_error") this._error = undefined;
    // Keep the form on screen (and its iframe alive) while a new payment loads.
    if (this._step === "load_error" || (fresh && this._step !== "form")) this._step = "loading";
    try {
      const payment = await this.#client.retrieve();
      if (gen !== this.#generation) return;
      this._payment = payment;
      this.#syncMethods(payment);
      if (this._step === "loading" || fresh) this.#enter(payment);
      // refresh() in the QR step: this read outdated the poll (see #schedulePoll); go on from it.
      else if (this._step === "action") this.#polled(payment);
      this.#maybeReady();
    } catch (err) {
      if (gen !== this.#generation) return;
      // refresh() in the QR step: the code stays on screen and the next poll reads again.
      if (this._step === "action") this.#schedulePoll();
      else this.#showLoadError(toSoftrackError(err));
    }
  }

  /**
   * An attribute the merchant must fix (a secret key as publishable-key, a malformed client-secret):
   * nothing is sent, no Retry is offered, and the console names the attribute, never its value.
   * Changing the attribute loads afresh.
   */
  #refuse(err: SoftrackError): void {
    clearTimeout(this.#pollTimer);
    this.#client = undefined;
    this._payment = undefined;
    for (const m of this.#methods.values()) this.removeController(m);
    this.#methods.clear();
    this.#readySent = false;
    console.error(`<softrack-checkout>: ${err.message}`);
    this.#showLoadError(err);
  }

  #showLoadError(err: SoftrackError): void {
    this._step = "load_error";
    this._error = err;
    this.dispatchEvent(new SoftrackErrorEvent({ error: errorBody(err) }));
  }

  #available(payment: Payment): MethodDefinition[] {
    const defs = (this.constructor as typeof SoftrackCheckout).methodDefinitions;
    const wanted = this.methods
      ?.split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    // not in the contract's Payment; honoured when the API sends it
    const types = (payment as { payment_method_types?: unknown }).payment_method_types;
    const allowed = Array.isArray(types) ? types : payment.method ? [payment.method] : undefined;
    return defs.filter((d) => d.available(payment) && (!allowed || allowed.includes(d.id)) && (!wanted || wanted.includes(d.id)));
  }

  /** Offers what this payment allows; methods already shown keep their state. */
  #syncMethods(payment: Payment): void {
    const defs = this.#available(payment);
    const next = new Map<MethodId, CheckoutMethod>();
    for (const def of defs) {
      let m = this.#methods.get(def.id);
      if (!m) {
        m = def.create(this.#ctx);
        this.addController(m);
      } else m.refresh?.(); // the card iframe gets the client_secret (a new one, or after a failed read of one)
      next.set(def.id, m);
    }
    for (const [id, m] of this.#methods) if (!next.has(id)) this.removeController(m);
    this.#methods = next;
    this.#methodsBase = this.resolvedApiBase;
    if (!this._selected || !next.has(this._selected)) this._selected = next.keys().next().value;
  }

  /** Where a freshly loaded payment puts the buyer. */
  #enter(payment: Payment): void {
    if (isPaid(payment)) this._step = "done";
    else if (payment.status === "failed" || payment.status === "canceled") {
      this._step = "failed";
      // Opened (or reloaded) after a decline: go on with the payment's next attempt.
      if (payment.status === "failed") void this.#recheck();
    } else if (payment.status === "requires_action" || payment.status === "processing") this.#advance(payment);
    else this._step = "form";
  }

  #maybeReady(): void {
    const payment = this._payment;
    // Wait for the client's payment (a new client-secret's read) and for the card iframe when it is
    // offered (loading until it holds that client_secret), so "ready" means typeable and Pay pays it.
    if (
      payment?.id !== this.#client?.paymentId ||
      this._step === "loading" ||
      this._step === "load_error" ||
      this.#methods.get("card")?.loading
    )
      return;
    if (this.#swap) this._busy = this.#swap = false;
    if (this.#readySent || !payment) return;
    this.#readySent = true;
    this.dispatchEvent(new SoftrackReadyEvent({ payment, methods: [...this.#methods.keys()] }));
  }

  // ——— paying ———

  async #confirm(): Promise<void> {
    const method = this._selected ? this.#methods.get(this._selected) : undefined;
    if (!method) return;
    this._error = undefined;
    this._busy = true;
    this.dispatchEvent(new SoftrackSubmitEvent({ method: method.id }));
    const client = this.#client;
    const old = this.#old(client);
    try {
      // The last confirm's answer was lost: go on from the payment rather than confirm it twice.
      if (this.#unanswered && (await this.#follow("requires_payment_method", old))) return;
      const payment = await method.confirm();
      if (old(payment)) return;
      this._payment = payment;
      this.#advance(payment);
    } catch (err) {
      const e = toSoftrackError(err);
      if (old(e) || (unsure(e) && (await this.#follow("requires_payment_method", old, e)))) return;
      this.#reject(e, true);
      // Empty or invalid fields say so inline: focus goes to the first of them.
      if (e.type === "validation_error") method.focus?.();
      // A decline may have ended the payment (the contract fails it): follow the API.
      if (e.type === "payment_error") await this.#recheck();
    } finally {
      // After a new client-secret the form is the new payment's, not this confirm's to free.
      if (client === this.#client) this._busy = false;
    }
  }

  async #verify(): Promise<void> {
    if (this._busy || !this.#client) return;
    this._codeTouched = true;
    if (!/^\d{6}$/.test(this._code)) {
      this.#focusAfterRender = "#code";
      return;
    }
    this._busy = true;
    this._error = undefined;
    const client = this.#client;
    const old = this.#old(client);
    try {
      const payment = await client.verify(this._code);
      if (old(payment)) return;
      this._payment = payment;
      this._code = "";
      this._codeTouched = false;
      this.#advance(payment);
    } catch (err) {
      const e = toSoftrackError(err);
      if (old(e)) return;
      this._code = "";
      this.#focusAfterRender = "#code";
      if (unsure(e) && (await this.#follow("requires_action", old, e))) return;
      // A wrong code fails the payment: this submit is over and the buyer goes on with the next
      // attempt. Anything else leaves the code step for another try, its submit() still waiting.
      const failed = e.type === "payment_error";
      this.#reject(e, true, failed);
      if (failed) await this.#recheck();
    } finally {
      if (client === this.#client) this._busy = false;
    }
  }

  /** An answer was lost (or the API's state is not the one expected): read the payment and go on from it. */
  async #follow(waiting: Payment["status"], old: Old, e?: SoftrackError): Promise<boolean> {
    this.#unanswered = true;
    const p = await this.#client?.retrieve().catch(() => undefined);
    if (old(p ?? e)) return true;
    if (!p) return false;
    this.#unanswered = false;
    if (p.status === waiting) return false;
    this._payment = p;
    this.#advance(p);
    if (p.status === "failed") await this.#recheck();
    return true;
  }

  /** After a decline or a failed code the API may have failed the payment: read it and follow. */
  async #recheck(): Promise<void> {
    const client = this.#client;
    // A failed payment is over for good (the contract), so the buyer goes on with its next
    // attempt: a new payment for the same amount. The form, what was typed and the decline's
    // message stay; the card iframe is handed the new client_secret (see #load). Not failed (or
    // no answer): follow what the API says below.
    const next = await client?.retry().catch(() => undefined);
    // A new client-secret came meanwhile: the old payment's next attempt is not this checkout's.
    if (client !== this.#client) return;
    if (next?.client_secret) {
      this.clientSecret = next.client_secret;
      return;
    }
    const p = await client?.retrieve().catch(() => undefined);
    // No answer: keep the code step; the buyer can try again.
    if (p && p.status !== "requires_action" && client === this.#client) {
      this._payment = p;
      this.#advance(p, true);
    }
  }

  /**
   * Taken as a confirm or a code is sent. Its answer may come after a new client-secret (or key)
   * replaced the payment: the form stays on the new one, but the old one may have been charged,
   * so the merchant still hears how it ended, by the usual event carrying the old payment (its id
   * tells it from the new one), and the old submit() settles with it. Still waiting for a code or
   * QR, it ends as that step does on a new client-secret: checkout_canceled, no event.
   */
  #old(client: PaymentClient | undefined): Old {
    const o = this.#outcome;
    const before = this._payment;
    return (answer) =>
      client !== this.#client &&
      (async () => {
        // No answer: ask the API how the old payment ended.
        if (answer instanceof Error && unsure(answer)) answer = (await client?.retrieve().catch(() => undefined)) ?? answer;
        const payment = answer instanceof Error ? ((answer as SoftrackPaymentError).payment ?? before) : answer;
        const err = answer instanceof Error ? answer : payment && /^(failed|canceled)$/.test(payment.status) ? ended(payment) : undefined;
        if (payment && isPaid(payment)) {
          this.dispatchEvent(new SoftrackSuccessEvent({ payment }));
          o?.resolve(payment);
        } else if (err) {
          this.dispatchEvent(new SoftrackErrorEvent({ error: errorBody(err), ...(payment ? { payment } : {}) }));
          o?.reject(err);
        } else o?.reject(canceled("the checkout's payment was replaced"));
      })();
  }

  /** Moves the flow on from whatever the API said about the payment. */
  #advance(payment: Payment, keepError = false): void {
    clearTimeout(this.#pollTimer);
    if (isPaid(payment)) {
      this._step = "done";
      this._error = undefined;
      this.#focusAfterRender = "#result-heading";
      this.dispatchEvent(new SoftrackSuccessEvent({ payment }));
      this.#outcome?.resolve(payment);
      this.#outcome = undefined;
      return;
    }
    const action = payment.next_action?.type;
    if (payment.status === "requires_action" && (action === "sms_code" || action === "three_d_secure")) {
      this._step = "challenge";
      this.#focusAfterRender = "#code";
      return;
    }
    if (payment.status === "requires_action" || payment.status === "processing") {
      this._step = "action";
      this.#focusAfterRender = "#action-heading";
      this.#schedulePoll();
      return;
    }
    if (payment.status === "failed" || payment.status === "canceled") {
      this._step = "failed";
      const err = keepError && this._error ? this._error : ended(payment);
      this.#reject(err, !keepError);
      return;
    }
    // requires_payment_method again: back to the form.
    this._step = "form";
  }

  #schedulePoll(): void {
    clearTimeout(this.#pollTimer);
    const gen = this.#generation;
    this.#pollTimer = setTimeout(async () => {
      if (gen !== this.#generation || this._step !== "action" || !this.isConnected) return;
      try {
        const p = await this.#client?.retrieve();
        if (!p || gen !== this.#generation || this._step !== "action") return;
        this._payment = p;
        this.#polled(p);
      } catch {
        this.#schedulePoll();
      }
    }, POLL_MS);
  }

  /** Polls on while the payment waits for its payer, else moves on. */
  #polled(p: Payment): void {
    if (p.status === "requires_action" || p.status === "processing") this.#schedulePoll();
    else this.#advance(p);
  }

  #reject(err: SoftrackError, announce: boolean, settle = true): void {
    if (announce) {
      this._error = err;
      // A 402 carries the payment as the API left it (failed): newer than ours. The SDK's
      // SoftrackError.generate puts it on the error, from the API's answer or the card iframe's.
      if (err instanceof SoftrackPaymentError) this._payment = err.payment ?? this._payment;
      this.dispatchEvent(new SoftrackErrorEvent({ error: errorBody(err), ...(this._payment ? { payment: this._payment } : {}) }));
    }
    if (!settle) return;
    const o = this.#outcome;
    this.#outcome = undefined;
    o?.reject(err);
  }

  // ——— helpers for methods ———

  #t(key: MessageKey, vars?: Record<string, string>): string {
    return translate(this.resolvedLocale, key, vars);
  }

  #amountText(): string {
    const p = this._payment;
    return p ? formatAmount(p.amount, p.currency, INTL_TAG[this.resolvedLocale]) : "";
  }

  #themeSnapshot(): Theme {
    const cs = getComputedStyle(this);
    const vars: Theme["vars"] = {};
    for (const prop of THEME_PROPERTIES) {
      const v = cs.getPropertyValue(prop).trim();
      if (v) vars[prop] = v;
    }
    const dark = this.theme === "dark" || (this.theme === "auto" && matchMedia("(prefers-color-scheme: dark)").matches);
    return { colorScheme: dark ? "dark" : "light", vars };
  }

  #methodChanged(state: MethodState): void {
    if (!this._selected) return;
    const detail = { method: this._selected, complete: state.complete, empty: state.empty, ...(state.brand ? { brand: state.brand } : {}) };
    this.dispatchEvent(new SoftrackChangeEvent(detail));
  }

  #select(id: MethodId): void {
    if (this._selected === id || this._busy) return;
    this._selected = id;
    this._error = undefined;
    const m = this.#methods.get(id);
    if (m) this.#methodChanged(m.state);
  }

  /** The buyer-facing words for an API error. */
  #errorText(err: SoftrackError | undefined): string {
    if (!err || err.type === "validation_error") return "";
    const byCode: Record<string, MessageKey> = {
      card_declined: "errCardDeclined",
      authentication_failed: "errIncorrectCode",
      insufficient_funds: this._selected === "wallet" ? "errWalletFunds" : "errInsufficientFunds",
      network_error: "errNetwork",
      payment_canceled: "errPaymentCanceled",
      payment_failed: "failed",
    };
    const code = err.code ?? "";
    const key = byCode[code];
    if (key) return this.#t(key);
    if (/code|verification/.test(code)) return this.#t("errIncorrectCode");
    return this.#t("errGeneric");
  }

  // ——— rendering ———

  override render() {
    const p = this._payment;
    return html`<section part="base" class="base" aria-label=${this.#t("checkoutLabel")} lang=${this.resolvedLocale}>
      <div part="header" class="header">
        <span class="label">${this.#t("amountDue")}</span>
        <span part="amount" class="amount">${p ? this.#amountText() : "\u00a0"}</span>
        ${p?.description ? html`<p part="description" class="description">${p.description}</p>` : nothing}
      </div>
      ${
        // The form stays in the DOM (hidden) during code and QR steps: the card iframe and
        // what was typed survive a Cancel.
        this.#methods.size > 0 && this._payment
          ? html`<div class="form" ?hidden=${this._step !== "form"}>${this.#renderForm()}</div>`
          : nothing
      }
      ${this.#renderStep()}
      <p part="error" class="alert" id="alert" role="alert">${this._step === "load_error" ? "" : this.#errorText(this._error)}</p>
    </section>`;
  }

  #renderStep() {
    switch (this._step) {
      case "loading":
        return html`<div class="skeleton" role="status"><span class="sr-only">${this.#t("loading")}</span><div></div><div></div><div></div></div>`;
      case "load_error":
        return html`<div part="load-error" class="status bad" role="alert">
          <p>${this.#t("loadFailed")} ${this._error?.code === "network_error" ? this.#t("errNetwork") : ""}</p>
          ${
            // Retry only what may go through next time (the SDK's policy, or no answer at all): a
            // refused attribute or a 4xx would fail the same way, the merchant must fix it.
            this._error?.code === "network_error" || isRetryable(this._error?.status ?? 0, this._error?.raw)
              ? html`<button type="button" part="retry-button" class="secondary" @click=${() => void this.#load(!this.#client || this.#methods.size === 0)}>${this.#t("retry")}</button>`
              : nothing
          }
        </div>`;
      case "form":
        return nothing;
      case "challenge":
        return this.#renderChallenge();
      case "action":
        return this.#renderAction();
      case "done":
        return this.#renderResult(true);
      case "failed":
        return this.#renderResult(false);
      case "pickup":
        return html`<div part="status" class="status ok" role="status">
          <h2 part="heading" class="heading" id="result-heading" tabindex="-1">${this.#t("pickupChosen")}</h2>
          <p part="hint" class="hint">${this.#t("pickupHint")}</p>
        </div>`;
    }
  }

  #renderForm() {
    const methods = [...this.#methods.values()];
    const defs = (this.constructor as typeof SoftrackCheckout).methodDefinitions;
    const selected = this._selected ? this.#methods.get(this._selected) : undefined;
    const pickup = this._onPickup;
    const timing = (id: string, onPickup: boolean) =>
      html`<label part="method" class="method">
        <input type="radio" name="timing" value=${id} .checked=${onPickup === pickup}
          @change=${() => {
            if (this._busy) return;
            this._onPickup = onPickup;
            this._error = undefined;
          }}>
        <span>${this.#t(onPickup ? "payOnPickup" : "payNow")}</span>
      </label>`;
    return html`
      ${
        this.pickupRequirement === "none"
          ? html`<fieldset part="timing" class="methods-set">
              <legend>${this.#t("timingLegend")}</legend>
              <div class="methods">${timing("now", false)}${timing("on_pickup", true)}</div>
            </fieldset>`
          : this.pickupRequirement === "prepay"
            ? html`<p part="hint" class="hint" id="timing-hint">${this.#t("prepayHint")}</p>`
            : nothing
      }
      ${pickup ? html`<p part="hint" class="hint" id="pickup-hint">${this.#t("pickupHint")}</p>` : nothing}
      ${
        methods.length > 1
          ? html`<fieldset part="methods" class="methods-set" ?hidden=${pickup}>
              <legend>${this.#t("methodsLegend")}</legend>
              <div class="methods">
                ${methods.map((m) => {
                  const def = defs.find((d) => d.id === m.id);
                  return html`<label part="method" class="method">
                    <input type="radio" name="method" value=${m.id} .checked=${m.id === this._selected}
                      @change=${() => this.#select(m.id)}>
                    <span>${def ? this.#t(def.label) : m.id}</span>
                  </label>`;
                })}
              </div>
            </fieldset>`
          : nothing
      }
      <div class="panels">${methods.map(
        // Every panel stays in the DOM, hidden when not chosen, so switching keeps what was typed;
        // they share one grid cell, so the tallest sets the height and switching never moves the page.
        (m) => html`<div part="panel" class="panel" ?hidden=${pickup || m.id !== this._selected} data-method=${m.id}>${m.render()}</div>`,
      )}</div>
      <div part="actions" class="actions">
        <button type="button" part="submit-button" class="primary" aria-disabled=${this._busy ? "true" : "false"}
          aria-describedby=${pickup ? "pickup-hint" : this.pickupRequirement === "prepay" ? "timing-hint" : nothing}
          @click=${() => (this._busy ? undefined : pickup ? this.#payOnPickup() : this.submit().catch(() => {}))}>
          ${this._busy ? html`<span part="spinner" class="spinner" aria-hidden="true"></span>${this.#t("processing")}` : pickup ? this.#t("pickupConfirm") : (selected?.submitLabel() ?? "")}
        </button>
      </div>`;
  }

  #renderChallenge() {
    const threeDs = this._payment?.next_action?.type === "three_d_secure";
    const incomplete = this._codeTouched && !/^\d{6}$/.test(this._code);
    return html`<form part="challenge" class="panel" novalidate @submit=${(e: Event) => {
      e.preventDefault();
      this.submit().catch(() => {});
    }}>
      <h2 part="heading" class="heading" id="challenge-heading">${this.#t(threeDs ? "challengeTitle3ds" : "challengeTitleSms")}</h2>
      <p part="hint" class="hint" id="code-hint">${this.#t("challengeHint")}</p>
      <div part="field" class="field">
        <label part="label" for="code">${this.#t("code")}</label>
        <input part="input" class="code" id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
          maxlength="6" pattern="[0-9]*" .value=${this._code}
          aria-invalid=${incomplete ? "true" : "false"} aria-describedby="code-hint code-error"
          @input=${(e: InputEvent) => {
            const input = e.target as HTMLInputElement;
            this._code = input.value.replace(/\D+/g, "").slice(0, 6);
            input.value = this._code;
          }}>
        <p part="error" class="field-error" id="code-error" aria-live="polite">${incomplete ? this.#t("errCodeIncomplete") : ""}</p>
      </div>
      <div part="actions" class="actions">
        <button type="submit" part="submit-button" class="primary" aria-disabled=${this._busy ? "true" : "false"}>
          ${this._busy ? html`<span part="spinner" class="spinner" aria-hidden="true"></span>${this.#t("processing")}` : this.#t("confirm")}
        </button>
        <button type="button" part="cancel-button" class="secondary" @click=${() => this.cancel()}>${this.#t("cancel")}</button>
      </div>
    </form>`;
  }

  #renderAction() {
    const p = this._payment;
    const method = this._selected ? this.#methods.get(this._selected) : undefined;
    const custom = p ? method?.renderAction?.(p) : undefined;
    return html`<div class="panel">
      ${custom ?? html`<h2 part="heading" class="heading">${this.#t("processing")}</h2>`}
      <div part="status" class="status" role="status">
        <span part="spinner" class="spinner" aria-hidden="true"></span>
        <span id="action-heading" tabindex="-1">${this.#t("qrWaiting")}</span>
      </div>
      <div part="actions" class="actions">
        <button type="button" part="cancel-button" class="secondary" @click=${() => this.cancel()}>${this.#t("cancel")}</button>
      </div>
    </div>`;
  }

  #renderResult(ok: boolean) {
    const p = this._payment;
    const title: MessageKey = ok ? (p?.status === "requires_capture" ? "authorized" : "succeeded") : "failed";
    return html`<div part="status" class="status ${ok ? "ok" : "bad"}" role="status">
      <svg class="mark" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
        <circle cx="12" cy="12" r="11" fill="none" stroke="currentColor" stroke-width="2"></circle>
        ${
          ok
            ? svg`<path d="M7 12.5l3.2 3.2L17 9" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round"></path>`
            : svg`<path d="M8 8l8 8M16 8l-8 8" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round"></path>`
        }
      </svg>
      <h2 part="heading" class="heading" id="result-heading" tabindex="-1">${this.#t(title)}</h2>
      ${ok ? html`<p part="hint" class="hint">${this.#t("succeededHint", { amount: this.#amountText() })}</p>` : nothing}
    </div>`;
  }
}
