// The brand colours are written once, in src/styles/palette.ts: the CSS and the built pages follow.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { dark, light, paletteCss } from "../src/styles/palette";
import { dist, htmlPages } from "./helpers";

const styles = fileURLToPath(new URL("../src/styles/", import.meta.url));

describe("one palette", () => {
  it("palette.css is what palette.ts generates (run `npm run palette -w @softrack/site`)", () => {
    expect(readFileSync(join(styles, "palette.css"), "utf8")).toBe(paletteCss());
  });

  it("no stylesheet spells a palette colour property itself", () => {
    for (const file of readdirSync(styles).filter((f) => f.endsWith(".css") && f !== "palette.css")) {
      const css = readFileSync(join(styles, file), "utf8");
      for (const name of Object.keys(light)) expect(css, `${file} sets --${name}`).not.toMatch(new RegExp(`--${name}\\s*:`));
    }
  });

  it("the built site carries both themes' colours and the matching theme-color", () => {
    const cssDir = join(dist, "_astro");
    const css = readdirSync(cssDir)
      .filter((f) => f.endsWith(".css"))
      .map((f) => readFileSync(join(cssDir, f), "utf8"))
      .join("\n");
    expect(css).toMatch(new RegExp(`--accent:\\s*${light.accent}`));
    expect(css).toMatch(new RegExp(`--accent:\\s*${dark.accent}`));
    for (const path of ["/en/", "/console/"]) {
      const html = htmlPages().find((p) => p.path === path)?.html ?? "";
      expect(html, path).toContain(`<meta name="theme-color" content="${light.bg}" media="(prefers-color-scheme: light)">`);
      expect(html, path).toContain(`<meta name="theme-color" content="${dark.bg}" media="(prefers-color-scheme: dark)">`);
    }
  });
});
