/**
 * The pgbench scripts every ledger benchmark is compared with: the shared reference
 * (../shared/reference-bench) when this clone sits next to it, else the verbatim copy in
 * bench/reference, so the benches (and CI's short forms) run from any clone.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";

const root = resolve(import.meta.dirname, "../..");

export const REFERENCE_DIR: string = (() => {
  const candidates = [process.env.REFERENCE_BENCH, resolve(root, "../shared/reference-bench"), resolve(root, "bench/reference")];
  const found = candidates.find((d): d is string => !!d && existsSync(`${d}/ledger_transfer.sql`));
  if (!found) throw new Error("pgbench reference scripts not found (../shared/reference-bench or bench/reference)");
  return found;
})();
