import { defineConfig } from "vitest/config";

// Chromium starts in a few seconds on a loaded machine: more than vitest's 5 s default.
export default defineConfig({ test: { testTimeout: 60_000, hookTimeout: 60_000 } });
