import { z } from "zod";
import { OTHER } from "../lib/other";
import { positiveInt, varsReader } from "../lib/vars";

/**
 * The small-group rule of every published breakdown (stats API and dashboard): a cell counting
 * fewer than `STATS_MIN_INSTALLS` distinct installs could single out one install, so it is
 * merged into `(other)`. Billing figures are exact and never go through this.
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
 * Cells of at least `min` installs, largest first, then `(other)` holding the rest. The cells
 * published always add up to the total.
 *
 * When `(other)` would itself hold fewer than `min` installs (one small value among large
 * ones), the smallest published cells are moved into it too until it does not: otherwise the
 * published cells and the total would give away the small value's count, and the catalogue
 * (a closed list of OS values, say) could give away which value it is.
 */
export function hideSmallGroups(cells: readonly Cell[], min: number): Cell[] {
  // A value already stored as (other) (versions past the consumer's daily cap) joins it too.
  const merged = (cell: Cell) => cell.installs < min || cell.value === OTHER;
  const published = cells
    .filter((cell) => !merged(cell))
    .sort((a, b) => b.installs - a.installs || a.value.localeCompare(b.value));
  let other = cells.reduce((n, cell) => n + (merged(cell) ? cell.installs : 0), 0);
  while (other > 0 && other < min && published.length > 0) other += published.pop()?.installs ?? 0;
  return other > 0 ? [...published, { value: OTHER, installs: other }] : published;
}
