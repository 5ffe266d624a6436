import { gzipSync } from "node:zlib";

/**
 * The raw-event archive's layout in R2: gzipped NDJSON objects, one event per line, under
 * `events/app=<app>/day=<YYYY-MM-DD>/hour=<HH>/<delivery>.ndjson.gz`: the app, and the UTC day
 * and hour the collector received the events in (Hive-style, so DuckDB and Spark read the
 * partitions as columns). An event's own time is at most a day after its arrival and at most
 * RAW_EVENT_RETENTION_DAYS before it (older ones are refused), so the events *of* a day are in
 * the partitions from the day before to 30 days after. `<delivery>` is derived from the batch
 * ids of the Queue messages it holds, so a redelivered delivery overwrites its own objects
 * instead of adding copies.
 */

export const ARCHIVE_ROOT = "events/";

/** The prefix of one app's objects, or of one app-day's. */
export function partitionPrefix(app: string, day?: string): string {
  return `${ARCHIVE_ROOT}app=${encodeURIComponent(app)}/${day === undefined ? "" : `day=${day}/`}`;
}

export function objectKey(app: string, day: string, hour: string, delivery: string): string {
  return `${partitionPrefix(app, day)}hour=${hour}/${delivery}.ndjson.gz`;
}

/** The app of an app prefix as R2 lists it (`events/app=<app>/`). */
export function appOfPrefix(prefix: string): string | undefined {
  const match = /^events\/app=([^/]+)\/$/.exec(prefix);
  return match ? decodeURIComponent(match[1] as string) : undefined;
}

/** One archived event: what a reader of the archive gets, one JSON object per line. */
export interface ArchivedEvent {
  uuid: string;
  app: string;
  event: string;
  distinct_id: string;
  /** ISO 8601, after clock-skew correction (the time the aggregates count it at). */
  timestamp: string;
  /** ISO 8601, when the collector accepted it (its partition's day and hour). */
  received_at: string;
  app_version: string;
  os: string;
  country: string | null;
  tenant_id: string | null;
  /** The declared properties, as stored (undeclared ones were dropped at the door). */
  properties: Record<string, string | number | boolean>;
}

/**
 * Lines → one gzip member, at level 1: compressing is the largest part of the consumer's work
 * per event, and level 1 takes about two thirds of the time of CompressionStream's level 6 for
 * objects about a tenth larger (measured on the bench's deliveries, docs/PERFORMANCE.md).
 */
export function gzipLines(lines: readonly string[]): Uint8Array {
  return gzipSync(lines.length === 0 ? "" : `${lines.join("\n")}\n`, { level: 1 });
}

/** An object's body → its lines. */
export async function gunzipLines(body: ReadableStream<Uint8Array>): Promise<string[]> {
  const text = await new Response(body.pipeThrough(new DecompressionStream("gzip"))).text();
  return text.split("\n").filter((line) => line.length > 0);
}

/** The `distinct_id` of an archived line, without parsing the rest of it. */
export function distinctIdOf(line: string): string | undefined {
  const start = line.indexOf('"distinct_id":"');
  if (start < 0) return undefined;
  const from = start + 15;
  const end = line.indexOf('"', from);
  return end < 0 ? undefined : line.slice(from, end);
}

/** The `uuid` of an archived line (its first field), without parsing the rest of it. */
export function uuidOf(line: string): string | undefined {
  return line.startsWith('{"uuid":"') ? line.slice(9, line.indexOf('"', 9)) : undefined;
}

/** Every page of an R2 listing, following its cursor. */
export async function* listPages(bucket: R2Bucket, options: R2ListOptions): AsyncGenerator<R2Objects> {
  let cursor: string | undefined;
  do {
    const page = await bucket.list(cursor ? { ...options, cursor } : options);
    yield page;
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
}
