import { backendUnavailable } from "../http/errors";
import { MAX_FUTURE_MS } from "../ingest/clock";

/**
 * What `POST /v1/forget` deletes, and the tombstone it leaves. The tombstone is written first:
 * from then on the queue consumer stores and counts nothing under the id (events still in the
 * queue are discarded), and exports can leave it out. Then the raw events, then the install's
 * daily rows, which are also what tells where its raw events start.
 *
 * Raw events have no index by install id: one would be a random insert into a large index for
 * every event stored, on the hot path, for the sake of a rare request. They are found through
 * the `received_at` index instead, from the install's first active day on: a short range for a
 * young install, at most the retention window for an old one, and nothing at all for an id
 * the collector never saw (its daily rows, indexed by install id, say so).
 */

/**
 * Raw events deleted per statement (each stays far below D1's per-query time limit), and
 * statements per request: an install with more raw events is finished by the next request.
 */
export interface DeleteChunks {
  size: number;
  perRequest: number;
}
const CHUNKS: DeleteChunks = { size: 10_000, perRequest: 10 };

const RECORD_TOMBSTONE = "INSERT OR IGNORE INTO forgotten_installs (distinct_id, forgotten_at) VALUES (?1, ?2)";
const FIRST_ACTIVE_DAY = "SELECT min(day) AS day FROM daily_active_installs WHERE distinct_id IN (?1, ?2)";
const DELETE_EVENTS = `
DELETE FROM events WHERE id IN (
  SELECT id FROM events WHERE received_at >= ?3 AND distinct_id IN (?1, ?2) LIMIT ?4)`;
const DELETE_INSTALL_DAYS = "DELETE FROM daily_active_installs WHERE distinct_id IN (?1, ?2)";

export interface Forgotten {
  /** Raw events deleted. */
  events: number;
  /** Per-install daily rows deleted (one per day the install was active). */
  installDays: number;
  /** False when raw events remain (more than one request deletes): call again. */
  complete: boolean;
}

/**
 * Forgets an install: its tombstone, its raw events and its per-install daily rows. `ids` are
 * the spellings it may be stored under (as sent, and lower-cased). Idempotent.
 */
export async function forgetInstall(
  db: D1Database,
  ids: [string, string],
  now: number,
  chunks: DeleteChunks = CHUNKS,
): Promise<Forgotten> {
  try {
    const [, first] = await db.batch([
      db.prepare(RECORD_TOMBSTONE).bind(ids[1], now),
      db.prepare(FIRST_ACTIVE_DAY).bind(...ids),
    ]);
    const day = (first?.results[0] as { day: string | null } | undefined)?.day;
    if (!day) return { events: 0, installDays: 0, complete: true }; // never seen, or already forgotten
    // An event's day is that of its timestamp, which may run up to MAX_FUTURE_MS ahead of its receipt.
    const since = Date.parse(`${day}T00:00:00Z`) - MAX_FUTURE_MS;
    const deleteEvents = db.prepare(DELETE_EVENTS).bind(...ids, since, chunks.size);
    let events = 0;
    for (let chunk = 0; ; chunk++) {
      if (chunk === chunks.perRequest) return { events, installDays: 0, complete: false };
      const deleted = (await deleteEvents.run()).meta.changes;
      events += deleted;
      if (deleted < chunks.size) break;
    }
    // Last: while raw events remain, these rows say where to look for them.
    const days = await db
      .prepare(DELETE_INSTALL_DAYS)
      .bind(...ids)
      .run();
    return { events, installDays: days.meta.changes, complete: true };
  } catch (err) {
    console.error("forgetting an install failed", err);
    throw backendUnavailable("storage_unavailable", "the install could not be forgotten right now; retry later");
  }
}
