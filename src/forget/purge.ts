import { oldestArchivedDay } from "../archive/reader";
import { oldestPendingScrub } from "../archive/scrub-requests";
import { parkedSummary } from "../deadletters/store";
import { deleteInChunks } from "../lib/d1";
import { eventDatabases } from "../lib/event-databases";
import { DAY_MS } from "../lib/time";
import { tombstoneLifetimeMs } from "./tombstones";

/**
 * The hourly job of the tombstones (tombstones.ts says how long each is kept and why): copies
 * them into event databases joining the deployment, then deletes those no path out can still
 * need: expired, no parked message or pending archive rewrite from before their expiry, and no
 * archive object left from before the day a forget held them for.
 */

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
