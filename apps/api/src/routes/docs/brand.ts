/**
 * Softrack's mark and colours for the API reference. The colours are the site's palette
 * (apps/site/src/styles/palette.ts), copied because the API does not import the site;
 * test/docs-page.test.ts fails when the two drift apart.
 */
export const BRAND = {
  light: {
    bg: "#ffffff",
    "bg-soft": "#f4f6fa",
    text: "#0b1526",
    muted: "#4a5870",
    line: "#dde3ec",
    accent: "#0b5cd5",
    "accent-soft": "#e8f0fd",
  },
  dark: {
    bg: "#07101f",
    "bg-soft": "#0d1a2e",
    text: "#e8eef8",
    muted: "#a9b6cb",
    line: "#22324d",
    accent: "#6ea8ff",
    "accent-soft": "#13284a",
  },
} as const;

/** The site's favicon (apps/site/public/favicon.svg): the S on the accent square. */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="${BRAND.light.accent}"/><path d="M22.5 10.5c-1.3-1.6-3.5-2.5-6.2-2.5-3.7 0-6.1 1.9-6.1 4.6 0 5.7 11.9 3.4 11.9 8.4 0 2-2.1 3.5-5.5 3.5-2.8 0-5-1-6.4-2.8" fill="none" stroke="#fff" stroke-width="2.8" stroke-linecap="round"/></svg>`;

/** The mark and the word, for the top of the sidebar (text as paths' neighbour: system font, no web font). */
export const LOGO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 132 32" role="img" aria-label="Softrack"><rect width="32" height="32" rx="8" fill="${BRAND.light.accent}"/><path d="M22.5 10.5c-1.3-1.6-3.5-2.5-6.2-2.5-3.7 0-6.1 1.9-6.1 4.6 0 5.7 11.9 3.4 11.9 8.4 0 2-2.1 3.5-5.5 3.5-2.8 0-5-1-6.4-2.8" fill="none" stroke="#fff" stroke-width="2.8" stroke-linecap="round"/><text x="40" y="23" font-family="system-ui,-apple-system,Segoe UI,Roboto,sans-serif" font-size="19" font-weight="700" fill="${BRAND.light.accent}">Softrack</text></svg>`;

const FONT = `system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif`;
const MONO = `ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace`;

/**
 * Scalar's method and status colours, darkened (light) or lightened (dark) so that each reads
 * at 4.5:1 or more on the page's backgrounds (WCAG AA, as Lighthouse checks).
 */
const SIGNAL = {
  light: { blue: "#0b5cd5", green: "#17753a", orange: "#a65300", red: "#b91c1c", purple: "#6d3fc0", yellow: "#7a6000" },
  dark: { blue: "#6ea8ff", green: "#4cc38a", orange: "#ffa657", red: "#ff8b84", purple: "#c7a2ff", yellow: "#e3b341" },
} as const;

function scheme(c: (typeof BRAND)["light"] | (typeof BRAND)["dark"], signal: (typeof SIGNAL)["light"] | (typeof SIGNAL)["dark"]): string {
  return `${Object.entries(signal)
    .map(([name, colour]) => `--scalar-color-${name}: ${colour};`)
    .join(" ")}
  --scalar-color-1: ${c.text}; --scalar-color-2: ${c.muted}; --scalar-color-3: ${c.muted};
  --scalar-color-accent: ${c.accent}; --scalar-background-1: ${c.bg}; --scalar-background-2: ${c["bg-soft"]};
  --scalar-background-3: ${c.line}; --scalar-background-accent: ${c["accent-soft"]}; --scalar-border-color: ${c.line};
  --scalar-sidebar-background-1: ${c["bg-soft"]}; --scalar-sidebar-color-active: ${c.accent};
  --scalar-sidebar-item-active-background: ${c["accent-soft"]};`;
}

/**
 * Scalar's theme variables in Softrack's colours, system fonts (no font is fetched), and the
 * logo above the sidebar's search. A copy button's "Copy" label, which Scalar hides until
 * hover, stays in the accessibility tree (visually hidden), so the button has a name.
 */
export const DOCS_CSS = `:root { --scalar-font: ${FONT}; --scalar-font-code: ${MONO}; }
.light-mode, .light-mode .sidebar { ${scheme(BRAND.light, SIGNAL.light)} }
.dark-mode, .dark-mode .sidebar { ${scheme(BRAND.dark, SIGNAL.dark)} }
.group\\/copy-button:not(:hover, :focus-visible) .hidden { display: block; position: absolute; width: 1px; height: 1px;
  overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.group\\/group-button > button { min-width: 24px; min-height: 24px; }
.t-doc__sidebar::before, .sidebar::before { content: ""; display: block; height: 32px; margin: 14px 12px 6px;
  background: url("/docs/logo.svg") left center / contain no-repeat; }`;
