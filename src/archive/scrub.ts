import { distinctIdOf, gunzipLines, gzipLines, listPages, partitionPrefix } from "./objects";

/**
 * Forgetting an install in the archive. POST /v1/forget records the app-days the install was
 * active on (its per-install rows say which) in `archive_scrubs`; this job, run by the hourly
 * cron, rewrites each such day's objects without the install's events (an object left empty
 * is deleted) and then crosses the day off. Several installs forgotten on one day cost one
 * pass over it. Days older than EXACT_INSTALL_DAYS have no per-install rows, so their objects
 * cannot be found this way: exports leave every forgotten install out (reader.ts), and the
 * bucket's lifecycle rules bound how long such objects live (docs/CLIENT.md).
 */

/** App-days rewritten per run; the rest wait for the next hourly run. */
const DAYS_PER_RUN = 25;

const PENDING = `SELECT app, day, distinct_id FROM archive_scrubs
  WHERE (app, day) IN (SELECT app, day FROM archive_scrubs GROUP BY app, day ORDER BY MIN(requested_at) LIMIT ?1)`;
const DONE =
  "DELETE FROM archive_scrubs WHERE app = ?1 AND day = ?2 AND distinct_id IN (SELECT value FROM json_each(?3))";
const SCHEDULE = `INSERT OR IGNORE INTO archive_scrubs (app, day, distinct_id, requested_at)
  SELECT r.value->>0, r.value->>1, r.value->>2, ?2 FROM json_each(?1) AS r`;

/** Records the app-days whose archived objects must lose an install's events. */
export function scheduleScrubs(
  db: D1Database,
  rows: readonly { app: string; day: string; distinctId: string }[],
  now: number,
): D1PreparedStatement {
  return db.prepare(SCHEDULE).bind(JSON.stringify(rows.map((row) => [row.app, row.day, row.distinctId])), now);
}

export interface ScrubRun {
  days: number;
  objectsRewritten: number;
  objectsDeleted: number;
  eventsRemoved: number;
}

export async function scrubArchive(db: D1Database, bucket: R2Bucket): Promise<ScrubRun> {
  const run: ScrubRun = { days: 0, objectsRewritten: 0, objectsDeleted: 0, eventsRemoved: 0 };
  const { results } = await db
    .prepare(PENDING)
    .bind(DAYS_PER_RUN)
    .all<{ app: string; day: string; distinct_id: string }>();
  const days = new Map<string, { app: string; day: string; ids: Set<string> }>();
  for (const row of results) {
    const key = `${row.app}\u0000${row.day}`;
    const day = days.get(key) ?? { app: row.app, day: row.day, ids: new Set<string>() };
    day.ids.add(row.distinct_id);
    days.set(key, day);
  }
  for (const { app, day, ids } of days.values()) {
    await scrubDay(bucket, app, day, ids, run);
    await db
      .prepare(DONE)
      .bind(app, day, JSON.stringify([...ids]))
      .run();
    run.days++;
  }
  return run;
}

async function scrubDay(bucket: R2Bucket, app: string, day: string, ids: ReadonlySet<string>, run: ScrubRun) {
  for await (const page of listPages(bucket, { prefix: partitionPrefix(app, day) })) {
    for (const listed of page.objects) {
      const object = await bucket.get(listed.key);
      if (!object) continue;
      const lines = await gunzipLines(object.body);
      const kept = lines.filter((line) => !ids.has(distinctIdOf(line) ?? ""));
      if (kept.length === lines.length) continue;
      run.eventsRemoved += lines.length - kept.length;
      if (kept.length === 0) {
        await bucket.delete(listed.key);
        run.objectsDeleted++;
      } else {
        await bucket.put(listed.key, gzipLines(kept), {
          httpMetadata: object.httpMetadata ?? { contentType: "application/x-ndjson" },
          customMetadata: { ...object.customMetadata, events: String(kept.length) },
        });
        run.objectsRewritten++;
      }
    }
  }
}
