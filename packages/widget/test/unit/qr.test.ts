import { generate } from "lean-qr/nano";
import { describe, expect, it } from "vitest";
import { qrPath } from "../../src/methods/qr/qr-svg.js";

/** Paints the path's "M x y h n v1 h-n z" runs back into a grid. */
function paint(d: string, size: number): boolean[][] {
  const grid = Array.from({ length: size }, () => Array<boolean>(size).fill(false));
  for (const m of d.matchAll(/M(\d+) (\d+)h(\d+)v1h-\3z/g)) {
    const [x, y, run] = [Number(m[1]), Number(m[2]), Number(m[3])];
    for (let i = 0; i < run; i++) (grid[y] as boolean[])[x + i] = true;
  }
  return grid;
}

describe("QR path", () => {
  it("draws exactly the encoder's dark modules, inside a 4-module quiet zone", () => {
    const payload = "softrack://pay/pay_2b1c?amount=15000&currency=KGS";
    const code = generate(payload);
    const { size, d } = qrPath(payload);
    expect(size).toBe(code.size + 8);
    const grid = paint(d, size);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const inside = x >= 4 && y >= 4 && x < size - 4 && y < size - 4;
        expect(grid[y]?.[x], `${x},${y}`).toBe(inside ? code.get(x - 4, y - 4) : false);
      }
    }
  });
});
