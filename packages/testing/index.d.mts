import type { Browser, BrowserContext } from "playwright-core";

/** CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
export declare const chromiumPath: string;
/** The flags as Chromium's own command line takes them (with --headless=new). */
export declare const chromiumFlags: readonly string[];
/** A fresh browser (not a persistent context), for tests needing several contexts. */
export declare function launchBrowser(): Promise<Browser>;
/** A fresh Chromium with its own profile directory (a persistent context), removed on close. */
export declare function launchChromium(): Promise<{ context: BrowserContext; profile: string; close: () => Promise<void> }>;
