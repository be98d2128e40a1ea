/**
 * Buyer reliability, one simulated month at a marketplace (issue 21): 50,000 buyers, most
 * reliable, a few chronic no-shows, behaviour drifting inside the month (bench/lib/buyer-sim.ts
 * says how they are drawn). Pure, on @softrack/core's own score and policy; no database.
 *
 * 1. Calibrates the policy's threshold on one seed (SEED + 1): every whole minimum score from 75
 *    to 95, and the one that cuts the net loss most while asking at most 5 % of reliable buyers to
 *    prepay (the curve's best point under the constraint). The score's own constants were chosen
 *    on that seed too; the measured seed never picks anything.
 * 2. Runs the month twice on another seed, the same world both times: every order on pickup with
 *    no policy, then with that policy. Prints the table for BENCHMARKS.md.
 * 3. Sweeps the threshold on that seed and writes the trade-off curve (loss cut against the share
 *    of reliable buyers asked to prepay) to docs/buyer-reliability-tradeoff.svg.
 * 4. Runs the same policy on seeds nobody looked at while tuning (--check-seeds), so a lucky
 *    measured seed shows.
 *
 *   npm run build -w @softrack/core && npx tsx bench/buyer-reliability.ts [--seed 2026] [--buyers 50000] [--check-seeds 2030,2031,2032]
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { type MonthFigures, policyAt, simulateMonth } from "./lib/buyer-sim.js";

const { values } = parseArgs({
  options: {
    seed: { type: "string", default: "2026" },
    buyers: { type: "string", default: "50000" },
    "check-seeds": { type: "string", default: "2030,2031,2032" },
  },
});
const SEED = Number(values.seed);
const BUYERS = Number(values.buyers);
const CALIBRATION_SEED = SEED + 1;
const CHECK_SEEDS = values["check-seeds"]
  .split(",")
  .filter(Boolean)
  .map(Number)
  .filter((s) => s !== SEED && s !== CALIBRATION_SEED);
const CALIBRATION_THRESHOLDS = Array.from({ length: 21 }, (_, i) => 75 + i);
const THRESHOLDS = [50, 60, 70, 75, 78, 80, 81, 82, 83, 84, 85, 86, 88, 90];
const RELIABLE_LIMIT = 0.05;

const rub = (kopecks: number) => `${Math.round(kopecks / 100).toLocaleString("en-US")} RUB`;
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const cut = (base: MonthFigures, f: MonthFigures, key: "netLoss" | "deliveryCostLost") => 1 - f[key] / base[key];

// 1. Calibration, on a seed the evaluation never sees: the best net loss cut within the limit.
const calibrationBase = simulateMonth({ seed: CALIBRATION_SEED, buyers: BUYERS, policy: null });
const calibration = CALIBRATION_THRESHOLDS.map((min) => ({
  min,
  f: simulateMonth({ seed: CALIBRATION_SEED, buyers: BUYERS, policy: policyAt(min) }),
})).filter((c) => c.f.reliableAskedShare <= RELIABLE_LIMIT);
const best = calibration.reduce((a, c) => (cut(calibrationBase, c.f, "netLoss") > cut(calibrationBase, a.f, "netLoss") ? c : a));
const chosen = best.min;

// 2. The month, twice, on the evaluation seed.
const base = simulateMonth({ seed: SEED, buyers: BUYERS, policy: null });
const withPolicy = simulateMonth({ seed: SEED, buyers: BUYERS, policy: policyAt(chosen) });

const rows: [string, (f: MonthFigures) => string][] = [
  ["orders placed", (f) => f.orders.toLocaleString("en-US")],
  ["asked to prepay (orders)", (f) => f.askedToPrepay.toLocaleString("en-US")],
  ["abandoned when asked", (f) => f.abandoned.toLocaleString("en-US")],
  ["not collected", (f) => f.notCollected.toLocaleString("en-US")],
  ["delivery cost lost (700 RUB each)", (f) => rub(f.deliveryCostLost)],
  ["no-show fees kept", (f) => rub(f.feesKept)],
  ["net loss (lost − fees)", (f) => rub(f.netLoss)],
  [
    "reliable buyers asked to prepay",
    (f) =>
      `${f.reliableAskedToPrepay.toLocaleString("en-US")} of ${f.reliableBuyers.toLocaleString("en-US")} (${pct(f.reliableAskedShare)})`,
  ],
];
console.log(
  `Buyer reliability, one month, ${BUYERS.toLocaleString("en-US")} buyers, seed ${SEED}; threshold ${chosen} calibrated on seed ${CALIBRATION_SEED} ` +
    `(there: net loss cut ${pct(cut(calibrationBase, best.f, "netLoss"))}, reliable buyers asked ${pct(best.f.reliableAskedShare)})\n`,
);
console.log(`| | all on pickup, no policy | policy: prepay under ${chosen}, 700 RUB no-show fee |`);
console.log("|---|---:|---:|");
for (const [label, show] of rows) console.log(`| ${label} | ${show(base)} | ${show(withPolicy)} |`);
const net = cut(base, withPolicy, "netLoss");
const gross = cut(base, withPolicy, "deliveryCostLost");
console.log(
  `\nNet loss cut ${pct(net)} (delivery cost alone ${pct(gross)}); reliable buyers asked to prepay ${pct(withPolicy.reliableAskedShare)}.`,
);
console.log(
  `Target (loss cut ≥ 60 % with ≤ 5 % of reliable buyers asked): ${net >= 0.6 && withPolicy.reliableAskedShare <= RELIABLE_LIMIT ? "met" : "not met"}.`,
);

// 3. The trade-off curve on the evaluation seed.
const sweep = THRESHOLDS.map((min) => {
  const f = min === chosen ? withPolicy : simulateMonth({ seed: SEED, buyers: BUYERS, policy: policyAt(min) });
  return { min, asked: f.reliableAskedShare, net: cut(base, f, "netLoss"), gross: cut(base, f, "deliveryCostLost") };
});
console.log("\n| threshold | reliable asked to prepay | net loss cut | delivery cost cut |\n|---:|---:|---:|---:|");
for (const s of sweep) console.log(`| ${s.min} | ${pct(s.asked)} | ${pct(s.net)} | ${pct(s.gross)} |`);

// 4. The same policy on seeds nobody tuned on.
if (CHECK_SEEDS.length) {
  console.log(`\nThe same policy (prepay under ${chosen}) on seeds nobody tuned on:\n`);
  console.log("| seed | net loss cut | delivery cost cut | reliable asked to prepay |\n|---:|---:|---:|---:|");
  for (const seed of CHECK_SEEDS) {
    const b = simulateMonth({ seed, buyers: BUYERS, policy: null });
    const f = simulateMonth({ seed, buyers: BUYERS, policy: policyAt(chosen) });
    console.log(`| ${seed} | ${pct(cut(b, f, "netLoss"))} | ${pct(cut(b, f, "deliveryCostLost"))} | ${pct(f.reliableAskedShare)} |`);
  }
}
const svgPath = resolve(import.meta.dirname, "../docs/buyer-reliability-tradeoff.svg");
writeFileSync(svgPath, tradeoffSvg(sweep, chosen));
console.log(`\nwrote ${svgPath}`);

/** A plain SVG line chart: x = reliable buyers asked to prepay, y = loss cut; one point per threshold. */
function tradeoffSvg(points: { min: number; asked: number; net: number; gross: number }[], marked: number): string {
  const W = 640;
  const H = 420;
  const L = 70;
  const R = 20;
  const T = 40;
  const B = 60;
  const xMax = Math.max(0.1, Math.ceil(Math.max(...points.map((p) => p.asked)) * 20) / 20);
  const x = (v: number) => L + (v / xMax) * (W - L - R);
  const y = (v: number) => T + (1 - v) * (H - T - B);
  const line = (key: "net" | "gross") => points.map((p, i) => `${i ? "L" : "M"}${x(p.asked).toFixed(1)},${y(p[key]).toFixed(1)}`).join(" ");
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<title>Buyer reliability: loss cut against reliable buyers asked to prepay (seed ${SEED})</title>`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(
    `<text x="${L}" y="22" font-size="14" font-weight="bold">Loss cut vs. reliable buyers asked to prepay (one month, ${BUYERS.toLocaleString("en-US")} buyers)</text>`,
  );
  for (let v = 0; v <= 1.0001; v += 0.2) {
    out.push(`<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/>`);
    out.push(`<text x="${L - 8}" y="${y(v) + 4}" text-anchor="end">${Math.round(v * 100)} %</text>`);
  }
  for (let v = 0; v <= xMax + 1e-9; v += xMax / 5) {
    out.push(`<line x1="${x(v)}" x2="${x(v)}" y1="${T}" y2="${H - B}" stroke="#eee"/>`);
    out.push(`<text x="${x(v)}" y="${H - B + 18}" text-anchor="middle">${(v * 100).toFixed(0)} %</text>`);
  }
  out.push(`<line x1="${x(RELIABLE_LIMIT)}" x2="${x(RELIABLE_LIMIT)}" y1="${T}" y2="${H - B}" stroke="#c00" stroke-dasharray="4 4"/>`);
  out.push(`<line x1="${L}" x2="${W - R}" y1="${y(0.6)}" y2="${y(0.6)}" stroke="#c00" stroke-dasharray="4 4"/>`);
  out.push(`<text x="${x(RELIABLE_LIMIT) + 4}" y="${T + 12}" fill="#c00">target: ≤ 5 % asked, ≥ 60 % cut</text>`);
  out.push(`<path d="${line("net")}" fill="none" stroke="#1f5fbf" stroke-width="2"/>`);
  out.push(`<path d="${line("gross")}" fill="none" stroke="#888" stroke-width="2" stroke-dasharray="6 3"/>`);
  for (const p of points) {
    const mark = p.min === marked;
    out.push(`<circle cx="${x(p.asked).toFixed(1)}" cy="${y(p.net).toFixed(1)}" r="${mark ? 5 : 3}" fill="${mark ? "#c00" : "#1f5fbf"}"/>`);
    out.push(`<text x="${(x(p.asked) + 6).toFixed(1)}" y="${(y(p.net) - 6).toFixed(1)}" font-size="10">${p.min}</text>`);
  }
  out.push(
    `<text x="${(L + W - R) / 2}" y="${H - 20}" text-anchor="middle">reliable buyers asked to prepay (share of those who ordered)</text>`,
  );
  out.push(`<text transform="translate(18 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">loss cut against no policy</text>`);
  out.push(`<text x="${W - R - 240}" y="${H - B - 30}" fill="#1f5fbf">— net loss (delivery cost − fees kept)</text>`);
  out.push(`<text x="${W - R - 240}" y="${H - B - 14}" fill="#888">- - delivery cost alone</text>`);
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
