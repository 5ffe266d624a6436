import { z } from "zod";
import { deleteInChunks } from "../lib/d1";
import { DAY_MS } from "../lib/time";
import { positiveInt, varsReader } from "../lib/vars";

/**
 * Raw events are kept RAW_EVENT_RETENTION_DAYS (default 30); the aggregates are kept. It is
 * also the window in which a re-sent event uuid is recognised as a duplicate.
 */
export const retentionDaysOf = varsReader(
  "retention",
  z.object({ RAW_EVENT_RETENTION_DAYS: positiveInt(30) }).transform((v) => v.RAW_EVENT_RETENTION_DAYS),
);

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
