import type { InsightShard } from "./insight-rows";

/**
 * The statements that count a delivery's property values (`daily_property_counts`), in the
 * transaction that counts its events (statements.ts), both ways: "all new" adds the counts the
 * plan made in code; "checked" counts only the events the transaction finds new (their fifth
 * item lists their property groups), before their uuids are recorded. The predicate for a new
 * event is statements.ts's own, passed in, so there is one of it.
 */
export function propertyCountStatements(newEvents: string) {
  const INSERT = "INSERT INTO daily_property_counts (app, day, event, os, property, value, count)";
  const CONFLICT = "ON CONFLICT (app, day, event, property, value, os) DO UPDATE SET count = count + excluded.count";
  // ?1 `[app, day, event, os, property, value, count]`.
  const planned = `${INSERT}
SELECT p.value->>0, p.value->>1, p.value->>2, p.value->>3, p.value->>4, p.value->>5, p.value->>6
FROM json_each(?1) AS p WHERE true ${CONFLICT}`;
  // ?1 event rows, ?3 installs (NEW_EVENTS reads them), ?4 `[app, day, event, os, property, value]`.
  const checked = `${INSERT}
SELECT p.value->>0, p.value->>1, p.value->>2, p.value->>3, p.value->>4, p.value->>5, c.n
FROM (SELECT g.value AS pg, count(*) AS n FROM json_each(?1) AS r, json_each(r.value, '$[4]') AS g
      WHERE ${newEvents} GROUP BY pg) AS c
JOIN json_each(?4) AS p ON p.key = c.pg
WHERE ?2 IS NULL ${CONFLICT}`;
  return {
    /** The "all new" way's statement, or none when the shard has no property values. */
    planned(db: D1Database, insights: InsightShard): D1PreparedStatement[] {
      if (insights.propertyGroups.length === 0) return [];
      const rows = insights.propertyGroups.map((row, i) => [...row, insights.propertyCounts[i]]);
      return [db.prepare(planned).bind(JSON.stringify(rows))];
    },
    /** The "checked" way's statement for a chunk of events, to run before their uuids are recorded. */
    checked(db: D1Database, insights: InsightShard, chunk: string, installs: string): D1PreparedStatement[] {
      if (insights.propertyGroups.length === 0) return [];
      return [db.prepare(checked).bind(chunk, null, installs, JSON.stringify(insights.propertyGroups))];
    },
  };
}
