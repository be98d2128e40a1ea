// OpenGraph cards (1200×630 PNG) drawn as SVG and rasterised by sharp at build time.
import sharp from "sharp";
import { card, dark, light } from "../styles/palette";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Greedy word wrap by character count: good enough for a card title. */
export function wrap(text: string, max: number, lines: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if ((line ? `${line} ${word}` : word).length > max && line) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  if (out.length > lines) {
    const kept = out.slice(0, lines);
    kept[lines - 1] = `${kept[lines - 1]?.replace(/[\s,.;:—-]+$/, "")}…`;
    return kept;
  }
  return out;
}

export async function ogPng(title: string, subtitle: string): Promise<Uint8Array<ArrayBuffer>> {
  const titleLines = wrap(title, 26, 3);
  const subLines = wrap(subtitle, 62, 2);
  const font = "DejaVu Sans, Noto Sans, Liberation Sans, Arial, sans-serif";
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630" viewBox="0 0 1200 630">
  <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${dark.bg}"/><stop offset="1" stop-color="${card.gradientEnd}"/></linearGradient></defs>
  <rect width="1200" height="630" fill="url(#g)"/>
  <circle cx="1080" cy="80" r="260" fill="${light.accent}" opacity="0.25"/>
  <rect x="80" y="72" width="56" height="56" rx="14" fill="${light.accent}"/>
  <path transform="translate(80 72) scale(1.75)" d="M22.5 10.5c-1.3-1.6-3.5-2.5-6.2-2.5-3.7 0-6.1 1.9-6.1 4.6 0 5.7 11.9 3.4 11.9 8.4 0 2-2.1 3.5-5.5 3.5-2.8 0-5-1-6.4-2.8" fill="none" stroke="${light["accent-text"]}" stroke-width="2.8" stroke-linecap="round"/>
  <text x="156" y="113" font-family="${font}" font-size="34" font-weight="700" fill="${light["accent-text"]}">Softrack</text>
  ${titleLines.map((l, i) => `<text x="80" y="${240 + i * 68}" font-family="${font}" font-size="56" font-weight="700" fill="${light["accent-text"]}">${esc(l)}</text>`).join("\n  ")}
  ${subLines.map((l, i) => `<text x="80" y="${240 + titleLines.length * 68 + 30 + i * 40}" font-family="${font}" font-size="28" fill="${card.subtitle}">${esc(l)}</text>`).join("\n  ")}
  <rect x="80" y="556" width="120" height="6" rx="3" fill="${dark.accent}"/>
</svg>`;
  const png = await sharp(Buffer.from(svg)).png({ compressionLevel: 9, palette: true }).toBuffer();
  const out = new Uint8Array(new ArrayBuffer(png.length));
  out.set(png);
  return out;
}
