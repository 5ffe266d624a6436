import { exactInstallDaysOf } from "../aggregate/retention";
import { oldestArchivedDay } from "../archive/reader";
import { oldestPendingScrub } from "../archive/scrub";
import { parkedSummary } from "../deadletters/store";
import { ingestLimitsOf } from "../ingest/limits";
import { LONGEST_QUEUE_WAIT_MS } from "../lib/backoff";
import { deleteInChunks } from "../lib/d1";
import { eventDatabases } from "../lib/event-databases";
import { DAY_MS, utcDay } from "../lib/time";

/**
 * Tombstones (`forgotten_installs`, one per forgotten install id, in every event database) and how
 * long they are kept: only while one of the paths out of the collector can still meet an event
 * of the install sent before its forget.
 * 1. The consumer and the forwarder: an event sent before the forget is accepted at most
 *    RAW_EVENT_RETENTION_DAYS after its time (older ones are refused as too_old), waits on the
 *    events queue at most ~92 hours (lib/backoff.ts), and once stored on the forward queue as
 *    long again. `expires_at` is the forget plus that: RAW_EVENT_RETENTION_DAYS + 8 days.
 * 2. The dead letters: a message parked before `expires_at` may hold such events. No tombstone
 *    is purged while one is parked, and a re-drive strips forgotten installs' events from what
 *    it sends back (src/deadletters/routes.ts).
 * 3. The archive rewrite: none is purged while a rewrite it asked for is pending.
 * 4. Exports: the rewrite finds the install's events through its per-install rows, which exist
 *    for EXACT_INSTALL_DAYS; older events (days already folded into sketches) are left out of
 *    every export by the tombstone alone. A forget that found the install's rows sets
 *    `archive_held_before`, and the tombstone stays until the archive holds no object of an
 *    arrival day before it (the bucket's lifecycle rule deleted them).
 * An id the collector holds no rows of (never seen, or not for EXACT_INSTALL_DAYS) keeps only
 * 1–3: a flood of forgets of made-up ids leaves rows that the hourly job removes after 38 days.
 */

/** How long after a forget events it must stop can still arrive: the acceptance window and two queues' retries. */
export function tombstoneLifetimeMs(env: object): number {
  const queues = Math.ceil((2 * LONGEST_QUEUE_WAIT_MS) / DAY_MS) * DAY_MS;
  return ingestLimitsOf(env).RAW_EVENT_RETENTION_DAYS * DAY_MS + queues;
}

/**
 * The first arrival day whose archive objects a forget at `now` reaches through per-install
 * rows: events of days older than those rows (folded) arrived RAW_EVENT_RETENTION_DAYS after
 * their day at the latest, so objects of days before this one may still hold some.
 */
export function archiveReachedFrom(env: object, now: number): string {
  const reach = exactInstallDaysOf(env) - ingestLimitsOf(env).RAW_EVENT_RETENTION_DAYS;
  return utcDay(now - reach * DAY_MS);
}

/** Records the tombstone, or extends it: events sent up to now are stopped for another lifetime. */
export function recordTombstone(db: D1Database, id: string, now: number, lifetimeMs: number): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO forgotten_installs (distinct_id, forgotten_at, expires_at) VALUES (?1, ?2, ?3)
       ON CONFLICT (distinct_id) DO UPDATE SET expires_at = excluded.expires_at
       WHERE expires_at IS NULL OR expires_at < excluded.expires_at`,
    )
    .bind(id, now, now + lifetimeMs);
}

/** Holds the tombstone while the archive has objects from before `day` (point 4 above). */
export function holdForArchive(db: D1Database, id: string, day: string): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE forgotten_installs SET archive_held_before = ?2
       WHERE distinct_id = ?1 AND (archive_held_before IS NULL OR archive_held_before < ?2)`,
    )
    .bind(id, day);
}

// ?1 the expiry cutoff, ?2 the chunk, ?3 the archive's oldest day, ?4 the lifetime (tombstones from before expires_at).
const PURGE = `DELETE FROM forgotten_installs WHERE distinct_id IN (
  SELECT distinct_id FROM forgotten_installs
  WHERE COALESCE(expires_at, forgotten_at + ?4) < ?1 AND (archive_held_before IS NULL OR archive_held_before <= ?3)
  LIMIT ?2)`;

/** Tombstones read per query when copying them into a joining database. */
const COPY_PAGE = 5_000;
const READ_PAGE = `SELECT distinct_id, forgotten_at, expires_at, archive_held_before FROM forgotten_installs
  WHERE distinct_id > ?1 ORDER BY distinct_id LIMIT ?2`;
const COPY = `INSERT OR IGNORE INTO forgotten_installs (distinct_id, forgotten_at, expires_at, archive_held_before)
  SELECT r.value->>0, r.value->>1, r.value->>2, r.value->>3 FROM json_each(?1) AS r`;

/**
 * Every tombstone into each database that joins the deployment from a day on (EVENT_DATABASES
 * `NAME@YYYY-MM-DD`), until the day after it joined: forgets write their tombstone into every
 * database, and this brings it the ones from before it was listed, so that its transactions
 * store nothing of an install forgotten earlier. Returns the tombstones copied.
 */
export async function copyTombstonesToJoining(env: Env, now: number): Promise<number> {
  const databases = eventDatabases(env);
  const today = Math.floor(now / DAY_MS);
  let copied = 0;
  for (const [i, target] of databases.all.entries()) {
    if ((databases.since[i] ?? -Infinity) < today - 1) continue;
    for (const source of databases.all) {
      if (source === target) continue;
      for (let after = ""; ; ) {
        const { results } = await source.prepare(READ_PAGE).bind(after, COPY_PAGE).all<{
          distinct_id: string;
          forgotten_at: number;
          expires_at: number | null;
          archive_held_before: string | null;
        }>();
        if (results.length === 0) break;
        const rows = results.map((r) => [r.distinct_id, r.forgotten_at, r.expires_at, r.archive_held_before]);
        copied += (await target.prepare(COPY).bind(JSON.stringify(rows)).run()).meta.changes;
        if (results.length < COPY_PAGE) break;
        after = results[results.length - 1]?.distinct_id ?? "";
      }
    }
  }
  return copied;
}

/**
 * The hourly job: copies the tombstones into databases joining the deployment, then deletes
 * the tombstones that can no longer matter, in every event database.
 */
export async function purgeTombstones(env: Env, now: number): Promise<number> {
  await copyTombstonesToJoining(env, now);
  const databases = eventDatabases(env);
  const parked = await parkedSummary(databases.primary);
  const pendingScrub = await oldestPendingScrub(databases.primary);
  const cutoff = Math.min(now, pendingScrub ?? now, ...parked.map((queue) => queue.oldest_parked_at));
  // No object at all: nothing older than any day.
  const oldestDay = (await oldestArchivedDay(env.ARCHIVE)) ?? "9999-12-31";
  let purged = 0;
  for (const db of databases.all) {
    purged += await deleteInChunks(db, PURGE, cutoff, oldestDay, tombstoneLifetimeMs(env));
  }
  return purged;
}
