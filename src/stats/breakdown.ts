import { type Cell, hideSmallGroups } from "./small-groups";

/**
 * Distinct installs of one app over a range of days, by app version, OS and country, with the
 * small-group rule applied. Each install counts once per dimension, under the values of the
 * last day it was active in the range (an install that upgraded counts under its new version),
 * so each breakdown adds up to the range's distinct installs.
 */

export const BREAKDOWN_DIMENSIONS = ["app_version", "os", "country"] as const;
export type BreakdownDimension = (typeof BREAKDOWN_DIMENSIONS)[number];

/** The value of an install whose dimension was not known (not sent, or recorded before it was kept). */
export const UNKNOWN = "(unknown)";

export interface Breakdown {
  app: string;
  from: string;
  to: string;
  /** The smallest cell published: smaller ones are merged into `(other)`. */
  min_installs: number;
  /** Distinct installs over the range: what each breakdown adds up to. */
  active_installs: number;
  app_version: Cell[];
  os: Cell[];
  country: Cell[];
}

// Each install's last active day in the range (ties broken by the values, so it is stable),
// materialised once and grouped three ways in one round trip.
const BREAKDOWN = `
WITH latest AS MATERIALIZED (
  SELECT app_version, os, country FROM (
    SELECT app_version, os, country,
           ROW_NUMBER() OVER (PARTITION BY distinct_id ORDER BY day DESC, app_version, os, country) AS nth
    FROM daily_active_installs WHERE app = ?1 AND day BETWEEN ?2 AND ?3
  ) WHERE nth = 1
)
SELECT 'app_version' AS dimension, app_version AS value, COUNT(*) AS installs FROM latest GROUP BY app_version
UNION ALL SELECT 'os', os, COUNT(*) FROM latest GROUP BY os
UNION ALL SELECT 'country', country, COUNT(*) FROM latest GROUP BY country`;

export async function readBreakdown(
  db: D1Database,
  app: string,
  from: string,
  to: string,
  minInstalls: number,
): Promise<Breakdown> {
  const { results } = await db
    .prepare(BREAKDOWN)
    .bind(app, from, to)
    .all<{ dimension: BreakdownDimension; value: string; installs: number }>();
  const cells: Record<BreakdownDimension, Cell[]> = { app_version: [], os: [], country: [] };
  for (const row of results) cells[row.dimension].push({ value: row.value || UNKNOWN, installs: row.installs });
  return {
    app,
    from,
    to,
    min_installs: minInstalls,
    active_installs: cells.os.reduce((n, cell) => n + cell.installs, 0),
    app_version: hideSmallGroups(cells.app_version, minInstalls),
    os: hideSmallGroups(cells.os, minInstalls),
    country: hideSmallGroups(cells.country, minInstalls),
  };
}
