import { generate } from "lean-qr/nano";

/** The QR symbol as one SVG path ("M x y h1 v1 h-1 z" per dark module), with a 4-module quiet zone. */
export function qrPath(payload: string): { size: number; d: string } {
  const code = generate(payload);
  const quiet = 4;
  let d = "";
  for (let y = 0; y < code.size; y++) {
    let x = 0;
    while (x < code.size) {
      if (!code.get(x, y)) {
        x++;
        continue;
      }
      // Merge a run of dark modules in a row into one rectangle: a smaller path.
      let run = 1;
      while (x + run < code.size && code.get(x + run, y)) run++;
      d += `M${x + quiet} ${y + quiet}h${run}v1h-${run}z`;
      x += run;
    }
  }
  return { size: code.size + quiet * 2, d };
}
