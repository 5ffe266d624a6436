import { ApiError } from "../http/errors";
import type { EventDatabases } from "../lib/event-databases";
import { type CountCell, countCell } from "../lib/small-groups";
import { reachesHistory } from "../stats/installs";
import { appFeaturesOf } from "./catalogue";
import { periodOf, periodStart, type Range } from "./range";

/**
 * Retention: the installs first active in each period of the range (a cohort), and how many of
 * them were active in each later period up to the range's end. `retained[0]` is the cohort.
 * "First active" is an install's first day the collector holds per-install rows for, so the
 * range must lie within EXACT_INSTALL_DAYS; an install active before the range is in no cohort.
 * Periods are days or weeks counted from the range's start. Every cell goes through the
 * small-group rule: a cohort under the minimum shows `"< k"` throughout, a retained count
 * `"< k"`, or `"> n"` when the installs it leaves out of its cohort are that few.
 */

export interface Cohort {
  start: string;
  installs: CountCell;
  retained: CountCell[];
}

export async function readRetention(
  databases: EventDatabases,
  app: string,
  range: Range,
  periodDays: number,
  minInstalls: number,
): Promise<{ period_days: number; cohorts: Cohort[] }> {
  appFeaturesOf(app);
  await requireExact(databases, app, range);
  const sql = `
WITH first AS (
  SELECT distinct_id, MIN(day) AS first_day FROM daily_active_installs
  WHERE app = ?1 AND day <= ?3 GROUP BY distinct_id HAVING first_day >= ?2),
active AS (
  SELECT DISTINCT f.distinct_id, ${periodOf("?2", "?4", "f.first_day")} AS cohort, ${periodOf("?2", "?4", "d.day")} AS period
  FROM daily_active_installs AS d JOIN first AS f ON f.distinct_id = d.distinct_id
  WHERE d.app = ?1 AND d.day BETWEEN ?2 AND ?3)
SELECT cohort, period - cohort AS k, COUNT(*) AS n FROM active GROUP BY cohort, k`;
  const counts = new Map<string, number>();
  for (const db of databases.all) {
    const rows = await db
      .prepare(sql)
      .bind(app, range.from, range.to, periodDays)
      .all<{ cohort: number; k: number; n: number }>();
    for (const row of rows.results)
      counts.set(`${row.cohort}:${row.k}`, (counts.get(`${row.cohort}:${row.k}`) ?? 0) + row.n);
  }
  const periods = Math.ceil(range.days / periodDays);
  const cohorts: Cohort[] = [];
  for (let c = 0; c < periods; c++) {
    const size = counts.get(`${c}:0`) ?? 0;
    const retained = Array.from({ length: periods - c }, (_, k) => counts.get(`${c}:${k}`) ?? 0);
    const small = size > 0 && size < minInstalls;
    cohorts.push({
      start: periodStart(range, periodDays, c),
      installs: countCell(size, minInstalls),
      retained: retained.map((n, k) =>
        small
          ? countCell(n > 0 ? 1 : 0, minInstalls)
          : k === 0
            ? countCell(n, minInstalls)
            : countCell(n, minInstalls, size),
      ),
    });
  }
  return { period_days: periodDays, cohorts };
}

/** Retention and funnels follow installs day by day: only days with per-install rows can answer. */
export async function requireExact(databases: EventDatabases, app: string, range: Range): Promise<void> {
  if (await reachesHistory(databases, app, range.from, range.to)) {
    throw new ApiError(
      "invalid_query",
      `the range reaches days older than EXACT_INSTALL_DAYS, whose installs are kept only as counts: retention and funnels need a more recent range (${range.from} to ${range.to} was asked)`,
    );
  }
}
