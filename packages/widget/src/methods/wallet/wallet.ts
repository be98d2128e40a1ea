import { html } from "lit";
import { apiError } from "../../internal/api.js";
import type { CheckoutMethod, MethodContext, MethodDefinition } from "../types.js";

class WalletMethod implements CheckoutMethod {
  readonly id = "wallet" as const;
  readonly state = { complete: true, empty: false };
  readonly loading = false;
  constructor(private readonly ctx: MethodContext) {}
  hostConnected(): void {}
  render() {
    return html`<p part="hint" class="hint">${this.ctx.t("walletHint")}</p>`;
  }
  submitLabel(): string {
    return this.ctx.t("walletPay", { amount: this.ctx.amountText() });
  }
  async confirm() {
    const { client, payment } = this.ctx;
    if (!client || !payment?.customer) {
      throw apiError({ type: "invalid_request_error", code: "wallet_unavailable", message: "this payment has no customer wallet" });
    }
    return client.confirm({ type: "wallet", customer: payment.customer });
  }
}

/** Pay from the customer's Softrack wallet: offered when the payment names a customer. */
export const walletMethod: MethodDefinition = {
  id: "wallet",
  label: "methodWallet",
  available: (p) => typeof p.customer === "string" && p.customer.length > 0,
  create: (ctx) => new WalletMethod(ctx),
};
