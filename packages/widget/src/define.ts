/**
 * Registers <softrack-checkout>. Import this (or the package root) once; the class file
 * itself has no side effects, so you can register it under another name instead.
 */
import { SoftrackCheckout } from "./checkout/checkout.js";
import type { SoftrackEventMap } from "./checkout/events.js";

export const TAG = "softrack-checkout";

if (!customElements.get(TAG)) customElements.define(TAG, SoftrackCheckout);

export { SoftrackCheckout };

declare global {
  interface HTMLElementTagNameMap {
    "softrack-checkout": SoftrackCheckout;
  }
  interface GlobalEventHandlersEventMap extends SoftrackEventMap {}
}
