import { z } from "zod";
import { ingestLimitsOf } from "../ingest/limits";
import { deleteInChunks } from "../lib/d1";
import { eventDatabases } from "../lib/event-databases";
import { DAY_MS, utcDay } from "../lib/time";
import { nonNegativeInt, positiveInt, varsReader } from "../lib/vars";
import { foldInstallDays } from "./install-history";

/**
 * The retention job (hourly cron), in every event database. Dedupe packs go (by the day of
 * their events' dedupe second) once no event they could match is accepted any more
 * (RAW_EVENT_RETENTION_DAYS, the oldest event accepted, plus the day of slack their time may
 * have). Per-install rows older than EXACT_INSTALL_DAYS are
 * folded into daily counts and sketches (install-history.ts); those and the drop counters go
 * after AGGREGATE_RETENTION_DAYS. Raw rows of the debugging window go after
 * RAW_EVENT_DEBUG_DAYS (rows from before raw events moved to R2: after the raw retention, as
 * promised when they were stored). Daily event counts are kept: their size is bounded per day
 * by the catalogue and the version cap (docs/ARCHITECTURE.md, storage model). The raw archive
 * in R2 is kept as long as the bucket's lifecycle rules say.
 */
export const retentionDaysOf = varsReader(
  "retention",
  z.object({
    AGGREGATE_RETENTION_DAYS: positiveInt(400),
    EXACT_INSTALL_DAYS: positiveInt(45),
    RAW_EVENT_DEBUG_DAYS: nonNegativeInt(0),
  }),
);

export const rawEventDebugDaysOf = (env: object) => retentionDaysOf(env).RAW_EVENT_DEBUG_DAYS;

/** Days a day's per-install rows stay: never fewer than the days it can still receive events (and the queue's ~4 days of retries). */
export function exactInstallDaysOf(env: object): number {
  return Math.max(retentionDaysOf(env).EXACT_INSTALL_DAYS, ingestLimitsOf(env).RAW_EVENT_RETENTION_DAYS + 5);
}

/** Deletes the rows of `table` older than `cutoff`, in chunks, with the key columns named. */
function chunked(table: string, key: string, column: string): string {
  return `DELETE FROM ${table} WHERE (${key}) IN (SELECT ${key} FROM ${table} WHERE ${column} < ?1 LIMIT ?2)`;
}

export async function purgeExpired(env: Env, now: number): Promise<Record<string, number>> {
  const { primary, all } = eventDatabases(env);
  const retention = retentionDaysOf(env);
  const rawRetentionMs = ingestLimitsOf(env).RAW_EVENT_RETENTION_DAYS * DAY_MS;
  const rawCutoff = now - rawRetentionMs;
  const debugCutoff = retention.RAW_EVENT_DEBUG_DAYS > 0 ? now - retention.RAW_EVENT_DEBUG_DAYS * DAY_MS : rawCutoff;
  const aggregateCutoff = utcDay(now - retention.AGGREGATE_RETENTION_DAYS * DAY_MS);
  const perDatabase: [string, string, number | string][] = [
    ["events", chunked("events", "id", "received_at"), debugCutoff],
    ["dedupe_packs", chunked("event_packs", "id", "at_day"), Math.floor((now - rawRetentionMs - 2 * DAY_MS) / DAY_MS)],
    // The single keys from before packs, until none is left.
    ["dedupe_keys", chunked("event_uuids", "at, uuid", "at"), Math.floor((now - rawRetentionMs - 2 * DAY_MS) / 1000)],
    // Days older than the raw retention receive no more events: their version list is done.
    ["version_days", chunked("daily_versions", "app, day, app_version", "day"), utcDay(rawCutoff - 2 * DAY_MS)],
    ["install_history", chunked("install_history", "app, day, dimension, value", "day"), aggregateCutoff],
  ];
  const primaryOnly: [string, string, number | string][] = [
    ["batch_ids", chunked("processed_batches", "batch_id", "processed_at"), rawCutoff],
    ["rejection_days", chunked("daily_rejections", "app, day, error", "day"), aggregateCutoff],
    ["dropped_property_days", chunked("daily_dropped_properties", "app, day, event, property", "day"), aggregateCutoff],
    ["refusal_days", chunked("daily_refusals", "day, limit_kind", "day"), aggregateCutoff],
    ["unknown_event_days", chunked("daily_unknown_events", "app, day, event", "day"), aggregateCutoff],
  ];
  const purged: Record<string, number> = {};
  const add = (name: string, n: number) => {
    purged[name] = (purged[name] ?? 0) + n;
  };
  for (const db of all) {
    for (const [name, sql, cutoff] of perDatabase) add(name, await deleteInChunks(db, sql, cutoff));
    add("install_days_folded", await foldInstallDays(db, utcDay(now - exactInstallDaysOf(env) * DAY_MS)));
  }
  for (const [name, sql, cutoff] of primaryOnly) add(name, await deleteInChunks(primary, sql, cutoff));
  return purged;
}
