import { gzipSync } from "node:zlib";
import type { ArchivedEvent } from "./archived-event";

/**
 * The raw-event archive's layout in R2: Parquet objects (parquet.ts, parquet-read.ts: each
 * loaded the first time an object is written or read here), one row per event, under
 * `events/app=<app>/day=<YYYY-MM-DD>/hour=<HH>/<delivery>.parquet`: the app, and the UTC day
 * and hour the collector received the events in (Hive-style, so DuckDB, ClickHouse and Spark
 * read the partitions as columns). Objects written before Parquet are gzipped NDJSON, one
 * event per line (`<delivery>.ndjson.gz`): every reader, and a forget's rewrite, takes both. An event's own time is at most a day after its arrival and at most
 * RAW_EVENT_RETENTION_DAYS before it (older ones are refused), so the events *of* a day are in
 * the partitions from the day before to 30 days after. `<delivery>` is derived from the batch
 * ids of the Queue messages it holds, so a redelivered delivery overwrites its own objects
 * instead of adding copies.
 */

export const ARCHIVE_ROOT = "events/";

/** The key of an archive object: its app (URI-encoded), day and hour of arrival, and its name. */
export const ARCHIVE_KEY = /^events\/app=([^/]+)\/day=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})\/[^/]+$/;

/** The prefix of one app's objects, or of one app-day's. */
export function partitionPrefix(app: string, day?: string): string {
  return `${ARCHIVE_ROOT}app=${encodeURIComponent(app)}/${day === undefined ? "" : `day=${day}/`}`;
}

export function objectKey(app: string, day: string, hour: string, delivery: string): string {
  return `${partitionPrefix(app, day)}hour=${hour}/${delivery}.parquet`;
}

/** Whether an object is Parquet (else gzipped NDJSON, from before Parquet), by its key. */
const isParquet = (key: string) => key.endsWith(".parquet");

/** The app of an app prefix as R2 lists it (`events/app=<app>/`). */
export function appOfPrefix(prefix: string): string | undefined {
  const match = /^events\/app=([^/]+)\/$/.exec(prefix);
  return match ? decodeURIComponent(match[1] as string) : undefined;
}

export type { ArchivedEvent } from "./archived-event";

/**
 * Lines → one gzip member, at level 1 (the objects from before Parquet, and their rewrites).
 */
export function gzipLines(lines: readonly string[]): Uint8Array {
  return gzipSync(lines.length === 0 ? "" : `${lines.join("\n")}\n`, { level: 1 });
}

/** An object's body → its lines. */
export async function gunzipLines(body: ReadableStream<Uint8Array>): Promise<string[]> {
  const text = await new Response(body.pipeThrough(new DecompressionStream("gzip"))).text();
  return text.split("\n").filter((line) => line.length > 0);
}

/** The events of an object of `app` as R2 returned it, whichever its format (the Parquet reader is loaded on first use). */
export async function eventsOf(key: string, app: string, object: R2ObjectBody): Promise<ArchivedEvent[]> {
  if (isParquet(key)) {
    const { decodeParquet } = await import("./parquet-read");
    return decodeParquet(await object.arrayBuffer(), app);
  }
  return (await gunzipLines(object.body)).map((line) => JSON.parse(line) as ArchivedEvent);
}

/** Events → the body and content type of an object under `key`, in its format (the Parquet writer is loaded on first use). */
export async function encodeEvents(
  key: string,
  events: readonly ArchivedEvent[],
): Promise<{ body: Uint8Array; contentType: string }> {
  if (isParquet(key)) {
    const { encodeParquet, PARQUET_CONTENT_TYPE } = await import("./parquet");
    return { body: encodeParquet(events), contentType: PARQUET_CONTENT_TYPE };
  }
  return { body: gzipLines(events.map((event) => JSON.stringify(event))), contentType: "application/x-ndjson" };
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
