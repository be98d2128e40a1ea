// The console's small charts: a few SVG rects drawn by Lit, no chart library (docs/analytics.md
// "Chart library"). Each chart is one <svg role="img"> whose aria-label the view writes (the
// summary a screen reader hears); the view puts the same numbers in a table beside it. The
// geometry is pure and exported, so Node tests it.
import { css, html, nothing, svg, type TemplateResult } from "lit";

/** The drawing box, in SVG user units: narrow, so 11-unit text stays readable on a phone. */
export const BOX = { width: 360, height: 150, top: 16, bottom: 20, side: 4 } as const;
/** At most this many labels under a column chart: "27 нояб." beside "2 дек." must not touch. */
const TICKS = 5;

export interface Column {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The highest value, and the scale's top (never 0, so an empty chart draws zero-height bars, not NaN). */
export function scaleTop(values: readonly number[]): { most: number; top: number } {
  const most = Math.max(0, ...values);
  return { most, top: Math.max(1, most) };
}

/** The index of the highest value above zero (the first on a tie), or -1 when every value is 0. */
export function peak(values: readonly number[]): number {
  let best = -1;
  for (const [i, v] of values.entries()) if (v > 0 && (best < 0 || v > (values[best] as number))) best = i;
  return best;
}

/** Which of `n` slots carry an axis label: about `most` of them, evenly, always the first and the last. */
export function tickIndexes(n: number, most: number): number[] {
  if (n <= most) return Array.from({ length: n }, (_, i) => i);
  const step = Math.ceil((n - 1) / (most - 1));
  const out: number[] = [];
  for (let i = 0; i < n - 1; i += step) out.push(i);
  // the last slot is labelled; the one before it gives way when it is much closer than a step
  if (4 * (n - 1 - (out.at(-1) as number)) < 3 * step) out.pop();
  return [...out, n - 1];
}

/**
 * Vertical bars, `series.length` side by side per slot, on one scale from 0 to the highest
 * value of any series. Heights are proportional; a 0 is a bar of height 0 on the axis.
 */
export function columnLayout(series: readonly (readonly number[])[], box = BOX): Column[][] {
  const slots = Math.max(0, ...series.map((s) => s.length));
  const { top } = scaleTop(series.flat());
  const plot = box.height - box.top - box.bottom;
  const slot = slots ? (box.width - 2 * box.side) / slots : 0;
  const width = Math.max(1, (slot * 0.8) / Math.max(1, series.length));
  const base = box.top + plot;
  return series.map((values, k) =>
    values.map((v, i) => {
      const height = (Math.max(0, v) / top) * plot;
      return { x: box.side + i * slot + slot * 0.1 + k * width, y: base - height, width, height };
    }),
  );
}

/** A column chart: bars per slot (one class per series), the top value written at the top line, some slots labelled. */
export function columnChart(opts: {
  series: readonly { values: readonly number[]; className: string }[];
  labels: readonly string[];
  topLabel: string;
  ariaLabel: string;
  name: string;
}): TemplateResult {
  const { series, labels, topLabel, ariaLabel, name } = opts;
  const layout = columnLayout(series.map((s) => s.values));
  const { most } = scaleTop(series.flatMap((s) => [...s.values]));
  const base = BOX.height - BOX.bottom;
  const slot = labels.length ? (BOX.width - 2 * BOX.side) / labels.length : 0;
  return html`<svg viewBox="0 0 ${BOX.width} ${BOX.height}" role="img" aria-label=${ariaLabel} data-chart=${name}>
    <line class="grid" x1=${BOX.side} x2=${BOX.width - BOX.side} y1=${BOX.top} y2=${BOX.top}></line>
    <line class="axis" x1=${BOX.side} x2=${BOX.width - BOX.side} y1=${base} y2=${base}></line>
    ${most > 0 ? svg`<text class="tick" x=${BOX.side} y=${BOX.top - 4}>${topLabel}</text>` : nothing}
    ${layout.map((bars, k) =>
      bars.map((b) => svg`<rect class=${series[k]?.className ?? ""} x=${b.x} y=${b.y} width=${b.width} height=${b.height}></rect>`),
    )}
    ${tickIndexes(labels.length, TICKS).map(
      (i) =>
        svg`<text class="tick" x=${BOX.side + i * slot + slot / 2} y=${BOX.height - 5} text-anchor=${
          i === 0 ? "start" : i === labels.length - 1 ? "end" : "middle"
        }>${labels[i]}</text>`,
    )}
  </svg>`;
}

/** Horizontal bars, one row each (methods, routes): its name left, the bar, its figure right. Values on a 0..top scale. */
export function rowChart(opts: {
  rows: readonly { label: string; value: number; text: string }[];
  top: number;
  ariaLabel: string;
  name: string;
}): TemplateResult {
  const { rows, top, ariaLabel, name } = opts;
  const row = 24;
  const label = 78;
  const figure = 64;
  const height = Math.max(1, rows.length) * row + 8;
  const room = BOX.width - label - figure - 2 * BOX.side;
  return html`<svg viewBox="0 0 ${BOX.width} ${height}" role="img" aria-label=${ariaLabel} data-chart=${name}>
    <line class="axis" x1=${BOX.side + label} x2=${BOX.side + label} y1="4" y2=${height - 4}></line>
    ${rows.map((r, i) => {
      const y = 4 + i * row;
      const width = top > 0 ? (Math.max(0, r.value) / top) * room : 0;
      // a long route name is cut in the drawing; the table beside it has it whole
      const name = r.label.length > 12 ? `${r.label.slice(0, 11)}…` : r.label;
      return svg`<text class="tick" x=${BOX.side} y=${y + 15}>${name}</text>
        <rect class="bar" x=${BOX.side + label} y=${y + 4} width=${width} height=${row - 8}></rect>
        <text class="tick" x=${BOX.width - BOX.side} y=${y + 15} text-anchor="end">${r.text}</text>`;
    })}
  </svg>`;
}

/** What every console chart shares (the Overview's and the no-shows report's): axes, grid, ticks, legend, swatches. */
export const chartBase = css`
  svg {
    display: block;
    width: 100%;
    height: auto;
  }
  .axis {
    stroke: var(--muted);
  }
  .grid {
    stroke: var(--line);
    stroke-dasharray: 4 4;
  }
  .tick {
    fill: var(--muted);
    font-size: 11px;
  }
  .legend {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem 1rem;
    margin: 0.4rem 0 0;
    padding: 0;
    list-style: none;
    font-size: 0.9rem;
  }
  .swatch {
    display: inline-block;
    width: 0.8em;
    height: 0.8em;
    margin-inline-end: 0.35em;
    border-radius: 2px;
    vertical-align: -0.05em;
  }
`;

/** The Overview's charts, from the site's colour variables (light and dark). */
export const chartStyles = css`
  ${chartBase}
  .charts {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(min(24rem, 100%), 1fr));
    gap: 1rem;
    margin: 0 0 1.25rem;
  }
  .charts > .card {
    margin: 0;
    min-width: 0;
  }
  figure {
    margin: 0;
  }
  figcaption {
    font-weight: 600;
    margin: 0 0 0.5rem;
  }
  .bar {
    fill: var(--accent);
  }
  .refund {
    fill: var(--bad);
  }
  .fee {
    fill: var(--muted);
  }
  .swatch.refund {
    background: var(--bad);
  }
  .swatch.fee {
    background: var(--muted);
  }
  details {
    margin: 0.6rem 0 0;
  }
  summary {
    cursor: pointer;
    color: var(--accent);
    font-weight: 600;
    min-height: 2.25rem;
    display: flex;
    align-items: center;
  }
  summary::before {
    content: "▸";
    margin-inline-end: 0.4em;
  }
  details[open] > summary::before {
    content: "▾";
  }
  summary::-webkit-details-marker {
    display: none;
  }
`;
