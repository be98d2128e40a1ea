import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

export default function setup() {
  if (process.env.SITE_SKIP_BUILD === "1" && existsSync(`${root}/dist/index.html`)) return;
  execFileSync(process.execPath, [`${root}/../../node_modules/astro/bin/astro.mjs`, "build", "--silent"], {
    cwd: root,
    stdio: "inherit",
    // vitest sets NODE_ENV=test, which makes Vite bundle Lit's development build: test what ships
    env: { ...process.env, NODE_ENV: "production", ASTRO_TELEMETRY_DISABLED: "1" },
  });
}
