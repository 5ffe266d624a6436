/** D1 plumbing shared by the retention jobs: deletes in bounded chunks. */

/** Rows deleted per statement: keeps each statement far below D1's 30 s query limit. */
const DELETE_CHUNK = 10_000;
/** Statements per table and run; whatever is left is deleted on the next hourly run. */
const MAX_CHUNKS_PER_RUN = 50;

/**
 * Runs a chunked delete, `sql` binding ?1 to `cutoff`, ?2 to the chunk size and ?3… to `more`,
 * until a chunk deletes fewer rows than it may (or the run's statement budget is spent).
 * Returns the rows deleted.
 */
export async function deleteInChunks(
  db: D1Database,
  sql: string,
  cutoff: number | string,
  ...more: (number | string)[]
): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < MAX_CHUNKS_PER_RUN; i++) {
    const result = await db
      .prepare(sql)
      .bind(cutoff, DELETE_CHUNK, ...more)
      .run();
    deleted += result.meta.changes;
    if (result.meta.changes < DELETE_CHUNK) break;
  }
  return deleted;
}
