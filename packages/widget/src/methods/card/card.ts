import { html, nothing } from "lit";
import { type FrameToParent, isMessage, type ParentToFrame, PROTOCOL } from "../../elements/card/protocol.js";
import { apiError, type Payment } from "../../internal/api.js";
import type { CheckoutMethod, MethodContext, MethodDefinition, MethodState } from "../types.js";

/** How long the card fields may take to load before the buyer is offered a retry. */
const LOAD_TIMEOUT_MS = 15_000;

/**
 * The card method: the fields live in an iframe on the API's origin; this side only
 * positions it, passes theme and locale in, and relays confirm and its result.
 */
class CardMethod implements CheckoutMethod {
  readonly id = "card" as const;
  state: MethodState = { complete: false, empty: true };
  failed = false;
  /** the client_secret the iframe last said it holds, running no confirm ("" until it is ready) */
  private held = "";
  private readonly apiOrigin: string;
  private src: string;
  private attempt = 0;
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (p: Payment) => void; reject: (e: unknown) => void }>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly onMessage = (e: MessageEvent) => this.handle(e);

  /**
   * Until the iframe holds the checkout's client_secret and runs no confirm: not loaded yet, or a
   * new client-secret on its way in (while the old payment's confirm ends). Not when it failed to load.
   */
  get loading(): boolean {
    return !this.failed && this.held !== this.ctx.clientSecret;
  }

  constructor(private readonly ctx: MethodContext) {
    this.apiOrigin = new URL(ctx.apiBase, location.href).origin;
    this.src = this.frameSrc();
  }

  private get frame(): HTMLIFrameElement | null {
    return this.ctx.root.querySelector("iframe.card-frame");
  }

  private frameSrc(): string {
    // The iframe trusts only the origin named here, and checks it against ancestorOrigins.
    const url = new URL("/elements/card", this.apiOrigin);
    url.searchParams.set("origin", location.origin);
    if (this.attempt > 0) url.searchParams.set("attempt", String(this.attempt));
    return url.href;
  }

  hostConnected(): void {
    window.addEventListener("message", this.onMessage);
    this.armTimeout();
  }

  hostDisconnected(): void {
    window.removeEventListener("message", this.onMessage);
    clearTimeout(this.timer);
    for (const p of this.pending.values())
      p.reject(apiError({ type: "api_error", code: "checkout_removed", message: "checkout was removed" }));
    this.pending.clear();
  }

  private armTimeout(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (!this.loading) return;
      this.failed = true;
      this.ctx.requestUpdate();
    }, LOAD_TIMEOUT_MS);
  }

  /** Load failed or timed out: a fresh iframe (nothing typed yet, so nothing lost). */
  retry(): void {
    this.attempt++;
    this.failed = false;
    this.held = "";
    this.src = this.frameSrc();
    this.armTimeout();
    this.ctx.requestUpdate();
  }

  private post(msg: ParentToFrame): void {
    this.frame?.contentWindow?.postMessage(msg, this.apiOrigin);
  }

  private handle(e: MessageEvent): void {
    // Strict: our iframe's window, from the API's origin, speaking our protocol.
    const win = this.frame?.contentWindow;
    if (!win || e.source !== win || e.origin !== this.apiOrigin || !isMessage<FrameToParent>(e.data)) return;
    const msg = e.data;
    switch (msg.type) {
      case "loaded":
        this.post(this.initMessage());
        break;
      case "ready":
        this.resize(msg.height);
        this.held = msg.clientSecret;
        this.failed = false;
        clearTimeout(this.timer);
        this.ctx.methodReady("card");
        this.ctx.requestUpdate();
        break;
      case "resize":
        this.resize(msg.height);
        break;
      case "change":
        this.state = { complete: msg.complete, empty: msg.empty, brand: msg.brand };
        this.ctx.methodChanged(this.state);
        break;
      case "submit":
        this.ctx.requestSubmit();
        break;
      case "result": {
        const p = this.pending.get(msg.requestId);
        if (!p) return;
        this.pending.delete(msg.requestId);
        if ("payment" in msg) p.resolve(msg.payment);
        else p.reject(apiError(msg.error, msg.error.status ?? 0));
        break;
      }
    }
  }

  private resize(height: number): void {
    const frame = this.frame;
    // CSSOM, not a style attribute: allowed under a strict style-src.
    if (frame && Number.isFinite(height) && height > 0 && height < 2000) frame.style.height = `${Math.ceil(height)}px`;
  }

  /** Locale, theme or client_secret changed: re-init in place (the typed card stays). */
  refresh(): void {
    if (this.held) this.post(this.initMessage());
  }

  private initMessage(): ParentToFrame {
    return {
      protocol: PROTOCOL,
      type: "init",
      clientSecret: this.ctx.clientSecret,
      publishableKey: this.ctx.publishableKey,
      locale: this.ctx.locale,
      theme: this.ctx.theme(),
    };
  }

  focus(): void {
    this.frame?.focus();
    this.post({ protocol: PROTOCOL, type: "focus" });
  }

  render() {
    return html`<div class="card-frame-wrap" part="card">
      <iframe
        part="card-frame"
        class="card-frame"
        src=${this.src}
        title=${this.ctx.t("cardFrameTitle")}
        allow="payment"
        referrerpolicy="origin"
        ?hidden=${this.failed}
      ></iframe>
      ${
        this.failed
          ? html`<div class="load-error" part="load-error" role="alert">
              <p>${this.ctx.t("loadFailed")}</p>
              <button type="button" part="retry-button" class="secondary" @click=${() => this.retry()}>${this.ctx.t("retry")}</button>
            </div>`
          : nothing
      }
    </div>`;
  }

  submitLabel(): string {
    return this.ctx.t("payButton", { amount: this.ctx.amountText() });
  }

  confirm(): Promise<Payment> {
    if (this.loading || this.failed) {
      return Promise.reject(apiError({ type: "api_error", code: "card_fields_not_ready", message: "card fields are not loaded" }));
    }
    const requestId = ++this.seq;
    return new Promise<Payment>((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject });
      // The iframe refuses a confirm for another payment than the one it holds.
      this.post({ protocol: PROTOCOL, type: "confirm", requestId, clientSecret: this.ctx.clientSecret });
    });
  }
}

/** Card payments, with the fields isolated in an iframe served by the API. */
export const cardMethod: MethodDefinition = {
  id: "card",
  label: "methodCard",
  available: () => true,
  create: (ctx) => new CardMethod(ctx),
};
