import { z } from "zod";
import { ingestLimitsOf } from "../ingest/limits";
import { deleteInChunks } from "../lib/d1";
import { DAY_MS, utcDay } from "../lib/time";
import { positiveInt, varsReader } from "../lib/vars";

/**
 * The retention job (hourly cron). Raw events and the batch ids that guard per-batch counters
 * go after RAW_EVENT_RETENTION_DAYS (a uuid re-sent after that would be counted again, so it
 * is also the dedupe window; older events are refused at the door). Per-install rows and the
 * drop counters go after AGGREGATE_RETENTION_DAYS. Daily event counts are kept: their size is
 * bounded per day by the catalogue and the version cap (docs/ARCHITECTURE.md, storage model).
 */
export const aggregateRetentionDaysOf = varsReader(
  "retention",
  z.object({ AGGREGATE_RETENTION_DAYS: positiveInt(400) }).transform((v) => v.AGGREGATE_RETENTION_DAYS),
);

/** Deletes the rows of `table` older than `cutoff`, in chunks, with the key columns named. */
function chunked(table: string, key: string, column: string): string {
  return `DELETE FROM ${table} WHERE (${key}) IN (SELECT ${key} FROM ${table} WHERE ${column} < ?1 LIMIT ?2)`;
}

export async function purgeExpired(env: Env, now: number): Promise<Record<string, number>> {
  const rawCutoff = now - ingestLimitsOf(env).RAW_EVENT_RETENTION_DAYS * DAY_MS;
  const aggregateCutoff = utcDay(now - aggregateRetentionDaysOf(env) * DAY_MS);
  const jobs: [string, string, number | string][] = [
    ["events", chunked("events", "id", "received_at"), rawCutoff],
    ["batch_ids", chunked("processed_batches", "batch_id", "processed_at"), rawCutoff],
    // Days older than the raw retention receive no more events: their version list is done.
    ["version_days", chunked("daily_versions", "app, day, app_version", "day"), utcDay(rawCutoff - 2 * DAY_MS)],
    ["install_days", chunked("daily_active_installs", "app, day, distinct_id", "day"), aggregateCutoff],
    ["rejection_days", chunked("daily_rejections", "app, day, error", "day"), aggregateCutoff],
    ["dropped_property_days", chunked("daily_dropped_properties", "app, day, event, property", "day"), aggregateCutoff],
  ];
  const purged: Record<string, number> = {};
  for (const [name, sql, cutoff] of jobs) purged[name] = await deleteInChunks(env.DB, sql, cutoff);
  return purged;
}
