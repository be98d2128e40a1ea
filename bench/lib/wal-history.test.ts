import { describe, expect, it } from "vitest";
import { applicationCommits, forkOf, judgeBranch, promotionTime, walTime } from "./wal-history.js";

// pg_waldump 15 lines as the drill saw them (an old primary frozen, node3 promoted).
const promoted = `rmgr: Standby     len (rec/tot):     50/    50, tx:          0, lsn: 0/04018098, prev 0/04017EE8, desc: RUNNING_XACTS nextXid 729 latestCompletedXid 728 oldestRunningXid 729
rmgr: XLOG        len (rec/tot):     42/    42, tx:          0, lsn: 0/040180D0, prev 0/04018098, desc: END_OF_RECOVERY tli 2; prev tli 1; time 2026-12-02 08:04:43.696374 UTC
rmgr: Transaction len (rec/tot):     34/    34, tx:        729, lsn: 0/04018298, prev 0/04018220, desc: COMMIT 2026-12-02 08:04:49.206105 UTC`;
const rel = (db: number, node: number) => `blkref #0: rel 1663/${db}/${node} blk 0`;
const heap = (tx: number, db: number, node: number) =>
  `rmgr: Heap        len (rec/tot):     54/   254, tx:        ${tx}, lsn: 0/0301A2B8, prev 0/0301A280, desc: INSERT off 3 flags 0x00, ${rel(db, node)}`;
const commit = (tx: number, at: string) =>
  `rmgr: Transaction len (rec/tot):     34/    34, tx:        ${tx}, lsn: 0/0301A3C0, prev 0/0301A2B8, desc: COMMIT ${at} UTC; inval msgs: catcache 63`;

describe("reading the write history", () => {
  it("reads pg_waldump's times to the microsecond's millisecond", () => {
    expect(walTime("2026-12-02 08:04:43.696374 UTC")).toBe(Date.UTC(2026, 11, 2, 8, 4, 43, 696));
  });

  it("finds the newest fork in a timeline history file", () => {
    expect(forkOf("1\t0/40180D0\tno recovery target specified\n")).toEqual({ parentTimeline: 1, fork: "0/40180D0" });
    expect(forkOf("1\t0/40180D0\tno recovery target specified\n2\t0/9A000A0\tno recovery target specified\n")).toEqual({
      parentTimeline: 2,
      fork: "0/9A000A0",
    });
    expect(() => forkOf("")).toThrow();
  });

  it("dates the promotion by its END_OF_RECOVERY record", () => {
    expect(promotionTime(promoted)).toBe(walTime("2026-12-02 08:04:43.696374 UTC"));
    expect(promotionTime("rmgr: XLOG ... desc: CHECKPOINT_ONLINE redo 0/40181E8; tli 2")).toBeUndefined();
  });

  it("counts the application's commits and leaves out autovacuum's statistics and other databases", () => {
    const wal = [
      heap(800, 16_384, 16_500), // a payment row in the application's database
      commit(800, "2026-12-02 08:04:44.000000"),
      heap(801, 16_384, 2_619), // pg_statistic in the same database: autoanalyze
      commit(801, "2026-12-02 08:05:09.024514"),
      heap(802, 5, 16_400), // another database
      commit(802, "2026-12-02 08:05:10.000000"),
      commit(803, "2026-12-02 08:05:11.000000"), // its changes precede the stretch: counted
    ].join("\n");
    expect(applicationCommits(wal, 16_384).map((c) => c.tx)).toEqual(["800", "803"]);
  });

  it("calls a commit after the promotion split brain, one before it in flight", () => {
    const at = walTime("2026-12-02 08:04:43.696374 UTC");
    const commits = [{ at: at - 1 }, { at: at - 500 }, { at: at + 10 }];
    expect(judgeBranch(commits, at)).toEqual({ inFlight: 2, splitBrain: 1 });
    expect(judgeBranch([], at)).toEqual({ inFlight: 0, splitBrain: 0 });
  });
});
