import type { EventDatabases } from "../lib/event-databases";
import { Sketch } from "../lib/hyperloglog";

/**
 * Active installs over a range of days, from every event database (an install lives in one of
 * them, so their counts add up) and from both forms the consumer leaves: exact per-install rows
 * for the last EXACT_INSTALL_DAYS days, and, for older days, exact daily counts with a
 * HyperLogLog sketch (src/aggregate/install-history.ts).
 *
 * Per-day counts are exact whatever the day. Distinct installs over a range are exact while
 * the range holds no folded day; once it does, they are estimated from the sketches (relative
 * standard error 1.6 %), and each result says which it is.
 */

export type InstallDimension = "app_version" | "os" | "country";

export interface DailyInstalls {
  /** Active installs per day (exact). */
  byDay: Map<string, number>;
  /** Distinct installs over the range. */
  distinct: number;
  /** False when `distinct` is an estimate (the range reaches folded days). */
  exact: boolean;
}

const PER_DAY = `
SELECT day, COUNT(*) AS n FROM daily_active_installs WHERE app = ?1 AND day BETWEEN ?2 AND ?3 GROUP BY day
UNION ALL
SELECT day, installs FROM install_history WHERE app = ?1 AND day BETWEEN ?2 AND ?3 AND dimension = ''`;
const DISTINCT =
  "SELECT COUNT(DISTINCT distinct_id) AS n FROM daily_active_installs WHERE app = ?1 AND day BETWEEN ?2 AND ?3";
const HAS_HISTORY = `SELECT EXISTS (SELECT 1 FROM install_history
  WHERE app = ?1 AND day BETWEEN ?2 AND ?3 AND dimension = '') AS folded`;
const DISTINCT_IDS = "SELECT DISTINCT distinct_id FROM daily_active_installs WHERE app = ?1 AND day BETWEEN ?2 AND ?3";
const HISTORY_SKETCHES = `SELECT dimension, value, sketch FROM install_history
  WHERE app = ?1 AND day BETWEEN ?2 AND ?3 AND (?4 AND dimension IN ('app_version', 'os', 'country') OR dimension = '')`;

export async function readDailyInstalls(
  databases: EventDatabases,
  app: string,
  from: string,
  to: string,
): Promise<DailyInstalls> {
  const perDatabase = await Promise.all(
    databases.all.map(async (db) => {
      const [perDay, distinct, history] = await db.batch([
        db.prepare(PER_DAY).bind(app, from, to),
        db.prepare(DISTINCT).bind(app, from, to),
        db.prepare(HAS_HISTORY).bind(app, from, to),
      ]);
      return {
        perDay: (perDay?.results ?? []) as { day: string; n: number }[],
        distinct: ((distinct?.results[0] as { n: number } | undefined)?.n ?? 0) as number,
        folded: (history?.results[0] as { folded: number } | undefined)?.folded === 1,
      };
    }),
  );
  const byDay = new Map<string, number>();
  for (const { perDay } of perDatabase) {
    for (const row of perDay) byDay.set(row.day, (byDay.get(row.day) ?? 0) + row.n);
  }
  if (!perDatabase.some((db) => db.folded)) {
    return { byDay, distinct: perDatabase.reduce((n, db) => n + db.distinct, 0), exact: true };
  }
  const estimates = await Promise.all(
    databases.all.map(async (db) => (await rangeSketches(db, app, from, to, false)).get("")?.estimate() ?? 0),
  );
  return { byDay, distinct: estimates.reduce((a, b) => a + b, 0), exact: false };
}

/** Whether any event database holds folded days of the app within the range. */
export async function reachesHistory(databases: EventDatabases, app: string, from: string, to: string) {
  const flags = await Promise.all(
    databases.all.map((db) => db.prepare(HAS_HISTORY).bind(app, from, to).first<{ folded: number }>()),
  );
  return flags.some((row) => row?.folded === 1);
}

/**
 * The range's sketches of one database, keyed `dimension\0value` ('' for every install): the
 * folded days' sketches merged, and the per-install rows of the range's recent days added
 * (each install under the values of its last day there, as the exact breakdown counts it).
 */
export async function rangeSketches(
  db: D1Database,
  app: string,
  from: string,
  to: string,
  withDimensions: boolean,
): Promise<Map<string, Sketch>> {
  const sketches = new Map<string, Sketch>();
  const sketchOf = (key: string) => Sketch.of(sketches, key);
  const [history, recent] = await db.batch([
    db.prepare(HISTORY_SKETCHES).bind(app, from, to, withDimensions ? 1 : 0),
    withDimensions ? db.prepare(LATEST_ROWS).bind(app, from, to) : db.prepare(DISTINCT_IDS).bind(app, from, to),
  ]);
  for (const row of (history?.results ?? []) as { dimension: string; value: string; sketch: ArrayBuffer }[]) {
    const key = row.dimension === "" ? "" : `${row.dimension}\u0000${row.value}`;
    sketchOf(key).merge(Sketch.decode(new Uint8Array(row.sketch)));
  }
  for (const row of (recent?.results ?? []) as Record<string, string>[]) {
    const id = row.distinct_id as string;
    sketchOf("").add(id);
    if (!withDimensions) continue;
    for (const dimension of ["app_version", "os", "country"] as const) {
      sketchOf(`${dimension}\u0000${row[dimension] ?? ""}`).add(id);
    }
  }
  return sketches;
}

// Each install's last active day in the range, with that day's values.
const LATEST_ROWS = `
SELECT distinct_id, app_version, os, country FROM (
  SELECT distinct_id, app_version, os, country,
         ROW_NUMBER() OVER (PARTITION BY distinct_id ORDER BY day DESC, app_version, os, country) AS nth
  FROM daily_active_installs WHERE app = ?1 AND day BETWEEN ?2 AND ?3
) WHERE nth = 1`;
