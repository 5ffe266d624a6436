/**
 * Parked queue messages in D1: what the dead-letter consumer keeps until an operator re-drives
 * it. Parking is idempotent on the message id, so a dead letter delivered twice is kept once.
 */

export interface ParkedMessage {
  id: string;
  queue: string;
  body: string;
  attempts: number;
  parked_at: number;
}

export async function parkMessages(db: D1Database, messages: readonly ParkedMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await db
    .prepare(
      `INSERT OR IGNORE INTO parked_messages (id, queue, body, attempts, parked_at)
       SELECT r.value->>'id', r.value->>'queue', r.value->>'body', r.value->>'attempts', r.value->>'parked_at'
       FROM json_each(?1) AS r`,
    )
    .bind(JSON.stringify(messages))
    .run();
}

/** The oldest parked messages of a queue, at most `limit`. */
export async function oldestParked(db: D1Database, queue: string, limit: number): Promise<ParkedMessage[]> {
  const { results } = await db
    .prepare(
      "SELECT id, queue, body, attempts, parked_at FROM parked_messages WHERE queue = ?1 ORDER BY parked_at LIMIT ?2",
    )
    .bind(queue, limit)
    .all<ParkedMessage>();
  return results;
}

export async function deleteParked(db: D1Database, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .prepare("DELETE FROM parked_messages WHERE id IN (SELECT value FROM json_each(?1))")
    .bind(JSON.stringify(ids))
    .run();
}

export interface ParkedSummary {
  queue: string;
  messages: number;
  oldest_parked_at: number;
}

/** How many messages are parked per queue, and since when. */
export async function parkedSummary(db: D1Database): Promise<ParkedSummary[]> {
  const { results } = await db
    .prepare(
      "SELECT queue, COUNT(*) AS messages, MIN(parked_at) AS oldest_parked_at FROM parked_messages GROUP BY queue ORDER BY queue",
    )
    .all<ParkedSummary>();
  return results;
}
