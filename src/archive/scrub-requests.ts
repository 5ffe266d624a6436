/**
 * The archive's pending rewrites for forgets, as `archive_scrubs` rows: written by
 * POST /v1/forget (one per app-day its install's events arrived on), read by the tombstones'
 * purge, done by the hourly job (scrub.ts). Apart from the job, so that the forget door carries
 * none of the Parquet code the rewrites need.
 */

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

/** When the oldest pending rewrite was asked for (ms), or undefined when none is pending. */
export async function oldestPendingScrub(db: D1Database): Promise<number | undefined> {
  const row = await db.prepare("SELECT MIN(requested_at) AS at FROM archive_scrubs").first<{ at: number | null }>();
  return row?.at ?? undefined;
}
