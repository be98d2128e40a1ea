// Screenshots of every page (desktop and mobile, light and dark) into screenshots/.
// Run after `npm run build`: npm run screenshots -w @softrack/site
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { launchBrowser } from "@softrack/testing";
import sharp from "sharp";
import { pageName, sitemapPaths } from "./pages.mjs";
import { serveSite } from "./serve.mjs";

const outDir = fileURLToPath(new URL("../screenshots", import.meta.url));
const only = process.argv.slice(2);
const viewports = {
  desktop: { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 },
  mobile: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true },
};
const MAX_HEIGHT = 4000;

mkdirSync(outDir, { recursive: true });
if (only.length === 0) for (const f of readdirSync(outDir)) if (f.endsWith(".png")) rmSync(`${outDir}/${f}`);
const site = await serveSite();
const browser = await launchBrowser();
let count = 0;
try {
  const paths = sitemapPaths().filter((p) => only.length === 0 || only.some((o) => pageName(p).includes(o)));
  for (const [device, opts] of Object.entries(viewports)) {
    for (const colorScheme of ["light", "dark"]) {
      const context = await browser.newContext({ ...opts, colorScheme, reducedMotion: "reduce" });
      const page = await context.newPage();
      for (const path of paths) {
        await page.goto(site.url + path, { waitUntil: "load" });
        const height = await page.evaluate(() => document.documentElement.scrollHeight);
        const width = opts.viewport.width;
        const shot = await page.screenshot({
          fullPage: true,
          clip: { x: 0, y: 0, width, height: Math.min(height, MAX_HEIGHT) },
        });
        // a 256-colour palette keeps the committed PNGs small; flat UI colours survive it
        await sharp(shot)
          .png({ palette: true, quality: 90, compressionLevel: 9 })
          .toFile(`${outDir}/${pageName(path)}.${device}.${colorScheme}.png`);
        count++;
      }
      await context.close();
    }
  }
} finally {
  await browser.close();
  await site.close();
}
console.log(`${count} screenshots in ${outDir}`);
