import { exactInstallDaysOf } from "../aggregate/retention";
import { ingestLimitsOf } from "../ingest/limits";
import { LONGEST_QUEUE_WAIT_MS } from "../lib/backoff";
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
 * 1–3: a flood of forgets of made-up ids leaves rows that the hourly job removes after 38 days
 * (purge.ts: apart, so that the forget door carries none of what the job reads).
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
