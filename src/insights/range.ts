import { DAY_MS, utcDay } from "../lib/time";

/**
 * The ranges insights answer over: whole UTC weeks, Monday to Sunday. A range asked for is
 * widened to the weeks it touches, so two answers can differ by whole weeks of installs and
 * never by one day's, and the shortest range is a week (the small-group rule, docs/SECURITY.md).
 * Periods inside a range (a breakdown's `interval`, a retention period) count from its start.
 */

export interface Range {
  from: string;
  to: string;
  /** Days in the range. */
  days: number;
}

const dayNumber = (day: string) => Math.floor(Date.parse(day) / DAY_MS);
const dayOfNumber = (n: number) => utcDay(n * DAY_MS);

/** The range widened to whole weeks (Monday to Sunday, UTC). */
export function weekRange(from: string, to: string): Range {
  const start = dayNumber(from);
  const end = dayNumber(to);
  // Day 0 (1970-01-01) was a Thursday: Monday is 3 days before a multiple of 7, plus 4.
  const monday = start - ((start + 3) % 7);
  const sunday = end + (6 - ((end + 3) % 7));
  return { from: dayOfNumber(monday), to: dayOfNumber(sunday), days: sunday - monday + 1 };
}

/** The range of the same length just before. */
export function previousRange(range: Range): Range {
  const start = dayNumber(range.from);
  return { from: dayOfNumber(start - range.days), to: dayOfNumber(start - 1), days: range.days };
}

/** The first day of period `n` of `periodDays` days from the range's start. */
export function periodStart(range: Range, periodDays: number, n: number): string {
  return dayOfNumber(dayNumber(range.from) + n * periodDays);
}

/**
 * SQL: the period (of `periodParam` days, from the day bound as `fromParam`) a row's `day` falls
 * in; integer division, so the bound number (D1 may bind it as a real) is cast first.
 */
export const periodOf = (fromParam: string, periodParam: string, column = "day") =>
  `(CAST(julianday(${column}) - julianday(${fromParam}) AS INTEGER) / CAST(${periodParam} AS INTEGER))`;
