/**
 * Writes apps/api/openapi.json from the route schemas (the same zod schemas that validate
 * requests). The SDK's types and the site's API reference are generated from this file;
 * test/openapi.test.ts fails when it is stale.
 *
 *   npm run openapi -w @softrack/api
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createApp, OPENAPI_DOCUMENT } from "../src/app.js";
import type { Deps } from "../src/context.js";

export function openApiDocument() {
  // Building the app touches no dependency: middleware only captures them for later requests.
  const app = createApp({ database: { driver: "pglite" }, env: {} } as unknown as Deps);
  return app.getOpenAPI31Document(OPENAPI_DOCUMENT);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = fileURLToPath(new URL("../openapi.json", import.meta.url));
  writeFileSync(file, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
  console.log(`wrote ${file}`);
}
