/**
 * The arithmetic of the billing figures, apart from the SQL that counts: an hourly count →
 * a daily mean over the day's reported hours → the period's mean over its days, rounded half
 * up to two decimals from the exact value (fractions, not floating point, so the figure is the
 * one a person computes by hand from the detail endpoint's series); and MAU's cumulative
 * distinct users. The cron and the detail endpoint both go through these functions.
 */

export interface HourCount {
  /** UTC hour of the day, 0-23. */
  hour: number;
  count: number;
}

export interface DayMean<H extends HourCount = HourCount> {
  day: string;
  /** The day's reported hours, in order, with their counts (0 when nothing was active). */
  hours: H[];
  /** The mean of `hours`' counts. */
  mean: number;
}

export interface Averaged<H extends HourCount = HourCount> {
  days: DayMean<H>[];
  /** The mean of the days' means, rounded half up to two decimals; 0 without a day. */
  figure: number;
}

/**
 * Averages hourly counts into daily means, then the daily means into the figure. `days` maps
 * each day that has at least one reported hour to those hours.
 */
export function averageOverDays<H extends HourCount>(days: ReadonlyMap<string, H[]>): Averaged<H> {
  const out: DayMean<H>[] = [];
  let sum: Fraction = ZERO;
  for (const day of [...days.keys()].sort()) {
    const hours = [...(days.get(day) ?? [])].sort((a, b) => a.hour - b.hour);
    if (hours.length === 0) continue;
    const total = hours.reduce((n, h) => n + h.count, 0);
    out.push({ day, hours, mean: total / hours.length });
    sum = add(sum, fraction(BigInt(total), BigInt(hours.length)));
  }
  return { days: out, figure: out.length === 0 ? 0 : roundHalfUpToHundredths(divide(sum, BigInt(out.length))) };
}

export interface UserDay {
  day: string;
  /** Distinct active users that day. */
  users: number;
  /** Distinct active users from the period's first day through this one. */
  cumulative: number;
}

/**
 * MAU's series: per day, the distinct users active that day and the running count of distinct
 * users since the period began (from the number of users first seen each day). The last
 * cumulative count is MAU.
 */
export function cumulativeUsers(
  usersPerDay: ReadonlyMap<string, number>,
  newUsersPerDay: ReadonlyMap<string, number>,
): { days: UserDay[]; mau: number } {
  let cumulative = 0;
  const days = [...usersPerDay.keys()].sort().map((day) => {
    cumulative += newUsersPerDay.get(day) ?? 0;
    return { day, users: usersPerDay.get(day) ?? 0, cumulative };
  });
  return { days, mau: cumulative };
}

// Exact non-negative fractions: hourly counts are integers, so each daily mean and the period's
// mean are rational, and rounding them from floating point could land on the wrong side of a
// half (1.005 is 1.00499… as a double).
interface Fraction {
  num: bigint;
  den: bigint;
}
const ZERO: Fraction = { num: 0n, den: 1n };

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function fraction(num: bigint, den: bigint): Fraction {
  const g = gcd(num, den) || 1n;
  return { num: num / g, den: den / g };
}

function add(a: Fraction, b: Fraction): Fraction {
  return fraction(a.num * b.den + b.num * a.den, a.den * b.den);
}

function divide(a: Fraction, n: bigint): Fraction {
  return fraction(a.num, a.den * n);
}

/** ⌊100·x + ½⌋ / 100, computed exactly. */
function roundHalfUpToHundredths(x: Fraction): number {
  const hundredths = (200n * x.num + x.den) / (2n * x.den);
  return Number(hundredths) / 100;
}
