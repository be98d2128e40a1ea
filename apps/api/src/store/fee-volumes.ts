import { type FeeTariff, tierPeriodRange } from "@softrack/core";
import { type SQL, sql } from "drizzle-orm";
import { pgArray } from "../lib/pg-array.js";

/** The running total a capture adds to: one merchant, mode and currency, in one tier period of its fee tariff. */
export interface VolumePeriod {
  merchantId: string;
  livemode: boolean;
  currency: string;
  timezone: string;
  period: "day" | "week" | "month";
  start: Date;
}

/** The tier period of `tariff` containing `at`, in the tariff's own time zone. */
export function volumePeriod(
  tariff: FeeTariff,
  payment: { merchantId: string; livemode: boolean; currency: string },
  at: Date,
): VolumePeriod {
  return {
    merchantId: payment.merchantId,
    livemode: payment.livemode,
    currency: payment.currency,
    timezone: tariff.timezone,
    period: tariff.rules.tier_period ?? "month",
    start: tierPeriodRange(tariff, at).start,
  };
}

const keyOf = (p: VolumePeriod) => [p.merchantId, p.livemode, p.currency, p.timezone, p.period, p.start.toISOString()].join("\u0000");

/** fee_volumes' row of the period, by its primary key. */
const isPeriod = (p: VolumePeriod) =>
  sql`merchant_id = ${p.merchantId} AND livemode = ${p.livemode} AND currency = ${p.currency}
      AND timezone = ${p.timezone} AND period = ${p.period} AND period_start = ${p.start.toISOString()}::timestamptz`;

/**
 * The period's total, locked until the transaction ends. Found: one primary-key read. Missing
 * (the period's first capture, or the first since fee_volumes existed): created from the sum of
 * the payments captured earlier in the period, once; ON CONFLICT makes a second transaction that
 * raced to create it wait for the first and return its committed total. Either way the row stays
 * locked, so two transactions pricing one merchant's tiers take turns and neither misses the
 * other's payments.
 */
function lockStatement(p: VolumePeriod): SQL {
  const start = sql`${p.start.toISOString()}::timestamptz`;
  return sql`WITH found AS (
        SELECT volume FROM fee_volumes WHERE ${isPeriod(p)} FOR UPDATE),
      made AS (
        INSERT INTO fee_volumes (merchant_id, livemode, currency, timezone, period, period_start, volume)
        SELECT ${p.merchantId}, ${p.livemode}, ${p.currency}, ${p.timezone}, ${p.period}, ${start},
               (${capturedSince(p)})
        WHERE NOT EXISTS (SELECT 1 FROM found)
        ON CONFLICT (merchant_id, livemode, currency, timezone, period, period_start)
        DO UPDATE SET volume = fee_volumes.volume RETURNING volume)
      SELECT volume FROM found UNION ALL SELECT volume FROM made`;
}

/** What the period's payments captured so far, summed: a period's row is made from it once. Top-ups are no sales. */
function capturedSince(p: VolumePeriod): SQL {
  return sql`SELECT COALESCE(sum(amount_captured), 0) FROM payments
      WHERE merchant_id = ${p.merchantId} AND livemode = ${p.livemode} AND currency = ${p.currency}
        AND created_at >= ${p.start.toISOString()}::timestamptz AND amount_captured > 0
        AND (purpose->>'type') IS DISTINCT FROM 'wallet_topup'`;
}

/** The period's total as committed, without a lock (a quote): its row, or what would make it. */
export function readVolumeStatement(p: VolumePeriod): SQL {
  return sql`SELECT COALESCE(
      (SELECT volume FROM fee_volumes WHERE ${isPeriod(p)}),
      (${capturedSince(p)}))::bigint AS volume`;
}

/**
 * The captured volumes of one transaction (a write alone, or a group of writes): what each capture
 * saw before it (`before`: the locked total plus the captures this transaction priced earlier),
 * and, at commit, one statement adding what was captured. Every capture adds to its period, tiered
 * tariff or not, so a merchant moved onto volume tiers mid-period is priced by its whole period.
 */
export class FeeVolumes {
  readonly #totals = new Map<string, number>();
  readonly #added = new Map<string, { period: VolumePeriod; amount: number }>();
  #lockedAfterAdd = false;

  constructor(private readonly read: (q: SQL) => Promise<Record<string, unknown>[]>) {}

  /** The volume captured earlier in the period, as this capture is priced. */
  async before(p: VolumePeriod): Promise<number> {
    const key = keyOf(p);
    let total = this.#totals.get(key);
    if (total === undefined) {
      const [row] = await this.read(lockStatement(p));
      total = Number(row?.volume ?? 0);
      this.#totals.set(key, total);
    }
    if (this.#added.size > 0) this.#lockedAfterAdd = true;
    return total + (this.#added.get(key)?.amount ?? 0);
  }

  /** A capture priced in this transaction, counted for the captures priced after it. */
  add(p: VolumePeriod, amount: number): void {
    const key = keyOf(p);
    const at = this.#added.get(key);
    this.#added.set(key, { period: p, amount: (at?.amount ?? 0) + amount });
  }

  /**
   * A capture counted by add() that did not happen (declined). Returns false when a capture
   * priced after it saw its amount: that price is now wrong, and the writes must be decided again
   * (alone, where a decline comes before any later price).
   */
  withdraw(p: VolumePeriod, amount: number): boolean {
    const key = keyOf(p);
    const at = this.#added.get(key);
    if (at) at.amount -= amount;
    return !this.#lockedAfterAdd;
  }

  /** The statement adding this transaction's captures to their periods (none when nothing was captured). */
  writes(): SQL[] {
    // In key order, so that two transactions adding to the same periods lock them in one order.
    const added = [...this.#added.entries()]
      .filter(([, a]) => a.amount > 0)
      .sort(([x], [y]) => (x < y ? -1 : 1))
      .map(([, a]) => a);
    if (added.length === 0) return [];
    const col = (f: (a: (typeof added)[number]) => string | number | boolean) => pgArray(added.map(f));
    return [
      sql`INSERT INTO fee_volumes (merchant_id, livemode, currency, timezone, period, period_start, volume)
          SELECT * FROM unnest(${col((a) => a.period.merchantId)}::text[], ${col((a) => a.period.livemode)}::boolean[],
                               ${col((a) => a.period.currency)}::text[], ${col((a) => a.period.timezone)}::text[],
                               ${col((a) => a.period.period)}::text[], ${col((a) => a.period.start.toISOString())}::timestamptz[],
                               ${col((a) => a.amount)}::bigint[])
          ON CONFLICT (merchant_id, livemode, currency, timezone, period, period_start)
          DO UPDATE SET volume = fee_volumes.volume + EXCLUDED.volume`,
    ];
  }
}

/**
 * The statements that end a capture's transaction, in lock order: the ledger's (its accounts),
 * then the fee volumes. A write that holds a volume's row then already holds every account it
 * needs, so no two writes wait on each other through the two tables (taken the other way round,
 * they deadlocked under concurrent payments and a refund).
 */
export function closingWrites(ledger: SQL | undefined, volumes: FeeVolumes): SQL[] {
  return [...(ledger ? [ledger] : []), ...volumes.writes()];
}
