/**
 * The pgbench scripts every ledger benchmark is compared with: the repository's own copy in
 * bench/reference (so the benches and CI's short forms run from any clone), or the directory
 * named by REFERENCE_BENCH.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";

const root = resolve(import.meta.dirname, "../..");

export const REFERENCE_DIR: string = (() => {
  const dir = process.env.REFERENCE_BENCH || resolve(root, "bench/reference");
  if (!existsSync(`${dir}/ledger_transfer.sql`)) throw new Error(`pgbench reference scripts not found in ${dir}`);
  return dir;
})();
