import type { EventDatabases } from "../lib/event-databases";
import { OTHER } from "../lib/other";
import { type CountCell, countCell, hideSmallGroups } from "../lib/small-groups";
import { eventBitOf } from "./catalogue";
import type { Range } from "./range";
import { requireExact } from "./retention";

/**
 * A funnel, at day granularity: the installs that sent step 1 on some day of the range, then
 * step 2 on that day or later, … each step within `window_days` days of the day of step 1
 * (step k's day − step 1's day < window_days), all within the range. An install counts once per
 * step if any of its step-1 days starts such a sequence. Events of one day are not ordered
 * (a day is the finest the install-day rows keep), so steps on the same day count in any order.
 * With `by`, installs are grouped by their OS or version on the first day they sent step 1,
 * groups under the minimum merged into `(other)`. Every step count goes through the small-group
 * rule: `"< k"`, or `"> n"` when the installs it loses from the step before are that few.
 */

export interface FunnelStep {
  event: string;
  installs: CountCell;
}

export interface Funnel {
  granularity: "day";
  window_days: number;
  steps: FunnelStep[];
  by?: { dimension: "os" | "app_version"; groups: { value: string; steps: FunnelStep[] }[] };
}

export async function readFunnel(
  databases: EventDatabases,
  app: string,
  range: Range,
  steps: readonly string[],
  windowDays: number,
  by: "os" | "app_version" | undefined,
  minInstalls: number,
): Promise<Funnel> {
  const bits = steps.map((event) => eventBitOf(app, event));
  await requireExact(databases, app, range);
  const ctes = [
    `s1 AS (SELECT distinct_id, day AS start, day AS d FROM daily_active_installs
      WHERE app = ?1 AND day BETWEEN ?2 AND ?3 AND features & ${2 ** (bits[0] as number)} <> 0)`,
    ...bits.slice(1).map(
      (bit, i) => `s${i + 2} AS (SELECT p.distinct_id, p.start, MIN(r.day) AS d FROM s${i + 1} AS p
      JOIN daily_active_installs AS r ON r.app = ?1 AND r.distinct_id = p.distinct_id
      WHERE r.day >= p.d AND r.day <= ?3 AND julianday(r.day) - julianday(p.start) < ?4 AND r.features & ${2 ** bit} <> 0
      GROUP BY p.distinct_id, p.start)`,
    ),
    `grp AS (SELECT s.distinct_id, ${by ? `CASE WHEN a.${by} = '' THEN '(unknown)' ELSE a.${by} END` : "''"} AS g
      FROM (SELECT distinct_id, MIN(start) AS first FROM s1 GROUP BY distinct_id) AS s
      JOIN daily_active_installs AS a ON a.app = ?1 AND a.day = s.first AND a.distinct_id = s.distinct_id)`,
  ];
  const reached = bits.map((_, i) => `r${i + 1} AS (SELECT DISTINCT distinct_id FROM s${i + 1})`);
  const sql = `WITH ${[...ctes, ...reached].join(",\n")}
SELECT grp.g AS g, ${bits.map((_, i) => `COUNT(r${i + 1}.distinct_id) AS n${i}`).join(", ")}
FROM grp ${bits.map((_, i) => `LEFT JOIN r${i + 1} ON r${i + 1}.distinct_id = grp.distinct_id`).join(" ")}
GROUP BY grp.g`;
  const perGroup = new Map<string, number[]>();
  for (const db of databases.all) {
    const rows = await db
      .prepare(sql)
      .bind(app, range.from, range.to, windowDays)
      .all<Record<string, number | string>>();
    for (const row of rows.results) {
      const counts = perGroup.get(String(row.g)) ?? bits.map(() => 0);
      perGroup.set(
        String(row.g),
        counts.map((n, i) => n + Number(row[`n${i}`] ?? 0)),
      );
    }
  }
  const totals = bits.map((_, i) => [...perGroup.values()].reduce((n, counts) => n + (counts[i] ?? 0), 0));
  const published = (counts: readonly number[]): FunnelStep[] =>
    steps.map((event, i) => ({
      event,
      installs:
        (counts[0] ?? 0) < minInstalls && (counts[0] ?? 0) > 0
          ? `< ${minInstalls}`
          : countCell(counts[i] ?? 0, minInstalls, i === 0 ? undefined : counts[i - 1]),
    }));
  const funnel: Funnel = { granularity: "day", window_days: windowDays, steps: published(totals) };
  if (by) {
    // Groups partition the installs of step 1: the rule merges small groups into (other).
    const cells = hideSmallGroups(
      [...perGroup].map(([value, counts]) => ({ value, installs: counts[0] ?? 0 })),
      minInstalls,
    );
    const shown = new Set(cells.map((cell) => cell.value));
    const other = bits.map((_, i) =>
      [...perGroup].reduce((n, [value, counts]) => n + (shown.has(value) && value !== OTHER ? 0 : (counts[i] ?? 0)), 0),
    );
    funnel.by = {
      dimension: by,
      groups: cells.map((cell) => ({
        value: cell.value,
        steps: published(cell.value === OTHER ? other : (perGroup.get(cell.value) ?? [])),
      })),
    };
  }
  return funnel;
}
