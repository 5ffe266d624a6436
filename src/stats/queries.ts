import { daysBetween } from "../lib/time";

/** Daily counts of one app for the stats API, read from the aggregates in one D1 round trip. */

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
  /** Undeclared properties dropped over the whole range (by received day), by event then name. */
  dropped_properties: Record<string, Record<string, number>>;
}

/** Daily event counts, active installs, rejections and dropped properties of one app, in one D1 round trip. */
export async function readEventStats(db: D1Database, app: string, from: string, to: string): Promise<EventStats> {
  const [counts, installs, distinct, rejections, dropped] = await db.batch([
    db
      .prepare(
        "SELECT day, event, SUM(count) AS n FROM daily_event_counts WHERE app = ?1 AND day BETWEEN ?2 AND ?3 GROUP BY day, event",
      )
      .bind(app, from, to),
    db
      .prepare(
        "SELECT day, COUNT(*) AS n FROM daily_active_installs WHERE app = ?1 AND day BETWEEN ?2 AND ?3 GROUP BY day",
      )
      .bind(app, from, to),
    db
      .prepare(
        "SELECT COUNT(DISTINCT distinct_id) AS n FROM daily_active_installs WHERE app = ?1 AND day BETWEEN ?2 AND ?3",
      )
      .bind(app, from, to),
    db
      .prepare(
        "SELECT day, error, SUM(count) AS n FROM daily_rejections WHERE app = ?1 AND day BETWEEN ?2 AND ?3 GROUP BY day, error",
      )
      .bind(app, from, to),
    db
      .prepare(
        `SELECT event, property, SUM(count) AS n FROM daily_dropped_properties
         WHERE app = ?1 AND day BETWEEN ?2 AND ?3 GROUP BY event, property`,
      )
      .bind(app, from, to),
  ]);

  const byDay = new Map<string, DayStats>(
    daysBetween(from, to).map((day) => [day, { day, events: {}, active_installs: 0, rejected: {} }]),
  );
  for (const row of (counts?.results ?? []) as { day: string; event: string; n: number }[]) {
    const day = byDay.get(row.day);
    if (day) day.events[row.event] = row.n;
  }
  for (const row of (installs?.results ?? []) as { day: string; n: number }[]) {
    const day = byDay.get(row.day);
    if (day) day.active_installs = row.n;
  }
  for (const row of (rejections?.results ?? []) as { day: string; error: string; n: number }[]) {
    const day = byDay.get(row.day);
    if (day) day.rejected[row.error] = row.n;
  }
  const droppedProperties: Record<string, Record<string, number>> = {};
  for (const row of (dropped?.results ?? []) as { event: string; property: string; n: number }[]) {
    droppedProperties[row.event] = { ...droppedProperties[row.event], [row.property]: row.n };
  }
  const total = ((distinct?.results ?? [])[0] as { n: number } | undefined)?.n ?? 0;
  return {
    app,
    from,
    to,
    days: [...byDay.values()],
    active_installs: total,
    dropped_properties: droppedProperties,
  };
}
