import type { BatchMessage } from "../ingest/queue-message";
import { utcDay } from "../lib/time";

/**
 * Rows are bound as one JSON array per statement and expanded with json_each, so a whole
 * delivery is a handful of statements instead of one per event. A bound string must stay
 * under D1's 2 MB value limit; chunks are cut well below it.
 */
const MAX_CHUNK_CHARS = 900_000;

/**
 * Client-chosen strings that become aggregate keys are capped per app and day: at most
 * VERSIONS_PER_APP_DAY distinct `app_version` values and DROPPED_NAMES_PER_APP_DAY distinct
 * undeclared property names are kept; the rest are counted as `(other)`. A statement sees the
 * table as it was before it ran, so one delivery may add up to one cap's worth of new values
 * past it (the code keeps a delivery's new values under the cap): a day holds fewer than twice
 * the cap, whatever clients send.
 */
export const VERSIONS_PER_APP_DAY = 100;
export const DROPPED_NAMES_PER_APP_DAY = 50;
export const OTHER = "(other)";

// The versions an app may still use as a dimension on a day: added while the day has room.
const RECORD_VERSIONS = `
INSERT OR IGNORE INTO daily_versions (app, day, app_version)
SELECT r.value->>'a', r.value->>'day', r.value->>'v' FROM json_each(?1) AS r
WHERE (SELECT COUNT(*) FROM daily_versions AS k WHERE k.app = r.value->>'a' AND k.day = r.value->>'day') < ${VERSIONS_PER_APP_DAY}`;

// Nothing is stored or counted under an install forgotten by POST /v1/forget (src/forget/).
const NOT_FORGOTTEN = "NOT EXISTS (SELECT 1 FROM forgotten_installs WHERE distinct_id = r.value->>'d')";

// An event's version if the day has room for it (RECORD_VERSIONS), else (other).
const CAPPED_VERSION = `CASE WHEN EXISTS (SELECT 1 FROM daily_versions AS k
  WHERE k.app = r.value->>'a' AND k.day = r.value->>'day' AND k.app_version = r.value->>'v')
  THEN r.value->>'v' ELSE '${OTHER}' END`;

// Aggregates count only events whose uuid is not stored yet. The raw insert comes after them
// in the same transaction, so an event redelivered later (or resent by a client) finds its
// uuid and adds nothing: exactly-once aggregates from at-least-once delivery.
const COUNT_NEW_EVENTS = `
INSERT INTO daily_event_counts (app, day, event, app_version, os, count)
SELECT r.value->>'a', r.value->>'day', r.value->>'e', ${CAPPED_VERSION}, r.value->>'o', count(*)
FROM json_each(?1) AS r
WHERE NOT EXISTS (SELECT 1 FROM events WHERE uuid = r.value->>'u') AND ${NOT_FORGOTTEN}
GROUP BY 1, 2, 3, 4, 5
ON CONFLICT (app, day, event, app_version, os) DO UPDATE SET count = count + excluded.count`;

// With the install's dimensions as first seen that day (its version capped as in the event
// counts): the key is (app, day, distinct_id), so a later event of the same install that day
// (another version, a resend) keeps the first.
const RECORD_ACTIVE_INSTALLS = `
INSERT OR IGNORE INTO daily_active_installs (app, day, distinct_id, app_version, os, country)
SELECT r.value->>'a', r.value->>'day', r.value->>'d', ${CAPPED_VERSION}, r.value->>'o', COALESCE(r.value->>'c', '')
FROM json_each(?1) AS r WHERE ${NOT_FORGOTTEN} ORDER BY r.key`;

const INSERT_RAW_EVENTS = `
INSERT OR IGNORE INTO events
  (uuid, app, event, distinct_id, timestamp, received_at, day, app_version, os, country, tenant_id, properties)
SELECT r.value->>'u', r.value->>'a', r.value->>'e', r.value->>'d', r.value->>'t', r.value->>'r',
       r.value->>'day', r.value->>'v', r.value->>'o', r.value->>'c', r.value->>'tn', r.value->>'p'
FROM json_each(?1) AS r WHERE ${NOT_FORGOTTEN}`;

// Per-batch counters are gated on the batch id, recorded last in the same transaction.
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

