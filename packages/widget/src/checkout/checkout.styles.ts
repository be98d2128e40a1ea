import { css } from "lit";

/**
 * Adopted as a constructed stylesheet (no <style> element, so a strict style-src holds).
 * Every colour is a --softrack-* custom property; dark values pass WCAG AA like the light ones.
 */
export const checkoutStyles = css`
  @layer softrack {
    :host {
      --softrack-color-primary: #4338ca;
      --softrack-color-on-primary: #ffffff;
      --softrack-color-text: #111827;
      --softrack-color-muted: #4b5563;
      --softrack-color-background: #ffffff;
      --softrack-color-input: #ffffff;
      --softrack-color-border: #6b7280;
      --softrack-color-danger: #b91c1c;
      --softrack-color-success: #047857;
      --softrack-focus-ring: #4338ca;
      --softrack-radius: 8px;
      --softrack-font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
      --softrack-font-size: 16px;
      --softrack-spacing: 12px;
      --softrack-card-frame-height: 190px;
      display: block;
      color-scheme: light;
      font-family: var(--softrack-font-family);
      font-size: var(--softrack-font-size);
      line-height: 1.4;
      color: var(--softrack-color-text);
    }
    :host([theme="dark"]) {
      --softrack-color-primary: #a5b4fc;
      --softrack-color-on-primary: #111827;
      --softrack-color-text: #f9fafb;
      --softrack-color-muted: #d1d5db;
      --softrack-color-background: #111827;
      --softrack-color-input: #1f2937;
      --softrack-color-border: #9ca3af;
      --softrack-color-danger: #fca5a5;
      --softrack-color-success: #6ee7b7;
      --softrack-focus-ring: #a5b4fc;
      color-scheme: dark;
    }
    @media (prefers-color-scheme: dark) {
      :host([theme="auto"]) {
        --softrack-color-primary: #a5b4fc;
        --softrack-color-on-primary: #111827;
        --softrack-color-text: #f9fafb;
        --softrack-color-muted: #d1d5db;
        --softrack-color-background: #111827;
        --softrack-color-input: #1f2937;
        --softrack-color-border: #9ca3af;
        --softrack-color-danger: #fca5a5;
        --softrack-color-success: #6ee7b7;
        --softrack-focus-ring: #a5b4fc;
        color-scheme: dark;
      }
    }
    :host([hidden]) { display: none; }
    * { box-sizing: border-box; }
    [hidden] { display: none !important; }
    .base {
      background: var(--softrack-color-background);
      border: 1px solid var(--softrack-color-border);
      border-radius: calc(var(--softrack-radius) * 1.5);
      padding: calc(var(--softrack-spacing) * 1.5);
      display: grid;
      gap: var(--softrack-spacing);
      min-height: 320px;
    }
    .form {
      display: grid;
      gap: var(--softrack-spacing);
    }
    /* Nothing in the header moves when the payment arrives: the label and the description share
       the first line (a no-break space holds the amount's line while loading), and the amount has
       a line of its own, so a phone never squeezes it between the two. */
    .header {
      display: grid;
      grid-template-columns: auto minmax(0, 1fr);
      column-gap: var(--softrack-spacing);
      align-items: baseline;
      /* the box's min-height stretches its rows while loading: the header's lines stay put */
      align-content: start;
      container-type: inline-size;
    }
    .header .label { color: var(--softrack-color-muted); font-size: 0.875em; }
    /* a narrow box (a 320 px phone) sets a large amount smaller rather than on two lines */
    .amount { grid-area: 2 / 1 / 3 / 3; font-size: clamp(1.125em, 8cqi, 1.5em); font-weight: 700; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
    .description {
      grid-area: 1 / 2;
      margin: 0;
      text-align: end;
      color: var(--softrack-color-muted);
      font-size: 0.875em;
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    fieldset { border: 0; margin: 0; padding: 0; min-width: 0; }
    legend { padding: 0; margin-bottom: 6px; font-size: 0.875em; font-weight: 600; }
    .methods { display: flex; flex-wrap: wrap; gap: 8px; }
    .method { position: relative; }
    .method input { position: absolute; opacity: 0; inset: 0; margin: 0; cursor: pointer; }
    .method span {
      display: inline-block;
      padding: 8px 14px;
      border: 1px solid var(--softrack-color-border);
      border-radius: 999px;
      font-size: 0.9375em;
      background: var(--softrack-color-input);
    }
    .method input:checked + span {
      border-color: var(--softrack-color-primary);
      box-shadow: inset 0 0 0 1px var(--softrack-color-primary);
      font-weight: 600;
    }
    .method input:focus-visible + span,
    button:focus-visible,
    input:focus-visible,
    select:focus-visible,
    .card-frame:focus-visible {
      outline: 3px solid var(--softrack-focus-ring);
      outline-offset: 2px;
    }
    .panel { display: grid; gap: 8px; align-content: start; }
    /* One cell for all panels: a hidden one keeps its height, out of sight and of the a11y tree. */
    .panels { display: grid; }
    .panels > .panel { grid-area: 1 / 1; min-width: 0; }
    .panels > [hidden] { display: grid !important; visibility: hidden; }
    .card-frame {
      display: block;
      /* the iframe pads 3px for its focus rings: pull it out so its fields line up */
      margin: -3px;
      width: calc(100% + 6px);
      border: 0;
      height: var(--softrack-card-frame-height);
      background: transparent;
      color-scheme: normal;
    }
    .field { display: grid; gap: 4px; min-width: 0; }
    .phone { display: flex; gap: var(--softrack-spacing); }
    .grow { flex: 1; }
    label { font-size: 14px; font-weight: 500; }
    input, select {
      height: 44px;
      padding: 0 12px;
      font: inherit;
      color: var(--softrack-color-text);
      background: var(--softrack-color-input);
      border: 1px solid var(--softrack-color-border);
      border-radius: var(--softrack-radius);
      width: 100%;
    }
    input[aria-invalid="true"] { border-color: var(--softrack-color-danger); }
    .code { letter-spacing: 0.3em; font-variant-numeric: tabular-nums; max-width: 14em; }
    .hint { margin: 0; color: var(--softrack-color-muted); font-size: 0.875em; }
    .field-error, .alert { margin: 0; color: var(--softrack-color-danger); font-size: 0.875em; min-height: 1.25em; }
    .alert:empty { min-height: 0; }
    .actions { display: flex; gap: var(--softrack-spacing); align-items: center; flex-wrap: wrap; }
    button {
      font: inherit;
      border-radius: var(--softrack-radius);
      cursor: pointer;
      min-height: 44px;
      padding: 0 18px;
    }
    .primary {
      flex: 1;
      border: 0;
      background: var(--softrack-color-primary);
      color: var(--softrack-color-on-primary);
      font-weight: 600;
      display: inline-flex;
      align-items: center;
      justify-content: center;
      gap: 8px;
    }
    .primary[aria-disabled="true"] { opacity: 0.75; cursor: progress; }
    .secondary {
      background: transparent;
      color: var(--softrack-color-text);
      border: 1px solid var(--softrack-color-border);
    }
    .spinner {
      width: 16px; height: 16px; border-radius: 50%;
      border: 2px solid currentColor; border-right-color: transparent;
    }
    @media (prefers-reduced-motion: no-preference) {
      .spinner { animation: spin 0.8s linear infinite; }
      .method span, button { transition: background-color 120ms ease, border-color 120ms ease; }
    }
    @keyframes spin { to { transform: rotate(360deg); } }
    .heading { margin: 0; font-size: 1.125em; }
    .qr { display: grid; gap: 8px; justify-items: center; text-align: center; }
    .qr-image { width: 220px; height: 220px; border-radius: 4px; }
    .status { display: grid; gap: 8px; justify-items: center; text-align: center; padding: 24px 0; }
    .status .mark { width: 48px; height: 48px; }
    .status.ok .mark { color: var(--softrack-color-success); }
    .status.bad .mark { color: var(--softrack-color-danger); }
    .skeleton { display: grid; gap: 12px; }
    .skeleton div { height: 44px; border-radius: var(--softrack-radius); background: color-mix(in srgb, var(--softrack-color-border) 25%, transparent); }
    .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
  }
`;
