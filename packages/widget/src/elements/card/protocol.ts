/**
 * Messages between <softrack-checkout> (merchant page) and the card iframe (API origin).
 * Both sides check event.origin and event.source; card data never crosses this channel,
 * only its shape (brand, complete, error codes).
 */
import type { ApiErrorBody, Payment } from "../../internal/api.js";
import type { CardBrand, FieldError } from "../../methods/card/validators.js";

export const PROTOCOL = "softrack-card/1";

/** CSS custom properties the iframe accepts from the parent, nothing else. */
export const THEME_PROPERTIES = [
  "--softrack-color-primary",
  "--softrack-color-text",
  "--softrack-color-muted",
  "--softrack-color-background",
  "--softrack-color-input",
  "--softrack-color-border",
  "--softrack-color-danger",
  "--softrack-focus-ring",
  "--softrack-radius",
  "--softrack-font-family",
  "--softrack-font-size",
  "--softrack-spacing",
] as const;

export type ThemeProperty = (typeof THEME_PROPERTIES)[number];
export interface Theme {
  colorScheme: "light" | "dark";
  vars: Partial<Record<ThemeProperty, string>>;
}

export type ParentToFrame =
  | { protocol: typeof PROTOCOL; type: "init"; clientSecret: string; publishableKey: string; locale: string; theme: Theme }
  | { protocol: typeof PROTOCOL; type: "update"; locale?: string; theme?: Theme }
  /** `clientSecret`: the payment it is for; the iframe refuses one that is not the payment it holds */
  | { protocol: typeof PROTOCOL; type: "confirm"; requestId: number; clientSecret: string }
  | { protocol: typeof PROTOCOL; type: "focus" };

export interface CardChange {
  empty: boolean;
  complete: boolean;
  brand: CardBrand;
  errors: { number?: FieldError; expiry?: FieldError; cvc?: FieldError };
}

export type FrameToParent =
  | { protocol: typeof PROTOCOL; type: "loaded" }
  /** After an init, once no confirm runs: `clientSecret` is the one the fields now confirm with. */
  | { protocol: typeof PROTOCOL; type: "ready"; height: number; clientSecret: string }
  | { protocol: typeof PROTOCOL; type: "resize"; height: number }
  | ({ protocol: typeof PROTOCOL; type: "change" } & CardChange)
  | { protocol: typeof PROTOCOL; type: "submit" }
  | { protocol: typeof PROTOCOL; type: "result"; requestId: number; payment: Payment }
  | { protocol: typeof PROTOCOL; type: "result"; requestId: number; error: ApiErrorBody & { status?: number; payment?: Payment } };

export function isMessage<T extends { protocol: string }>(data: unknown): data is T {
  return typeof data === "object" && data !== null && (data as { protocol?: unknown }).protocol === PROTOCOL;
}

/** A theme value may carry colours, lengths and font names; never url(), @import or a new rule. */
export function safeThemeValue(value: string): boolean {
  return value.length <= 200 && /^[\w\s#%(),.'"\-/+]*$/.test(value) && !/url|expression|image/i.test(value);
}
