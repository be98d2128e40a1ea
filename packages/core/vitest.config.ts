import { defineConfig } from "vitest/config";

// Property tests run thousands of cases; on a shared 2-core machine that can take longer
// than vitest's 5 s default, which is a timing assertion we do not want.
export default defineConfig({ test: { include: ["test/**/*.test.ts"], testTimeout: 120_000 } });
