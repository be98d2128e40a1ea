/**
 * The reference API as a child process of bench/transit-peak.ts, so the load generator and
 * the server each have their own event loop. Prints one JSON line with its URL and keys
 * (to the parent's pipe only), then serves until SIGTERM.
 */
import { startApi } from "../apps/api/src/testing.js";

async function serve() {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error("DATABASE_URL is required");
  const api = await startApi({ databaseUrl, env: { WORKERS: "off", DB_POOL_SIZE: process.env.DB_POOL_SIZE ?? "20" } });
  process.stdout.write(
    `${JSON.stringify({ url: api.url, merchantId: api.merchant.id, secretKey: api.merchant.secretKey, adminKey: api.adminKey, pid: process.pid })}\n`,
  );
  const stop = async () => {
    await api.close();
    process.exit(0);
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

serve().catch((err) => {
  console.error(err);
  process.exit(1);
});
