import type { BatchMessage } from "../ingest/queue-message";
import { utcDay } from "../lib/time";

/**
 * Rows are bound as one JSON array per statement and expanded with json_each, so a whole
 * delivery is a handful of statements instead of one per event. A bound string must stay
 * under D1's 2 MB value limit; chunks are cut well below it.
 */
const MAX_CHUNK_CHARS = 900_000;

// Aggregates count only events whose uuid is not stored yet. The raw insert comes after them
// in the same transaction, so an event redelivered later (or resent by a client) finds its
// uuid and adds nothing: exactly-once aggregates from at-least-once delivery.
const COUNT_NEW_EVENTS = `
INSERT INTO daily_event_counts (app, day, event, app_version, os, count)
SELECT r.value->>'a', r.value->>'day', r.value->>'e', r.value->>'v', r.value->>'o', count(*)
FROM json_each(?1) AS r
WHERE NOT EXISTS (SELECT 1 FROM events WHERE uuid = r.value->>'u')
GROUP BY 1, 2, 3, 4, 5
ON CONFLICT (app, day, event, app_version, os) DO UPDATE SET count = count + excluded.count`;

// With the install's dimensions as first seen that day: the key is (app, day, distinct_id),
// so a later event of the same install that day (another version, a resend) keeps the first.
const RECORD_ACTIVE_INSTALLS = `
INSERT OR IGNORE INTO daily_active_installs (app, day, distinct_id, app_version, os, country)
SELECT r.value->>'a', r.value->>'day', r.value->>'d', r.value->>'v', r.value->>'o', COALESCE(r.value->>'c', '')
FROM json_each(?1) AS r ORDER BY r.key`;

const INSERT_RAW_EVENTS = `
INSERT OR IGNORE INTO events
  (uuid, app, event, distinct_id, timestamp, received_at, day, app_version, os, country, tenant_id, properties)
SELECT r.value->>'u', r.value->>'a', r.value->>'e', r.value->>'d', r.value->>'t', r.value->>'r',
       r.value->>'day', r.value->>'v', r.value->>'o', r.value->>'c', r.value->>'tn', r.value->>'p'
FROM json_each(?1) AS r`;

// Per-batch counters are gated on the batch id, recorded last in the same transaction.
const COUNT_REJECTIONS = `
INSERT INTO daily_rejections (app, day, error, count)
SELECT r.value->>'a', r.value->>'day', r.value->>'k', r.value->>'n' FROM json_each(?1) AS r
WHERE NOT EXISTS (SELECT 1 FROM processed_batches WHERE batch_id = r.value->>'b')
ON CONFLICT (app, day, error) DO UPDATE SET count = count + excluded.count`;

const COUNT_DROPPED_PROPERTIES = `
INSERT INTO daily_dropped_properties (app, day, event, property, count)
SELECT r.value->>'a', r.value->>'day', r.value->>'e', r.value->>'k', r.value->>'n' FROM json_each(?1) AS r
WHERE NOT EXISTS (SELECT 1 FROM processed_batches WHERE batch_id = r.value->>'b')
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

  for (const message of messages) {
    const receivedDay = utcDay(message.received_at);
    for (const event of message.events) {
      // The same uuid twice in one delivery: NOT EXISTS cannot see rows of its own statement.
      if (seen.has(event.uuid)) continue;
      seen.add(event.uuid);
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
        droppedRows.push({ b: message.batch_id, a: message.app, day: receivedDay, e: event, k: property, n });
      }
    }
  }

  const statements: D1PreparedStatement[] = [];
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
