import { scheduleScrubs } from "../archive/scrub";
import { backendUnavailable } from "../http/errors";
import { MAX_FUTURE_MS } from "../ingest/clock";
import type { EventDatabases } from "../lib/event-databases";
import { DAY_MS, utcDay } from "../lib/time";

/**
 * What `POST /v1/forget` deletes, and the tombstone it leaves, in the event database the
 * install belongs to (EVENT_DATABASES). The tombstone is written first: from then on the queue
 * consumer stores, counts and archives nothing under the id (events still in the queue are
 * discarded). Then its raw rows in D1 (the debugging window, and rows from before raw events
 * moved to R2), then the archive days to rewrite without it, then its daily rows. The archive
 * is partitioned by the day events arrived, which is from the day before an event's own day
 * to RAW_EVENT_RETENTION_DAYS after it: the days from the day before the install's first
 * active day to the retention after its last (and no later than today) are scheduled, and the
 * hourly job rewrites them (src/archive/scrub.ts).
 *
 * Raw rows have no index by install id: one would be a random insert into a large index for
 * every event stored, for the sake of a rare request. They are found through the
 * `received_at` index instead, from the install's first active day on, and not at all for an
 * id the collector never saw (its daily rows, indexed by install id, say so).
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

/** Per app, the days its events of `active` days may have arrived on: a day before to the retention after, up to today. */
function arrivalDays(active: readonly { app: string; day: string }[], rawRetentionDays: number, now: number) {
  const spans = new Map<string, { first: number; last: number }>();
  for (const { app, day } of active) {
    const t = Date.parse(`${day}T00:00:00Z`);
    const span = spans.get(app) ?? { first: t, last: t };
    spans.set(app, { first: Math.min(span.first, t), last: Math.max(span.last, t) });
  }
  const days: { app: string; day: string }[] = [];
  for (const [app, { first, last }] of spans) {
    const end = Math.min(last + rawRetentionDays * DAY_MS, now);
    for (let t = first - DAY_MS; t <= end; t += DAY_MS) days.push({ app, day: utcDay(t) });
  }
  return days;
}

const RECORD_TOMBSTONE = "INSERT OR IGNORE INTO forgotten_installs (distinct_id, forgotten_at) VALUES (?1, ?2)";
const ACTIVE_DAYS = "SELECT DISTINCT app, day FROM daily_active_installs WHERE distinct_id IN (?1, ?2) ORDER BY day";
const DELETE_EVENTS = `
DELETE FROM events WHERE id IN (
  SELECT id FROM events WHERE received_at >= ?3 AND distinct_id IN (?1, ?2) LIMIT ?4)`;
const DELETE_INSTALL_DAYS = "DELETE FROM daily_active_installs WHERE distinct_id IN (?1, ?2)";

export interface Forgotten {
  /** Raw events deleted from D1. */
  events: number;
  /** Per-install daily rows deleted (one per day the install was active). */
  installDays: number;
  /** Archive days (app and day of arrival) to be rewritten without the install's events. */
  archiveDays: number;
  /** False when raw events remain (more than one request deletes): call again. */
  complete: boolean;
}

/**
 * Forgets an install: its tombstone, its raw rows, its archived events (scheduled) and its
 * per-install daily rows. `ids` are the spellings it may be stored under (as sent, and
 * lower-cased, the canonical one, which picks its database). Idempotent.
 */
export async function forgetInstall(
  databases: EventDatabases,
  ids: [string, string],
  now: number,
  rawRetentionDays: number,
  chunks: DeleteChunks = CHUNKS,
): Promise<Forgotten> {
  const db = databases.all[databases.shardOf(ids[1])] as D1Database;
  try {
    const [, active] = await db.batch([
      db.prepare(RECORD_TOMBSTONE).bind(ids[1], now),
      db.prepare(ACTIVE_DAYS).bind(...ids),
    ]);
    const days = (active?.results ?? []) as { app: string; day: string }[];
    const first = days[0]?.day;
    if (!first) return { events: 0, installDays: 0, archiveDays: 0, complete: true }; // never seen, or already forgotten
    // An event's day is that of its timestamp, which may run up to MAX_FUTURE_MS ahead of its receipt.
    const since = Date.parse(`${first}T00:00:00Z`) - MAX_FUTURE_MS;
    const deleteEvents = db.prepare(DELETE_EVENTS).bind(...ids, since, chunks.size);
    let events = 0;
    for (let chunk = 0; ; chunk++) {
      if (chunk === chunks.perRequest) return { events, installDays: 0, archiveDays: 0, complete: false };
      const deleted = (await deleteEvents.run()).meta.changes;
      events += deleted;
      if (deleted < chunks.size) break;
    }
    const archiveDays = arrivalDays(days, rawRetentionDays, now);
    await scheduleScrubs(
      databases.primary,
      archiveDays.map(({ app, day }) => ({ app, day, distinctId: ids[1] })),
      now,
    ).run();
    // Last: while raw rows or archive days remain to be found, these rows say where to look.
    const deletedDays = await db
      .prepare(DELETE_INSTALL_DAYS)
      .bind(...ids)
      .run();
    return { events, installDays: deletedDays.meta.changes, archiveDays: archiveDays.length, complete: true };
  } catch (err) {
    console.error("forgetting an install failed", err);
    throw backendUnavailable("storage_unavailable", "the install could not be forgotten right now; retry later");
  }
}
