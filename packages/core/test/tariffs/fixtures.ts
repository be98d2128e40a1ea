import {
  type FareQuote,
  type FareQuoteContext,
  type FareTariff,
  type FeeTariff,
  quoteFare,
  type RideRecord,
  type TariffDocument,
  toRideRecord,
  validateTariff,
} from "../../src/tariffs/index.js";

/** Builds a tariff through validateTariff, so every fixture is a tariff a partner could PUT. */
export function tariff<T extends TariffDocument>(input: Omit<T, "timezone"> & { timezone?: string }): T {
  const result = validateTariff(input);
  if (!result.ok) throw new Error(`fixture is invalid: ${JSON.stringify(result.issues)}`);
  return result.value as T;
}

export function feeTariff(rules: FeeTariff["rules"], extra: Partial<FeeTariff> = {}): FeeTariff {
  return tariff<FeeTariff>({
    code: "merchant-plan",
    version: 1,
    kind: "fee",
    currency: "KGS",
    effective_from: "2024-01-01T00:00:00Z",
    rules,
    ...extra,
  });
}

export function fareTariff(rules: FareTariff["rules"], extra: Partial<FareTariff> = {}): FareTariff {
  return tariff<FareTariff>({
    code: "bishkek-bus",
    version: 1,
    kind: "fare",
    currency: "KGS",
    effective_from: "2024-01-01T00:00:00Z",
    rules,
    ...extra,
  });
}

/** A Bishkek wall-clock time as an instant (Asia/Bishkek is UTC+6 all year). 2024-05-06 is a Monday. */
export function bishkek(local: string): string {
  return `${local.replace(" ", "T")}:00+06:00`;
}

export const WEEKDAYS_ONLY = ["mon", "tue", "wed", "thu", "fri"] as const;

/** A city tariff using every fare rule. */
export const CITY: FareTariff = fareTariff({
  rounding: "half_up",
  default_fare: 2000,
  routes: { "7": 2000, "102": 2500 },
  zones: [{ from: "A", to: "B", fare: 3000 }],
  periods: [
    { name: "peak", days: [...WEEKDAYS_ONLY], start: "07:00", end: "10:00", adjust_bps: 2500 },
    { name: "night", start: "22:00", end: "24:00", fare: 3000 },
  ],
  categories: {
    student: { discount_bps: 5000 },
    pensioner: { free: true },
    child: { discount: 1500 },
  },
  transfer: { window_minutes: 60 },
  caps: { daily: 8000, weekly: 30000 },
});

/** Rides one rider's taps in order, each priced with the history of the accepted ones before it. */
export function ride(t: FareTariff, taps: Omit<FareQuoteContext, "history">[], history: RideRecord[] = []): FareQuote[] {
  const records = [...history];
  return taps.map((tap) => {
    const q = quoteFare(t, { ...tap, history: records });
    records.push(toRideRecord(tap, q));
    return q;
  });
}

export function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
