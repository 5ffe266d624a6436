import type { InsightShard } from "./insight-rows";

/**
 * The statements that count a delivery's property values (`daily_property_counts`), in the
 * transaction that counts its events (statements.ts), both ways: "all new" adds the counts the
 * plan made in code; "checked" counts only the events the transaction finds new (their fifth
 * item lists their property groups), before their uuids are recorded. The predicate for a new
 * event and the version cap are statements.ts's own, passed in, so there is one of each.
 */
export function propertyCountStatements(capped: (at: number) => string, newEvents: string) {
  const INSERT = `INSERT INTO daily_property_counts (app, day, event, property, value, app_version, os, count)`;
  const CONFLICT = `ON CONFLICT (app, day, event, property, value, app_version, os) DO UPDATE SET count = count + excluded.count`;
  // ?1 `[group, property, value, count]`, ?2 the shard's count groups.
  const planned = `${INSERT}
SELECT x.value->>0, x.value->>1, x.value->>2, p.value->>1, p.value->>2, ${capped(3)}, x.value->>4, p.value->>3
FROM json_each(?1) AS p JOIN json_each(?2) AS x ON x.key = p.value->>0
WHERE true ${CONFLICT}`;
  // ?1 event rows, ?2 count groups, ?3 installs, ?4 `[group, property, value]`.
  const checked = `${INSERT}
SELECT x.value->>0, x.value->>1, x.value->>2, p.value->>1, p.value->>2, ${capped(3)}, x.value->>4, c.n
FROM (SELECT g.value AS pg, count(*) AS n FROM json_each(?1) AS r, json_each(r.value, '$[4]') AS g
      WHERE ${newEvents} GROUP BY pg) AS c
JOIN json_each(?4) AS p ON p.key = c.pg
JOIN json_each(?2) AS x ON x.key = p.value->>0
WHERE true ${CONFLICT}`;
  return {
    /** The "all new" way's statement, or none when the shard has no property values. */
    planned(db: D1Database, insights: InsightShard, groups: string): D1PreparedStatement[] {
      if (insights.propertyGroups.length === 0) return [];
      const rows = insights.propertyGroups.map((row, i) => [...row, insights.propertyCounts[i]]);
      return [db.prepare(planned).bind(JSON.stringify(rows), groups)];
    },
    /** The "checked" way's statement for a chunk of events, to run before their uuids are recorded. */
    checked(db: D1Database, insights: InsightShard, chunk: string, groups: string, installs: string) {
      if (insights.propertyGroups.length === 0) return [];
      return [db.prepare(checked).bind(chunk, groups, installs, JSON.stringify(insights.propertyGroups))];
    },
  };
}
