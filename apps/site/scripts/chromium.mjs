// Debian's Chromium through playwright-core: no browser is downloaded.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const chromiumFlags = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/** Launch a fresh Chromium with its own profile directory, removed on close. */
export async function launchChromium() {
  const profile = mkdtempSync(join(tmpdir(), "softrack-site-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    args: chromiumFlags.filter((f) => !f.startsWith("--headless")),
    headless: true,
  });
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, close };
}

/** A fresh browser (not a persistent context) for tests needing several contexts. */
export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: chromiumFlags.filter((f) => !f.startsWith("--headless")),
    headless: true,
  });
  return browser;
}
