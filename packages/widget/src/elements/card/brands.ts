import type { CardBrand } from "../../methods/card/validators.js";

/** Brand marks drawn as tiny SVGs from presentation attributes (no style attribute, CSP-safe). */
const MARKS: Record<CardBrand, { name: string; bg: string; fg: string; text: string }> = {
  visa: { name: "Visa", bg: "#1a1f71", fg: "#ffffff", text: "VISA" },
  mastercard: { name: "Mastercard", bg: "#231f20", fg: "#f79e1b", text: "MC" },
  mir: { name: "Mir", bg: "#0f754e", fg: "#ffffff", text: "МИР" },
  amex: { name: "American Express", bg: "#1f72cd", fg: "#ffffff", text: "AMEX" },
  unionpay: { name: "UnionPay", bg: "#d10429", fg: "#ffffff", text: "UP" },
  humo: { name: "Humo", bg: "#0b3d2e", fg: "#ffffff", text: "HUMO" },
  uzcard: { name: "Uzcard", bg: "#1b4fa0", fg: "#ffffff", text: "UZC" },
  elcart: { name: "Elcart", bg: "#00563f", fg: "#ffffff", text: "ЭЛК" },
  unknown: { name: "", bg: "none", fg: "currentColor", text: "" },
};

const SVG = "http://www.w3.org/2000/svg";

export function brandName(brand: CardBrand): string {
  return MARKS[brand].name;
}

export function brandIcon(brand: CardBrand): SVGSVGElement {
  const mark = MARKS[brand];
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 36 22");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const rect = document.createElementNS(SVG, "rect");
  for (const [k, v] of Object.entries({ x: "0.5", y: "0.5", width: "35", height: "21", rx: "3" })) rect.setAttribute(k, v);
  if (brand === "unknown") {
    rect.setAttribute("fill", "none");
    rect.setAttribute("stroke", "currentColor");
    svg.append(rect);
    const stripe = document.createElementNS(SVG, "rect");
    for (const [k, v] of Object.entries({ x: "0.5", y: "5", width: "35", height: "4", fill: "currentColor" })) stripe.setAttribute(k, v);
    svg.append(stripe);
    return svg;
  }
  rect.setAttribute("fill", mark.bg);
  const text = document.createElementNS(SVG, "text");
  for (const [k, v] of Object.entries({
    x: "18",
    y: "15",
    "text-anchor": "middle",
    "font-size": "10",
    "font-weight": "700",
    "font-family": "system-ui, sans-serif",
    fill: mark.fg,
  }))
    text.setAttribute(k, v);
  text.textContent = mark.text;
  svg.append(rect, text);
  return svg;
}
