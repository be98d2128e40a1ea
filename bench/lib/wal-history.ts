/**
 * Reading PostgreSQL's write history for the failover drill's split-brain check (bench/chaos.ts,
 * docs/operations.md): a promotion's fork from its timeline history file and END_OF_RECOVERY
 * record, and the commits an old primary holds past that fork, from `pg_waldump` output.
 */

/** pg_waldump's "2026-12-02 08:04:49.206105 UTC" → ms since the epoch. */
export function walTime(text: string): number {
  return Date.parse(`${text.trim().replace(" ", "T").replace(/ UTC$/, "")}Z`);
}

/** The last line of a timeline history file ("<parent tli>\t<fork LSN>\t<reason>"): where the newest timeline branched off. */
export function forkOf(history: string): { parentTimeline: number; fork: string } {
  const [tli, fork] = (history.trim().split("\n").at(-1) ?? "").split("\t");
  if (!tli || !fork || !/^[0-9A-F]+\/[0-9A-F]+$/i.test(fork)) throw new Error(`not a timeline history: ${history.slice(0, 200)}`);
  return { parentTimeline: Number(tli), fork };
}

/** The promotion's time: the END_OF_RECOVERY record the new primary wrote at the fork. */
export function promotionTime(waldump: string): number | undefined {
  const at = / END_OF_RECOVERY tli \d+; prev tli \d+; time (\S+ \S+ \S+)/.exec(waldump)?.[1];
  return at === undefined ? undefined : walTime(at);
}

/**
 * The commits in a stretch of WAL (pg_waldump's output) that may have written the application's
 * tables: those of transactions with a record on a relation of database `databaseOid` past the
 * system catalogs (relfilenode ≥ 16384), and those with no record in the stretch at all (their
 * changes precede it). Left out: transactions that provably wrote only elsewhere, such as
 * autovacuum's statistics or another database.
 */
export function applicationCommits(waldump: string, databaseOid: number): { tx: string; at: number }[] {
  const touched = new Set<string>();
  const elsewhere = new Set<string>();
  const commits: { tx: string; at: number }[] = [];
  for (const line of waldump.split("\n")) {
    const tx = /\btx:\s+(\d+),/.exec(line)?.[1];
    if (!tx || tx === "0") continue;
    const commit = /^rmgr: Transaction\b.*desc: COMMIT (\S+ \S+ \S+)/.exec(line)?.[1];
    if (commit) commits.push({ tx, at: walTime(commit) });
    else
      for (const m of line.matchAll(/rel \d+\/(\d+)\/(\d+)/g))
        (Number(m[1]) === databaseOid && Number(m[2]) >= 16_384 ? touched : elsewhere).add(tx);
  }
  return commits.filter((c) => touched.has(c.tx) || !elsewhere.has(c.tx));
}

/**
 * An old primary's branch past the fork, judged against the promotion: commits dated before it
 * were in flight when the primary was lost (never acknowledged under synchronous replication);
 * commits dated after it were taken while another node was primary, which is split brain.
 */
export function judgeBranch(commits: { at: number }[], promotedAt: number): { inFlight: number; splitBrain: number } {
  return {
    inFlight: commits.filter((c) => c.at < promotedAt).length,
    splitBrain: commits.filter((c) => c.at >= promotedAt).length,
  };
}
