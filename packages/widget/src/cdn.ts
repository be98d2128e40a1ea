/** Entry of the script-tag bundle (dist/cdn/softrack-checkout.js): registers the element. */
import "./define.js";

export { SoftrackCheckout } from "./checkout/checkout.js";
export * from "./checkout/events.js";
