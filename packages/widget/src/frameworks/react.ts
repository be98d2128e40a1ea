/**
 * <SoftrackCheckout> for React: the custom element with typed props and events, through Lit's
 * own wrapper (@lit/react), so React 18 sets properties (not attributes) and listens to the
 * element's events. Import from "@softrack/widget/react"; `react` is a peer dependency.
 */
import { createComponent, type EventName } from "@lit/react";
import * as React from "react";
import { SoftrackCheckout as SoftrackCheckoutElement } from "../checkout/checkout.js";
import type {
  SoftrackCancelEvent,
  SoftrackChangeEvent,
  SoftrackErrorEvent,
  SoftrackPayOnPickupEvent,
  SoftrackReadyEvent,
  SoftrackSubmitEvent,
  SoftrackSuccessEvent,
} from "../checkout/events.js";
import { TAG } from "../define.js";

export const SoftrackCheckout = createComponent({
  tagName: TAG,
  elementClass: SoftrackCheckoutElement,
  react: React,
  events: {
    onReady: "softrack-ready" as EventName<SoftrackReadyEvent>,
    onChange: "softrack-change" as EventName<SoftrackChangeEvent>,
    onSubmit: "softrack-submit" as EventName<SoftrackSubmitEvent>,
    onSuccess: "softrack-success" as EventName<SoftrackSuccessEvent>,
    onError: "softrack-error" as EventName<SoftrackErrorEvent>,
    onCancel: "softrack-cancel" as EventName<SoftrackCancelEvent>,
    onPayOnPickup: "softrack-pay-on-pickup" as EventName<SoftrackPayOnPickupEvent>,
  },
  displayName: "SoftrackCheckout",
});

export type SoftrackCheckoutProps = React.ComponentProps<typeof SoftrackCheckout>;
