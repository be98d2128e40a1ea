import { html, svg } from "lit";
import type { Payment } from "../../internal/api.js";
import type { CheckoutMethod, MethodContext, MethodDefinition } from "../types.js";
import { qrPath } from "./qr-svg.js";

class QrMethod implements CheckoutMethod {
  readonly id = "qr" as const;
  readonly state = { complete: true, empty: false };
  readonly loading = false;
  private cache: { payload: string; size: number; d: string } | undefined;
  constructor(private readonly ctx: MethodContext) {}
  hostConnected(): void {}
  render() {
    return html`<p part="hint" class="hint">${this.ctx.t("qrHint")}</p>`;
  }
  submitLabel(): string {
    return this.ctx.t("qrShow");
  }
  async confirm() {
    if (!this.ctx.client) throw new Error("not loaded");
    return this.ctx.client.confirm({ type: "qr" });
  }
  /** The code to scan; the checkout polls the payment meanwhile. */
  renderAction(payment: Payment) {
    const action = payment.next_action;
    if (action?.type !== "qr" || typeof action.payload !== "string") return undefined;
    if (this.cache?.payload !== action.payload) this.cache = { payload: action.payload, ...qrPath(action.payload) };
    const { size, d } = this.cache;
    // Always dark on white: scanners need it whatever the theme.
    return html`<div part="qr" class="qr">
      <h2 part="heading" class="heading">${this.ctx.t("qrTitle")}</h2>
      <svg part="qr-image" class="qr-image" viewBox="0 0 ${size} ${size}" role="img"
        aria-label=${this.ctx.t("qrImageLabel", { amount: this.ctx.amountText() })} shape-rendering="crispEdges">
        ${svg`<rect width=${size} height=${size} fill="#ffffff"></rect><path d=${d} fill="#000000"></path>`}
      </svg>
      <p part="hint" class="hint">${this.ctx.t("qrHint")}</p>
    </div>`;
  }
}

/** Pay by scanning a QR code in a banking app; the payment settles on the payer's side. */
export const qrMethod: MethodDefinition = {
  id: "qr",
  label: "methodQr",
  available: () => true,
  create: (ctx) => new QrMethod(ctx),
};
