import { OTHER } from "../lib/other";
import { type Counters, DROPPED_NAMES_PER_APP_DAY } from "./plan";

/**
 * The per-request counters of a delivery (rejections, unknown event names, dropped property
 * names), written into the first event database in the delivery's transaction (statements.ts).
 * A request's counters are gated on its batch id, recorded last in the same transaction, so a
 * redelivered message counts its request's refusals once.
 */

const COUNT_REJECTIONS = `
INSERT INTO daily_rejections (app, day, error, count)
SELECT r.value->>'a', r.value->>'day', r.value->>'k', r.value->>'n' FROM json_each(?1) AS r
WHERE NOT EXISTS (SELECT 1 FROM processed_batches WHERE batch_id = r.value->>'b')
ON CONFLICT (app, day, error) DO UPDATE SET count = count + excluded.count`;

const COUNT_DROPPED_PROPERTIES = `
INSERT INTO daily_dropped_properties (app, day, event, property, count)
SELECT a, day, e, name, SUM(n) FROM (
  SELECT r.value->>'a' AS a, r.value->>'day' AS day, r.value->>'e' AS e, r.value->>'n' AS n,
         CASE WHEN EXISTS (SELECT 1 FROM daily_dropped_properties AS d
                           WHERE d.app = r.value->>'a' AND d.day = r.value->>'day' AND d.property = r.value->>'k')
                OR (SELECT COUNT(DISTINCT d.property) FROM daily_dropped_properties AS d
                    WHERE d.app = r.value->>'a' AND d.day = r.value->>'day') < ${DROPPED_NAMES_PER_APP_DAY}
              THEN r.value->>'k' ELSE '${OTHER}' END AS name
  FROM json_each(?1) AS r
  WHERE NOT EXISTS (SELECT 1 FROM processed_batches WHERE batch_id = r.value->>'b')
) WHERE true GROUP BY a, day, e, name
ON CONFLICT (app, day, event, property) DO UPDATE SET count = count + excluded.count`;

const COUNT_UNKNOWN_EVENTS = `
INSERT INTO daily_unknown_events (app, day, event, count)
SELECT r.value->>'a', r.value->>'day', r.value->>'e', SUM(r.value->>'n') FROM json_each(?1) AS r
WHERE NOT EXISTS (SELECT 1 FROM processed_batches WHERE batch_id = r.value->>'b')
GROUP BY r.value->>'a', r.value->>'day', r.value->>'e'
ON CONFLICT (app, day, event) DO UPDATE SET count = count + excluded.count`;

const RECORD_BATCHES = `
INSERT OR IGNORE INTO processed_batches (batch_id, processed_at)
SELECT r.value, ?2 FROM json_each(?1) AS r`;

/** The counter statements of a delivery, in order, the batch ids last; none when it carries no request's counters. */
export function counterStatements(db: D1Database, counters: Counters, now: number): D1PreparedStatement[] {
  const statements: D1PreparedStatement[] = [];
  if (counters.batchIds.length === 0) return statements;
  if (counters.rejections.length > 0) {
    statements.push(db.prepare(COUNT_REJECTIONS).bind(JSON.stringify(counters.rejections)));
  }
  if (counters.unknownEvents.length > 0) {
    statements.push(db.prepare(COUNT_UNKNOWN_EVENTS).bind(JSON.stringify(counters.unknownEvents)));
  }
  if (counters.dropped.length > 0) {
    statements.push(db.prepare(COUNT_DROPPED_PROPERTIES).bind(JSON.stringify(counters.dropped)));
  }
  statements.push(db.prepare(RECORD_BATCHES).bind(JSON.stringify(counters.batchIds), now));
  return statements;
}
