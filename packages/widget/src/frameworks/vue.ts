/**
 * <SoftrackCheckout> for Vue 3: a component over the custom element, with typed props and
 * events (`@success`, `@error`, …), so a shop needs no `isCustomElement` compiler option.
 * Import from "@softrack/widget/vue"; `vue` is a peer dependency.
 */
import { defineComponent, h, type PropType } from "vue";
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

const PROPS = ["clientSecret", "publishableKey", "locale", "apiBase", "theme", "methods", "pickupRequirement"] as const;

export const SoftrackCheckout = defineComponent({
  name: "SoftrackCheckout",
  props: {
    clientSecret: { type: String, required: true },
    publishableKey: { type: String, required: true },
    locale: String,
    apiBase: String,
    theme: String as PropType<"light" | "dark" | "auto">,
    methods: String,
    pickupRequirement: String as PropType<"none" | "prepay">,
  },
  emits: {
    ready: (_e: SoftrackReadyEvent) => true,
    change: (_e: SoftrackChangeEvent) => true,
    submit: (_e: SoftrackSubmitEvent) => true,
    success: (_e: SoftrackSuccessEvent) => true,
    error: (_e: SoftrackErrorEvent) => true,
    cancel: (_e: SoftrackCancelEvent) => true,
    "pay-on-pickup": (_e: SoftrackPayOnPickupEvent) => true,
  },
  setup(props, { emit }) {
    return () =>
      h(TAG, {
        // `.name` sets the element's property (Vue's render-function prefix); an unset prop
        // leaves the element's own default.
        ...Object.fromEntries(PROPS.filter((k) => props[k] !== undefined).map((k) => [`.${k}`, props[k]])),
        "onSoftrack-ready": (e: SoftrackReadyEvent) => emit("ready", e),
        "onSoftrack-change": (e: SoftrackChangeEvent) => emit("change", e),
        "onSoftrack-submit": (e: SoftrackSubmitEvent) => emit("submit", e),
        "onSoftrack-success": (e: SoftrackSuccessEvent) => emit("success", e),
        "onSoftrack-error": (e: SoftrackErrorEvent) => emit("error", e),
        "onSoftrack-cancel": (e: SoftrackCancelEvent) => emit("cancel", e),
        "onSoftrack-pay-on-pickup": (e: SoftrackPayOnPickupEvent) => emit("pay-on-pickup", e),
      });
  },
});
