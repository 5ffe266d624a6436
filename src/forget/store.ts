import { scheduleScrubs } from "../archive/scrub-requests";
import { MAX_FUTURE_MS } from "../ingest/clock";
import type { EventDatabases } from "../lib/event-databases";
import { DAY_MS, daysBetween, utcDay } from "../lib/time";
import { holdForArchive, recordTombstone } from "./tombstones";

/**
 * What `POST /v1/forget` deletes, and the tombstone it leaves, in the event database the
 * install belongs to (EVENT_DATABASES). The tombstone is written first: from then on the queue
 * consumer stores, counts and archives nothing under the id, and the forwarder sends nothing
 * of it (events still in the queues are discarded). Then its raw rows in D1 (the debugging
 * window, and rows from before raw events moved to R2), then the archive days to rewrite
 * without it, then its daily rows. The archive is partitioned by the day events arrived: each
 * per-install row records the first and last day its events arrived on, and exactly those
 * days are scheduled; the hourly job rewrites them (src/archive/scrub.ts). A row from before
 * arrival days were recorded stands for the days its events could have arrived on: from the
 * day before its own to RAW_EVENT_RETENTION_DAYS after it (and no later than today).
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

/** What a forget needs to know of the deployment (tombstones.ts computes them from the vars). */
export interface ForgetBounds {
  rawRetentionDays: number;
  /** How long the tombstone stops events sent before the forget. */
  tombstoneLifetimeMs: number;
  /** The first arrival day the install's per-install rows let the archive rewrite reach. */
  archiveReachedFrom: string;
}

interface InstallDay {
  app: string;
  day: string;
  first_received: string | null;
  last_received: string | null;
}

/** Per app, the days the install's events arrived on, up to today. */
function arrivalDays(rows: readonly InstallDay[], rawRetentionDays: number, now: number) {
  const today = utcDay(now);
  const days = new Set<string>();
  for (const row of rows) {
    const t = Date.parse(`${row.day}T00:00:00Z`);
    const first = row.first_received ?? utcDay(t - DAY_MS);
    const last = row.last_received ?? utcDay(t + rawRetentionDays * DAY_MS);
    for (const day of daysBetween(first, last < today ? last : today)) days.add(`${row.app}\u0000${day}`);
  }
  return [...days].map((key) => {
    const [app, day] = key.split("\u0000") as [string, string];
    return { app, day };
  });
}

const INSTALL_DAYS = `SELECT app, day, first_received, last_received FROM daily_active_installs
  WHERE distinct_id IN (?1, ?2) ORDER BY day`;
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
 * per-install daily rows. `ids` are the spellings it may be stored under (as sent, and the
 * canonical one, which picks its database and names the tombstone). Idempotent.
 */
export async function forgetInstall(
  databases: EventDatabases,
  ids: [string, string],
  now: number,
  bounds: ForgetBounds,
  chunks: DeleteChunks = CHUNKS,
): Promise<Forgotten> {
  // The tombstone goes into every event database (each transaction reads its own); the
  // install's rows are in the databases it was placed in, one per day of its events.
  const all = databases.all;
  const found = await Promise.all(
    all.map(async (db) => {
      const [, rows] = await db.batch([
        recordTombstone(db, ids[1], now, bounds.tombstoneLifetimeMs),
        db.prepare(INSTALL_DAYS).bind(...ids),
      ]);
      return (rows?.results ?? []) as InstallDay[];
    }),
  );
  const rows = found.flat().sort((a, b) => a.day.localeCompare(b.day));
  const first = rows[0]?.day;
  if (!first) return { events: 0, installDays: 0, archiveDays: 0, complete: true }; // never seen, or already forgotten
  // An event's day is that of its timestamp, which may run up to MAX_FUTURE_MS ahead of its receipt.
  const since = Date.parse(`${first}T00:00:00Z`) - MAX_FUTURE_MS;
  let events = 0;
  let chunk = 0;
  for (const db of all) {
    const deleteEvents = db.prepare(DELETE_EVENTS).bind(...ids, since, chunks.size);
    for (; ; chunk++) {
      if (chunk === chunks.perRequest) return { events, installDays: 0, archiveDays: 0, complete: false };
      const deleted = (await deleteEvents.run()).meta.changes;
      events += deleted;
      if (deleted < chunks.size) break;
    }
  }
  const archiveDays = arrivalDays(rows, bounds.rawRetentionDays, now);
  await scheduleScrubs(
    databases.primary,
    archiveDays.map(({ app, day }) => ({ app, day, distinctId: ids[1] })),
    now,
  ).run();
  // Last: while raw rows or archive days remain to be found, these rows say where to look.
  // The install had stored events, so older ones may sit where no row leads: the tombstone
  // keeps them out of exports until the archive no longer holds objects that old.
  let installDays = 0;
  for (const db of all) {
    const [, deletedDays] = await db.batch([
      holdForArchive(db, ids[1], bounds.archiveReachedFrom),
      db.prepare(DELETE_INSTALL_DAYS).bind(...ids),
    ]);
    installDays += deletedDays?.meta.changes ?? 0;
  }
  return { events, installDays, archiveDays: archiveDays.length, complete: true };
}
