import { randomBytes } from "node:crypto";
import postgres from "postgres";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** How the names of this run's test databases start (support.ts, freshDatabaseUrl). */
    databasePrefix: string;
  }
}

/** The cluster that tests needing a server start for themselves when TEST_DATABASE_URL is not set (support.ts). */
export const PRIVATE_CLUSTER = { dir: "/tmp/softrack-test-pg", port: 55450 };

/**
 * Each test file makes a database of its own on a real server. The run's databases share a
 * prefix, and are dropped when the run ends: kept, they piled up in a cluster that outlives its
 * runs (a developer's, or one reused by CI) until its disk was full.
 */
export default function setup(project: TestProject) {
  const prefix = `softrack_t_${randomBytes(4).toString("hex")}_`;
  project.provide("databasePrefix", prefix);
  return () => dropDatabases(process.env.TEST_DATABASE_URL ?? `postgres://postgres@127.0.0.1:${PRIVATE_CLUSTER.port}/postgres`, prefix);
}

async function dropDatabases(url: string, prefix: string): Promise<void> {
  const admin = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    const names = await admin<{ datname: string }[]>`SELECT datname FROM pg_database WHERE starts_with(datname, ${prefix})`;
    // FORCE: a connection a test left open does not keep its database.
    for (const { datname } of names) await admin.unsafe(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } catch (err) {
    // No server to clean: the run used the embedded database only.
    if ((err as { code?: string }).code !== "ECONNREFUSED") throw err;
  } finally {
    await admin.end();
  }
}
