import type { EventDatabases } from "../lib/event-databases";
import { type Cell, hideSmallGroups } from "../lib/small-groups";
import { rangeSketches, reachesHistory } from "./installs";

/**
 * Distinct installs of one app over a range of days, by app version, OS and country, with the
 * small-group rule applied. Each install counts once per dimension, under the values of the
 * last day it was active in the range (an install that upgraded counts under its new version),
 * so each breakdown adds up to the range's distinct installs. Installs live in one event
 * database each, so the databases' cells add up.
 *
 * A range that reaches days older than EXACT_INSTALL_DAYS is answered from their sketches:
 * each cell is an estimate (relative standard error 1.6 %), an install that changed version
 * within those days counts under each of its versions, and `exact` is false.
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
  /** Distinct installs over the range: what each breakdown adds up to (when exact). */
  active_installs: number;
  /** False when the cells are estimates from sketches (the range reaches folded days). */
  exact: boolean;
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
  databases: EventDatabases,
  app: string,
  from: string,
  to: string,
  minInstalls: number,
): Promise<Breakdown> {
  const cells: Record<BreakdownDimension, Map<string, number>> = {
    app_version: new Map(),
    os: new Map(),
    country: new Map(),
  };
  const add = (dimension: BreakdownDimension, value: string, installs: number) =>
    cells[dimension].set(value || UNKNOWN, (cells[dimension].get(value || UNKNOWN) ?? 0) + installs);
  const exact = !(await reachesHistory(databases, app, from, to));
  let total = 0;
  if (exact) {
    const perDatabase = await Promise.all(
      databases.all.map((db) =>
        db
          .prepare(BREAKDOWN)
          .bind(app, from, to)
          .all<{ dimension: BreakdownDimension; value: string; installs: number }>(),
      ),
    );
    for (const { results } of perDatabase) for (const row of results) add(row.dimension, row.value, row.installs);
    for (const installs of cells.os.values()) total += installs;
  } else {
    for (const sketches of await Promise.all(databases.all.map((db) => rangeSketches(db, app, from, to, true)))) {
      for (const [key, sketch] of sketches) {
        if (key === "") {
          total += sketch.estimate();
          continue;
        }
        const [dimension, value] = key.split("\u0000") as [BreakdownDimension, string];
        add(dimension, value, sketch.estimate());
      }
    }
  }
  const published = (dimension: BreakdownDimension) =>
    hideSmallGroups(
      [...cells[dimension]].map(([value, installs]) => ({ value, installs })),
      minInstalls,
    );
  return {
    app,
    from,
    to,
    min_installs: minInstalls,
    active_installs: total,
    exact,
    app_version: published("app_version"),
    os: published("os"),
    country: published("country"),
  };
}
