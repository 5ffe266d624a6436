import { backendUnavailable } from "../http/errors";

/**
 * What `POST /v1/forget` deletes, and the tombstone it leaves. The tombstone goes first, in the
 * same transaction as the first deletions: from then on the queue consumer stores and counts
 * nothing under the id (events still in the queue are discarded), and exports can leave it out.
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
const DELETE_INSTALL_DAYS = "DELETE FROM daily_active_installs WHERE distinct_id IN (?1, ?2)";
const DELETE_EVENTS = "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE distinct_id IN (?1, ?2) LIMIT ?3)";

export interface Forgotten {
  /** Raw events deleted. */
  events: number;
  /** Per-install daily rows deleted (one per day the install was active). */
  installDays: number;
  /** False when raw events remain (more than one request deletes): call again. */
  complete: boolean;
}

/**
 * Forgets an install: its tombstone, its per-install daily rows and its raw events. `ids` are
 * the spellings it may be stored under (as sent, and lower-cased). Idempotent.
 */
export async function forgetInstall(
  db: D1Database,
  ids: [string, string],
  now: number,
  chunks: DeleteChunks = CHUNKS,
): Promise<Forgotten> {
  const deleteEvents = db.prepare(DELETE_EVENTS).bind(...ids, chunks.size);
  try {
    const [, days, first] = await db.batch([
      db.prepare(RECORD_TOMBSTONE).bind(ids[1], now),
      db.prepare(DELETE_INSTALL_DAYS).bind(...ids),
      deleteEvents,
    ]);
    const forgotten = { events: first?.meta.changes ?? 0, installDays: days?.meta.changes ?? 0, complete: true };
    let last = forgotten.events;
    for (let chunk = 1; last === chunks.size; chunk++) {
      if (chunk === chunks.perRequest) return { ...forgotten, complete: false };
      last = (await deleteEvents.run()).meta.changes;
      forgotten.events += last;
    }
    return forgotten;
  } catch (err) {
    console.error("forgetting an install failed", err);
    throw backendUnavailable("storage_unavailable", "the install could not be forgotten right now; retry later");
  }
}
