// Shared console styles. Custom properties come from the site's global.css (light and dark),
// so the console matches the site; Lit adopts these sheets, no <style> element is written.
import { css } from "lit";

// Layout rules (comments here, not in the CSS: the CSS text ships as it is written):
// - box-sizing: border-box everywhere, so width: 100% never sticks out of its box;
// - a view never widens its column (min-width: 0): what is too wide scrolls in its own box;
// - .table-wrap scrolls a wide table, and is position: relative so the visually-hidden labels in
//   its cells scroll and clip with the table instead of widening the page;
// - table cells keep to one line (the table scrolls) except free text (td.text);
// - ids stay whole (a.mono, td.mono never break); long free text such as URLs uses .wrap-anywhere;
// - .title-id puts a detail page's id on its own line under the title's words, phone-sized;
// - form.row (fields then a button) wraps onto new lines on a narrow screen, never overlaps;
// - a status badge's tone is in colour as well as words (see status.ts).
export const shared = css`
  :host {
    display: block;
    color: var(--text);
    font: inherit;
    min-width: 0;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  h1,
  h2,
  h3 {
    line-height: 1.2;
    letter-spacing: -0.015em;
    margin: 0 0 0.6em;
  }
  .card > :is(h2, h3):first-child {
    margin-top: 0;
  }
  h1 {
    font-size: clamp(1.5rem, 1.2rem + 1vw, 2rem);
  }
  h1:focus {
    outline: none;
  }
  h2 {
    font-size: 1.25rem;
    margin-top: 1.6em;
  }
  a {
    color: var(--accent);
    text-underline-offset: 0.18em;
  }
  a:hover {
    color: var(--accent-strong);
  }
  :focus-visible {
    outline: 3px solid var(--accent);
    outline-offset: 2px;
    border-radius: 4px;
  }
  p {
    margin: 0 0 1em;
  }
  .muted {
    color: var(--muted);
  }
  .mono,
  code {
    font-family: var(--mono);
    font-size: 0.92em;
  }
  a.mono,
  td.mono {
    white-space: nowrap;
  }
  .mono.wrap-anywhere,
  .wrap-anywhere {
    overflow-wrap: anywhere;
    white-space: normal;
  }
  .title-id {
    display: block;
    margin-top: 0.3em;
    font-size: 0.55em;
    font-weight: 500;
    letter-spacing: 0;
    color: var(--muted);
    white-space: nowrap;
  }
  .card {
    background: var(--bg-card);
    border: 1px solid var(--line);
    border-radius: var(--radius);
    box-shadow: var(--shadow);
    padding: 1.25rem;
    margin: 0 0 1.25rem;
  }
  .table-wrap {
    position: relative;
    max-width: 100%;
    overflow-x: auto;
    border: 1px solid var(--line);
    border-radius: var(--radius);
    background: var(--bg-card);
    margin: 0 0 1.25rem;
  }
  table {
    border-collapse: collapse;
    width: 100%;
    font-size: 0.95rem;
  }
  caption {
    text-align: start;
    padding: 0.75rem 1rem 0;
    font-weight: 600;
  }
  th,
  td {
    text-align: start;
    padding: 0.6rem 1rem;
    border-bottom: 1px solid var(--line);
    vertical-align: top;
    white-space: nowrap;
  }
  td.text {
    white-space: normal;
    min-width: 12rem;
  }
  tbody tr:last-child td {
    border-bottom: 0;
  }
  th {
    color: var(--muted);
    font-weight: 600;
    font-size: 0.85rem;
    white-space: nowrap;
  }
  td.num,
  th.num {
    text-align: end;
    font-variant-numeric: tabular-nums;
    white-space: nowrap;
  }
  .nowrap {
    white-space: nowrap;
  }
  .badge {
    display: inline-block;
    padding: 0.1rem 0.55rem;
    border-radius: 999px;
    font-size: 0.82rem;
    font-weight: 600;
    background: var(--accent-soft);
    color: var(--text);
    white-space: nowrap;
  }
  .badge.good {
    color: var(--good);
    background: color-mix(in srgb, var(--good) 8%, var(--bg-card));
  }
  .badge.bad {
    color: var(--bad);
    background: color-mix(in srgb, var(--bad) 10%, var(--bg-card));
  }
  .badge.neutral {
    color: var(--muted);
    background: color-mix(in srgb, var(--muted) 10%, var(--bg-card));
  }
  form {
    display: grid;
    gap: 0.9rem;
    max-width: 28rem;
  }
  .field {
    display: grid;
    gap: 0.3rem;
    min-width: 0;
  }
  form.row {
    max-width: 40rem;
    align-items: end;
  }
  form.row > .field {
    flex: 1 1 12rem;
  }
  label,
  legend {
    font-weight: 600;
    font-size: 0.95rem;
  }
  fieldset {
    border: 0;
    padding: 0;
    margin: 0;
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem 1.25rem;
  }
  fieldset legend {
    margin-bottom: 0.3rem;
    width: 100%;
  }
  fieldset label {
    font-weight: 400;
    display: inline-flex;
    gap: 0.4rem;
    align-items: center;
  }
  input,
  select {
    font: inherit;
    color: var(--text);
    background: var(--bg);
    border: 1px solid var(--muted);
    border-radius: 10px;
    padding: 0.55rem 0.75rem;
    min-height: 2.75rem;
    width: 100%;
  }
  input[type="radio"],
  input[type="checkbox"] {
    width: auto;
    min-height: 0;
    accent-color: var(--accent);
  }
  input[aria-invalid="true"] {
    border-color: var(--bad);
  }
  .hint {
    color: var(--muted);
    font-size: 0.88rem;
  }
  button {
    font: inherit;
    font-weight: 600;
    cursor: pointer;
    border-radius: 10px;
    padding: 0.55rem 1.1rem;
    min-height: 2.75rem;
    border: 1px solid var(--accent);
    background: var(--accent);
    color: var(--accent-text);
  }
  button:hover {
    background: var(--accent-strong);
  }
  button.secondary {
    background: transparent;
    color: var(--accent);
  }
  button.secondary:hover {
    background: var(--accent-soft);
  }
  button.danger {
    background: transparent;
    color: var(--bad);
    border-color: var(--bad);
  }
  button.small {
    min-height: 2.25rem;
    padding: 0.3rem 0.8rem;
    font-size: 0.9rem;
  }
  button:disabled {
    opacity: 0.6;
    cursor: progress;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.6rem;
    align-items: center;
  }
  a.download {
    display: inline-flex;
    align-items: center;
    min-height: 2.75rem;
    font-weight: 600;
    border: 1px solid var(--accent);
    border-radius: 10px;
    padding: 0.55rem 1.1rem;
  }
  .list-tools {
    align-items: end;
    margin: 0 0 1rem;
  }
  .alert {
    border: 1px solid var(--bad);
    color: var(--bad);
    border-radius: 10px;
    padding: 0.6rem 0.9rem;
    margin: 0 0 1rem;
  }
  .ok {
    border: 1px solid var(--good);
    color: var(--good);
    border-radius: 10px;
    padding: 0.6rem 0.9rem;
    margin: 0 0 1rem;
  }
  .secret {
    font-family: var(--mono);
    background: var(--code-bg);
    color: var(--code-text);
    padding: 0.6rem 0.8rem;
    border-radius: 10px;
    overflow-wrap: anywhere;
  }
  dl.facts {
    display: grid;
    grid-template-columns: max-content minmax(0, 1fr);
    gap: 0.35rem 1.25rem;
    margin: 0 0 1.25rem;
  }
  dl.facts dt {
    color: var(--muted);
  }
  dl.facts dd {
    margin: 0;
    font-variant-numeric: tabular-nums;
    overflow-wrap: anywhere;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  @media (max-width: 40rem) {
    th,
    td {
      padding: 0.5rem 0.6rem;
    }
    dl.facts {
      grid-template-columns: 1fr;
      gap: 0.1rem;
    }
    dl.facts dd {
      margin-bottom: 0.5rem;
    }
  }
`;
