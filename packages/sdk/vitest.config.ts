import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    // Integration tests start the API in-process; give them room.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
