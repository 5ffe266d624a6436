import { z } from "zod";
import { DAY_MS } from "../lib/time";
import { positiveInt, varsReader } from "../lib/vars";

/**
 * Raw events are kept RAW_EVENT_RETENTION_DAYS (default 30); the aggregates are kept. It is
 * also the window in which a re-sent event uuid is recognised as a duplicate.
 */
const retentionDaysOf = varsReader(
  "retention",
  z.object({ RAW_EVENT_RETENTION_DAYS: positiveInt(30) }).transform((v) => v.RAW_EVENT_RETENTION_DAYS),
);
/** Rows deleted per statement: keeps each statement far below D1's 30 s query limit. */
const DELETE_CHUNK = 10_000;
/** Statements per run; whatever is left is deleted on the next hourly run. */
const MAX_CHUNKS_PER_RUN = 50;

/**
 * Deletes raw events (and the batch ids that guard per-batch counters) older than the
 * retention period. Aggregates are kept. A uuid re-sent after its raw event was purged would
 * be counted again, so the retention period is also the duplicate-detection window.
 */
export async function purgeExpired(env: Env, now: number): Promise<{ events: number; batches: number }> {
  const cutoff = now - retentionDaysOf(env) * DAY_MS;
  const events = await deleteInChunks(
    env.DB,
    "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE received_at < ?1 LIMIT ?2)",
    cutoff,
  );
  const batches = await deleteInChunks(
    env.DB,
    "DELETE FROM processed_batches WHERE batch_id IN (SELECT batch_id FROM processed_batches WHERE processed_at < ?1 LIMIT ?2)",
    cutoff,
  );
  return { events, batches };
}

async function deleteInChunks(db: D1Database, sql: string, cutoff: number): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < MAX_CHUNKS_PER_RUN; i++) {
    const result = await db.prepare(sql).bind(cutoff, DELETE_CHUNK).run();
    deleted += result.meta.changes;
    if (result.meta.changes < DELETE_CHUNK) break;
  }
  return deleted;
}
