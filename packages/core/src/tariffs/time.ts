import type { TierPeriod } from "./types.js";

export const DEFAULT_TARIFF_TIMEZONE = "Asia/Bishkek";

const MS_PER_DAY = 86_400_000;
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Milliseconds since the epoch for an ISO 8601 instant with an explicit offset
 * ("2024-05-01T08:00:00Z", "2024-05-01T14:00:00+06:00"); null for anything else,
 * so a local time without zone is never guessed.
 */
export function parseInstant(value: unknown): number | null {
  if (typeof value !== "string") return null;
  const m = ISO_INSTANT.exec(value);
  if (!m) return null;
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59) return null;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return null;
  // Date.parse rolls 2024-02-30 over to March; refuse it instead.
  const probe = new Date(Date.UTC(Number(m[1]), month - 1, day));
  if (probe.getUTCMonth() !== month - 1) return null;
  return ms;
}

/** The time zone's canonical name, or null when Intl does not know it. */
export function canonicalTimeZone(timezone: string): string | null {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: timezone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timezone, f);
  }
  return f;
}

/** The zone's offset from UTC at `ms` (wall clock minus instant, in ms), from Intl. */
export function offsetFromIntl(timezone: string, ms: number): number {
  const f: Record<string, number> = {};
  for (const part of formatter(timezone).formatToParts(new Date(ms))) {
    if (part.type !== "literal") f[part.type] = Number(part.value);
  }
  const wall = Date.UTC(f.year ?? 1970, (f.month ?? 1) - 1, f.day ?? 1, f.hour ?? 0, f.minute ?? 0, f.second ?? 0);
  return wall - Math.floor(ms / 1000) * 1000;
}

const HOUR_MS = 3_600_000;
/** Per zone: UTC hour → the offset through that whole hour, or NaN when it changes inside it. */
const offsetsByHour = new Map<string, Map<number, number>>();

/**
 * The zone's offset at `ms`, memoised per UTC hour. Pricing a tap asks for the local time of
 * every earlier ride (caps, transfers), and Intl's formatToParts is by far the slowest step;
 * an offset is the same at both ends of an hour except across a transition, and no zone has
 * two transitions within one hour, so equal ends mean the offset holds for the whole hour.
 */
function zoneOffset(timezone: string, ms: number): number {
  const hour = Math.floor(ms / HOUR_MS);
  let byHour = offsetsByHour.get(timezone);
  if (!byHour) {
    byHour = new Map();
    offsetsByHour.set(timezone, byHour);
  }
  let offset = byHour.get(hour);
  if (offset === undefined) {
    const start = offsetFromIntl(timezone, hour * HOUR_MS);
    const end = offsetFromIntl(timezone, (hour + 1) * HOUR_MS - 1000);
    offset = start === end ? start : Number.NaN;
    // Bounded: a long-running process prices taps over years of hours at most.
    if (byHour.size >= 50_000) byHour.clear();
    byHour.set(hour, offset);
  }
  return Number.isNaN(offset) ? offsetFromIntl(timezone, ms) : offset;
}

/** Wall-clock time in a zone. `weekday` is 0 for Monday; `dayNumber` counts local days since 1970-01-01. */
export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Minutes since local midnight. */
  minuteOfDay: number;
  weekday: number;
  dayNumber: number;
  /** dayNumber of the Monday that starts the local week. */
  weekNumber: number;
}

export function localTime(timezone: string, ms: number): LocalTime {
  // The wall clock is the instant shifted by the zone's offset; only the offset needs Intl.
  const wall = new Date(ms + zoneOffset(timezone, ms));
  const year = wall.getUTCFullYear();
  const month = wall.getUTCMonth() + 1;
  const day = wall.getUTCDate();
  const hour = wall.getUTCHours();
  const minute = wall.getUTCMinutes();
  const second = wall.getUTCSeconds();
  const dayNumber = Math.floor(Date.UTC(year, month - 1, day) / MS_PER_DAY);
  // 1970-01-01 was a Thursday: weekday 3 when Monday is 0.
  const weekday = (((dayNumber + 3) % 7) + 7) % 7;
  return {
    year,
    month,
    day,
    hour,
    minute,
    second,
    minuteOfDay: hour * 60 + minute,
    weekday,
    dayNumber,
    weekNumber: dayNumber - weekday,
  };
}

/** The instant at which the wall clock in `timezone` reads the given local midnight. */
function localMidnight(timezone: string, year: number, month: number, day: number): number {
  const wall = Date.UTC(year, month - 1, day);
  const offsetAt = (ms: number) => {
    const t = localTime(timezone, ms);
    return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) - Math.floor(ms / 1000) * 1000;
  };
  const first = offsetAt(wall);
  const guess = wall - first;
  const second = offsetAt(guess);
  return second === first ? guess : wall - second;
}

/**
 * The [start, end) of the local day, week (from Monday) or calendar month containing
 * `at` in `timezone`: for summing a merchant's volume for fee tiers, or fetching the
 * rides that count towards a rider's caps.
 */
export function localPeriodRange(timezone: string, period: TierPeriod, at: Date): { start: Date; end: Date } {
  const t = localTime(timezone, at.getTime());
  let from: [number, number, number];
  let to: [number, number, number];
  if (period === "month") {
    from = [t.year, t.month, 1];
    to = t.month === 12 ? [t.year + 1, 1, 1] : [t.year, t.month + 1, 1];
  } else {
    const startDay = period === "week" ? t.weekNumber : t.dayNumber;
    const length = period === "week" ? 7 : 1;
    const a = new Date(startDay * MS_PER_DAY);
    const b = new Date((startDay + length) * MS_PER_DAY);
    from = [a.getUTCFullYear(), a.getUTCMonth() + 1, a.getUTCDate()];
    to = [b.getUTCFullYear(), b.getUTCMonth() + 1, b.getUTCDate()];
  }
  return {
    start: new Date(localMidnight(timezone, ...from)),
    end: new Date(localMidnight(timezone, ...to)),
  };
}
