import { encodeEvents, eventsOf, listPages, partitionPrefix } from "./objects";

/**
 * Forgetting an install in the archive. POST /v1/forget records the app-days its events
 * arrived on (its per-install rows say which) in `archive_scrubs` (scrub-requests.ts); this job, run by the hourly
 * cron, rewrites each such day's objects without the install's events (an object left empty
 * is deleted) and then crosses the day off. Several installs forgotten on one day cost one
 * pass over it. A run reads at most OBJECTS_PER_RUN objects, oldest requests first: a day with
 * more objects is paused at the last key it rewrote (`after_key`) and finished by the next runs.
 * Days older than EXACT_INSTALL_DAYS have no per-install rows, so their objects cannot be
 * found this way: exports leave forgotten installs out (reader.ts) while their tombstones are
 * kept (src/forget/tombstones.ts), and the bucket's lifecycle rules bound how long such
 * objects live (docs/CLIENT.md).
 */

/** Objects read per run: each is fetched, inflated and scanned, and rewritten when it holds a forgotten install. */
export const OBJECTS_PER_RUN = 500;
/** App-days looked at per run; the rest wait for the next hourly run. */
const DAYS_PER_RUN = 50;

const PENDING = `SELECT app, day, distinct_id, requested_at, after_key FROM archive_scrubs
  WHERE (app, day) IN (SELECT app, day FROM archive_scrubs GROUP BY app, day ORDER BY MIN(requested_at) LIMIT ?1)`;
const DONE =
  "DELETE FROM archive_scrubs WHERE app = ?1 AND day = ?2 AND distinct_id IN (SELECT value FROM json_each(?3))";
const PAUSED =
  "UPDATE archive_scrubs SET after_key = ?4 WHERE app = ?1 AND day = ?2 AND distinct_id IN (SELECT value FROM json_each(?3))";
export interface ScrubRun {
  days: number;
  objectsRead: number;
  objectsRewritten: number;
  objectsDeleted: number;
  eventsRemoved: number;
  /** A day was left half done: the budget ran out. */
  paused: boolean;
}

interface PendingDay {
  app: string;
  day: string;
  ids: Set<string>;
  requestedAt: number;
  /** Where to go on from: the smallest cursor of its rows ("" from the start). */
  after: string;
}

export async function scrubArchive(
  db: D1Database,
  bucket: R2Bucket,
  objectsPerRun = OBJECTS_PER_RUN,
): Promise<ScrubRun> {
  const run: ScrubRun = {
    days: 0,
    objectsRead: 0,
    objectsRewritten: 0,
    objectsDeleted: 0,
    eventsRemoved: 0,
    paused: false,
  };
  const { results } = await db
    .prepare(PENDING)
    .bind(DAYS_PER_RUN)
    .all<{ app: string; day: string; distinct_id: string; requested_at: number; after_key: string | null }>();
  const days = new Map<string, PendingDay>();
  for (const row of results) {
    const key = `${row.app}\u0000${row.day}`;
    const day = days.get(key) ?? {
      app: row.app,
      day: row.day,
      ids: new Set<string>(),
      requestedAt: row.requested_at,
      after: row.after_key ?? "",
    };
    day.ids.add(row.distinct_id);
    day.requestedAt = Math.min(day.requestedAt, row.requested_at);
    if ((row.after_key ?? "") < day.after) day.after = row.after_key ?? "";
    days.set(key, day);
  }
  for (const { app, day, ids, after } of [...days.values()].sort((a, b) => a.requestedAt - b.requestedAt)) {
    const stoppedAt = await scrubDay(bucket, app, day, ids, after, objectsPerRun, run);
    const idList = JSON.stringify([...ids]);
    if (stoppedAt !== undefined) {
      await db.prepare(PAUSED).bind(app, day, idList, stoppedAt).run();
      run.paused = true;
      break;
    }
    await db.prepare(DONE).bind(app, day, idList).run();
    run.days++;
  }
  return run;
}

/** Rewrites a day's objects after `after`; returns the last key done if the budget ran out first. */
async function scrubDay(
  bucket: R2Bucket,
  app: string,
  day: string,
  ids: ReadonlySet<string>,
  after: string,
  budget: number,
  run: ScrubRun,
): Promise<string | undefined> {
  const listing: R2ListOptions = { prefix: partitionPrefix(app, day), ...(after ? { startAfter: after } : {}) };
  let done = after;
  for await (const page of listPages(bucket, listing)) {
    for (const listed of page.objects) {
      if (run.objectsRead === budget) return done;
      run.objectsRead++;
      await scrubObject(bucket, app, listed.key, ids, run);
      done = listed.key;
    }
  }
  return undefined;
}

/** Rewrites one object (in its own format: Parquet, or gzipped NDJSON from before) without the installs `ids`. */
async function scrubObject(
  bucket: R2Bucket,
  app: string,
  key: string,
  ids: ReadonlySet<string>,
  run: ScrubRun,
): Promise<void> {
  const object = await bucket.get(key);
  if (!object) return;
  const events = await eventsOf(key, app, object);
  const kept = events.filter((event) => !ids.has(event.distinct_id));
  if (kept.length === events.length) return;
  run.eventsRemoved += events.length - kept.length;
  if (kept.length === 0) {
    await bucket.delete(key);
    run.objectsDeleted++;
  } else {
    const { body, contentType } = await encodeEvents(key, kept);
    await bucket.put(key, body, {
      httpMetadata: { contentType },
      customMetadata: { ...object.customMetadata, events: String(kept.length) },
    });
    run.objectsRewritten++;
  }
}
