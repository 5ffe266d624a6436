import { z } from "zod";
import { catalogue } from "../catalog/definition";
import { dayRange, MAX_RANGE_DAYS, rangeDays } from "../http/schemas";
import { describeIssue } from "../http/validation";
import { OTHER } from "../lib/other";
import type { Cell } from "../lib/small-groups";
import { DAY_MS, daysBetween, utcDay } from "../lib/time";
import type { Series } from "./charts";
import { SERIES_COLOURS } from "./styles";

/**
 * The range a page shows (an app and days, default the last 30) and how daily numbers become
 * chart series: a bar per day up to two months, a bar per week beyond; at most as many stacked
 * series as there are colours, the smallest merged.
 */

export const DEFAULT_RANGE_DAYS = 30;
const MAX_DAILY_BARS = 62;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

export const APP_NAMES = Object.keys(catalogue.apps);

export interface Range {
  app: string;
  from: string;
  to: string;
}

const rangeSchema = dayRange(
  z.object({
    app: z.string().refine((app) => APP_NAMES.includes(app), { message: "not an app of the catalogue" }),
    ...rangeDays,
  }),
);

/**
 * The page's range from its query string: `from` and `to`, or `days` ending `to` (both default
 * to the last 30 days ending today), or an error to show with the defaults.
 */
export function rangeOf(query: Record<string, string>, now: number): { range: Range; error?: string } {
  const defaults: Range = {
    app: APP_NAMES[0] ?? "",
    from: rangeStart(utcDay(now), DEFAULT_RANGE_DAYS),
    to: utcDay(now),
  };
  const given: Record<string, string> = { ...defaults };
  for (const key of ["app", "from", "to"] as const) if (query[key]) given[key] = query[key];
  const days = Number(query.days);
  if (!query.from && Number.isInteger(days) && days >= 1 && days <= MAX_RANGE_DAYS && ISO_DAY.test(given.to ?? "")) {
    given.from = rangeStart(given.to ?? defaults.to, days);
  } else if (!query.from && query.to && ISO_DAY.test(query.to)) {
    given.from = rangeStart(query.to, DEFAULT_RANGE_DAYS);
  }
  const parsed = rangeSchema.safeParse(given);
  if (parsed.success) return { range: parsed.data };
  return { range: defaults, error: describeIssue(parsed.error.issues[0], "") };
}

/** The first day of the range ending `to` that spans `days` days. */
export function rangeStart(to: string, days: number): string {
  return utcDay(Date.parse(`${to}T00:00:00Z`) - (days - 1) * DAY_MS);
}

export interface Buckets {
  unit: "day" | "week";
  /** The first day of each bar. */
  labels: string[];
  /** Indices of the days each bar covers. */
  members: number[][];
}

export function bucketsOf(from: string, to: string): Buckets {
  const days = daysBetween(from, to);
  if (days.length <= MAX_DAILY_BARS) return { unit: "day", labels: days, members: days.map((_, i) => [i]) };
  const buckets: Buckets = { unit: "week", labels: [], members: [] };
  days.forEach((day, i) => {
    if (i % 7 === 0) {
      buckets.labels.push(day);
      buckets.members.push([]);
    }
    buckets.members[buckets.members.length - 1]?.push(i);
  });
  return buckets;
}

/** Sums of the daily values per bar. */
export function sumPerBucket(values: readonly number[], buckets: Buckets): number[] {
  return buckets.members.map((members) => members.reduce((n, i) => n + (values[i] ?? 0), 0));
}

/** Means of the daily values per bar, for what cannot be summed across days (distinct installs). */
export function meanPerBucket(values: readonly number[], buckets: Buckets): number[] {
  return sumPerBucket(values, buckets).map((sum, i) => Math.round(sum / Math.max(1, buckets.members[i]?.length ?? 1)));
}

/**
 * Named daily counts (events by name, rejections by code) as stacked series, largest total
 * first. When there are more names than colours, the smallest are merged into `otherName`.
 */
export function stackedSeries(
  perDay: readonly Record<string, number>[],
  buckets: Buckets,
  otherName: string,
): { series: Series[]; totals: Map<string, number> } {
  const totals = new Map<string, number>();
  for (const counts of perDay) {
    for (const [name, n] of Object.entries(counts)) totals.set(name, (totals.get(name) ?? 0) + n);
  }
  const names = [...totals.keys()].sort((a, b) => (totals.get(b) ?? 0) - (totals.get(a) ?? 0) || a.localeCompare(b));
  const shown = names.length > SERIES_COLOURS ? names.slice(0, SERIES_COLOURS - 1) : names;
  const merged = names.slice(shown.length);
  const daily = (pick: (counts: Record<string, number>) => number) =>
    sumPerBucket(
      perDay.map((counts) => pick(counts)),
      buckets,
    );
  const series = shown.map((name) => ({ name, values: daily((counts) => counts[name] ?? 0) }));
  if (merged.length > 0) {
    series.push({
      name: otherName,
      values: daily((counts) => merged.reduce((n, name) => n + (counts[name] ?? 0), 0)),
    });
  }
  return { series, totals: new Map(names.map((name) => [name, totals.get(name) ?? 0])) };
}

/** The largest `max` cells of a breakdown, the rest merged into `(other)`: a readable chart of bounded size. */
export function topCells(cells: readonly Cell[], max: number): Cell[] {
  const named = cells.filter((cell) => cell.value !== OTHER);
  if (named.length <= max) return [...cells];
  const rest = cells.filter((cell) => !named.slice(0, max).includes(cell));
  return [...named.slice(0, max), { value: OTHER, installs: rest.reduce((n, cell) => n + cell.installs, 0) }];
}
