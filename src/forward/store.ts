import { deleteInChunks } from "../lib/d1";
import { DAY_MS, utcDay } from "../lib/time";

/**
 * Forwarding's D1 state: the ledger of uuids the upstream accepted (so each event is
 * forwarded once) and the counters per app and day that GET /v1/stats/health shows.
 */

/** Uuids per lookup: their JSON stays far below D1's 2 MB limit on a bound value. */
const LOOKUP_CHUNK = 5000;

/** The uuids among `uuids` that were already forwarded. */
export async function alreadyForwarded(db: D1Database, uuids: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let start = 0; start < uuids.length; start += LOOKUP_CHUNK) {
    const { results } = await db
      .prepare("SELECT uuid FROM forwarded_events WHERE uuid IN (SELECT value FROM json_each(?1))")
      .bind(JSON.stringify(uuids.slice(start, start + LOOKUP_CHUNK)))
      .all<{ uuid: string }>();
    for (const row of results) found.add(row.uuid);
  }
  return found;
}

/** Changes to one app's counters of the day. */
export interface CountsDelta {
  forwarded?: number;
  duplicates?: number;
  failedPosts?: number;
  notQueued?: number;
  /** Stored events not sent: their install was forgotten since. */
  forgotten?: number;
  /** Why a post failed, when it did. */
  failure?: string;
}

function countsStatement(db: D1Database, app: string, now: number, delta: CountsDelta): D1PreparedStatement {
  const succeeded = (delta.forwarded ?? 0) > 0;
  return db
    .prepare(
      `INSERT INTO forward_counts
         (app, day, forwarded, duplicates, failed_posts, not_queued, last_success_at, last_failure_at, last_failure,
          forgotten)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
       ON CONFLICT (app, day) DO UPDATE SET
         forwarded = forwarded + excluded.forwarded,
         duplicates = duplicates + excluded.duplicates,
         failed_posts = failed_posts + excluded.failed_posts,
         not_queued = not_queued + excluded.not_queued,
         forgotten = forgotten + excluded.forgotten,
         last_success_at = COALESCE(excluded.last_success_at, last_success_at),
         last_failure_at = COALESCE(excluded.last_failure_at, last_failure_at),
         last_failure = COALESCE(excluded.last_failure, last_failure)`,
    )
    .bind(
      app,
      utcDay(now),
      delta.forwarded ?? 0,
      delta.duplicates ?? 0,
      delta.failedPosts ?? 0,
      delta.notQueued ?? 0,
      succeeded ? now : null,
      delta.failure === undefined ? null : now,
      delta.failure?.slice(0, 200) ?? null,
      delta.forgotten ?? 0,
    );
}

/** Adds to an app's counters of the day. */
export async function addCounts(db: D1Database, app: string, now: number, delta: CountsDelta): Promise<void> {
  await countsStatement(db, app, now, delta).run();
}

/** Records, in one transaction, events the upstream accepted and the app's counters. */
export async function recordForwarded(
  db: D1Database,
  app: string,
  uuids: readonly string[],
  now: number,
  delta: CountsDelta,
): Promise<void> {
  await db.batch([
    db
      .prepare("INSERT OR IGNORE INTO forwarded_events (uuid, forwarded_at) SELECT value, ?2 FROM json_each(?1)")
      .bind(JSON.stringify(uuids), now),
    countsStatement(db, app, now, delta),
  ]);
}

/** Forgets forwarded uuids older than `cutoff` (ms): the same window as the raw events'. */
export function purgeForwardedBefore(db: D1Database, cutoff: number): Promise<number> {
  return deleteInChunks(
    db,
    "DELETE FROM forwarded_events WHERE uuid IN (SELECT uuid FROM forwarded_events WHERE forwarded_at < ?1 LIMIT ?2)",
    cutoff,
  );
}

/** The days the health page sums over. */
const HEALTH_DAYS = 7;

interface CountsRow {
  app: string;
  day: string;
  forwarded: number;
  duplicates: number;
  failed_posts: number;
  not_queued: number;
  forgotten: number;
  last_success_at: number | null;
  last_failure_at: number | null;
  last_failure: string | null;
}

/** Per app: the last 7 days' counters, the last success and the last failure. */
export async function forwardingSummary(db: D1Database, now: number) {
  const { results } = await db
    .prepare("SELECT * FROM forward_counts WHERE day >= ?1 ORDER BY app, day")
    .bind(utcDay(now - (HEALTH_DAYS - 1) * DAY_MS))
    .all<CountsRow>();
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const apps = new Map<string, CountsRow>();
  for (const row of results) {
    const sum = apps.get(row.app);
    if (!sum) {
      apps.set(row.app, { ...row });
      continue;
    }
    sum.forwarded += row.forwarded;
    sum.duplicates += row.duplicates;
    sum.failed_posts += row.failed_posts;
    sum.not_queued += row.not_queued;
    sum.forgotten += row.forgotten;
    sum.last_success_at = row.last_success_at ?? sum.last_success_at;
    if (row.last_failure_at !== null) {
      sum.last_failure_at = row.last_failure_at;
      sum.last_failure = row.last_failure;
    }
  }
  return [...apps.values()].map((sum) => ({
    app: sum.app,
    days: HEALTH_DAYS,
    forwarded: sum.forwarded,
    duplicates: sum.duplicates,
    failed_posts: sum.failed_posts,
    not_queued: sum.not_queued,
    forgotten: sum.forgotten,
    last_success_at: iso(sum.last_success_at),
    last_failure_at: iso(sum.last_failure_at),
    last_failure: sum.last_failure,
  }));
}
