import { configDefaults, defineConfig } from "vitest/config";

/**
 * Restarting PostgreSQL under load applies to a server only: that suite is part of the
 * real-PostgreSQL pass (TEST_DATABASE_URL set, as in .ci/run), not of the embedded one.
 */
const SERVER_ONLY = ["test/db-restart.test.ts", "test/api-processes.test.ts"];

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    exclude: process.env.TEST_DATABASE_URL ? configDefaults.exclude : [...configDefaults.exclude, ...SERVER_ONLY],
    testTimeout: 60_000,
    // Starting an API (migrations included) can take a while on a busy 2-core machine; no timing is asserted.
    hookTimeout: 180_000,
    // Each file starts its own API on its own database; two at a time suits a 2-core machine.
    maxWorkers: 2,
  },
});
