// Debian's Chromium through playwright-core, for every workspace's browser tests and scripts
// (site a11y/demo tests, SDK browser test, widget browser tests, Lighthouse): no browser is
// downloaded, and one set of flags keeps the runs alike.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** The flags as Chromium's own command line takes them (Lighthouse's chrome-launcher uses them as is). */
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

// playwright sets headless mode itself (`headless: true`) and gives every launch a fresh
// temporary profile (its own --user-data-dir), so those are not passed twice.
const launchArgs = chromiumFlags.filter((f) => !f.startsWith("--headless"));

/** A fresh browser (not a persistent context), for tests needing several contexts. */
export async function launchBrowser() {
  return chromium.launch({ executablePath: chromiumPath, args: launchArgs, headless: true });
}

/** A fresh Chromium with its own profile directory (a persistent context), removed on close. */
export async function launchChromium() {
  const profile = mkdtempSync(join(tmpdir(), "softrack-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    args: launchArgs,
    headless: true,
  });
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, profile, close };
}
