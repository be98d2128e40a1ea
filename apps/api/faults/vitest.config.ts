import { defineConfig } from "vitest/config";

/**
 * Fault suites kept out of the default run until they pass: PostgreSQL restarted under load
 * currently crashes or hangs postgres.js 3.4.9 (porsager/postgres#1154, #1208).
 *   npx vitest run --config faults/vitest.config.ts
 */
export default defineConfig({
  test: { root: new URL(".", import.meta.url).pathname, include: ["**/*.test.ts"], testTimeout: 120_000, hookTimeout: 120_000 },
});
