import { z } from "zod";
import { OTHER } from "./other";
import { positiveInt, varsReader } from "./vars";

/**
 * The small-group rule, the one rule every published count goes through (the stats API, the
 * insights API, their CSV and the dashboard): a cell counting fewer than `STATS_MIN_INSTALLS`
 * distinct installs could single out an install, so it is never published as its number.
 * - Cells that share out a whole (values of a breakdown, groups of a funnel) merge small ones
 *   into `(other)`, and `(other)` itself holds at least the minimum, moving the smallest
 *   published cells into it when needed: so the total less the published cells gives nothing
 *   away either (`hideSmallGroups`, `publishCells`).
 * - A count of its own (a retention cell, a funnel step, an event's adopters) is shown as
 *   `"< k"`; a count whose complement in its row is small (a cohort of 40 with 38 retained: the
 *   2 who left) is shown as `"> n"`, so neither side of the row is a small group (`countCell`).
 * Billing figures are exact and never go through this. What it does not stop is written in
 * docs/SECURITY.md ("Small groups").
 */

/** Installs a published cell must count at least (wrangler.toml var `STATS_MIN_INSTALLS`). */
export const statsMinInstallsOf = varsReader(
  "stats",
  z.object({ STATS_MIN_INSTALLS: positiveInt(5) }).transform((v) => v.STATS_MIN_INSTALLS),
);

export interface Cell {
  value: string;
  installs: number;
}

/**
 * Cells of at least `min` installs, largest first, then `(other)` holding the rest, for cells
 * that partition their installs (each install in one cell): the cells published add up to the
 * total.
 */
export function hideSmallGroups(cells: readonly Cell[], min: number): Cell[] {
  return publishCells(cells, min, (merged) => merged.reduce((n, cell) => n + cell.installs, 0)).map(
    ({ value, installs }) => ({ value, installs }),
  );
}

/**
 * The rule for cells that may share installs (an install that sent two values of a property):
 * `unionOf` counts the distinct installs of a set of cells, which `(other)` holds. Any other
 * numbers a cell carries (`events`) are added up into `(other)`. A value already stored as
 * `(other)` (versions past the consumer's daily cap) joins it too.
 */
export function publishCells<T extends Cell>(
  cells: readonly T[],
  min: number,
  unionOf: (merged: readonly T[]) => number,
): (T | (Cell & Record<string, number | string>))[] {
  const isMerged = (cell: T) => cell.installs < min || cell.value === OTHER;
  const published = cells
    .filter((cell) => !isMerged(cell))
    .sort((a, b) => b.installs - a.installs || a.value.localeCompare(b.value));
  const merged = cells.filter(isMerged);
  let other = merged.length > 0 ? unionOf(merged) : 0;
  // (other) under the minimum would be given away by the total: the smallest published join it.
  while (other > 0 && other < min && published.length > 0) {
    merged.push(published.pop() as T);
    other = unionOf(merged);
  }
  if (merged.length === 0 || other === 0) return published;
  const sums: Record<string, number> = {};
  for (const cell of merged) {
    for (const [key, n] of Object.entries(cell)) {
      if (key !== "value" && key !== "installs" && typeof n === "number") sums[key] = (sums[key] ?? 0) + n;
    }
  }
  return [...published, { ...sums, value: OTHER, installs: other }];
}

/** A published count: its number, or `"< k"` when small, or `"> n"` when its complement is. */
export type CountCell = number | string;

/**
 * A count of installs as published: `"< min"` when 0 < n < min; `"> whole − min"` when the
 * installs of its row it leaves out (`whole − n`) are that few; else n. `whole` is the row's
 * base (a cohort's installs, the step before, the active installs), itself published.
 */
export function countCell(n: number, min: number, whole?: number): CountCell {
  if (n > 0 && n < min) return `< ${min}`;
  if (whole !== undefined && whole - n > 0 && whole - n < min) return `> ${whole - min}`;
  return n;
}
