import type { EventDatabases } from "../lib/event-databases";
import { daysBetween } from "../lib/time";
import { readDailyInstalls } from "./installs";

/** Daily counts of one app for the stats API, read from the aggregates. */

export interface DayStats {
  day: string;
  events: Record<string, number>;
  active_installs: number;
  rejected: Record<string, number>;
}

export interface EventStats {
  app: string;
  from: string;
  to: string;
  days: DayStats[];
  /** Distinct installs over the whole range. */
  active_installs: number;
  /**
   * False when `active_installs` is an estimate: the range reaches days older than
   * EXACT_INSTALL_DAYS, whose installs are kept as sketches (relative standard error 1.6 %).
   * Per-day counts are always exact.
   */
  active_installs_exact: boolean;
  /** Undeclared properties dropped over the whole range (by received day), by event then name. */
  dropped_properties: Record<string, Record<string, number>>;
  /** Events refused as unknown over the range (by received day), by name: a catalogue name, or "(other)". */
  unknown_events: Record<string, number>;
}

/**
 * Daily event counts, active installs, rejections and dropped properties of one app: one D1
 * round trip per event database (counts and installs add up across them), per-request
 * counters from the first one.
 */
export async function readEventStats(
  databases: EventDatabases,
  app: string,
  from: string,
  to: string,
): Promise<EventStats> {
  const { primary } = databases;
  const [countsPerDatabase, installs, [rejections, dropped, unknown]] = await Promise.all([
    Promise.all(
      databases.all.map((db) =>
        db
          .prepare(
            "SELECT day, event, SUM(count) AS n FROM daily_event_counts WHERE app = ?1 AND day BETWEEN ?2 AND ?3 GROUP BY day, event",
          )
          .bind(app, from, to)
          .all<{ day: string; event: string; n: number }>(),
      ),
    ),
    readDailyInstalls(databases, app, from, to),
    primary.batch([
      primary
        .prepare(
          "SELECT day, error, SUM(count) AS n FROM daily_rejections WHERE app = ?1 AND day BETWEEN ?2 AND ?3 GROUP BY day, error",
        )
        .bind(app, from, to),
      primary
        .prepare(
          `SELECT event, property, SUM(count) AS n FROM daily_dropped_properties
           WHERE app = ?1 AND day BETWEEN ?2 AND ?3 GROUP BY event, property`,
        )
        .bind(app, from, to),
      primary
        .prepare(
          "SELECT event, SUM(count) AS n FROM daily_unknown_events WHERE app = ?1 AND day BETWEEN ?2 AND ?3 GROUP BY event",
        )
        .bind(app, from, to),
    ]),
  ]);

  const byDay = new Map<string, DayStats>(
    daysBetween(from, to).map((day) => [day, { day, events: {}, active_installs: 0, rejected: {} }]),
  );
  for (const counts of countsPerDatabase) {
    for (const row of counts.results) {
      const day = byDay.get(row.day);
      if (day) day.events[row.event] = (day.events[row.event] ?? 0) + row.n;
    }
  }
  for (const [dayName, n] of installs.byDay) {
    const day = byDay.get(dayName);
    if (day) day.active_installs = n;
  }
  for (const row of (rejections?.results ?? []) as { day: string; error: string; n: number }[]) {
    const day = byDay.get(row.day);
    if (day) day.rejected[row.error] = row.n;
  }
  const droppedProperties: Record<string, Record<string, number>> = {};
  for (const row of (dropped?.results ?? []) as { event: string; property: string; n: number }[]) {
    droppedProperties[row.event] = { ...droppedProperties[row.event], [row.property]: row.n };
  }
  return {
    app,
    from,
    to,
    days: [...byDay.values()],
    active_installs: installs.distinct,
    active_installs_exact: installs.exact,
    dropped_properties: droppedProperties,
    unknown_events: Object.fromEntries(
      ((unknown?.results ?? []) as { event: string; n: number }[]).map((row) => [row.event, row.n]),
    ),
  };
}