const RECORD_BATCHES = `
INSERT OR IGNORE INTO processed_batches (batch_id, processed_at)
SELECT r.value, ?2 FROM json_each(?1) AS r`;

/**
 * The statements that store one Queue delivery: raw events, daily aggregates and per-batch
 * counters. Run them with one `db.batch()`, which D1 executes as a single transaction.
 */
export function deliveryStatements(
  db: D1Database,
  messages: readonly BatchMessage[],
  now: number,
): D1PreparedStatement[] {
  const eventRows: string[] = [];
  const seen = new Set<string>();
  const rejectionRows: unknown[] = [];
  const droppedRows: unknown[] = [];
  const versions = new CappedValues(VERSIONS_PER_APP_DAY);
  const droppedNames = new CappedValues(DROPPED_NAMES_PER_APP_DAY);

  for (const message of messages) {
    const receivedDay = utcDay(message.received_at);
    for (const event of message.events) {
      // The same uuid twice in one delivery: NOT EXISTS cannot see rows of its own statement.
      if (seen.has(event.uuid)) continue;
      seen.add(event.uuid);
      versions.add(message.app, utcDay(event.timestamp), event.app_version);
      eventRows.push(
        JSON.stringify({
          u: event.uuid,
          a: message.app,
          e: event.event,
          d: event.distinct_id,
          t: event.timestamp,
          r: message.received_at,
          day: utcDay(event.timestamp),
          v: event.app_version,
          o: event.os,
          c: message.country,
          tn: message.tenant_id,
          p: JSON.stringify(event.properties),
        }),
      );
    }
    for (const [error, n] of Object.entries(message.rejections)) {
      rejectionRows.push({ b: message.batch_id, a: message.app, day: receivedDay, k: error, n });
    }
    for (const [event, names] of Object.entries(message.dropped_properties)) {
      for (const [property, n] of Object.entries(names)) {
        const k = droppedNames.add(message.app, receivedDay, property) ? property : OTHER;
        droppedRows.push({ b: message.batch_id, a: message.app, day: receivedDay, e: event, k, n });
      }
    }
  }

  const statements: D1PreparedStatement[] = [];
  if (versions.rows.length > 0) statements.push(db.prepare(RECORD_VERSIONS).bind(JSON.stringify(versions.rows)));
  for (const chunk of jsonChunks(eventRows)) {
    statements.push(
      db.prepare(COUNT_NEW_EVENTS).bind(chunk),
      db.prepare(RECORD_ACTIVE_INSTALLS).bind(chunk),
      db.prepare(INSERT_RAW_EVENTS).bind(chunk),
    );
  }
  if (rejectionRows.length > 0) statements.push(db.prepare(COUNT_REJECTIONS).bind(JSON.stringify(rejectionRows)));
  if (droppedRows.length > 0) statements.push(db.prepare(COUNT_DROPPED_PROPERTIES).bind(JSON.stringify(droppedRows)));
  statements.push(db.prepare(RECORD_BATCHES).bind(JSON.stringify(messages.map((m) => m.batch_id)), now));
  return statements;
}

/** The distinct values of a delivery per app and day, at most `cap` of them for each. */
class CappedValues {
  readonly rows: { a: string; day: string; v: string }[] = [];
  private readonly seen = new Map<string, Set<string>>();

  constructor(private readonly cap: number) {}

  /** True if the value is kept (seen before in this delivery, or there was room for it). */
  add(app: string, day: string, value: string): boolean {
    const key = `${app}\u0000${day}`;
    const values = this.seen.get(key) ?? new Set<string>();
    this.seen.set(key, values);
    if (values.has(value)) return true;
    if (values.size >= this.cap) return false;
    values.add(value);
    this.rows.push({ a: app, day, v: value });
    return true;
  }
}

/** Joins serialised rows into JSON arrays of at most MAX_CHUNK_CHARS characters each. */
function jsonChunks(rows: readonly string[]): string[] {
  const chunks: string[] = [];
  let current: string[] = [];
  let size = 2;
  for (const row of rows) {
    if (current.length > 0 && size + row.length + 1 > MAX_CHUNK_CHARS) {
      chunks.push(`[${current.join(",")}]`);
      current = [];
      size = 2;
    }
    current.push(row);
    size += row.length + 1;
  }
  if (current.length > 0) chunks.push(`[${current.join(",")}]`);
  return chunks;
}
